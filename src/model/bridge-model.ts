import {invalidValue} from '../config/invalid.js'
import {checkTopicFilter} from '../config/rules.js'
import {ConfigError} from '../errors.js'

/**
 * The bridge as one typed model: the Event Grid DataflowEndpoint and the dataflows that use it. Every renderer (Bicep,
 * ARM JSON, Kubernetes) serialises this model and nothing else, so the three formats cannot drift apart. The shapes
 * are the ARM `properties` / Kubernetes `spec` of the IoT Operations resources, so rendering is serialisation.
 */

/** GA api-versions of Microsoft.IoTOperations whose endpoint/dataflow properties this model matches. */
export const IOT_OPERATIONS_API_VERSIONS = ['2024-11-01', '2025-04-01', '2025-10-01', '2026-03-01'] as const
export type IotOperationsApiVersion = (typeof IOT_OPERATIONS_API_VERSIONS)[number]
/** The tutorial's version (the first GA): the oldest clusters still in support accept it. */
export const DEFAULT_IOT_OPERATIONS_API_VERSION: IotOperationsApiVersion = '2024-11-01'

export const CRD_VERSIONS = ['v1', 'v1beta1'] as const
export type CrdVersion = (typeof CRD_VERSIONS)[number]

/** Kubernetes namespace IoT Operations runs in (the tutorial's and the default install's). */
export const AIO_NAMESPACE = 'azure-iot-operations'
/** The local MQTT broker endpoint every IoT Operations install creates. */
export const LOCAL_ENDPOINT = 'default'
export const EVENT_GRID_MQTT_PORT = 8883
/** Written where the hostname is unknown, exactly as the tutorial spells it. */
export const HOSTNAME_PLACEHOLDER = '<EVENT_GRID_HOSTNAME>'
export const CUSTOM_LOCATION_PLACEHOLDER = '<CUSTOM_LOCATION_NAME>'
export const AIO_INSTANCE_PLACEHOLDER = '<AIO_INSTANCE_NAME>'

export const MODEL_DEFAULTS = {
  endpointName: 'eventgrid',
  profile: 'default',
  localSource: 'tutorial/local',
  remoteDestination: 'telemetry/aio',
  remoteSource: 'telemetry/#',
  localDestination: 'tutorial/cloud',
  localToRemoteName: 'local-to-remote',
  remoteToLocalName: 'remote-to-local',
} as const

export interface MqttEndpointProperties {
  endpointType: 'Mqtt'
  mqttSettings: {
    /** `<hostname>:<port>`. */
    host: string
    authentication: {
      method: 'SystemAssignedManagedIdentity'
      /** Empty: the audience defaults to Event Grid's (https://eventgrid.azure.net), as in the tutorial. */
      systemAssignedManagedIdentitySettings: {audience?: string}
    }
    tls: {mode: 'Enabled'}
  }
}

export interface DataflowEndpointModel {
  name: string
  properties: MqttEndpointProperties
}

export interface SourceOperation {
  operationType: 'Source'
  sourceSettings: {endpointRef: string; dataSources: string[]}
}

export interface DestinationOperation {
  operationType: 'Destination'
  destinationSettings: {endpointRef: string; dataDestination: string}
}

export interface DataflowProperties {
  mode: 'Enabled' | 'Disabled'
  operations: [SourceOperation, DestinationOperation]
}

export interface DataflowModel {
  name: string
  /** Which way it carries messages: for checks and for humans, not rendered. */
  direction: 'local-to-remote' | 'remote-to-local'
  properties: DataflowProperties
}

export interface BridgeModel {
  apiVersion: IotOperationsApiVersion
  /** The dataflow profile the dataflows belong to. */
  profile: string
  /** The profile's instanceCount when known (the checks assume 1, the default profile's, when not). */
  profileInstanceCount?: number
  /** The Event Grid MQTT hostname without port, or HOSTNAME_PLACEHOLDER. */
  hostname: string
  hostnameIsPlaceholder: boolean
  /** Deployment target names when known; placeholders otherwise (Bicep/ARM parameter defaults). */
  aioInstanceName?: string
  customLocationName?: string
  endpoint: DataflowEndpointModel
  dataflows: DataflowModel[]
}

/** Inputs as flags give them (undefined = not given: the tutorial's value is used). */
export interface BridgeModelFlags {
  'endpoint-name'?: string
  'local-source'?: string
  'remote-destination'?: string
  'remote-source'?: string
  'local-destination'?: string
  profile?: string
  'profile-instances'?: number
  'aio-api-version'?: string
  hostname?: string
  instance?: string
  'custom-location'?: string
}

const RESOURCE_NAME = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/

/** IoT Operations resource names (endpoints, profiles, dataflows, instances): 3–63, lowercase letters, digits, '-'. */
export function checkIotOperationsName(value: string): string | undefined {
  if (value.length < 3 || value.length > 63) return `must be 3 to 63 characters long (it has ${value.length})`
  if (!RESOURCE_NAME.test(value)) {
    return 'may contain only lowercase letters, digits and hyphens, and must start and end with a letter or digit'
  }
  return undefined
}

