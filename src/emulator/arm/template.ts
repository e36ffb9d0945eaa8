import {armErrors} from './arm-error.js'

/**
 * The ARM template expression language, limited to what aio-bridge's renderer emits: `parameters()`, `variables()`,
 * `format()`, `concat()` and `resourceId()` (current subscription and resource group), nested calls, string and
 * number literals and `.property` / `[index]` access. Anything else is ARM's `InvalidTemplate`, so a renderer change
 * that needs more is caught by the black-box tests rather than by Azure.
 */

export interface TemplateContext {
  subscriptionId: string
  resourceGroup: string
  parameters: Record<string, unknown>
  variables: Record<string, unknown>
}

type Token =
  | {t: 'str'; v: string}
  | {t: 'num'; v: number}
  | {t: 'id'; v: string}
  | {t: 'p'; v: '(' | ')' | ',' | '.' | '[' | ']'}

function tokenize(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i] as string
    if (/\s/.test(c)) {
      i++
    } else if (c === "'") {
      let v = ''
      i++
      for (;;) {
        if (i >= src.length)
          throw armErrors.invalidTemplate(`The language expression '${src}' is not valid: unclosed string`)
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'"
            i += 2
            continue
          }
          i++
          break
        }
        v += src[i]
        i++
      }
      out.push({t: 'str', v})
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9]+/.exec(src.slice(i))
      if (!m) throw armErrors.invalidTemplate(`The language expression '${src}' is not valid`)
      out.push({t: 'num', v: Number(m[0])})
      i += m[0].length
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray
      out.push({t: 'id', v: m[0]})
      i += m[0].length
    } else if ('(),.[]'.includes(c)) {
      out.push({t: 'p', v: c as '('})
      i++
    } else {
      throw armErrors.invalidTemplate(`The language expression '${src}' is not valid: unexpected character '${c}'`)
    }
  }
  return out
}

type Node =
  | {k: 'lit'; v: unknown}
  | {k: 'call'; name: string; args: Node[]}
  | {k: 'prop'; of: Node; name: string}
  | {k: 'index'; of: Node; index: Node}

function parse(src: string): Node {
  const toks = tokenize(src)
  let pos = 0
  const bad = (why: string) => armErrors.invalidTemplate(`The language expression '${src}' is not valid: ${why}`)
  const peek = () => toks[pos]
  const expectP = (v: string) => {
    const t = toks[pos++]
    if (t?.t !== 'p' || t.v !== v) throw bad(`expected '${v}'`)
  }
  function primary(): Node {
    const t = toks[pos++]
    if (!t) throw bad('unexpected end')
    if (t.t === 'str' || t.t === 'num') return {k: 'lit', v: t.v}
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false' || t.v === 'null') {
        const nt = peek()
        if (!(nt?.t === 'p' && nt.v === '(')) return {k: 'lit', v: t.v === 'null' ? null : t.v === 'true'}
      }
      expectP('(')
      const args: Node[] = []
      const nt = peek()
      if (!(nt?.t === 'p' && nt.v === ')')) {
        for (;;) {
          args.push(expr())
          const sep = toks[pos++]
          if (sep?.t === 'p' && sep.v === ')') break
          if (!(sep?.t === 'p' && sep.v === ',')) throw bad("expected ',' or ')'")
        }
      } else {
        pos++
      }
      return {k: 'call', name: t.v, args}
    }
    throw bad(`unexpected '${String(t.v)}'`)
  }
  function expr(): Node {
    let node = primary()
    for (;;) {
      const t = peek()
      if (t?.t === 'p' && t.v === '.') {
        pos++
        const id = toks[pos++]
        if (id?.t !== 'id') throw bad('expected a property name')
        node = {k: 'prop', of: node, name: id.v}
      } else if (t?.t === 'p' && t.v === '[') {
        pos++
        const index = expr()
        expectP(']')
        node = {k: 'index', of: node, index}
      } else {
        return node
      }
    }
  }
  const node = expr()
  if (pos !== toks.length) throw bad('unexpected text after the expression')
  return node
}

const FUNCTIONS = new Set(['parameters', 'variables', 'format', 'concat', 'resourceid'])

