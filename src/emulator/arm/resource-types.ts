import {checkTopicTemplate} from '../../config/rules.js'
import {ArmHttpError, armErrors} from './arm-error.js'
import type {ArmState} from './state.js'
import type {ArmResource, SystemData} from './types.js'

/**
 * The tracked resource types the emulator serves with PUT/PATCH/GET/DELETE, one spec each: how a request body becomes
 * the stored resource (validation, defaults, PUT-replaces / PATCH-merges) and what finishing provisioning changes.
 * The same `build` serves the HTTP handlers (resources.ts), template deployments and what-if, so all three agree.
 */

export const API_VERSIONS = {
  eventGrid: ['2025-02-15'],
  iotOperations: ['2024-11-01', '2025-04-01', '2025-10-01', '2026-03-01'],
  subscriptions: ['2022-12-01'],
  resourceGroups: ['2021-04-01'],
  providers: ['2021-04-01'],
  extensions: ['2023-05-01'],
  authorization: ['2022-04-01'],
  deployments: ['2025-04-01'],
  metrics: ['2018-01-01'],
  connectedClusters: ['2024-01-01', '2024-07-15-preview', '2024-12-01-preview'],
  customLocations: ['2021-08-15', '2021-08-31-preview'],
} as const

export interface EmulatorEnv {
  mqttHostname: (namespace: string, location: string) => string
  callerPrincipalId: () => string
  now: () => number
}

export interface BuildInput {
  id: string
  /** Names of each type segment (`['ns', 'ts']` for a topic space). */
  names: string[]
  subscriptionId: string
  resourceGroup: string
  body: Record<string, unknown>
  existing?: ArmResource
  method: 'PUT' | 'PATCH'
  state: ArmState
  env: EmulatorEnv
}

export interface TypeSpec {
  /** Canonical type as ARM returns it. */
  type: string
  provider: string
  apiVersions: readonly string[]
  patchable?: boolean
  /** Name rule: returns a problem or undefined. */
  checkName?: (name: string) => string | undefined
  /**
   * The stored resource a PUT or PATCH makes; absent: the type is read-only (GET and list, e.g. instances). Every
   * writable type's PUT, PATCH and DELETE are long-running (Azure-AsyncOperation / Location), as the tutorial's are.
   */
  build?(input: BuildInput): ArmResource
  /** Applied when provisioning ends (hostname appears). */
  onProvisioned?(resource: ArmResource, env: EmulatorEnv): void
  /** The in-flight view while the operation runs. */
  onInProgress?(resource: ArmResource): void
  /** Paths of read-only properties, ignored by what-if and by PATCH merges. */
  readOnly?: string[][]
}

type WritableSpec = TypeSpec & Required<Pick<TypeSpec, 'build'>>

const EG_NAME = (n: string) =>
  n.length >= 3 && n.length <= 50 && /^[a-zA-Z0-9-]+$/.test(n)
    ? undefined
    : 'The name must be between 3 and 50 characters in length and use alphanumeric characters and hyphens only.'
const AIO_NAME = (n: string) =>
  n.length >= 3 && n.length <= 63 && /^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(n)
    ? undefined
    : "The name must be 3 to 63 characters, lower-case letters, digits and hyphens, starting and ending with a letter or digit (pattern '^[a-z0-9][a-z0-9-]*[a-z0-9]$')."

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v)
}

/** JSON merge (RFC 7396-like, null deletes) of `patch` into `base`: PATCH semantics. */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch)
  const out: Record<string, unknown> = isObject(base) ? clone(base) : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

export function stripPaths(obj: Record<string, unknown>, paths: string[][]): Record<string, unknown> {
  const out = clone(obj)
  for (const p of paths) {
    let cur: unknown = out
    for (let i = 0; i < p.length - 1 && isObject(cur); i++) cur = cur[p[i] as string]
    if (isObject(cur)) delete cur[p[p.length - 1] as string]
  }
  return out
}

export function systemData(env: EmulatorEnv, existing?: SystemData): SystemData {
  const now = new Date(env.now()).toISOString()
  const by = env.callerPrincipalId()
  return {
    createdBy: existing?.createdBy ?? by,
    createdByType: existing?.createdByType ?? 'User',
    createdAt: existing?.createdAt ?? now,
    lastModifiedBy: by,
    lastModifiedByType: 'User',
    lastModifiedAt: now,
  }
}

