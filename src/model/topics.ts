/**
 * Topic algebra for the map checks: which topics a filter can see, whether a topic space's templates cover them,
 * whether two filters can both match one topic, and what a dataflow destination with `${inputTopic}` can become.
 * A "pattern" below is an MQTT filter (`+` one level, `#` the rest, also zero levels).
 */

export type Tri = true | false | 'unknown'

function segments(topic: string): string[] {
  return topic.split('/')
}

const isVariable = (segment: string): boolean => segment.includes('${')

/**
 * Does the template cover every topic the pattern can name? Event Grid allows a publish or subscribe only when the
 * topic (or the whole filter) lies inside one of the topic space's templates. A template segment with a
 * `${client.…}` variable depends on the client, so the answer can be 'unknown'.
 */
export function templateCovers(template: string, pattern: string): Tri {
  const t = segments(template)
  const p = segments(pattern)
  let unknown = false
  for (let i = 0; ; i++) {
    if (t[i] === '#') return unknown ? 'unknown' : true
    if (i >= p.length || i >= t.length) break
    const ts = t[i] as string
    const ps = p[i] as string
    if (ps === '#') return false
    if (ts === '+') continue
    if (isVariable(ts)) {
      if (ps === '+') return false
      unknown = true
      continue
    }
    if (ps === '+' || ps !== ts) return false
  }
  if (p.length === t.length) return unknown ? 'unknown' : true
  return false
}

/** Does any template cover the pattern? true beats 'unknown' beats false. */
export function templatesCover(templates: string[], pattern: string): Tri {
  let best: Tri = false
  for (const template of templates) {
    const r = templateCovers(template, pattern)
    if (r === true) return true
    if (r === 'unknown') best = 'unknown'
  }
  return best
}

/** Can one concrete topic match both patterns? */
export function patternsOverlap(a: string, b: string): boolean {
  const x = segments(a)
  const y = segments(b)
  for (let i = 0; ; i++) {
    if (x[i] === '#' || y[i] === '#') return true
    if (i >= x.length || i >= y.length) break
    if (x[i] === '+' || y[i] === '+') continue
    if (x[i] !== y[i]) return false
  }
  return x.length === y.length
}

export interface ResolvedDestination {
  /** The topics the destination can resolve to, as a pattern. */
  pattern: string
  /** `${inputTopic.N}` indexes past the end of every topic the source can see: every message is dropped. */
  neverResolves: string[]
  /** `${inputTopic.N}` that some source topics are too short for: those messages are dropped. */
  mayNotResolve: string[]
  /** `${…}` variables other than inputTopic / inputTopic.N. */
  unknownVariables: string[]
}

const VARIABLE = /\$\{([^}]*)\}/g

/**
 * What a destination topic can become for messages read with `sourceFilter`. `${inputTopic}` is the whole input topic,
 * `${inputTopic.N}` its N-th level (1-based; leading and trailing '/' ignored). Wildcards that substitution puts
 * inside a level make that level '+'; a '#' before the last level ends the pattern (a safe over-approximation).
 */
export function resolveDestination(destination: string, sourceFilter: string): ResolvedDestination {
  const source = segments(sourceFilter.replace(/^\/+|\/+$/g, ''))
  const hashAt = source.indexOf('#')
  const result: ResolvedDestination = {pattern: '', neverResolves: [], mayNotResolve: [], unknownVariables: []}
  const substituted = destination.replace(VARIABLE, (whole, name: string) => {
    if (name === 'inputTopic') return sourceFilter.replace(/^\/+|\/+$/g, '')
    const m = /^inputTopic\.(\d+)$/.exec(name)
    if (!m) {
      result.unknownVariables.push(whole)
      return '+'
    }
    const n = Number(m[1])
    if (n < 1) {
      result.neverResolves.push(whole)
      return '+'
    }
    if (hashAt !== -1 && n - 1 >= hashAt) {
      // The level exists only for topics long enough: `a/#` also matches plain `a`.
      result.mayNotResolve.push(whole)
      return '+'
    }
    if (n > source.length) {
      result.neverResolves.push(whole)
      return '+'
    }
    return source[n - 1] as string
  })
  const out: string[] = []
  for (const segment of segments(substituted)) {
    if (segment === '#') {
      out.push('#')
      break
    }
    out.push(segment === '+' || !/[+#]/.test(segment) ? segment : '+')
  }
  result.pattern = out.join('/')
  return result
}

/** A destination is a topic name: '+' and '#' outside `${…}` make it invalid. */
export function destinationHasWildcard(destination: string): boolean {
  return /[+#]/.test(destination.replace(VARIABLE, ''))
}

/** The pattern of the topics both patterns match, or undefined when no topic matches both. */
export function intersectPatterns(a: string, b: string): string | undefined {
  const x = segments(a)
  const y = segments(b)
  const out: string[] = []
  for (let i = 0; ; i++) {
    if (x[i] === '#') return [...out, ...y.slice(i)].join('/') || '#'
    if (y[i] === '#') return [...out, ...x.slice(i)].join('/') || '#'
    if (i >= x.length || i >= y.length) break
    const xs = x[i] as string
    const ys = y[i] as string
    if (xs === '+') out.push(ys)
    else if (ys === '+' || xs === ys) out.push(xs)
    else return undefined
  }
  return x.length === y.length ? out.join('/') : undefined
}