/** Custom location names: 1–63, letters, digits, '-', '_', '.'. */
function checkCustomLocationName(value: string): string | undefined {
  return /^[a-zA-Z0-9][-_.a-zA-Z0-9]{0,62}$/.test(value)
    ? undefined
    : 'must be 1 to 63 letters, digits, hyphens, underscores or periods, starting with a letter or digit'
}

/** A DNS hostname, optionally with `:port`; Event Grid's look like `<ns>.<region>-1.ts.eventgrid.azure.net`. */
export function parseHostname(value: string): {hostname: string; port: number} | string {
  const m =
    /^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*)(:(\d{1,5}))?$/.exec(
      value.trim(),
    )
  if (!m?.[1]) return 'is not a hostname such as mynamespace.westus2-1.ts.eventgrid.azure.net'
  const port = m[6] === undefined ? EVENT_GRID_MQTT_PORT : Number(m[6])
  if (port < 1 || port > 65535) return `has port ${port}, outside 1–65535`
  return {hostname: m[1].toLowerCase(), port}
}

const IOT_OPERATIONS_NAME_RULE =
  'use 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit'

/** `My_Endpoint` → `my-endpoint`, when that is a valid IoT Operations name. */
function suggestIotOperationsName(value: string): string | undefined {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
  return checkIotOperationsName(s) === undefined ? s : undefined
}

function name(flags: BridgeModelFlags, key: keyof BridgeModelFlags, fallback: string, what: string): string {
  const value = (flags[key] as string | undefined)?.trim() || fallback
  const problem = checkIotOperationsName(value)
  if (problem) {
    throw invalidValue({
      flag: `--${key}`,
      what,
      value,
      problem,
      corrected: suggestIotOperationsName(value),
      rule: IOT_OPERATIONS_NAME_RULE,
      example: fallback,
    })
  }
  return value
}