function evalNode(node: Node, ctx: TemplateContext, depth: number): unknown {
  switch (node.k) {
    case 'lit':
      return node.v
    case 'prop': {
      const of = evalNode(node.of, ctx, depth) as Record<string, unknown> | undefined
      if (of === null || typeof of !== 'object' || !(node.name in of)) {
        throw armErrors.invalidTemplate(`The language expression property '${node.name}' doesn't exist`)
      }
      return of[node.name]
    }
    case 'index': {
      const of = evalNode(node.of, ctx, depth) as Record<string, unknown> | unknown[]
      const i = evalNode(node.index, ctx, depth)
      const v = Array.isArray(of) ? of[Number(i)] : (of as Record<string, unknown>)?.[String(i)]
      if (v === undefined)
        throw armErrors.invalidTemplate(`The language expression index '${String(i)}' is out of range`)
      return v
    }
    case 'call':
      return callFunction(node.name, node.args, ctx, depth)
  }
}

function callFunction(name: string, argNodes: Node[], ctx: TemplateContext, depth: number): unknown {
  const fn = name.toLowerCase()
  if (!FUNCTIONS.has(fn)) {
    throw armErrors.invalidTemplate(
      `The template function '${name}' is not valid. Please see https://aka.ms/arm-template-expressions for usage details`,
    )
  }
  const args = argNodes.map((a) => evalNode(a, ctx, depth))
  switch (fn) {
    case 'parameters': {
      const n = String(args[0])
      if (!(n in ctx.parameters)) throw armErrors.invalidTemplate(`The template parameter '${n}' is not found`)
      return ctx.parameters[n]
    }
    case 'variables': {
      const n = String(args[0])
      if (!(n in ctx.variables)) throw armErrors.invalidTemplate(`The template variable '${n}' is not found`)
      if (depth > 20) throw armErrors.invalidTemplate(`The template variable '${n}' refers to itself`)
      return evaluateValue(ctx.variables[n], ctx, depth + 1)
    }
    case 'format': {
      const fmt = String(args[0])
      return fmt.replace(/\{(\d+)(:[^}]*)?\}/g, (_m, i: string) => {
        const v = args[Number(i) + 1]
        if (v === undefined)
          throw armErrors.invalidTemplate(`The format string '${fmt}' refers to a missing argument {${i}}`)
        return typeof v === 'string' ? v : JSON.stringify(v)
      })
    }
    case 'concat':
      if (args.length > 0 && args.every(Array.isArray)) return (args as unknown[][]).flat()
      return args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join('')
    case 'resourceid': {
      const strs = args.map(String)
      const typeIndex = strs.findIndex((s) => /^[A-Za-z0-9]+(\.[A-Za-z0-9]+)+\/[A-Za-z0-9]/.test(s))
      if (typeIndex < 0 || typeIndex > 2) throw armErrors.invalidTemplate('resourceId() needs a resource type')
      const sub = typeIndex >= 2 ? (strs[0] as string) : ctx.subscriptionId
      const rg = typeIndex >= 1 ? (strs[typeIndex - 1] as string) : ctx.resourceGroup
      return buildResourceId(sub, rg, strs[typeIndex] as string, strs.slice(typeIndex + 1))
    }
  }
  return undefined
}

