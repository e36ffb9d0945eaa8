import {EVENT_GRID_MQTT_PORT} from './bridge-model.js'

/**
 * Which bridge an endpoint belongs to, told from Azure alone. While the namespace exists, the endpoint's
 * `mqttSettings.host` says it: this bridge's endpoint points at `<namespace hostname>:8883`. Once the namespace is gone
 * there is no hostname to compare with, so setup records on its deployment (`aio-bridge-<instance>`) the namespace it
 * made the endpoint for and the host it pointed it at, as tags. Pure.
 */

/** The deployment tags setup writes with every deployment (ARM stores them as given and returns them on GET/list). */
export const RECORD_TAGS = {
  managedBy: 'managed-by',
  /** The Event Grid namespace's resource id (within the 256 characters a tag value may hold). */
  namespace: 'aio-bridge-namespace',
  /** The endpoint's mqttSettings.host as deployed: `<hostname>:8883`. */
  host: 'aio-bridge-host',
} as const

export function deploymentRecordTags(namespaceResourceId: string, host: string): Record<string, string> {
  return {[RECORD_TAGS.managedBy]: 'aio-bridge', [RECORD_TAGS.namespace]: namespaceResourceId, [RECORD_TAGS.host]: host}
}

/** What a deployment record says; both undefined on a record made before setup wrote these tags. */
export interface DeploymentRecordTags {
  namespaceId?: string
  host?: string
}

export function readDeploymentRecord(tags: Record<string, string> | undefined): DeploymentRecordTags {
  const namespaceId = tags?.[RECORD_TAGS.namespace]
  const host = tags?.[RECORD_TAGS.host]
  return {...(namespaceId ? {namespaceId} : {}), ...(host ? {host} : {})}
}

/** The host this namespace's bridge endpoint points at: `<hostname>:8883`. */
export function bridgeHost(hostname: string): string {
  return `${hostname}:${EVENT_GRID_MQTT_PORT}`
}

/** Hosts compare without regard to case (DNS names are case-insensitive). */
export function sameHost(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase()
}

/** An endpoint's `mqttSettings.host` (ARM properties or a custom resource's spec). */
export function endpointHostOf(properties: unknown): string | undefined {
  const host = (properties as {mqttSettings?: {host?: unknown}} | undefined)?.mqttSettings?.host
  return typeof host === 'string' ? host : undefined
}

/** The endpoints a dataflow's operations name (sources and destinations), lower-cased; [] when it names none. */
export function dataflowEndpointRefsOf(properties: unknown): string[] {
  const ops = (properties as {operations?: unknown} | undefined)?.operations
  if (!Array.isArray(ops)) return []
  const refs = ops.flatMap(
    (op: {sourceSettings?: {endpointRef?: unknown}; destinationSettings?: {endpointRef?: unknown}}) =>
      [op?.sourceSettings?.endpointRef, op?.destinationSettings?.endpointRef].filter(
        (r): r is string => typeof r === 'string',
      ),
  )
  return [...new Set(refs.map((r) => r.toLowerCase()))]
}

/**
 * The namespace an Event Grid MQTT hostname names (`<namespace>.<region>-1.ts.eventgrid.…`), for hints only ("did you
 * mean -n …"): a host of any other shape names none.
 */
export function namespaceOfHost(host: string | undefined): string | undefined {
  return /^([a-z0-9][a-z0-9-]*)\.[a-z0-9-]+\.ts\.eventgrid\./i.exec(host ?? '')?.[1]?.toLowerCase()
}

/** The last segment of a resource id (a namespace's name from its id). */
export function nameOfId(id: string): string {
  return id.replace(/\/+$/, '').split('/').pop() ?? id
}