function requireLocation(input: BuildInput): string {
  const loc = input.body.location ?? input.existing?.location
  if (typeof loc !== 'string' || loc === '') {
    throw new ArmHttpError(400, 'LocationRequired', 'The location property is required for this definition.')
  }
  const norm = loc.replace(/\s+/g, '').toLowerCase()
  if (input.existing?.location && input.existing.location.replace(/\s+/g, '').toLowerCase() !== norm) {
    const rg = input.resourceGroup
    throw new ArmHttpError(
      400,
      'InvalidResourceLocation',
      `The resource '${input.names.join('/')}' already exists in location '${input.existing.location}' in resource group '${rg}'. A resource with the same name cannot be created in location '${loc}'. Please select a new resource name.`,
    )
  }
  return norm
}

/** ARM's tag rules (at most 50; names ≤ 512 characters without <>%&\?/; values ≤ 256 characters). */
export function checkTags(tags: unknown): Record<string, string> | undefined {
  if (tags === undefined || tags === null) return undefined
  if (!isObject(tags)) throw armErrors.badRequest("The 'tags' property must be an object.", 'InvalidRequestContent')
  if (Object.keys(tags).length > 50)
    throw armErrors.badRequest('The resource has more than 50 tags.', 'InvalidTagNameCharacters')
  for (const [k, v] of Object.entries(tags)) {
    if (typeof v !== 'string')
      throw armErrors.badRequest(`The tag '${k}' must have a string value.`, 'InvalidRequestContent')
    if (k.length > 512 || v.length > 256 || /[<>%&\\?/]/.test(k)) {
      throw armErrors.badRequest(`The tag name '${k}' has invalid characters or length.`, 'InvalidTagNameCharacters')
    }
  }
  return tags as Record<string, string>
}

function intIn(v: unknown, min: number, max: number, what: string): void {
  if (v === undefined) return
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
    throw armErrors.badRequest(
      `${what} must be an integer between ${min} and ${max}; got ${JSON.stringify(v)}.`,
      'InvalidRequest',
    )
  }
}

function oneOf(v: unknown, allowed: string[], what: string, code = 'InvalidRequest'): void {
  if (v === undefined) return
  if (typeof v !== 'string' || !allowed.some((a) => a.toLowerCase() === v.toLowerCase())) {
    throw armErrors.badRequest(`${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(v)}.`, code)
  }
}

