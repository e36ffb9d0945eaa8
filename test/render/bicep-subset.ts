/**
 * A reader for the Bicep subset aio-bridge writes (params, `existing` and new resources, object/array literals, string
 * escapes, `sym.name` / `sym.id`), evaluated to the resources a deployment would create. Used to prove the Bicep file
 * and the ARM JSON template describe the same resources; it is not a Bicep compiler.
 */

type Token = {kind: 'id' | 'str' | 'num' | 'punct' | 'nl'; text: string}

function tokenize(src: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i] as string
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++
    } else if (c === '\n') {
      tokens.push({kind: 'nl', text: '\n'})
      i++
    } else if (/\s/.test(c)) i++
    else if (c === "'") {
      let s = ''
      i++
      while (src[i] !== "'") {
        if (i >= src.length) throw new Error('unterminated string')
        if (src[i] === '$' && src[i + 1] === '{') throw new Error(`string interpolation at ${i} (unescaped \${)`)
        if (src[i] === '\\') {
          const e = src[i + 1] as string
          s += ({n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", $: '$'} as Record<string, string>)[e] ?? `\\${e}`
          i += 2
        } else s += src[i++]
      }
      i++
      tokens.push({kind: 'str', text: s})
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray
      tokens.push({kind: 'id', text: m[0]})
      i += m[0].length
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(src.slice(i)) as RegExpExecArray
      tokens.push({kind: 'num', text: m[0]})
      i += m[0].length
    } else if ('{}[]:=.'.includes(c)) {
      tokens.push({kind: 'punct', text: c})
      i++
    } else throw new Error(`unexpected character '${c}' at ${i}`)
  }
  return tokens
}

export type Expr =
  | {kind: 'lit'; value: unknown}
  | {kind: 'obj'; entries: Array<[string, Expr]>}
  | {kind: 'arr'; items: Expr[]}
  | {kind: 'ref'; path: string[]}

export interface BicepResourceDecl {
  symbol: string
  type: string
  apiVersion: string
  existing: boolean
  body: Expr & {kind: 'obj'}
}

export interface BicepFile {
  params: Map<string, {type: string; default?: Expr}>
  resources: BicepResourceDecl[]
}

export function parseBicep(src: string): BicepFile {
  const t = tokenize(src)
  let p = 0
  const peek = () => t[p]
  const next = () => t[p++] as Token
  const skipNl = () => {
    while (peek()?.kind === 'nl') p++
  }
  const expect = (text: string) => {
    const tok = next()
    if (tok.text !== text) throw new Error(`expected '${text}', got '${tok.text}'`)
  }
  const expr = (): Expr => {
    const tok = next()
    if (tok.kind === 'str') return {kind: 'lit', value: tok.text}
    if (tok.kind === 'num') return {kind: 'lit', value: Number(tok.text)}
    if (tok.kind === 'id' && (tok.text === 'true' || tok.text === 'false'))
      return {kind: 'lit', value: tok.text === 'true'}
    if (tok.kind === 'id') {
      const path = [tok.text]
      while (peek()?.text === '.') {
        p++
        path.push(next().text)
      }
      return {kind: 'ref', path}
    }
    if (tok.text === '{') {
      const entries: Array<[string, Expr]> = []
      skipNl()
      while (peek()?.text !== '}') {
        const key = next()
        expect(':')
        entries.push([key.text, expr()])
        if (peek()?.text !== '}' && next().kind !== 'nl') throw new Error('expected a new line between properties')
        skipNl()
      }
      p++
      return {kind: 'obj', entries}
    }
    if (tok.text === '[') {
      const items: Expr[] = []
      skipNl()
      while (peek()?.text !== ']') {
        items.push(expr())
        if (peek()?.text !== ']' && next().kind !== 'nl') throw new Error('expected a new line between items')
        skipNl()
      }
      p++
      return {kind: 'arr', items}
    }
    throw new Error(`unexpected token '${tok.text}'`)
  }
  const file: BicepFile = {params: new Map(), resources: []}
  skipNl()
  while (p < t.length) {
    const kw = next().text
    if (kw === 'param') {
      const name = next().text
      const type = next().text
      let def: Expr | undefined
      if (peek()?.text === '=') {
        p++
        def = expr()
      }
      file.params.set(name, {type, default: def})
    } else if (kw === 'resource') {
      const symbol = next().text
      const [type, apiVersion] = next().text.split('@') as [string, string]
      let existing = false
      if (peek()?.text === 'existing') {
        existing = true
        p++
      }
      expect('=')
      const body = expr()
      if (body.kind !== 'obj') throw new Error('resource body must be an object')
      file.resources.push({symbol, type, apiVersion, existing, body})
    } else throw new Error(`unexpected '${kw}'`)
    skipNl()
  }
  return file
}

export interface DeployedResource {
  type: string
  apiVersion: string
  /** Full name, `instance/child/...`. */
  name: string
  id: string
  extendedLocation?: unknown
  properties: unknown
  dependsOn: string[]
}

export function resourceIdOf(scope: string, type: string, names: string[]): string {
  const [provider, ...types] = type.split('/')
  let id = `${scope}/providers/${provider}`
  types.forEach((segment, i) => {
    id += `/${segment}/${names[i]}`
  })
  return id
}

/** The resources the file creates, with parameters set as a deployment would (given values over defaults). */
export function evaluateBicep(file: BicepFile, params: Record<string, string>, scope: string): DeployedResource[] {
  const values = new Map<string, unknown>()
  const symbols = new Map<string, {decl: BicepResourceDecl; name: string; fullName: string; id: string}>()
  const deps = new Set<string>()
  const evaluate = (e: Expr): unknown => {
    switch (e.kind) {
      case 'lit':
        return e.value
      case 'arr':
        return e.items.map(evaluate)
      case 'obj':
        return Object.fromEntries(e.entries.map(([k, v]) => [k, evaluate(v)]))
      case 'ref': {
        const [head, prop] = e.path
        if (values.has(head as string) && prop === undefined) return values.get(head as string)
        const sym = symbols.get(head as string)
        if (!sym) throw new Error(`unknown symbol ${head}`)
        if (!sym.decl.existing) deps.add(sym.id)
        if (prop === 'name') return sym.name
        if (prop === 'id') return sym.id
        throw new Error(`unsupported property ${e.path.join('.')}`)
      }
    }
  }
  for (const [name, decl] of file.params) {
    values.set(name, params[name] ?? (decl.default ? evaluate(decl.default) : undefined))
  }
  const out: DeployedResource[] = []
  for (const decl of file.resources) {
    const entries = new Map(decl.body.entries)
    const parentExpr = entries.get('parent')
    const parent = parentExpr?.kind === 'ref' ? symbols.get(parentExpr.path[0] as string) : undefined
    deps.clear()
    const name = evaluate(entries.get('name') as Expr) as string
    const fullName = parent ? `${parent.fullName}/${name}` : name
    const id = resourceIdOf(scope, decl.type, fullName.split('/'))
    symbols.set(decl.symbol, {decl, name, fullName, id})
    if (decl.existing) continue
    deps.clear()
    const extendedLocation = entries.has('extendedLocation')
      ? evaluate(entries.get('extendedLocation') as Expr)
      : undefined
    // A reference to the custom location (existing) is not a dependency; references to new resources are.
    deps.clear()
    const properties = evaluate(entries.get('properties') as Expr)
    out.push({
      type: decl.type,
      apiVersion: decl.apiVersion,
      name: fullName,
      id,
      extendedLocation,
      properties,
      dependsOn: [...deps].sort(),
    })
  }
  return out
}
