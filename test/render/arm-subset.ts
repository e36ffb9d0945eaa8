import {type DeployedResource, resourceIdOf} from './bicep-subset.js'

/**
 * Evaluates an ARM template restricted to the functions aio-bridge's emulator supports (parameters, variables, format,
 * concat, resourceId): any other function fails the test, which keeps the renderer inside that set.
 */
export function evaluateArmTemplate(
  template: {
    parameters: Record<string, {defaultValue?: unknown}>
    variables?: Record<string, unknown>
    resources: Array<Record<string, unknown>>
  },
  params: Record<string, string>,
  scope: string,
): DeployedResource[] {
  const evalString = (s: string): unknown => {
    if (s.startsWith('[[')) return s.slice(1)
    if (!(s.startsWith('[') && s.endsWith(']'))) return s
    const src = s.slice(1, -1)
    let i = 0
    const ws = () => {
      while (src[i] === ' ') i++
    }
    const expr = (): unknown => {
      ws()
      if (src[i] === "'") {
        let out = ''
        i++
        for (;;) {
          if (src[i] === "'" && src[i + 1] === "'") {
            out += "'"
            i += 2
          } else if (src[i] === "'") {
            i++
            return out
          } else if (i >= src.length) throw new Error('unterminated string')
          else out += src[i++]
        }
      }
      const m = /^[A-Za-z]+/.exec(src.slice(i))
      if (!m) throw new Error(`bad expression ${s}`)
      i += m[0].length
      ws()
      if (src[i] !== '(') throw new Error(`expected ( in ${s}`)
      i++
      const args: unknown[] = []
      ws()
      while (src[i] !== ')') {
        args.push(expr())
        ws()
        if (src[i] === ',') i++
        ws()
      }
      i++
      return call(m[0], args)
    }
    const result = expr()
    ws()
    if (i !== src.length) throw new Error(`trailing text in ${s}`)
    return result
  }
  const call = (fn: string, args: unknown[]): unknown => {
    switch (fn) {
      case 'parameters': {
        const name = args[0] as string
        if (!(name in template.parameters)) throw new Error(`unknown parameter ${name}`)
        return params[name] ?? evaluate(template.parameters[name]?.defaultValue)
      }
      case 'variables':
        return evaluate(template.variables?.[args[0] as string])
      case 'format':
        return (args[0] as string).replace(/\{(\d+)\}/g, (_m, n: string) => String(args[Number(n) + 1]))
      case 'concat':
        return args.map(String).join('')
      case 'resourceId':
        return resourceIdOf(scope, args[0] as string, args.slice(1) as string[])
      default:
        throw new Error(`template function ${fn}() is outside the emulator's set`)
    }
  }
  const evaluate = (v: unknown): unknown => {
    if (typeof v === 'string') return evalString(v)
    if (Array.isArray(v)) return v.map(evaluate)
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evaluate(x)]))
    return v
  }
  return template.resources.map((r) => {
    const name = evaluate(r.name) as string
    return {
      type: r.type as string,
      apiVersion: r.apiVersion as string,
      name,
      id: resourceIdOf(scope, r.type as string, name.split('/')),
      extendedLocation: evaluate(r.extendedLocation),
      properties: evaluate(r.properties),
      dependsOn: ((evaluate(r.dependsOn ?? []) as string[]) ?? []).sort(),
    }
  })
}