const namespaceSpec: WritableSpec = {
  type: 'Microsoft.EventGrid/namespaces',
  provider: 'Microsoft.EventGrid',
  apiVersions: API_VERSIONS.eventGrid,
  patchable: true,
  checkName: EG_NAME,
  readOnly: [
    ['provisioningState'],
    ['topicSpacesConfiguration', 'hostname'],
    ['topicsConfiguration', 'hostname'],
    ['privateEndpointConnections'],
  ],
  build(input) {
    const {body, existing, method} = input
    const location = method === 'PUT' ? requireLocation(input) : (existing?.location as string)
    const base = existing ? stripPaths(existing.properties, namespaceSpec.readOnly ?? []) : {}
    if (body.properties !== undefined && !isObject(body.properties)) {
      throw armErrors.badRequest("The 'properties' must be an object.", 'InvalidRequestContent')
    }
    const props = (method === 'PUT' ? clone(body.properties ?? {}) : mergePatch(base, body.properties ?? {})) as Record<
      string,
      unknown
    >
    const tsc = (isObject(props.topicSpacesConfiguration) ? props.topicSpacesConfiguration : {}) as Record<
      string,
      unknown
    >
    oneOf(tsc.state, ['Enabled', 'Disabled'], 'topicSpacesConfiguration.state')
    intIn(
      tsc.maximumClientSessionsPerAuthenticationName,
      1,
      100,
      'topicSpacesConfiguration.maximumClientSessionsPerAuthenticationName',
    )
    intIn(tsc.maximumSessionExpiryInHours, 1, 8, 'topicSpacesConfiguration.maximumSessionExpiryInHours')
    delete tsc.hostname
    props.topicSpacesConfiguration = {
      state: 'Disabled',
      maximumClientSessionsPerAuthenticationName: 1,
      maximumSessionExpiryInHours: 1,
      ...tsc,
    }
    const prevZone = existing?.properties.isZoneRedundant
    if (prevZone !== undefined && props.isZoneRedundant !== undefined && props.isZoneRedundant !== prevZone) {
      throw armErrors.badRequest('isZoneRedundant cannot be changed once the namespace is created.', 'InvalidRequest')
    }
    if (prevZone !== undefined && props.isZoneRedundant === undefined) props.isZoneRedundant = prevZone
    oneOf(props.publicNetworkAccess, ['Enabled', 'Disabled'], 'publicNetworkAccess')
    oneOf(props.minimumTlsVersionAllowed, ['1.2'], 'minimumTlsVersionAllowed')
    props.publicNetworkAccess ??= 'Enabled'
    props.minimumTlsVersionAllowed ??= '1.2'
    props.inboundIpRules ??= []
    props.provisioningState = 'Succeeded'
    const sku = (body.sku ?? existing?.sku ?? {name: 'Standard', capacity: 1}) as Record<string, unknown>
    oneOf(sku.name, ['Standard'], 'sku.name')
    intIn(sku.capacity, 1, 40, 'sku.capacity')
    const tags = method === 'PATCH' && body.tags === undefined ? existing?.tags : checkTags(body.tags)
    const identity = (body.identity ?? (method === 'PATCH' ? existing?.identity : undefined)) as
      | Record<string, unknown>
      | undefined
    return {
      id: input.id,
      name: input.names[0] as string,
      type: namespaceSpec.type,
      location,
      sku: {name: 'Standard', capacity: 1, ...sku},
      ...(identity ? {identity} : {}),
      ...(tags ? {tags} : {}),
      properties: props,
      systemData: systemData(input.env, existing?.systemData),
    }
  },
  onInProgress(r) {
    const tsc = r.properties.topicSpacesConfiguration as Record<string, unknown>
    if (tsc.state === 'Enabled') tsc.hostname = null
  },
  onProvisioned(r, env) {
    const tsc = r.properties.topicSpacesConfiguration as Record<string, unknown>
    if (tsc.state === 'Enabled') tsc.hostname = env.mqttHostname(r.name, r.location ?? '')
    else delete tsc.hostname
    r.properties.topicsConfiguration = {
      ...(isObject(r.properties.topicsConfiguration) ? r.properties.topicsConfiguration : {}),
      hostname: `${r.name.toLowerCase()}.${r.location}-1.eventgrid.azure.net`,
    }
  },
}

const topicSpaceSpec: WritableSpec = {
  type: 'Microsoft.EventGrid/namespaces/topicSpaces',
  provider: 'Microsoft.EventGrid',
  apiVersions: API_VERSIONS.eventGrid,
  checkName: EG_NAME,
  readOnly: [['provisioningState']],
  build(input) {
    const {body, state} = input
    const nsId = input.id.split('/').slice(0, -2).join('/')
    const ns = state.get(nsId)
    const tsc = ns?.properties.topicSpacesConfiguration as Record<string, unknown> | undefined
    if (ns && tsc?.state !== 'Enabled') {
      throw armErrors.badRequest(
        `Topic spaces can only be created in a namespace with MQTT enabled: set topicSpacesConfiguration.state to Enabled on namespace '${ns.name}'.`,
        'InvalidRequest',
      )
    }
    const props = isObject(body.properties) ? clone(body.properties) : {}
    const templates = props.topicTemplates
    if (!Array.isArray(templates) || templates.length === 0) {
      throw armErrors.badRequest(
        'topicTemplates is required and must contain at least one topic template.',
        'InvalidRequest',
      )
    }
    if (templates.length > 10) {
      throw armErrors.badRequest(
        `A topic space can have at most 10 topic templates; got ${templates.length}.`,
        'InvalidRequest',
      )
    }
    for (const t of templates) {
      const problem = typeof t === 'string' ? checkTopicTemplate(t) : 'is not a string'
      if (problem)
        throw armErrors.badRequest(`Topic template '${String(t)}' is invalid: it ${problem}.`, 'InvalidRequest')
    }
    const siblings = state.list(topicSpaceSpec.type, nsId).filter((r) => r.id.toLowerCase() !== input.id.toLowerCase())
    if (!input.existing && siblings.length >= 10) {
      throw new ArmHttpError(
        400,
        'QuotaExceeded',
        `Namespace '${ns?.name}' already has the maximum of 10 topic spaces.`,
      )
    }
    props.provisioningState = 'Succeeded'
    return {
      id: input.id,
      name: input.names[1] as string,
      type: topicSpaceSpec.type,
      properties: props,
      systemData: systemData(input.env, input.existing?.systemData),
    }
  },
}

