import {randomUUID} from 'node:crypto'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {createServer, type Server} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createPki} from '../pki.js'
import {ArmHttpError, armErrors} from './arm-error.js'
import {type DeploymentHost, handleDeployments} from './deployments.js'
import {type ArmCall, type ArmReply, bodyObject, methodNotAllowed, ok, requireApiVersion} from './http.js'
import {handleMetrics} from './metrics.js'
import {
  API_VERSIONS,
  canonicalProvider,
  type EmulatorEnv,
  findTypeSpec,
  TYPE_SPECS,
  type TypeSpec,
} from './resource-types.js'
import {handleRoleAssignments, scopeNotFound} from './roles.js'
import {type ArmScenarioName, applySeed, resolveSeed} from './seed.js'
import {ArmState, key, type Operation} from './state.js'
import type {TemplateResource} from './template.js'
import type {ArmEmulatorOptions, ArmResource, ArmSeed, FaultSettings, RequestLogEntry} from './types.js'

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

const MANAGEMENT_AUDIENCES = [
  'https://management.azure.com',
  'https://management.core.windows.net',
  'https://management.usgovcloudapi.net',
  'https://management.core.usgovcloudapi.net',
  'https://management.chinacloudapi.cn',
  'https://management.core.chinacloudapi.cn',
]

function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || !parts[1]) return undefined
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

class Emulator implements DeploymentHost {
  readonly state = new ArmState()
  readonly requests: RequestLogEntry[] = []
  baseUrl = ''
  private seq = 0
  private faults: FaultSettings | undefined
  private random: () => number = Math.random
  private ruleHits = new Map<number, number>()
  /** "METHOD path" → random faults given to it in a row (for `maxConsecutive`). */
  private faultStreaks = new Map<string, number>()
  latencyMs: number
  readonly env: EmulatorEnv
  seed: ReturnType<typeof resolveSeed>

  constructor(readonly options: ArmEmulatorOptions) {
    this.latencyMs = options.latencyMs ?? 0
    this.env = {
      mqttHostname:
        options.mqttHostname ??
        ((ns, loc) => `${ns.toLowerCase()}.${loc.replace(/\s+/g, '').toLowerCase()}-1.ts.eventgrid.azure.net`),
      callerPrincipalId: () => this.state.callerPrincipalId,
      now: () => this.state.now(),
    }
    this.seed = resolveSeed(options.seed)
    applySeed(this.state, this.seed, this.env)
    this.setFaults(options.faults)
  }

  reset(seed?: ArmSeed | ArmScenarioName): void {
    const s = this.state
    s.subscriptions.clear()
    s.resources.clear()
    s.principals.clear()
    s.replicating.clear()
    s.operations.clear()
    s.metrics.length = 0
    s.takenNames.clear()
    s.forbidden = []
    s.tenantId = ''
    s.callerPrincipalId = ''
    this.seed = resolveSeed(seed ?? this.options.seed)
    applySeed(s, this.seed, this.env)
    this.requests.length = 0
    this.setFaults(this.options.faults)
  }

  setFaults(faults: FaultSettings | undefined): void {
    this.faults = faults
    this.random = prng(faults?.seed ?? 1)
    this.ruleHits.clear()
    this.faultStreaks.clear()
  }

  // ---- long-running operations -------------------------------------------------------------------------------

  startOperation(op: Omit<Operation, 'id' | 'startedAt' | 'status' | 'remaining'>): Operation {
    const full: Operation = {
      ...op,
      id: randomUUID(),
      startedAt: Date.now(),
      status: 'InProgress',
      remaining: this.options.lroPolls ?? 1,
    }
    this.state.operations.set(full.id, full)
    return full
  }

  private finish(op: Operation): void {
    if (op.status !== 'InProgress') return
    op.status = 'Succeeded'
    op.endTime = new Date(this.state.now()).toISOString()
    op.complete?.()
  }

  get deploymentSettled(): ((resourceIds: string[]) => boolean) | undefined {
    return this.options.deploymentSettled
  }

  advance(op: Operation): void {
    if (op.status !== 'InProgress') return
    if (op.remaining > 0) op.remaining--
    else this.finish(op)
  }

  /** A new write to a resource finishes the operation still running on it (ARM would have moved on by then). */
  finishPending(target: string): void {
    const t = key(target)
    for (const op of this.state.operations.values()) if (op.target === t) this.finish(op)
  }

  settle(): void {
    for (const op of this.state.operations.values()) this.finish(op)
  }

