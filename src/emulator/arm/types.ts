import type {ArmScenarioName} from './seed.js'

/**
 * Public types of the Resource Manager emulator ("fake ARM"): its options, the seed that describes the Azure world it
 * starts with, the fault settings and the request log. Kept free of runtime code so tests and the demo can import
 * them cheaply.
 */

export interface SystemData {
  createdBy?: string
  createdByType?: string
  createdAt?: string
  lastModifiedBy?: string
  lastModifiedByType?: string
  lastModifiedAt?: string
}

/** One resource as ARM stores and returns it (GET body). */
export interface ArmResource {
  id: string
  name: string
  type: string
  location?: string
  tags?: Record<string, string>
  sku?: Record<string, unknown>
  identity?: Record<string, unknown>
  kind?: string
  extendedLocation?: {name: string; type: string}
  properties: Record<string, unknown>
  systemData?: SystemData
}

export interface SeedExtension {
  name: string
  extensionType: string
  /** Omitted: the extension has a system-assigned identity with a generated principal. `null`: no identity at all. */
  principalId?: string | null
  version?: string
  releaseNamespace?: string
}

export interface SeedCluster {
  name: string
  resourceGroup?: string
  location?: string
  extensions?: SeedExtension[]
}

export interface SeedIotInstance {
  name: string
  resourceGroup?: string
  location?: string
  /** Custom location name (in the same resource group); created if missing. Default `aio-cl`. */
  customLocation?: string
  /** The cluster the custom location points at. Default: the first cluster. */
  cluster?: string
  profiles?: string[]
}

export interface SeedNamespace {
  name: string
  resourceGroup?: string
  location?: string
  tags?: Record<string, string>
  /** Default: MQTT enabled, 1 session per authentication name. */
  topicSpacesConfiguration?: Record<string, unknown>
  topicSpaces?: Array<{name: string; topicTemplates: string[]}>
}

export interface SeedRoleAssignment {
  scope: string
  name?: string
  roleDefinitionId: string
  principalId: string
  principalType?: string
}

export interface SeedForbidden {
  /** Any request whose target lies at or under this scope is refused (403 AuthorizationFailed)… */
  scope: string
  /** …when its action matches one of these (e.g. `Microsoft.Authorization/roleAssignments/write`; `*` = all). */
  actions?: string[]
}

/** The Azure world the emulator starts with. Every field has a default (see `defaultSeed()`). */
export interface ArmSeed {
  subscriptionId?: string
  subscriptionName?: string
  tenantId?: string
  /** Object id of the caller (the `oid` of the stub az token). Always a known principal. */
  callerPrincipalId?: string
  /** Subscriptions that exist besides the main one. */
  otherSubscriptions?: string[]
  resourceGroups?: Array<{name: string; location: string; tags?: Record<string, string>}>
  /** Provider registration states; any provider not named is Registered. */
  providers?: Record<string, 'Registered' | 'NotRegistered' | 'Registering' | 'Unregistered'>
  clusters?: SeedCluster[]
  iotInstances?: SeedIotInstance[]
  /** Namespaces that exist before setup runs (the user's own: untagged unless tags are given). */
  namespaces?: SeedNamespace[]
  roleAssignments?: SeedRoleAssignment[]
  /** Principals the directory knows besides the caller and the extension identities. */
  principals?: Array<{id: string; type?: 'ServicePrincipal' | 'User' | 'Group'}>
  /** Principals still replicating: a role assignment PUT naming one answers PrincipalNotFound this many times. */
  replicatingPrincipals?: Record<string, number>
  /** Scopes where the caller lacks rights. */
  forbidden?: SeedForbidden[]
  /** Namespace names taken by someone else in the region (PUT answers 409). */
  takenNamespaceNames?: string[]
}

/** A fault rule: the next `times` requests that match answer `status` before they touch state. */
export interface FaultRule {
  method?: string
  /** Case-insensitive substring of the path (no query). */
  pathIncludes?: string
  status: 429 | 500 | 502 | 503 | 504 | number
  /** How many matching requests to fail (default 1). */
  times?: number
  code?: string
  message?: string
  /**
   * Match only while an operation started by an earlier write to the same resource is still running: ARM refuses
   * such a write (409 DeploymentActive for a deployment, for example) instead of taking it.
   */
  whileRunning?: boolean
}

