import {findKubectl, kubectlError, runKubectl} from '../apply/kubectl.js'
import {AIO_NAMESPACE, type BridgeModel} from '../model/bridge-model.js'
import type {ObservedIotOpsResource} from '../plan/status.js'

/**
 * status --target kubernetes: the endpoint and dataflows as the cluster holds them, read with one
 * `kubectl get <kind>/<name>… -n azure-iot-operations -o json --ignore-not-found` (an argument array, no shell). A
 * custom resource's `spec` is the ARM resource's `properties` (plus `profileRef` on a Dataflow), so the assessor
 * compares it exactly as it compares ARM's; `metadata.labels` come along as `labels`. There is no provisioningState.
 */

const ENDPOINTS = 'dataflowendpoints.connectivity.iotoperations.azure.com'
const DATAFLOWS = 'dataflows.connectivity.iotoperations.azure.com'

export function kubectlStatusArgs(model: BridgeModel): string[] {
  return [
    'get',
    `${ENDPOINTS}/${model.endpoint.name}`,
    ...model.dataflows.map((df) => `${DATAFLOWS}/${df.name}`),
    '-n',
    AIO_NAMESPACE,
    '-o',
    'json',
    '--ignore-not-found',
  ]
}

interface KubeObject {
  kind?: string
  metadata?: {name?: string; labels?: Record<string, string>}
  spec?: Record<string, unknown>
}

/**
 * What `kubectl get … -o json --ignore-not-found` prints: nothing when none exists, a `List` for several names, the
 * object itself for one. Undefined: not JSON of that shape.
 */
export function parseKubectlGetJson(stdout: string): KubeObject[] | undefined {
  if (stdout.trim() === '') return []
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout)
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
  const items = (parsed as {items?: unknown}).items
  if (Array.isArray(items)) return items.filter((i): i is KubeObject => i !== null && typeof i === 'object')
  return [parsed as KubeObject]
}

export interface ClusterIotOps {
  /** The kubectl that read the cluster; undefined: not on PATH, nothing was read. */
  kubectl?: string
  endpoint?: ObservedIotOpsResource
  dataflows: Record<string, ObservedIotOpsResource | undefined>
}

export interface ReadClusterOptions {
  /** PATH for the lookup, KUBECONFIG for kubectl; default process.env. */
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  timeoutInMs?: number
}

/**
 * Reads the model's endpoint and dataflows from the cluster. kubectl missing: `{dataflows: {}}` (not checked). kubectl
 * failing (unreachable, CRDs missing, forbidden, timeout): its typed error, with a remedy to run it again.
 */
export async function readClusterIotOps(model: BridgeModel, opts: ReadClusterOptions = {}): Promise<ClusterIotOps> {
  const env = opts.env ?? process.env
  const kubectl = findKubectl(env)
  if (!kubectl) return {dataflows: {}}
  const result = await runKubectl(kubectl, kubectlStatusArgs(model), '', {
    env,
    abortSignal: opts.signal,
    timeoutInMs: opts.timeoutInMs ?? 60_000,
    verb: 'get',
  })
  if (result.code !== 0) throw kubectlError(result.stderr, result.code, 'get')
  const objects = parseKubectlGetJson(result.stdout)
  if (!objects) {
    throw kubectlError(`kubectl printed output that is not JSON: ${result.stdout.slice(0, 200)}`, 0, 'get')
  }
  const find = (kind: string, resource: string, name: string): ObservedIotOpsResource | undefined => {
    const o = objects.find((x) => x.kind?.toLowerCase() === kind && x.metadata?.name === name)
    if (!o) return undefined
    return {
      id: `${resource}/${name}`,
      name,
      type: o.kind,
      properties: o.spec ?? {},
      labels: o.metadata?.labels ?? {},
    }
  }
  const endpoint = find('dataflowendpoint', ENDPOINTS, model.endpoint.name)
  return {
    kubectl,
    ...(endpoint ? {endpoint} : {}),
    dataflows: Object.fromEntries(model.dataflows.map((df) => [df.name, find('dataflow', DATAFLOWS, df.name)])),
  }
}