  /** Operations nobody polls finish after lroSettleMs, as they would in Azure while a killed client is away. */
  private settleOld(): void {
    const ms = this.options.lroSettleMs ?? 2000
    if (ms <= 0) return
    const now = Date.now()
    // Finished operations are kept ten minutes for late polls, then dropped so a long sandbox session stays small.
    for (const [id, op] of this.state.operations)
      if (op.status !== 'InProgress' && now - op.startedAt > 600_000) this.state.operations.delete(id)
    for (const op of this.state.operations.values())
      if (op.status === 'InProgress' && now - op.startedAt >= ms) this.finish(op)
  }

  private lroHeaders(): Record<string, string> {
    const s = this.options.lroRetryAfterSeconds
    return s === undefined ? {} : {'Retry-After': String(s)}
  }

  // ---- paging --------------------------------------------------------------------------------------------------

  private pager(call: ArmCall, size: number): (items: unknown[]) => unknown {
    return (items) => {
      const skip = Number(call.query.get('$skipToken') ?? 0) || 0
      if (size <= 0) return {value: items}
      const value = items.slice(skip, skip + size)
      if (skip + size >= items.length) return {value}
      const q = new URLSearchParams(call.query)
      q.set('$skipToken', String(skip + size))
      if (call.apiVersion) q.set('api-version', call.apiVersion)
      return {value, nextLink: `${this.baseUrl}${call.path}?${q.toString().replace(/\+/g, '%20')}`}
    }
  }

  page(items: unknown[]): unknown {
    return {value: items}
  }

  // ---- authorization -------------------------------------------------------------------------------------------