export function buildResourceId(sub: string, rg: string, type: string, names: string[]): string {
  const [ns, ...types] = type.split('/')
  if (types.length !== names.length) {
    throw armErrors.invalidTemplate(
      `Unable to evaluate template language function 'resourceId': function requires exactly one resource name per type segment of '${type}'`,
    )
  }
  const parts = types.map((t, i) => `${t}/${names[i]}`).join('/')
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ns}/${parts}`
}

/** Is this string an expression (`[…]` but not the `[[` escape)? */
function isExpression(s: string): boolean {
  return s.length >= 2 && s.startsWith('[') && s.endsWith(']') && !s.startsWith('[[')
}

/** Evaluates every expression string inside a JSON value. */
export function evaluateValue(value: unknown, ctx: TemplateContext, depth = 0): unknown {
  if (typeof value === 'string') {
    if (isExpression(value)) return evalNode(parse(value.slice(1, -1)), ctx, depth)
    if (value.startsWith('[[')) return value.slice(1)
    return value
  }
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, ctx, depth))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = evaluateValue(v, ctx, depth)
    return out
  }
  return value
}

export interface TemplateResource {
  /** Symbolic name (languageVersion 2.0) or the index as a string. */
  symbol: string
  type: string
  apiVersion: string
  name: string
  names: string[]
  id: string
  body: Record<string, unknown>
  dependsOn: string[]
  /** Ids of the template resources `dependsOn` names (resolved). */
  dependsOnIds: string[]
  existing: boolean
}

export interface EvaluatedTemplate {
  resources: TemplateResource[]
  outputs: Record<string, {type: string; value: unknown}>
  parameters: Record<string, {type: string; value: unknown}>
}

/** Validates and evaluates a deployment's template and parameters; throws 400 InvalidTemplate. */
export function evaluateTemplate(
  template: unknown,
  suppliedParameters: unknown,
  scope: {subscriptionId: string; resourceGroup: string},
): EvaluatedTemplate {
  if (!template || typeof template !== 'object' || Array.isArray(template)) {
    throw armErrors.invalidTemplate('The request content is not a JSON object template')
  }
  const t = template as Record<string, unknown>
  if (typeof t.contentVersion !== 'string')
    throw armErrors.invalidTemplate("Required property 'contentVersion' not found in JSON")
  if (t.resources === undefined) throw armErrors.invalidTemplate("Required property 'resources' not found in JSON")
  const declared = (t.parameters ?? {}) as Record<
    string,
    {type?: string; defaultValue?: unknown; allowedValues?: unknown[]}
  >
  const supplied = (suppliedParameters ?? {}) as Record<string, {value?: unknown; reference?: unknown}>
  if (typeof supplied !== 'object' || Array.isArray(supplied))
    throw armErrors.invalidTemplate('The parameters are not an object')
  const unknownNames = Object.keys(supplied).filter((n) => !(n in declared))
  if (unknownNames.length > 0) {
    throw armErrors.invalidTemplate(
      `The template parameters '${unknownNames.join(', ')}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '${Object.keys(declared).join(', ')}'`,
    )
  }
  const ctx: TemplateContext = {...scope, parameters: {}, variables: (t.variables ?? {}) as Record<string, unknown>}
  const paramsOut: EvaluatedTemplate['parameters'] = {}
  for (const [n, decl] of Object.entries(declared)) {
    let value: unknown
    if (supplied[n] && 'value' in supplied[n]) value = supplied[n].value
    else if (supplied[n]?.reference)
      throw armErrors.invalidTemplate(`Key Vault references (parameter '${n}') are not supported by the emulator`)
    else if ('defaultValue' in decl) value = evaluateValue(decl.defaultValue, ctx)
    else
      throw armErrors.invalidTemplate(
        `The value for the template parameter '${n}' at line '1' and column '1' is not provided`,
      )
    checkParameterType(n, decl.type, value)
    if (decl.allowedValues && !decl.allowedValues.some((a) => JSON.stringify(a) === JSON.stringify(value))) {
      throw armErrors.invalidTemplate(`The provided value for the template parameter '${n}' is not valid`)
    }
    ctx.parameters[n] = value
    paramsOut[n] = {type: decl.type ?? 'String', value: /^secure/i.test(decl.type ?? '') ? undefined : value}
  }

  const rawResources: Array<[string, unknown]> = Array.isArray(t.resources)
    ? t.resources.map((r, i) => [String(i), r])
    : Object.entries(t.resources as Record<string, unknown>)
  const resources: TemplateResource[] = []
  for (const [symbol, raw] of rawResources) {
    if (!raw || typeof raw !== 'object')
      throw armErrors.invalidTemplate(`The template resource '${symbol}' is not an object`)
    const r = raw as Record<string, unknown>
    if ('copy' in r || 'condition' in r || 'resources' in r || 'scope' in r) {
      throw armErrors.invalidTemplate(
        `The template resource '${symbol}' uses copy, condition, nested resources or scope, which the emulator does not support`,
      )
    }
    const type = evaluateValue(r.type, ctx)
    const name = evaluateValue(r.name, ctx)
    const apiVersion = evaluateValue(r.apiVersion, ctx)
    if (typeof type !== 'string' || !type.includes('/'))
      throw armErrors.invalidTemplate(`The template resource '${symbol}' has no valid 'type'`)
    if (typeof name !== 'string' || name === '')
      throw armErrors.invalidTemplate(`The template resource '${symbol}' has no valid 'name'`)
    if (typeof apiVersion !== 'string')
      throw armErrors.invalidTemplate(`The template resource '${name}' has no 'apiVersion'`)
    const names = name.split('/')
    if (type.split('/').length - 1 !== names.length) {
      throw armErrors.invalidTemplate(
        `The template resource '${name}' for type '${type}' at line '1' and column '1' has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name`,
      )
    }
    const body: Record<string, unknown> = {}
    for (const f of ['location', 'tags', 'sku', 'identity', 'kind', 'extendedLocation', 'properties']) {
      if (f in r) body[f] = evaluateValue(r[f], ctx)
    }
    const dependsOn = evaluateValue(r.dependsOn ?? [], ctx)
    if (!Array.isArray(dependsOn))
      throw armErrors.invalidTemplate(`The 'dependsOn' of resource '${name}' is not an array`)
    resources.push({
      symbol,
      type,
      apiVersion,
      name,
      names,
      id: buildResourceId(scope.subscriptionId, scope.resourceGroup, type, names),
      body,
      dependsOn: dependsOn.map(String),
      dependsOnIds: [],
      existing: r.existing === true,
    })
  }
  const outputs: EvaluatedTemplate['outputs'] = {}
  for (const [n, o] of Object.entries((t.outputs ?? {}) as Record<string, {type?: string; value?: unknown}>)) {
    outputs[n] = {type: o.type ?? 'String', value: evaluateValue(o.value, ctx)}
  }
  return {resources: orderByDependencies(resources), outputs, parameters: paramsOut}
}

