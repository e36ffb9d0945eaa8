import {ArmHttpError} from './arm-error.js'
import type {ArmCall, ArmReply} from './http.js'
import type {FaultSettings} from './types.js'

/**
 * What a flaky or hostile service does to a request before it reaches state: targeted fault rules, a seeded share of
 * random 429/500/503 answers, operation and paging links that name another origin, and a fixed latency.
 */

/** Deterministic PRNG (mulberry32) so a fault seed replays the same faults for the same request sequence. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FAULT_BODIES: Record<number, {code: string; message: string}> = {
  429: {
    code: 'TooManyRequests',
    message:
      'The request is being throttled as the limit has been reached for operation type - Write_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits',
  },
  500: {
    code: 'InternalServerError',
    message: 'Encountered internal server error. Diagnostic information: emulated fault.',
  },
  502: {code: 'BadGateway', message: 'The gateway did not receive a response from the service (emulated fault).'},
  503: {code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Please try again later.'},
  504: {code: 'GatewayTimeout', message: 'The gateway did not receive a response within the specified time period.'},
}

export class FaultInjector {
  private current: FaultSettings | undefined
  private random: () => number = Math.random
  private ruleHits = new Map<number, number>()
  /** "METHOD path" → random faults given to it in a row (for `maxConsecutive`). */
  private streaks = new Map<string, number>()

  constructor(
    settings: FaultSettings | undefined,
    /** Fixed delay before every ARM answer (benchmarks). */
    public latencyMs = 0,
  ) {
    this.set(settings)
  }

  get settings(): FaultSettings | undefined {
    return this.current
  }

  /** New settings start afresh: the PRNG from its seed, rule counts and streaks from zero. */
  set(settings: FaultSettings | undefined): void {
    this.current = settings
    this.random = prng(settings?.seed ?? 1)
    this.ruleHits.clear()
    this.streaks.clear()
  }

  async delay(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs))
  }

  /**
   * The fault this request gets, if any: the first targeted rule that matches and has hits left, else the random
   * share. `running` says whether an operation on the path is still in progress (for `whileRunning` rules).
   */
  pick(call: ArmCall, isPoll: boolean, running: (path: string) => boolean): ArmHttpError | undefined {
    const f = this.current
    if (!f) return undefined
    for (const [i, rule] of (f.rules ?? []).entries()) {
      if (rule.method && rule.method.toUpperCase() !== call.method) continue
      if (rule.pathIncludes && !call.path.toLowerCase().includes(rule.pathIncludes.toLowerCase())) continue
      if (rule.whileRunning && !running(call.path)) continue
      const hits = this.ruleHits.get(i) ?? 0
      if (hits >= (rule.times ?? 1)) continue
      this.ruleHits.set(i, hits + 1)
      return this.error(rule.status, rule.code, rule.message)
    }
    if (!f.rate || (isPoll && f.sparePolls)) return undefined
    const streakKey = `${call.method} ${call.path.toLowerCase()}`
    const streak = this.streaks.get(streakKey) ?? 0
    if (this.random() >= f.rate || (f.maxConsecutive !== undefined && streak >= f.maxConsecutive)) {
      this.streaks.delete(streakKey)
      return undefined
    }
    this.streaks.set(streakKey, streak + 1)
    const statuses = f.statuses?.length ? f.statuses : [429, 500, 503]
    const status = statuses[Math.floor(this.random() * statuses.length)] as number
    return this.error(status)
  }

  /** With `linkOrigin`, the answer's operation and paging URLs name another origin (see FaultSettings). */
  rewriteLinks(reply: ArmReply, baseUrl: string): ArmReply {
    const origin = this.current?.linkOrigin
    if (!origin) return reply
    const swap = (v: string) => (v.startsWith(baseUrl) ? `${origin}${v.slice(baseUrl.length)}` : v)
    const headers = Object.fromEntries(
      Object.entries(reply.headers ?? {}).map(([k, v]) =>
        /^(azure-asyncoperation|location)$/i.test(k) ? [k, swap(v)] : [k, v],
      ),
    )
    const body = reply.body as {nextLink?: unknown} | undefined
    const nextLink = typeof body?.nextLink === 'string' ? {nextLink: swap(body.nextLink)} : {}
    return {...reply, headers, ...(body && typeof body === 'object' ? {body: {...body, ...nextLink}} : {})}
  }

  private error(status: number, code?: string, message?: string): ArmHttpError {
    const known = FAULT_BODIES[status] ?? {code: 'InternalServerError', message: 'Emulated fault.'}
    const headers: Record<string, string> = {}
    if (status === 429 || status === 503) {
      if (this.current?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(this.current.retryAfterSeconds)
      else headers['retry-after-ms'] = String(this.current?.retryAfterMs ?? 5)
    }
    return new ArmHttpError(status, code ?? known.code, message ?? known.message, {headers})
  }
}