  authorize(id: string, action: string, caller: string): void {
    const target = key(id)
    for (const f of this.state.forbidden) {
      const scope = key(f.scope)
      if (target !== scope && !target.startsWith(`${scope}/`)) continue
      const hit = f.actions.some((a) => {
        if (a === '*') return true
        const re = new RegExp(`^${a.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i')
        return re.test(action)
      })
      if (hit) {
        throw new ArmHttpError(
          403,
          'AuthorizationFailed',
          `The client '${caller}' with object id '${caller}' does not have authorization to perform action '${action}' over scope '${id}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        )
      }
    }
  }

  private authenticate(req: IncomingMessage): string {
    if (this.options.requireAuth === false) return this.state.callerPrincipalId
    const header = req.headers.authorization
    if (!header) {
      throw new ArmHttpError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
      )
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    if (!m) {
      throw new ArmHttpError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is not a Bearer token.",
      )
    }
    const claims = decodeJwtPayload(m[1] as string)
    if (!claims) {
      throw new ArmHttpError(401, 'InvalidAuthenticationToken', 'The access token is invalid.')
    }
    const exp = Number(claims.exp)
    if (Number.isFinite(exp) && exp * 1000 <= Date.now()) {
      throw new ArmHttpError(
        401,
        'ExpiredAuthenticationToken',
        `The access token expiry UTC time '${new Date(exp * 1000).toUTCString()}' is earlier than current UTC time '${new Date().toUTCString()}'.`,
      )
    }
    if (typeof claims.aud === 'string') {
      const aud = claims.aud.replace(/\/+$/, '').toLowerCase()
      if (!MANAGEMENT_AUDIENCES.includes(aud)) {
        throw new ArmHttpError(
          401,
          'InvalidAuthenticationTokenAudience',
          `The access token has been obtained for wrong audience or resource '${claims.aud}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.`,
        )
      }
    }
    if (
      typeof claims.tid === 'string' &&
      this.state.tenantId &&
      claims.tid.toLowerCase() !== this.state.tenantId.toLowerCase()
    ) {
      throw new ArmHttpError(
        401,
        'InvalidAuthenticationTokenTenant',
        `The access token is from the wrong issuer 'https://sts.windows.net/${claims.tid}/'. It must match the tenant 'https://sts.windows.net/${this.state.tenantId}/' associated with this subscription.`,
      )
    }
    return typeof claims.oid === 'string' ? claims.oid : this.state.callerPrincipalId
  }

  // ---- faults --------------------------------------------------------------------------------------------------

  private fault(call: ArmCall, isPoll: boolean): ArmHttpError | undefined {
    const f = this.faults
    if (!f) return undefined
    for (const [i, rule] of (f.rules ?? []).entries()) {
      if (rule.method && rule.method.toUpperCase() !== call.method) continue
      if (rule.pathIncludes && !call.path.toLowerCase().includes(rule.pathIncludes.toLowerCase())) continue
      if (rule.whileRunning && !this.running(call.path)) continue
      const hits = this.ruleHits.get(i) ?? 0
      if (hits >= (rule.times ?? 1)) continue
      this.ruleHits.set(i, hits + 1)
      return this.faultError(rule.status, rule.code, rule.message)
    }
    if (!f.rate || (isPoll && f.sparePolls)) return undefined
    const streakKey = `${call.method} ${call.path.toLowerCase()}`
    const streak = this.faultStreaks.get(streakKey) ?? 0
    if (this.random() >= f.rate || (f.maxConsecutive !== undefined && streak >= f.maxConsecutive)) {
      this.faultStreaks.delete(streakKey)
      return undefined
    }
    this.faultStreaks.set(streakKey, streak + 1)
    const statuses = f.statuses?.length ? f.statuses : [429, 500, 503]
    const status = statuses[Math.floor(this.random() * statuses.length)] as number
    return this.faultError(status)
  }

  /** Is an operation on this resource still in progress? */
  private running(path: string): boolean {
    const target = key(path)
    for (const op of this.state.operations.values()) if (op.target === target && op.status === 'InProgress') return true
    return false
  }

  /** With `linkOrigin`, the answer's operation and paging URLs name another origin (see FaultSettings). */
  private foreignLinks(reply: ArmReply): ArmReply {
    const origin = this.faults?.linkOrigin
    if (!origin) return reply
    const swap = (v: string) => (v.startsWith(this.baseUrl) ? `${origin}${v.slice(this.baseUrl.length)}` : v)
    const headers = Object.fromEntries(
      Object.entries(reply.headers ?? {}).map(([k, v]) =>
        /^(azure-asyncoperation|location)$/i.test(k) ? [k, swap(v)] : [k, v],
      ),
    )
    const body = reply.body as {nextLink?: unknown} | undefined
    const nextLink = typeof body?.nextLink === 'string' ? {nextLink: swap(body.nextLink)} : {}
    return {...reply, headers, ...(body && typeof body === 'object' ? {body: {...body, ...nextLink}} : {})}
  }

  private faultError(status: number, code?: string, message?: string): ArmHttpError {
    const known = FAULT_BODIES[status] ?? {code: 'InternalServerError', message: 'Emulated fault.'}
    const headers: Record<string, string> = {}
    if (status === 429 || status === 503) {
      if (this.faults?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(this.faults.retryAfterSeconds)
      else headers['retry-after-ms'] = String(this.faults?.retryAfterMs ?? 5)
    }
    return new ArmHttpError(status, code ?? known.code, message ?? known.message, {headers})
  }

  // ---- routing -------------------------------------------------------------------------------------------------

  route(call: ArmCall): ArmReply {
    const {segs, ls} = call
    if (ls[0] !== 'subscriptions' || !segs[1]) {
      throw new ArmHttpError(
        404,
        'InvalidRequestUri',
        `No HTTP resource was found that matches the request URI '${call.path}'.`,
      )
    }
    const subRec = this.state.subscription(segs[1])
    if (!subRec) throw armErrors.subscriptionNotFound(segs[1])
    const sub = subRec.subscriptionId
    const n = segs.length

    if (n === 2) {
      requireApiVersion(call, API_VERSIONS.subscriptions, 'subscriptions')
      if (call.method !== 'GET') throw methodNotAllowed(call)
      this.authorize(`/subscriptions/${sub}`, 'Microsoft.Resources/subscriptions/read', call.caller)
      return ok({
        id: `/subscriptions/${sub}`,
        authorizationSource: 'RoleBased',
        managedByTenants: [],
        subscriptionId: sub,
        tenantId: subRec.tenantId,
        displayName: subRec.displayName,
        state: 'Enabled',
        subscriptionPolicies: {
          locationPlacementId: 'Public_2014-09-01',
          quotaId: 'PayAsYouGo_2014-09-01',
          spendingLimit: 'Off',
        },
      })
    }
    if (n === 4 && ls[2] === 'operationresults') return this.pollOperation(segs[3] as string, call)
    if (ls[2] === 'providers' && (n === 4 || (n === 5 && ls[4] === 'register')))
      return this.provider(call, sub, segs[3] as string)
    if (
      ls[2] === 'providers' &&
      n === 8 &&
      ls[4] === 'locations' &&
      /^operation(s?status(es)?|results)$/.test(ls[6] ?? '')
    ) {
      return this.pollOperation(segs[7] as string, call)
    }
    let rgName: string | undefined
    if (ls[2] === 'resourcegroups') {
      const rg = this.state.get(`/subscriptions/${sub}/resourceGroups/${segs[3]}`)
      if (n === 4) {
        requireApiVersion(call, API_VERSIONS.resourceGroups, 'resourceGroups')
        if (call.method !== 'GET') throw methodNotAllowed(call)
        this.authorize(
          `/subscriptions/${sub}/resourceGroups/${segs[3]}`,
          'Microsoft.Resources/subscriptions/resourceGroups/read',
          call.caller,
        )
        if (!rg) throw armErrors.resourceGroupNotFound(segs[3] as string)
        return ok({
          id: rg.id,
          name: rg.name,
          type: rg.type,
          location: rg.location,
          ...(rg.tags ? {tags: rg.tags} : {}),
          properties: rg.properties,
        })
      }
      if (!rg) throw armErrors.resourceGroupNotFound(segs[3] as string)
      rgName = rg.name
    }
    const p = ls.lastIndexOf('providers')
    if (p < 2 || n < p + 3)
      throw new ArmHttpError(
        404,
        'InvalidRequestUri',
        `No HTTP resource was found that matches the request URI '${call.path}'.`,
      )
    const ns = ls[p + 1] as string
    const rest = segs.slice(p + 2)
    const restL = ls.slice(p + 2)
    const scope = canonicalScope(segs.slice(0, p), sub, rgName)

    if (ns === 'microsoft.authorization' && restL[0] === 'roleassignments' && rest.length <= 2) {
      const name = rest[1]
      const action = `Microsoft.Authorization/roleAssignments/${call.method === 'GET' ? 'read' : call.method === 'DELETE' ? 'delete' : 'write'}`
      this.authorize(
        name ? `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}` : scope,
        action,
        call.caller,
      )
      return handleRoleAssignments(call, this.state, scope, name, this.pager(call, this.options.listPageSize ?? 0))
    }
    if (ns === 'microsoft.insights' && restL[0] === 'metrics' && rest.length === 1) {
      this.authorize(scope, 'Microsoft.Insights/metrics/read', call.caller)
      return handleMetrics(call, this.state, scope)
    }
    if (ns === 'microsoft.kubernetesconfiguration' && restL[0] === 'extensions' && rest.length <= 2) {
      return this.extensions(call, scope, rest[1])
    }
    if (ns === 'microsoft.resources' && restL[0] === 'deployments' && rgName && p === 4) {
      return handleDeployments(call, this, sub, rgName, rest.slice(1))
    }
    if (!rgName || p !== 4)
      throw new ArmHttpError(
        404,
        'InvalidRequestUri',
        `No HTTP resource was found that matches the request URI '${call.path}'.`,
      )
    return this.tracked(call, sub, rgName, rest)
  }

  private provider(call: ArmCall, sub: string, nsRaw: string): ArmReply {
    requireApiVersion(call, API_VERSIONS.providers, 'providers')
    const known = [
      ...new Set([
        ...TYPE_SPECS.map((s) => s.provider),
        'Microsoft.Authorization',
        'Microsoft.Resources',
        'Microsoft.Insights',
        'Microsoft.KubernetesConfiguration',
      ]),
    ]
    const ns = known.find((k) => k.toLowerCase() === nsRaw.toLowerCase())
    if (!ns) throw new ArmHttpError(404, 'InvalidResourceNamespace', `The resource namespace '${nsRaw}' is invalid.`)
    const subRec = this.state.subscription(sub)
    if (call.segs.length === 5) {
      if (call.method !== 'POST') throw methodNotAllowed(call)
      this.authorize(`/subscriptions/${sub}`, `${ns}/register/action`, call.caller)
      subRec?.providers.set(ns.toLowerCase(), 'Registered')
    } else if (call.method !== 'GET') {
      throw methodNotAllowed(call)
    }
    const types = TYPE_SPECS.filter((s) => s.provider === ns)
    return ok({
      id: `/subscriptions/${sub}/providers/${ns}`,
      namespace: ns,
      registrationState: this.state.providerState(sub, ns),
      registrationPolicy: 'RegistrationRequired',
      resourceTypes: types.map((t) => ({
        resourceType: t.type.split('/').slice(1).join('/'),
        locations: ['East US', 'East US 2', 'West US 2', 'West Europe', 'North Europe'],
        apiVersions: [...t.apiVersions],
        capabilities: 'None',
      })),
    })
  }

  private extensions(call: ArmCall, clusterId: string, name: string | undefined): ArmReply {
    requireApiVersion(call, API_VERSIONS.extensions, 'Microsoft.KubernetesConfiguration/extensions')
    if (call.method !== 'GET') throw methodNotAllowed(call)
    this.authorize(clusterId, 'Microsoft.KubernetesConfiguration/extensions/read', call.caller)
    const cluster = this.state.get(clusterId)
    if (
      !cluster ||
      !/\/providers\/microsoft\.kubernetes\/(connectedclusters|provisionedclusters)\//.test(key(clusterId))
    ) {
      throw scopeNotFound(clusterId)
    }
    const items = this.state.list('Microsoft.KubernetesConfiguration/extensions', cluster.id)
    if (name === undefined) return ok(this.pager(call, this.options.pageSize ?? 1)(items.map(view)))
    const ext = items.find((e) => e.name.toLowerCase() === name.toLowerCase())
    if (!ext)
      throw new ArmHttpError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.KubernetesConfiguration/extensions/${name}' was not found.`,
      )
    return ok(view(ext))
  }

  /** A tracked resource (or a collection of them) under a resource group. */
  private tracked(call: ArmCall, sub: string, rg: string, rest: string[]): ArmReply {
    const types = rest.filter((_, i) => i % 2 === 0)
    const names = rest.filter((_, i) => i % 2 === 1)
    const ns = canonicalProvider(call.segs[call.ls.lastIndexOf('providers') + 1] as string)
    const spec = findTypeSpec(`${ns}/${types.join('/')}`)
    if (!spec) {
      throw new ArmHttpError(
        404,
        'InvalidResourceType',
        `The resource type '${types.join('/')}' could not be found in the namespace '${ns}' for api version '${call.apiVersion}'.`,
      )
    }
    requireApiVersion(call, spec.apiVersions, spec.type)
    if (names.length < types.length) {
      // Collection: GET …/instances or …/dataflows.
      if (call.method !== 'GET') throw methodNotAllowed(call)
      const parentId = buildId(sub, rg, spec, names)
      if (names.length > 0 && !this.state.has(parentId)) throw scopeNotFound(parentId)
      this.authorize(parentId, `${spec.type}/read`, call.caller)
      const items =
        names.length === 0
          ? this.state
              .list(spec.type)
              .filter((r) => key(r.id).startsWith(key(`/subscriptions/${sub}/resourceGroups/${rg}/`)))
          : this.state.list(spec.type, parentId)
      return ok(this.pager(call, this.options.listPageSize ?? 0)(items.map(view)))
    }
    const id = buildId(sub, rg, spec, names)
    const existing = this.state.get(id)
    const m = call.method
    if (m === 'GET' || m === 'HEAD') {
      this.authorize(id, `${spec.type}/read`, call.caller)
      if (!existing) throw notFound(spec, names, rg)
      return m === 'HEAD' ? {status: 204} : ok(view(existing))
    }
    if (m === 'DELETE') {
      this.authorize(id, `${spec.type}/delete`, call.caller)
      if (!spec.writable) throw methodNotAllowed(call)
      if (!existing) return {status: 204}
      this.finishPending(id)
      if (!spec.lro) {
        this.state.deleteTree(id)
        return {status: 200}
      }
      existing.properties.provisioningState = 'Deleting'
      const op = this.startOperation({
        kind: 'location',
        target: key(id),
        complete: () => void this.state.deleteTree(id),
      })
      const loc = this.opLocation(existing, sub)
      const base = `${this.baseUrl}/subscriptions/${sub}/providers/${spec.provider}/locations/${loc}`
      return {
        status: 202,
        headers: {
          Location: `${base}/operationResults/${op.id}?api-version=${call.apiVersion}`,
          'Azure-AsyncOperation': `${base}/operationsStatus/${op.id}?api-version=${call.apiVersion}`,
          ...this.lroHeaders(),
        },
      }
    }
    if (m !== 'PUT' && m !== 'PATCH') throw methodNotAllowed(call)
    this.authorize(id, `${spec.type}/write`, call.caller)
    const body = bodyObject(call)
    if (m === 'PATCH' && !existing) throw notFound(spec, names, rg)
    if (m === 'PATCH' && !spec.patchable) throw methodNotAllowed(call)
    const {resource, op} = this.write(spec, id, names, sub, rg, body, m, existing, false)
    const status = existing ? 200 : 201
    if (!op) return ok(view(resource), status)
    const loc = this.opLocation(resource, sub)
    const seg = spec.provider === 'Microsoft.EventGrid' ? 'operationsStatus' : 'operationStatuses'
    return ok(view(resource), status, {
      'Azure-AsyncOperation': `${this.baseUrl}/subscriptions/${sub}/providers/${spec.provider}/locations/${loc}/${seg}/${op.id}?api-version=${call.apiVersion}`,
      ...this.lroHeaders(),
    })
  }

  /**
   * The shared write path of PUT/PATCH over HTTP and of template deployments (`direct`: no operation, provisioned at
   * once). Checks registration, the parent, the name and the body, then stores the resource.
   */
  private write(
    spec: TypeSpec,
    id: string,
    names: string[],
    sub: string,
    rg: string,
    body: Record<string, unknown>,
    method: 'PUT' | 'PATCH',
    existing: ArmResource | undefined,
    direct: boolean,
  ): {resource: ArmResource; op?: Operation} {
    const resource = this.build(spec, id, names, sub, rg, body, method, existing)
    this.finishPending(id)
    if (!spec.lro || direct) {
      resource.properties.provisioningState = 'Succeeded'
      spec.onProvisioned?.(resource, this.env)
      this.state.set(resource)
      return {resource}
    }
    resource.properties.provisioningState = existing ? 'Updating' : 'Creating'
    spec.onInProgress?.(resource)
    this.state.set(resource)
    const op = this.startOperation({
      kind: 'async',
      target: key(id),
      complete: () => {
        const r = this.state.get(id)
        if (!r || r.properties.provisioningState === 'Deleting') return
        r.properties.provisioningState = 'Succeeded'
        spec.onProvisioned?.(r, this.env)
      },
    })
    return {resource, op}
  }

  private build(
    spec: TypeSpec,
    id: string,
    names: string[],
    sub: string,
    rg: string,
    body: Record<string, unknown>,
    method: 'PUT' | 'PATCH',
    existing: ArmResource | undefined,
    pendingParents: Set<string> = new Set(),
  ): ArmResource {
    if (!spec.writable)
      throw new ArmHttpError(405, 'MethodNotAllowed', `The emulator does not write '${spec.type}' resources.`)
    const last = names[names.length - 1] as string
    const problem = spec.checkName?.(last)
    if (problem) throw armErrors.invalidName(last, problem)
    if (method === 'PUT' && !existing && this.state.providerState(sub, spec.provider) !== 'Registered') {
      throw armErrors.missingRegistration(spec.provider)
    }
    if (names.length > 1) {
      const parentId = id.split('/').slice(0, -2).join('/')
      if (!this.state.has(parentId) && !pendingParents.has(key(parentId))) {
        throw armErrors.parentNotFound(names.slice(0, -1).join('/'))
      }
    }
    if (spec.type === 'Microsoft.EventGrid/namespaces' && !existing && this.state.takenNames.has(last.toLowerCase())) {
      throw new ArmHttpError(
        409,
        'NamespaceNameUnavailable',
        `Namespace name '${last}' is already in use. Namespace names must be unique within a region; choose another name.`,
      )
    }
    return spec.build({
      id: existing?.id ?? id,
      names,
      subscriptionId: sub,
      resourceGroup: rg,
      body,
      existing,
      method,
      state: this.state,
      env: this.env,
    })
  }

  private templateTarget(
    res: TemplateResource,
    sub: string,
    rg: string,
  ): {spec: TypeSpec; id: string; body: Record<string, unknown>} {
    const spec = findTypeSpec(res.type)
    if (!spec?.writable) {
      throw new ArmHttpError(
        400,
        'NoRegisteredProviderFound',
        `No registered resource provider found for location and API version '${res.apiVersion}' for type '${res.type}' (the emulator does not deploy this type).`,
      )
    }
    if (!spec.apiVersions.includes(res.apiVersion)) {
      throw new ArmHttpError(
        400,
        'NoRegisteredProviderFound',
        `No registered resource provider found for API version '${res.apiVersion}' and type '${res.type}'. The supported api-versions are '${spec.apiVersions.join(', ')}'.`,
      )
    }
    return {spec, id: buildId(sub, rg, spec, res.names), body: res.body}
  }

  writeDirect(res: TemplateResource, sub: string, rg: string): void {
    const {spec, id, body} = this.templateTarget(res, sub, rg)
    this.write(spec, id, res.names, sub, rg, body, 'PUT', this.state.get(id), true)
  }

  preview(res: TemplateResource, sub: string, rg: string): ArmResource {
    const {spec, id, body} = this.templateTarget(res, sub, rg)
    // What-if sees the whole template: a parent created by the same template counts as present.
    const r = this.build(
      spec,
      id,
      res.names,
      sub,
      rg,
      body,
      'PUT',
      this.state.get(id),
      new Set([key(id.split('/').slice(0, -2).join('/'))]),
    )
    r.properties.provisioningState = 'Succeeded'
    spec.onProvisioned?.(r, this.env)
    return r
  }

  private opLocation(r: ArmResource, _sub: string): string {
    let cur: ArmResource | undefined = r
    let id = r.id
    while (cur && !cur.location) {
      id = id.split('/').slice(0, -2).join('/')
      cur = this.state.get(id)
    }
    return (cur?.location ?? this.seed.resourceGroups?.[0]?.location ?? 'eastus').replace(/\s+/g, '').toLowerCase()
  }

  private pollOperation(opId: string, call: ArmCall): ArmReply {
    const op = this.state.operations.get(opId)
    if (!op) throw new ArmHttpError(404, 'OperationNotFound', `The operation '${opId}' could not be found.`)
    this.advance(op)
    const isLocation = /operationresults/i.test(call.path)
    if (isLocation) {
      if (op.status === 'InProgress') {
        return {
          status: 202,
          headers: {Location: `${this.baseUrl}${call.path}?${call.query.toString()}`, ...this.lroHeaders()},
          poll: true,
        }
      }
      if (op.result !== undefined) return {status: 200, body: op.result, poll: true}
      if (op.status === 'Failed') return {status: 200, body: {status: 'Failed', error: op.error}, poll: true}
      return {status: 204, poll: true}
    }
    return {
      status: 200,
      body: {
        id: call.path,
        name: op.id,
        status: op.status,
        startTime: new Date(op.startedAt).toISOString(),
        ...(op.endTime ? {endTime: op.endTime} : {}),
        ...(op.error ? {error: op.error} : {}),
      },
      headers: op.status === 'InProgress' ? this.lroHeaders() : undefined,
      poll: true,
    }
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------------

  private readonly connections = new WeakMap<object, number>()

  private connectionOf(req: IncomingMessage): number {
    let n = this.connections.get(req.socket)
    if (n === undefined) {
      n = ++this.connectionCount
      this.connections.set(req.socket, n)
    }
    return n
  }

  private connectionCount = 0

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const u = new URL(req.url ?? '/', this.baseUrl)
    const method = (req.method ?? 'GET').toUpperCase()
    if (u.pathname.startsWith('/_emulator')) return this.control(req, res, u, method, raw)

    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs))
    this.settleOld()
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
      const caller = this.authenticate(req)
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
      const fault = this.fault(call, isPoll)
      if (fault) {
        entry.fault = true
        throw fault
      }
      reply = this.route(call)
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
    reply = this.foreignLinks(reply)
    entry.status = reply.status
    if (reply.poll) entry.poll = true
    this.requests.push(entry)
    this.send(res, reply)
  }

  private send(res: ServerResponse, reply: ArmReply): void {
    const requestId = randomUUID()
    const headers: Record<string, string> = {
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': requestId,
      'x-ms-routing-request-id': `EASTUS:${requestId}`,
      'cache-control': 'no-cache',
      ...(reply.headers ?? {}),
    }
    if (reply.body === undefined || reply.status === 204) {
      res.writeHead(reply.status, {...headers, 'content-length': '0'})
      res.end()
      return
    }
    const text = JSON.stringify(reply.body)
    res.writeHead(reply.status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
    })
    res.end(text)
  }

  private control(req: IncomingMessage, res: ServerResponse, u: URL, method: string, raw: string): void {
    this.send(res, this.controlReply(req, u, method, raw))
  }

  private controlReply(req: IncomingMessage, u: URL, method: string, raw: string): ArmReply {
    const reply = (status: number, body?: unknown): ArmReply => ({status, body})
    if (this.options.controlKey && req.headers['x-emulator-key'] !== this.options.controlKey) {
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
    const route = `${method} ${u.pathname.replace(/\/+$/, '')}`
    try {
      switch (route) {
        case 'GET /_emulator/health':
          return reply(200, {ok: true, url: this.baseUrl})
        case 'GET /_emulator/state':
          return reply(200, this.state.dump())
        case 'GET /_emulator/requests':
          return reply(200, {requests: this.requests})
        case 'DELETE /_emulator/requests':
          this.requests.length = 0
          return reply(204)
        case 'POST /_emulator/reset':
          this.reset((body.scenario as ArmScenarioName | undefined) ?? (body.seed as ArmSeed | undefined))
          return reply(204)
        case 'POST /_emulator/seed':
          applySeed(this.state, body as ArmSeed, this.env)
          return reply(204)
        case 'GET /_emulator/faults':
          return reply(200, {faults: this.faults ?? null, latencyMs: this.latencyMs})
        case 'PUT /_emulator/faults':
          this.setFaults(Object.keys(body).length ? (body as FaultSettings) : undefined)
          return reply(204)
        case 'PUT /_emulator/latency':
          this.latencyMs = Number(body.ms ?? 0) || 0
          return reply(204)
        case 'POST /_emulator/settle':
          this.settle()
          return reply(204)
        case 'POST /_emulator/metrics':
          this.addMetric(String(body.metric ?? 'Mqtt.SuccessfulPublishedMessages'), Number(body.count ?? 1), {
            namespace: body.namespace as string | undefined,
          })
          return reply(204)
        case 'GET /_emulator/resources': {
          const id = u.searchParams.get('id')
          const r = id ? this.state.get(id) : undefined
          return r ? reply(200, r) : reply(404, {error: {code: 'ResourceNotFound', message: `No resource '${id}'.`}})
        }
        case 'DELETE /_emulator/resources': {
          const id = u.searchParams.get('id') ?? ''
          const removed = this.state.deleteTree(id)
          return removed.length
            ? reply(200, {removed})
            : reply(404, {error: {code: 'ResourceNotFound', message: `No resource '${id}'.`}})
        }
        case 'PUT /_emulator/resources':
          this.state.set(body as unknown as ArmResource)
          return reply(204)
        default:
          return reply(404, {error: {code: 'NotFound', message: `No control route ${route}.`}})
      }
    } catch (err) {
      return reply(400, {error: {code: 'BadRequest', message: (err as Error).message}})
    }
  }

  addMetric(metric: string, count: number, opts: {namespace?: string; at?: number} = {}): void {
    let scope = '*'
    if (opts.namespace) {
      scope = opts.namespace.includes('/')
        ? key(opts.namespace)
        : key(
            `/subscriptions/${this.seed.subscriptionId}/resourceGroups/${this.seed.resourceGroups?.[0]?.name}/providers/Microsoft.EventGrid/namespaces/${opts.namespace}`,
          )
    }
    this.state.metrics.push({metric, scope, count, at: opts.at ?? this.state.now()})
  }
}