/** IoT Operations child resources live at the instance's custom location. */
function iotChildBase(input: BuildInput, type: string): ArmResource {
  const {body, state} = input
  const el = body.extendedLocation as {name?: unknown; type?: unknown} | undefined
  if (!isObject(el) || typeof el.name !== 'string' || el.name === '' || el.type !== 'CustomLocation') {
    throw armErrors.badRequest(
      "The request content was invalid and could not be deserialized: 'extendedLocation' is required, with 'name' (the custom location's resource id) and 'type' 'CustomLocation'.",
      'InvalidRequestContent',
    )
  }
  const instanceId = input.id.split('/').slice(0, 9).join('/')
  const instance = state.get(instanceId)
  const expected = instance?.extendedLocation?.name
  if (expected && expected.toLowerCase() !== el.name.toLowerCase()) {
    throw armErrors.badRequest(
      `The extendedLocation '${el.name}' does not match the custom location '${expected}' of instance '${instance?.name}'.`,
      'InvalidExtendedLocation',
    )
  }
  if (!state.has(el.name)) {
    throw armErrors.badRequest(`The custom location '${el.name}' was not found.`, 'InvalidExtendedLocation')
  }
  if (!isObject(body.properties)) {
    throw armErrors.badRequest(
      "The request content was invalid and could not be deserialized: 'properties' is required.",
      'InvalidRequestContent',
    )
  }
  return {
    id: input.id,
    name: input.names[input.names.length - 1] as string,
    type,
    extendedLocation: {name: el.name, type: 'CustomLocation'},
    properties: {...clone(body.properties), provisioningState: 'Succeeded'},
    systemData: systemData(input.env, input.existing?.systemData),
  }
}

/** A writable IoT Operations child type: the shared base, then `checkProperties` (which may fill defaults). */
function iotChildSpec(type: string, checkProperties: (p: Record<string, unknown>) => void): WritableSpec {
  return {
    type,
    provider: 'Microsoft.IoTOperations',
    apiVersions: API_VERSIONS.iotOperations,
    checkName: AIO_NAME,
    readOnly: [['provisioningState']],
    build(input) {
      const r = iotChildBase(input, type)
      checkProperties(r.properties)
      return r
    },
  }
}

function required(v: unknown, path: string): void {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) {
    throw armErrors.badRequest(
      `The request content was invalid and could not be deserialized: Required property '${path}' not found in JSON.`,
      'InvalidRequestContent',
    )
  }
}

const endpointSpec = iotChildSpec('Microsoft.IoTOperations/instances/dataflowEndpoints', (p) => {
  required(p.endpointType, 'properties.endpointType')
  oneOf(
    p.endpointType,
    ['DataExplorer', 'DataLakeStorage', 'FabricOneLake', 'Kafka', 'LocalStorage', 'Mqtt', 'OpenTelemetry'],
    'properties.endpointType',
    'InvalidRequestContent',
  )
  if (p.endpointType !== 'Mqtt') return
  const mqtt = p.mqttSettings as Record<string, unknown> | undefined
  required(mqtt, 'properties.mqttSettings')
  const auth = (mqtt as Record<string, unknown>).authentication as Record<string, unknown> | undefined
  required(auth, 'properties.mqttSettings.authentication')
  required(auth?.method, 'properties.mqttSettings.authentication.method')
  oneOf(
    auth?.method,
    [
      'Anonymous',
      'ServiceAccountToken',
      'SystemAssignedManagedIdentity',
      'UserAssignedManagedIdentity',
      'X509Certificate',
    ],
    'properties.mqttSettings.authentication.method',
    'InvalidRequestContent',
  )
  const tls = mqtt?.tls as Record<string, unknown> | undefined
  oneOf(tls?.mode, ['Enabled', 'Disabled'], 'properties.mqttSettings.tls.mode', 'InvalidRequestContent')
  intIn(mqtt?.qos, 0, 1, 'properties.mqttSettings.qos')
  oneOf(mqtt?.retain, ['Keep', 'Never'], 'properties.mqttSettings.retain', 'InvalidRequestContent')
  oneOf(mqtt?.protocol, ['Mqtt', 'WebSockets'], 'properties.mqttSettings.protocol', 'InvalidRequestContent')
})