function checkParameterType(name: string, type: string | undefined, value: unknown): void {
  const ty = (type ?? '').toLowerCase()
  const ok =
    ty === '' ||
    ((ty === 'string' || ty === 'securestring') && typeof value === 'string') ||
    (ty === 'int' && Number.isInteger(value)) ||
    (ty === 'bool' && typeof value === 'boolean') ||
    ((ty === 'object' || ty === 'secureobject') && !!value && typeof value === 'object' && !Array.isArray(value)) ||
    (ty === 'array' && Array.isArray(value))
  if (!ok) {
    throw armErrors.invalidTemplate(
      `Template parameter JToken type is not valid. Expected '${type}'. Actual '${Array.isArray(value) ? 'Array' : typeof value}'. Parameter '${name}'`,
    )
  }
}

/** Orders resources so each comes after what it depends on; unknown or circular dependencies are InvalidTemplate. */
function orderByDependencies(resources: TemplateResource[]): TemplateResource[] {
  const find = (dep: string): TemplateResource | undefined => {
    const d = dep.toLowerCase()
    return resources.find(
      (r) =>
        r.symbol.toLowerCase() === d ||
        r.id.toLowerCase() === d ||
        `${r.type}/${r.name}`.toLowerCase() === d ||
        // "Microsoft.X/a/b/n1/n2" style and bare names
        `${r.type.split('/').slice(0, 2).join('/')}/${r.names.join('/')}`.toLowerCase() === d,
    )
  }
  const deps = new Map<TemplateResource, TemplateResource[]>()
  for (const r of resources) {
    const targets = r.dependsOn.map((d) => {
      const target = find(d)
      if (!target) throw armErrors.invalidTemplate(`The resource '${d}' is not defined in the template`)
      return target
    })
    r.dependsOnIds = targets.map((t) => t.id)
    deps.set(r, targets)
  }
  const out: TemplateResource[] = []
  const state = new Map<TemplateResource, 'visiting' | 'done'>()
  const visit = (r: TemplateResource) => {
    const s = state.get(r)
    if (s === 'done') return
    if (s === 'visiting') throw armErrors.invalidTemplate(`Circular dependency detected on resource: '${r.id}'`)
    state.set(r, 'visiting')
    for (const d of deps.get(r) ?? []) visit(d)
    state.set(r, 'done')
    out.push(r)
  }
  for (const r of resources) visit(r)
  return out
}
