import {mkdtemp, readFile, rm} from 'node:fs/promises'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {createServer, type Server} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createPki} from '../pki.js'
import {ArmHttpError} from './arm-error.js'
import {authenticate} from './auth.js'
import type {EmulatorContext} from './context.js'
import {type ControlTarget, controlReply} from './control.js'
import {FaultInjector} from './faults.js'
import {type ArmCall, type ArmReply, send} from './http.js'
import {recordMetric} from './metrics.js'
import {Operations} from './operations.js'
import type {EmulatorEnv} from './resource-types.js'
import {route} from './routing.js'
import {type ArmScenarioName, applySeed, resolveSeed} from './seed.js'
import {ArmState} from './state.js'
import type {ArmEmulatorOptions, ArmResource, ArmSeed, FaultSettings, RequestLogEntry} from './types.js'

/**
 * The emulator's composition and its public handle: one HTTPS server whose every ARM request goes through the same
 * steps — body, log entry, latency, token (auth.ts), fault (faults.ts), route (routing.ts) — and whose `/_emulator/…`
 * paths go to the control API (control.ts). The concerns live in their modules; this file wires them.
 */

/** A running Resource Manager emulator. */
export interface ArmEmulator {
  /** `https://127.0.0.1:<port>`: the value for AIO_BRIDGE_ARM_ENDPOINT. */
  readonly url: string
  readonly port: number
  /** PEM of the CA that signed the server certificate: the value for NODE_EXTRA_CA_CERTS. */
  readonly caCertPath: string
  readonly controlKey?: string
  /** The seed the emulator started from (after defaults). */
  readonly seed: ReturnType<typeof resolveSeed>
  readonly state: ArmState
  /** Every ARM request answered, in order (control API calls excluded; no headers, so no tokens). */
  readonly requests: RequestLogEntry[]
  /** Requests other than long-running-operation polls, optionally filtered. */
  writes(filter?: {method?: string; pathIncludes?: string}): RequestLogEntry[]
  clearRequests(): void
  /** Back to the starting seed (or to `seed`): state, operations, faults and the request log. */
  reset(seed?: ArmSeed | ArmScenarioName): void
  /** Adds to the running world (additive: existing resources are kept). */
  addSeed(seed: ArmSeed): void
  setFaults(faults: FaultSettings | undefined): void
  setLatency(ms: number): void
  /** Finishes every long-running operation now. */
  settle(): void
  /** Counts published messages for Mqtt.SuccessfulPublishedMessages (namespace name or id; default: any). */
  addPublished(count: number, opts?: {namespace?: string; at?: number}): void
  addMetric(metric: string, count: number, opts?: {namespace?: string; at?: number}): void
  getResource(id: string): ArmResource | undefined
  /** Deletes a resource and everything under it "by hand", bypassing ARM rules. Returns the ids removed. */
  deleteResource(id: string): string[]
  /** Stores a resource "by hand" (tampering for tests). */
  putResource(resource: ArmResource): void
  /** Ids for the main subscription and resource group. */
  ids: {
    subscription: string
    resourceGroup: string
    namespace(name?: string): string
    topicSpace(name?: string, namespace?: string): string
    instance(name?: string): string
    cluster(name?: string): string
    customLocation(name?: string): string
  }
  stop(): Promise<void>
}

class Emulator implements EmulatorContext, ControlTarget {
  readonly state = new ArmState()
  readonly requests: RequestLogEntry[] = []
  readonly env: EmulatorEnv
  readonly operations: Operations
  readonly faults: FaultInjector
  baseUrl = ''
  seed: ReturnType<typeof resolveSeed>
  private seq = 0
  /** Socket → connection number, to count a client's connections in the request log. */
  private readonly connections = new WeakMap<object, number>()
  private connectionCount = 0

  constructor(readonly options: ArmEmulatorOptions) {
    this.env = {
      mqttHostname:
        options.mqttHostname ??
        ((ns, loc) => `${ns.toLowerCase()}.${loc.replace(/\s+/g, '').toLowerCase()}-1.ts.eventgrid.azure.net`),
      callerPrincipalId: () => this.state.callerPrincipalId,
      now: () => this.state.now(),
    }
    this.operations = new Operations(this.state, options, () => this.seed.resourceGroups?.[0]?.location)
    this.faults = new FaultInjector(options.faults, options.latencyMs ?? 0)
    this.seed = resolveSeed(options.seed)
    applySeed(this.state, this.seed, this.env)
  }

  reset(seed?: ArmSeed | ArmScenarioName): void {
    this.state.clear()
    this.seed = resolveSeed(seed ?? this.options.seed)
    applySeed(this.state, this.seed, this.env)
    this.requests.length = 0
    this.faults.set(this.options.faults)
  }

  addSeed(seed: ArmSeed): void {
    applySeed(this.state, seed, this.env)
  }

  settle(): void {
    this.operations.settle()
  }