export interface FaultSettings {
  /** Share of ARM requests (0–1) answered with one of `statuses`, chosen by a seeded PRNG. */
  rate?: number
  statuses?: number[]
  /** PRNG seed: the same seed and the same request sequence give the same faults. */
  seed?: number
  /**
   * Transient faults: the same method and path gets at most this many random faults in a row, then one answer
   * (default: unbounded). Set it below the client's retry count to model faults that retries always outlast.
   */
  maxConsecutive?: number
  /** Leave long-running-operation polls alone (default false: polls are throttled like any request). */
  sparePolls?: boolean
  /** 429/503 carry `retry-after-ms: <ms>` (default 5) or, when `retryAfterSeconds` is set, `Retry-After: <s>`. */
  retryAfterMs?: number
  retryAfterSeconds?: number
  rules?: FaultRule[]
  /**
   * A hostile or broken service: the long-running-operation URLs (Azure-AsyncOperation, Location) and paging links
   * (nextLink) in the answers name this origin (e.g. `https://127.0.0.1:<other port>`) instead of the emulator's own.
   */
  linkOrigin?: string
}

export interface ArmEmulatorOptions {
  /** The starting world: a scenario name (see ARM_SCENARIOS) or a seed (missing fields from the default). */
  seed?: ArmSeed | ArmScenarioName
  /** Polls a long-running operation answers InProgress before Succeeded (default 1). */
  lroPolls?: number
  /**
   * An operation nobody polls finishes by itself this long after it started (default 2000 ms), as it would in Azure
   * while a killed client is away. 0 disables it.
   */
  lroSettleMs?: number
  /** `Retry-After` (seconds) on long-running-operation responses; default none (the client's own interval). */
  lroRetryAfterSeconds?: number
  /** Page size of extension lists (default 1, so nextLink paging is always exercised). */
  pageSize?: number
  /** Page size of every other list (default 0: one page). */
  listPageSize?: number
  faults?: FaultSettings
  /** Fixed delay before every ARM response (benchmarks). */
  latencyMs?: number
  /** Port on 127.0.0.1 (default 0: a free one). */
  port?: number
  /** Directory for the emulator's CA and certificate (default: a new temp dir removed by stop()). */
  dir?: string
  /** Reuse an existing certificate instead of making a CA (all PEM file paths). */
  tls?: {caCertPath: string; certPath: string; keyPath: string}
  /** Header value the control API (`/_emulator/…`) requires in `x-emulator-key` (default: none required). */
  controlKey?: string
  /** MQTT hostname of a namespace once provisioned (default `<ns>.<location>-1.ts.eventgrid.azure.net`). */
  mqttHostname?: (namespace: string, location: string) => string
  /** Require a bearer token on every ARM request (default true). */
  requireAuth?: boolean
  /**
   * Holds a finished deployment's operation at "Running" until this says yes (given the deployment's resource ids):
   * the sandbox uses it so setup returns once the dataflow runner runs what was deployed, as it would on a cluster
   * whose dataflow pods are up.
   */
  deploymentSettled?: (resourceIds: string[]) => boolean
}

export interface RequestLogEntry {
  seq: number
  time: string
  method: string
  /** Path as sent (original case, no query). */
  path: string
  apiVersion?: string
  /** Query parameters other than api-version. */
  query: Record<string, string>
  body?: unknown
  status: number
  /** ARM error code when the answer was an error. */
  errorCode?: string
  /** True when the answer was an injected fault. */
  fault?: boolean
  /** True for long-running-operation polls. */
  poll?: boolean
  /** The client's User-Agent: one pipeline per process sends one value. */
  userAgent?: string
  /** Which TCP connection carried it (numbered from 1 per emulator), to count a client's connections. */
  connection?: number
}

/** Published-message counter samples fed by the demo's brokers, read back as Azure Monitor metrics. */
export interface MetricSample {
  metric: string
  /** Lower-case namespace resource id, or `*` for any namespace. */
  scope: string
  count: number
  at: number
}