const dataflowSpec = iotChildSpec('Microsoft.IoTOperations/instances/dataflowProfiles/dataflows', (p) => {
  oneOf(p.mode, ['Enabled', 'Disabled'], 'properties.mode', 'InvalidRequestContent')
  p.mode ??= 'Enabled'
  required(p.operations, 'properties.operations')
  if (!Array.isArray(p.operations))
    throw armErrors.badRequest("'properties.operations' must be an array.", 'InvalidRequestContent')
  for (const [i, op] of (p.operations as Array<Record<string, unknown>>).entries()) {
    required(op?.operationType, `properties.operations[${i}].operationType`)
    oneOf(
      op.operationType,
      ['Source', 'BuiltInTransformation', 'Destination'],
      `properties.operations[${i}].operationType`,
      'InvalidRequestContent',
    )
    if (op.operationType === 'Source') {
      const s = op.sourceSettings as Record<string, unknown> | undefined
      required(s?.endpointRef, `properties.operations[${i}].sourceSettings.endpointRef`)
      required(s?.dataSources, `properties.operations[${i}].sourceSettings.dataSources`)
    }
    if (op.operationType === 'Destination') {
      const d = op.destinationSettings as Record<string, unknown> | undefined
      required(d?.endpointRef, `properties.operations[${i}].destinationSettings.endpointRef`)
      required(d?.dataDestination, `properties.operations[${i}].destinationSettings.dataDestination`)
    }
  }
  const ops = p.operations as Array<{operationType?: string}>
  if (!ops.some((o) => o.operationType === 'Source') || !ops.some((o) => o.operationType === 'Destination')) {
    throw armErrors.badRequest('A dataflow needs one Source and one Destination operation.', 'InvalidRequestContent')
  }
})

const readOnlySpec = (type: string, provider: string, apiVersions: readonly string[]): TypeSpec => ({
  type,
  provider,
  apiVersions,
})

export const TYPE_SPECS: TypeSpec[] = [
  namespaceSpec,
  topicSpaceSpec,
  endpointSpec,
  dataflowSpec,
  readOnlySpec('Microsoft.IoTOperations/instances', 'Microsoft.IoTOperations', API_VERSIONS.iotOperations),
  readOnlySpec(
    'Microsoft.IoTOperations/instances/dataflowProfiles',
    'Microsoft.IoTOperations',
    API_VERSIONS.iotOperations,
  ),
  readOnlySpec('Microsoft.Kubernetes/connectedClusters', 'Microsoft.Kubernetes', API_VERSIONS.connectedClusters),
  readOnlySpec(
    'Microsoft.ExtendedLocation/customLocations',
    'Microsoft.ExtendedLocation',
    API_VERSIONS.customLocations,
  ),
]

export function findTypeSpec(type: string): TypeSpec | undefined {
  const t = type.toLowerCase()
  return TYPE_SPECS.find((s) => s.type.toLowerCase() === t)
}

/** Every resource provider the emulator serves: the tracked types' and those of its other handlers. */
export const PROVIDERS: readonly string[] = [
  ...new Set([
    ...TYPE_SPECS.map((s) => s.provider),
    'Microsoft.Authorization',
    'Microsoft.Resources',
    'Microsoft.Insights',
    'Microsoft.KubernetesConfiguration',
  ]),
]

/** The provider namespace as ARM spells it (`microsoft.eventgrid` → `Microsoft.EventGrid`); unknown ones as given. */
export function canonicalProvider(ns: string): string {
  return PROVIDERS.find((p) => p.toLowerCase() === ns.toLowerCase()) ?? ns
}

/** The id of a resource of `spec`'s type under a resource group, from the name of each type segment. */
export function resourceIdOf(spec: TypeSpec, sub: string, rg: string, names: string[]): string {
  const [ns, ...types] = spec.type.split('/')
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ns}/${names.map((nm, i) => `${types[i]}/${nm}`).join('/')}`
}

export {namespaceSpec, topicSpaceSpec}