  addMetric(metric: string, count: number, opts?: {namespace?: string; at?: number}): void {
    recordMetric(this.state, this.seed, metric, count, opts)
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const u = new URL(req.url ?? '/', this.baseUrl)
    const method = (req.method ?? 'GET').toUpperCase()
    if (u.pathname.startsWith('/_emulator')) {
      send(res, controlReply(this, this.options.controlKey, req.headers, u, method, raw))
      return
    }

    await this.faults.delay()
    this.operations.settleOld()
    const segs = u.pathname
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s))
    const entry: RequestLogEntry = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      method,
      path: u.pathname,
      apiVersion: u.searchParams.get('api-version') ?? undefined,
      query: Object.fromEntries([...u.searchParams].filter(([k]) => k !== 'api-version')),
      status: 0,
      userAgent: req.headers['user-agent'],
      connection: this.connectionOf(req),
    }
    let reply: ArmReply
    try {
      let body: unknown
      if (raw.trim() !== '') {
        try {
          body = JSON.parse(raw)
        } catch {
          throw new ArmHttpError(
            400,
            'InvalidRequestContent',
            'The request content was invalid and could not be deserialized: the body is not JSON.',
          )
        }
      }
      entry.body = body
      const caller =
        this.options.requireAuth === false
          ? this.state.callerPrincipalId
          : authenticate(req.headers.authorization, this.state)
      const call: ArmCall = {
        method,
        path: u.pathname,
        segs,
        ls: segs.map((s) => s.toLowerCase()),
        query: u.searchParams,
        apiVersion: u.searchParams.get('api-version') ?? undefined,
        body,
        caller,
      }
      const isPoll = /\/operation(s?status(es)?|results)\//i.test(u.pathname)
      const fault = this.faults.pick(call, isPoll, (path) => this.operations.running(path))
      if (fault) {
        entry.fault = true
        throw fault
      }
      reply = route(this, call)
    } catch (err) {
      if (err instanceof ArmHttpError) {
        reply = {status: err.status, body: err.toBody(), headers: err.extra.headers}
        entry.errorCode = err.code
      } else {
        const e = err as Error
        reply = {status: 500, body: {error: {code: 'InternalServerError', message: `Emulator bug: ${e.message}`}}}
        entry.errorCode = 'InternalServerError'
      }
    }
    reply = this.faults.rewriteLinks(reply, this.baseUrl)
    entry.status = reply.status
    if (reply.poll) entry.poll = true
    this.requests.push(entry)
    send(res, reply)
  }

  private connectionOf(req: IncomingMessage): number {
    let n = this.connections.get(req.socket)
    if (n === undefined) {
      n = ++this.connectionCount
      this.connections.set(req.socket, n)
    }
    return n
  }
}

/** Starts the emulator on 127.0.0.1 over HTTPS with its own CA (or the given certificate). */
export async function startArmEmulator(options: ArmEmulatorOptions = {}): Promise<ArmEmulator> {
  const emu = new Emulator(options)
  let ownDir: string | undefined
  let tls = options.tls
  if (!tls) {
    if (!options.dir) ownDir = await mkdtemp(join(tmpdir(), 'aio-arm-'))
    const dir = options.dir ?? (ownDir as string)
    const pki = await createPki(dir, {caName: 'aio-bridge ARM emulator CA'})
    const leaf = await pki.issue('arm', {dnsNames: ['localhost'], ips: ['127.0.0.1']})
    tls = {caCertPath: pki.caCert, certPath: leaf.cert, keyPath: leaf.key}
  }
  const [cert, keyPem] = await Promise.all([readFile(tls.certPath), readFile(tls.keyPath)])
  const server: Server = createServer({cert, key: keyPem, keepAliveTimeout: 5000}, (req, res) => {
    emu.handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, {'content-type': 'application/json'})
      res.end(JSON.stringify({error: {code: 'InternalServerError', message: `Emulator bug: ${err.message}`}}))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  emu.baseUrl = `https://127.0.0.1:${port}`
  const seed = () => emu.seed
  const rgName = () => seed().resourceGroups?.[0]?.name ?? ''
  const rgId = () => `/subscriptions/${seed().subscriptionId}/resourceGroups/${rgName()}`
  let stopped = false

  return {
    url: emu.baseUrl,
    port,
    caCertPath: tls.caCertPath,
    controlKey: options.controlKey,
    get seed() {
      return emu.seed
    },
    state: emu.state,
    requests: emu.requests,
    writes: (filter = {}) =>
      emu.requests.filter(
        (r) =>
          !r.poll &&
          r.method !== 'GET' &&
          (!filter.method || r.method === filter.method.toUpperCase()) &&
          (!filter.pathIncludes || r.path.toLowerCase().includes(filter.pathIncludes.toLowerCase())),
      ),
    clearRequests: () => {
      emu.requests.length = 0
    },
    reset: (s) => emu.reset(s),
    addSeed: (s) => emu.addSeed(s),
    setFaults: (f) => emu.faults.set(f),
    setLatency: (ms) => {
      emu.faults.latencyMs = ms
    },
    settle: () => emu.settle(),
    addPublished: (count, opts) => emu.addMetric('Mqtt.SuccessfulPublishedMessages', count, opts),
    addMetric: (metric, count, opts) => emu.addMetric(metric, count, opts),
    getResource: (id) => emu.state.get(id),
    deleteResource: (id) => emu.state.deleteTree(id),
    putResource: (r) => emu.state.set(r),
    ids: {
      get subscription() {
        return `/subscriptions/${seed().subscriptionId}`
      },
      get resourceGroup() {
        return rgId()
      },
      namespace: (name = 'aio-bridge-ns') => `${rgId()}/providers/Microsoft.EventGrid/namespaces/${name}`,
      topicSpace: (name = 'tutorial', ns = 'aio-bridge-ns') =>
        `${rgId()}/providers/Microsoft.EventGrid/namespaces/${ns}/topicSpaces/${name}`,
      instance: (name = 'aio-instance') => `${rgId()}/providers/Microsoft.IoTOperations/instances/${name}`,
      cluster: (name = 'aio-cluster') => `${rgId()}/providers/Microsoft.Kubernetes/connectedClusters/${name}`,
      customLocation: (name = 'aio-cl') => `${rgId()}/providers/Microsoft.ExtendedLocation/customLocations/${name}`,
    },
    async stop() {
      if (stopped) return
      stopped = true
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (ownDir) await rm(ownDir, {recursive: true, force: true})
    },
  }
}
