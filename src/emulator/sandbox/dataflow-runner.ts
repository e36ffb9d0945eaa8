import {randomBytes} from 'node:crypto'
import type {MqttClient} from 'mqtt'
import {connectMqtt, endMqtt, type MqttEndpoint} from '../../verify/transport.js'
import type {ArmEmulator} from '../arm/index.js'
import type {ArmResource} from '../arm/types.js'
import {makeFakeJwt} from '../az-stub.js'
import {resolveDestination} from './destinations.js'

/**
 * Runs the dataflows deployed through the Resource Manager emulator, as IoT Operations' dataflow engine would on the
 * cluster: it watches the emulator's state (every `pollIntervalInMs`), and for each enabled dataflow connects a
 * source session and a destination session through the endpoints the dataflow names, subscribes to its data sources
 * (wildcards allowed) and republishes each message at QoS 1 to its destination (`${inputTopic}`, `${inputTopic.N}`
 * resolved), payload untouched. A dataflow whose resource or endpoints change is restarted. The Event Grid endpoint
 * authenticates as the IoT Operations extension's managed identity (OAUTH2-JWT whose `oid` is the extension's
 * principalId), so the broker's role/template checks apply to it exactly as Event Grid's apply to the real dataflow.
 * A refused subscription is retried every `retryInMs`, as the engine keeps retrying; refusals are logged.
 */

const DATAFLOW = 'microsoft.iotoperations/instances/dataflowprofiles/dataflows'
const EXTENSION = 'microsoft.kubernetesconfiguration/extensions'
const NAMESPACE = 'microsoft.eventgrid/namespaces'

export interface BrokerAccess {
  host: string
  port: number
  /** PEM of the CA that signed the broker's certificate. */
  ca: string
  /** Name in the broker certificate. */
  serverName: string
}

export interface DataflowRunnerOptions {
  arm: ArmEmulator
  /** The IoT Operations broker stand-in and the credentials the runner uses there (in place of its SAT). */
  local: BrokerAccess & {username: string; password: string}
  /** The Event Grid stand-in: every namespace's MQTT hostname leads here. */
  eventGrid: BrokerAccess
  pollIntervalInMs?: number
  retryInMs?: number
  log?: (line: string) => void
}

export type FlowState = 'starting' | 'running' | 'waiting' | 'stopped'

export interface FlowStatus {
  /** `<profile>/<dataflow>`. */
  name: string
  state: FlowState
  sources: string[]
  destination: string
  forwarded: number
  /** Messages the destination refused (PUBACK ≥ 0x80) or that had no resolvable destination topic. */
  dropped: number
  /** Source filters the source broker refused (SUBACK 0x87), still being retried. */
  refusedSources: string[]
  lastError?: string
}

export interface DataflowRunner {
  flows(): FlowStatus[]
  /** Reads the emulator state now (instead of at the next poll). */
  refresh(): Promise<void>
  /**
   * Resolves true once at least `count` dataflows are running with every source subscribed (false after
   * `timeoutInMs`): on a cluster, too, a dataflow takes a moment to start after its resource is deployed.
   */
  whenRunning(count: number, timeoutInMs: number): Promise<boolean>
  stop(): Promise<void>
}

interface FlowSpec {
  id: string
  name: string
  key: string
  sources: string[]
  destination: string
  source: MqttEndpoint | string
  target: MqttEndpoint | string
  qos: 0 | 1
}

interface RunningFlow {
  spec: FlowSpec
  status: FlowStatus
  clients: MqttClient[]
  timer?: NodeJS.Timeout
  stopped: boolean
}

function op(dataflow: ArmResource, type: string): Record<string, unknown> | undefined {
  const ops = (dataflow.properties.operations as Array<Record<string, unknown>> | undefined) ?? []
  return ops.find((o) => o.operationType === type)
}

/** The IoT Operations extension's managed identity (the dataflows' identity toward Event Grid). */
export function extensionPrincipalId(arm: ArmEmulator): string | undefined {
  for (const r of arm.state.resources.values()) {
    if (r.type.toLowerCase() !== EXTENSION) continue
    if (String(r.properties.extensionType).toLowerCase() !== 'microsoft.iotoperations') continue
    const id = (r.identity as {principalId?: string} | undefined)?.principalId
    if (id) return id
  }
  return undefined
}

