import type {IncomingHttpHeaders} from 'node:http'
import type {FaultInjector} from './faults.js'
import type {ArmReply} from './http.js'
import type {ArmScenarioName} from './seed.js'
import type {ArmState} from './state.js'
import type {ArmResource, ArmSeed, FaultSettings, RequestLogEntry} from './types.js'

/**
 * The control API on the same server (`/_emulator/…`): what tests, the demo and the sandbox use to look at and steer
 * the emulated world without going through ARM's rules. Not logged, not faulted, not delayed; guarded by
 * `x-emulator-key` when a `controlKey` is set.
 */

/** What the control API acts on: the running emulator. */
export interface ControlTarget {
  readonly baseUrl: string
  readonly state: ArmState
  readonly requests: RequestLogEntry[]
  readonly faults: FaultInjector
  reset(seed?: ArmSeed | ArmScenarioName): void
  addSeed(seed: ArmSeed): void
  settle(): void
  addMetric(metric: string, count: number, opts?: {namespace?: string}): void
}

export function controlReply(
  target: ControlTarget,
  controlKey: string | undefined,
  headers: IncomingHttpHeaders,
  u: URL,
  method: string,
  raw: string,
): ArmReply {
  const reply = (status: number, body?: unknown): ArmReply => ({status, body})
  const notFound = (id: string | null) =>
    reply(404, {error: {code: 'ResourceNotFound', message: `No resource '${id}'.`}})
  if (controlKey && headers['x-emulator-key'] !== controlKey) {
    return reply(401, {
      error: {code: 'AuthenticationFailed', message: 'The control API needs the x-emulator-key header.'},
    })
  }
  let body: Record<string, unknown> = {}
  try {
    body = raw.trim() ? (JSON.parse(raw) as Record<string, unknown>) : {}
  } catch {
    return reply(400, {error: {code: 'InvalidRequestContent', message: 'The body is not JSON.'}})
  }
  const {state, faults} = target
  const route = `${method} ${u.pathname.replace(/\/+$/, '')}`
  try {
    switch (route) {
      case 'GET /_emulator/health':
        return reply(200, {ok: true, url: target.baseUrl})
      case 'GET /_emulator/state':
        return reply(200, state.dump())
      case 'GET /_emulator/requests':
        return reply(200, {requests: target.requests})
      case 'DELETE /_emulator/requests':
        target.requests.length = 0
        return reply(204)
      case 'POST /_emulator/reset':
        target.reset((body.scenario as ArmScenarioName | undefined) ?? (body.seed as ArmSeed | undefined))
        return reply(204)
      case 'POST /_emulator/seed':
        target.addSeed(body as ArmSeed)
        return reply(204)
      case 'GET /_emulator/faults':
        return reply(200, {faults: faults.settings ?? null, latencyMs: faults.latencyMs})
      case 'PUT /_emulator/faults':
        faults.set(Object.keys(body).length ? (body as FaultSettings) : undefined)
        return reply(204)
      case 'PUT /_emulator/latency':
        faults.latencyMs = Number(body.ms ?? 0) || 0
        return reply(204)
      case 'POST /_emulator/settle':
        target.settle()
        return reply(204)
      case 'POST /_emulator/metrics':
        target.addMetric(String(body.metric ?? 'Mqtt.SuccessfulPublishedMessages'), Number(body.count ?? 1), {
          namespace: body.namespace as string | undefined,
        })
        return reply(204)
      case 'GET /_emulator/resources': {
        const id = u.searchParams.get('id')
        const r = id ? state.get(id) : undefined
        return r ? reply(200, r) : notFound(id)
      }
      case 'DELETE /_emulator/resources': {
        const id = u.searchParams.get('id') ?? ''
        const removed = state.deleteTree(id)
        return removed.length ? reply(200, {removed}) : notFound(id)
      }
      case 'PUT /_emulator/resources':
        state.set(body as unknown as ArmResource)
        return reply(204)
      default:
        return reply(404, {error: {code: 'NotFound', message: `No control route ${route}.`}})
    }
  } catch (err) {
    return reply(400, {error: {code: 'BadRequest', message: (err as Error).message}})
  }
}