/** `https://ns.x:8883/` → `ns.x:8883`: what a URL or a copied portal value holds of the hostname. */
export function suggestHostname(value: string): string | undefined {
  const s = value
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/[/?#].*$/, '')
    .replace(/\.$/, '')
  return typeof parseHostname(s) === 'string' ? undefined : s
}

/** Topics are checked for shape here; whether the map makes sense is checkBridgeModel's job. */
function topic(flags: BridgeModelFlags, key: keyof BridgeModelFlags, fallback: string, filter: boolean): string {
  const raw = flags[key] as string | undefined
  const value = raw === undefined || raw === '' ? fallback : raw
  const problem = filter
    ? checkTopicFilter(value)
    : value.length === 0
      ? 'is empty'
      : value.includes('\u0000')
        ? 'contains a NUL character'
        : undefined
  if (problem) {
    throw invalidValue({
      flag: `--${key}`,
      what: filter ? 'Topic filter' : 'Topic',
      value,
      problem,
      rule: filter
        ? "use topic levels joined by '/', '+' for a whole level and '#' only as the whole last level"
        : 'use a topic name without NUL characters',
      example: fallback,
    })
  }
  return value
}

export function parseApiVersion(value: string | undefined): IotOperationsApiVersion {
  if (value === undefined || value === '') return DEFAULT_IOT_OPERATIONS_API_VERSION
  const found = IOT_OPERATIONS_API_VERSIONS.find((v) => v === value.trim())
  if (found) return found
  const preview = /preview/i.test(value)
  throw new ConfigError(
    preview ? 'CONFIG_PREVIEW_API_VERSION' : 'CONFIG_INVALID',
    preview
      ? `IoT Operations api-version '${value}' is a preview; aio-bridge renders GA versions only.`
      : `Unknown IoT Operations api-version '${value}'.`,
    `Pass --aio-api-version with one of ${IOT_OPERATIONS_API_VERSIONS.join(', ')}.`,
    {flag: '--aio-api-version', value},
  )
}

/** The model from flags; what a flag leaves out is the tutorial's. Throws ConfigError (exit 2) on malformed input. */
export function buildBridgeModel(flags: BridgeModelFlags = {}): BridgeModel {
  const apiVersion = parseApiVersion(flags['aio-api-version'])
  const endpointName = name(flags, 'endpoint-name', MODEL_DEFAULTS.endpointName, 'Dataflow endpoint name')
  if (endpointName === LOCAL_ENDPOINT) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `Dataflow endpoint name '${LOCAL_ENDPOINT}' is taken by the local MQTT broker's endpoint.`,
      'Pass --endpoint-name with another name, such as eventgrid.',
      {flag: '--endpoint-name', value: endpointName},
    )
  }
  const profile = name(flags, 'profile', MODEL_DEFAULTS.profile, 'Dataflow profile name')
  const instanceCount = flags['profile-instances']
  if (instanceCount !== undefined && (!Number.isInteger(instanceCount) || instanceCount < 1 || instanceCount > 20)) {
    throw invalidValue({
      flag: '--profile-instances',
      what: 'Profile instance count',
      value: String(instanceCount),
      problem: 'is outside 1–20',
      corrected: String(Math.min(20, Math.max(1, Math.round(instanceCount)))),
      rule: 'use a whole number from 1 to 20',
      example: '1',
    })
  }

  let hostname = HOSTNAME_PLACEHOLDER
  let port = EVENT_GRID_MQTT_PORT
  const hostnameIsPlaceholder = flags.hostname === undefined || flags.hostname.trim() === ''
  if (!hostnameIsPlaceholder) {
    const parsed = parseHostname(flags.hostname as string)
    if (typeof parsed === 'string') {
      throw invalidValue({
        flag: '--hostname',
        what: 'Hostname',
        value: flags.hostname as string,
        problem: parsed,
        corrected: suggestHostname(flags.hostname as string),
        rule: 'give the host name alone (no https://, no path), as az eventgrid namespace show --query properties.topicSpacesConfiguration.hostname prints it',
        example: 'mynamespace.westus2-1.ts.eventgrid.azure.net',
      })
    }
    hostname = parsed.hostname
    port = parsed.port
  }

  const aioInstanceName = flags.instance?.trim() || undefined
  if (aioInstanceName !== undefined) {
    const problem = checkIotOperationsName(aioInstanceName)
    if (problem) {
      throw invalidValue({
        flag: '--instance',
        what: 'IoT Operations instance name',
        value: aioInstanceName,
        problem,
        corrected: suggestIotOperationsName(aioInstanceName),
        rule: `${IOT_OPERATIONS_NAME_RULE} (az iot ops list -g <group> -o table lists the instances)`,
        example: 'my-aio',
      })
    }
  }
  const customLocationName = flags['custom-location']?.trim() || undefined
  if (customLocationName !== undefined) {
    const problem = checkCustomLocationName(customLocationName)
    if (problem) {
      throw invalidValue({
        flag: '--custom-location',
        what: 'Custom location name',
        value: customLocationName,
        problem,
        rule: 'use 1 to 63 letters, digits, hyphens, underscores or periods, starting with a letter or digit (az customlocation list -o table lists them)',
        example: 'my-cl',
      })
    }
  }

  const localSource = topic(flags, 'local-source', MODEL_DEFAULTS.localSource, true)
  const remoteDestination = topic(flags, 'remote-destination', MODEL_DEFAULTS.remoteDestination, false)
  const remoteSource = topic(flags, 'remote-source', MODEL_DEFAULTS.remoteSource, true)
  const localDestination = topic(flags, 'local-destination', MODEL_DEFAULTS.localDestination, false)

  return {
    apiVersion,
    profile,
    ...(instanceCount === undefined ? {} : {profileInstanceCount: instanceCount}),
    hostname,
    hostnameIsPlaceholder,
    ...(aioInstanceName ? {aioInstanceName} : {}),
    ...(customLocationName ? {customLocationName} : {}),
    endpoint: {
      name: endpointName,
      properties: {
        endpointType: 'Mqtt',
        mqttSettings: {
          host: `${hostname}:${port}`,
          authentication: {method: 'SystemAssignedManagedIdentity', systemAssignedManagedIdentitySettings: {}},
          tls: {mode: 'Enabled'},
        },
      },
    },
    dataflows: [
      dataflow(
        MODEL_DEFAULTS.localToRemoteName,
        'local-to-remote',
        LOCAL_ENDPOINT,
        localSource,
        endpointName,
        remoteDestination,
      ),
      dataflow(
        MODEL_DEFAULTS.remoteToLocalName,
        'remote-to-local',
        endpointName,
        remoteSource,
        LOCAL_ENDPOINT,
        localDestination,
      ),
    ],
  }
}

function dataflow(
  dataflowName: string,
  direction: DataflowModel['direction'],
  sourceEndpoint: string,
  source: string,
  destinationEndpoint: string,
  destination: string,
): DataflowModel {
  return {
    name: dataflowName,
    direction,
    properties: {
      mode: 'Enabled',
      operations: [
        {operationType: 'Source', sourceSettings: {endpointRef: sourceEndpoint, dataSources: [source]}},
        {
          operationType: 'Destination',
          destinationSettings: {endpointRef: destinationEndpoint, dataDestination: destination},
        },
      ],
    },
  }
}

/** Convenience accessors used by the checks and renderers. */
export function sourceOf(df: DataflowModel): SourceOperation['sourceSettings'] {
  return df.properties.operations[0].sourceSettings
}

export function destinationOf(df: DataflowModel): DestinationOperation['destinationSettings'] {
  return df.properties.operations[1].destinationSettings
}