export function startDataflowRunner(opts: DataflowRunnerOptions): DataflowRunner {
  const log = opts.log ?? (() => {})
  const retryInMs = opts.retryInMs ?? 2000
  const running = new Map<string, RunningFlow>()
  let stopped = false
  let refreshing: Promise<void> | undefined

  const namespaceHostnames = (): Set<string> => {
    const out = new Set<string>()
    for (const r of opts.arm.state.resources.values()) {
      if (r.type.toLowerCase() !== NAMESPACE) continue
      const h = (r.properties.topicSpacesConfiguration as {hostname?: string | null} | undefined)?.hostname
      if (h) out.add(h.toLowerCase())
    }
    return out
  }

  /** The MQTT endpoint a dataflow endpoint resource leads to in the sandbox, or why it cannot be reached. */
  const endpointFor = (instanceId: string, ref: string, role: string): MqttEndpoint | string => {
    const ep = opts.arm.state.get(`${instanceId}/dataflowEndpoints/${ref}`)
    if (!ep) return `dataflow endpoint '${ref}' does not exist`
    if (ep.properties.endpointType !== 'Mqtt') {
      return `endpoint '${ref}' is of type ${String(ep.properties.endpointType)}: the sandbox runs MQTT endpoints only`
    }
    const mqtt = (ep.properties.mqttSettings ?? {}) as Record<string, unknown>
    const [host = ''] = String(mqtt.host ?? '').split(':')
    const auth = (mqtt.authentication ?? {}) as {
      method?: string
      userAssignedManagedIdentitySettings?: {clientId?: string}
    }
    const clientId = `dataflow-${role}-${randomBytes(3).toString('hex')}`
    if (host.toLowerCase() === 'aio-broker' || host.toLowerCase().startsWith('aio-broker.')) {
      const l = opts.local
      return {
        hop: {name: `IoT Operations broker (${ref})`, host: l.host, port: l.port},
        tls: {ca: l.ca, serverName: l.serverName},
        credentials: {username: l.username, password: () => l.password, describe: 'dataflow service account'},
        clientId,
      }
    }
    if (namespaceHostnames().has(host.toLowerCase())) {
      let principal: string | undefined
      if (auth.method === 'SystemAssignedManagedIdentity') principal = extensionPrincipalId(opts.arm)
      else if (auth.method === 'UserAssignedManagedIdentity')
        principal = auth.userAssignedManagedIdentitySettings?.clientId
      else
        return `endpoint '${ref}' authenticates with ${String(auth.method)}: the sandbox's Event Grid takes managed identities only`
      if (!principal) return 'the IoT Operations extension has no managed identity'
      const eg = opts.eventGrid
      const oid = principal
      return {
        hop: {name: `Event Grid (${ref})`, host: eg.host, port: eg.port},
        tls: {ca: eg.ca, serverName: eg.serverName},
        credentials: {
          authMethod: 'OAUTH2-JWT',
          // A fresh token at every (re)connect, as the extension's identity would fetch one.
          authData: () =>
            makeFakeJwt({aud: 'https://eventgrid.azure.net/', oid, exp: Math.floor(Date.now() / 1000) + 3600}),
          describe: `managed identity ${oid}`,
        },
        clientId,
      }
    }
    return `host '${host}' of endpoint '${ref}' does not resolve in the sandbox (only aio-broker and the namespaces' MQTT hostnames do)`
  }

  const desired = (): FlowSpec[] => {
    const out: FlowSpec[] = []
    for (const r of opts.arm.state.resources.values()) {
      if (r.type.toLowerCase() !== DATAFLOW) continue
      if (r.properties.mode === 'Disabled') continue
      const src = op(r, 'Source')?.sourceSettings as {endpointRef?: string; dataSources?: string[]} | undefined
      const dst = op(r, 'Destination')?.destinationSettings as
        | {endpointRef?: string; dataDestination?: string}
        | undefined
      if (!src?.endpointRef || !dst?.endpointRef || !src.dataSources?.length || !dst.dataDestination) continue
      const instanceId = r.id.split('/').slice(0, -4).join('/')
      const segs = r.id.split('/')
      const name = `${segs.at(-3)}/${segs.at(-1)}`
      const source = endpointFor(instanceId, src.endpointRef, 'source')
      const target = endpointFor(instanceId, dst.endpointRef, 'destination')
      const key = JSON.stringify([
        r.properties.operations,
        opts.arm.state.get(`${instanceId}/dataflowEndpoints/${src.endpointRef}`)?.properties,
        opts.arm.state.get(`${instanceId}/dataflowEndpoints/${dst.endpointRef}`)?.properties,
        typeof source === 'string' ? source : source.hop,
        typeof target === 'string' ? target : target.hop,
      ])
      out.push({
        id: r.id.toLowerCase(),
        name,
        key,
        sources: src.dataSources,
        destination: dst.dataDestination,
        source,
        target,
        qos: 1,
      })
    }
    return out
  }

  const stopFlow = async (f: RunningFlow): Promise<void> => {
    f.stopped = true
    f.status.state = 'stopped'
    if (f.timer) clearTimeout(f.timer)
    await Promise.all(f.clients.map((c) => endMqtt(c, 500)))
    f.clients = []
  }

  const startFlow = async (f: RunningFlow): Promise<void> => {
    const {spec, status} = f
    if (typeof spec.source === 'string' || typeof spec.target === 'string') {
      status.state = 'waiting'
      status.lastError = typeof spec.source === 'string' ? spec.source : (spec.target as string)
      log(`dataflow ${spec.name}: cannot run: ${status.lastError}`)
      return
    }
    try {
      const dst = await connectMqtt(spec.target, {timeoutMs: 5000})
      f.clients.push(dst)
      dst.on('error', () => {})
      const src = await connectMqtt(spec.source, {timeoutMs: 5000})
      f.clients.push(src)
      src.on('error', () => {})
      if (f.stopped) return void (await stopFlow(f))
      src.on('message', (topic, payload) => {
        const to = resolveDestination(spec.destination, topic)
        if (to === undefined) {
          status.dropped++
          log(
            `dataflow ${spec.name}: dropped a message from ${topic}: destination ${spec.destination} names a missing segment`,
          )
          return
        }
        dst.publish(to, payload, {qos: spec.qos}, (err) => {
          if (!err) {
            status.forwarded++
            return
          }
          status.dropped++
          status.lastError = `publish to ${to} refused: ${err.message}`
          // Event Grid answers 0x87 per message: log the first and then every 100th, not a flood.
          if (status.dropped === 1 || status.dropped % 100 === 0) {
            log(`dataflow ${spec.name}: ${status.lastError} (${status.dropped} dropped so far)`)
          }
        })
      })
      const subscribe = async (filters: string[]): Promise<void> => {
        if (f.stopped) return
        const granted = await src.subscribeAsync(filters, {qos: spec.qos})
        const refused = granted.filter((g) => g.qos >= 0x80).map((g) => g.topic)
        status.refusedSources = refused
        if (refused.length > 0) {
          status.lastError = `subscribe to ${refused.join(', ')} refused (SUBACK 0x87 not authorized)`
          log(`dataflow ${spec.name}: ${status.lastError}; retrying every ${retryInMs} ms`)
          f.timer = setTimeout(() => void subscribe(refused).catch(() => {}), retryInMs)
        } else if (filters !== spec.sources) {
          log(`dataflow ${spec.name}: subscribed to ${filters.join(', ')}`)
        }
      }
      await subscribe(spec.sources)
      status.state = 'running'
      if (status.refusedSources.length === 0) status.lastError = undefined
      log(`dataflow ${spec.name}: running ${spec.sources.join(', ')} → ${spec.destination}`)
    } catch (err) {
      await Promise.all(f.clients.map((c) => endMqtt(c, 200)))
      f.clients = []
      status.state = 'waiting'
      status.lastError = (err as Error).message
      log(`dataflow ${spec.name}: cannot connect: ${status.lastError}; retrying in ${retryInMs} ms`)
      if (!f.stopped) f.timer = setTimeout(() => void startFlow(f), retryInMs)
    }
  }

  const reconcile = async (): Promise<void> => {
    const want = desired()
    const wantIds = new Set(want.map((s) => s.id))
    for (const [id, f] of running) {
      if (!wantIds.has(id)) {
        running.delete(id)
        log(`dataflow ${f.spec.name}: removed, stopping`)
        await stopFlow(f)
      }
    }
    for (const spec of want) {
      const cur = running.get(spec.id)
      if (cur && cur.spec.key === spec.key) continue
      if (cur) {
        log(`dataflow ${spec.name}: changed, restarting`)
        await stopFlow(cur)
      }
      const f: RunningFlow = {
        spec,
        clients: [],
        stopped: false,
        status: {
          name: spec.name,
          state: 'starting',
          sources: spec.sources,
          destination: spec.destination,
          forwarded: 0,
          dropped: 0,
          refusedSources: [],
        },
      }
      running.set(spec.id, f)
      void startFlow(f)
    }
  }

  const refresh = (): Promise<void> => {
    refreshing ??= reconcile().finally(() => {
      refreshing = undefined
    })
    return refreshing
  }

  const poll = setInterval(() => {
    if (!stopped) void refresh().catch((err) => log(`dataflow runner: ${(err as Error).message}`))
  }, opts.pollIntervalInMs ?? 200)

  return {
    flows: () => [...running.values()].map((f) => ({...f.status})),
    refresh,
    async whenRunning(count, timeoutInMs) {
      const deadline = Date.now() + timeoutInMs
      for (;;) {
        await refresh().catch(() => {})
        const up = [...running.values()].filter((f) => f.status.state === 'running' && !f.status.refusedSources.length)
        if (up.length >= count) return true
        if (Date.now() >= deadline || stopped) return false
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    async stop() {
      stopped = true
      clearInterval(poll)
      await refreshing?.catch(() => {})
      await Promise.all([...running.values()].map(stopFlow))
      running.clear()
    },
  }
}