function canonicalScope(segs: string[], sub: string, rg: string | undefined): string {
  if (segs.length <= 2) return `/subscriptions/${sub}`
  if (segs.length <= 4) return `/subscriptions/${sub}/resourceGroups/${rg}`
  const p = segs.findIndex((s) => s.toLowerCase() === 'providers')
  const rest = segs.slice(p + 1)
  const spec = findTypeSpec([rest[0], ...rest.slice(1).filter((_, i) => i % 2 === 0)].join('/'))
  if (!spec) return `/subscriptions/${sub}/resourceGroups/${rg}/${segs.slice(4).join('/')}`
  return buildId(
    sub,
    rg ?? '',
    spec,
    rest.slice(1).filter((_, i) => i % 2 === 1),
  )
}

function buildId(sub: string, rg: string, spec: TypeSpec, names: string[]): string {
  const [ns, ...types] = spec.type.split('/')
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ns}/${names.map((nm, i) => `${types[i]}/${nm}`).join('/')}`
}

function notFound(spec: TypeSpec, names: string[], rg: string): ArmHttpError {
  return new ArmHttpError(
    404,
    'ResourceNotFound',
    `The Resource '${spec.type.split('/').slice(0, 2).join('/')}/${names.join('/')}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  )
}

function view(r: ArmResource): Record<string, unknown> {
  return JSON.parse(JSON.stringify(r)) as Record<string, unknown>
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
    addSeed: (s) => applySeed(emu.state, s, emu.env),
    setFaults: (f) => emu.setFaults(f),
    setLatency: (ms) => {
      emu.latencyMs = ms
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
