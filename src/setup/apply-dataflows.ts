import type {ArmClient} from '../azure/arm-client.js'
import {DeploymentsGateway, type WhatIfChange} from '../azure/deployments-gateway.js'
import {namespaceId} from '../azure/ids.js'
import {IotOpsGateway, type IotOpsResource} from '../azure/iotops-gateway.js'
import {AzureError, ConfigError, ExitCode} from '../errors.js'
import {type BridgeModel, type BridgeModelFlags, buildBridgeModel} from '../model/bridge-model.js'
import {deploymentRecordTags} from '../model/bridge-record.js'
import {renderArmTemplate} from '../render/arm.js'

export type DataflowsAction = 'create' | 'update' | 'unchanged'

export interface DataflowsResult {
  target: 'arm'
  instance: string
  customLocation: string
  deployment: string
  action: DataflowsAction
  /** Resource ids of the endpoint and the dataflows. */
  resources: string[]
  /** what-if changes (dry run only). */
  changes?: Array<{resourceId: string; changeType: string}>
}

/** The deployment name setup uses: deterministic, so a re-run updates the same deployment. */
export function deploymentName(instance: string): string {
  return `aio-bridge-${instance}`.slice(0, 64)
}

/** Picks the IoT Operations instance: the only one, or the one --instance names. */
export function pickInstance(instances: IotOpsResource[], wanted: string | undefined, rg: string): IotOpsResource {
  const names = instances.map((i) => i.name)
  if (wanted) {
    const found = instances.find((i) => i.name.toLowerCase() === wanted.toLowerCase())
    if (found) return found
    throw new AzureError(
      'IOT_OPERATIONS_INSTANCE_NOT_FOUND',
      `IoT Operations instance '${wanted}' is not in resource group '${rg}' (found: ${names.join(', ') || 'none'}).`,
      {
        exitCode: ExitCode.prerequisite,
        remedy: names.length
          ? `Pass --instance with one of: ${names.join(', ')}.`
          : 'Deploy Azure IoT Operations (az iot ops create) or fix --resource-group.',
      },
    )
  }
  if (instances.length === 0) {
    throw new AzureError('IOT_OPERATIONS_INSTANCE_NOT_FOUND', `No IoT Operations instance in resource group '${rg}'.`, {
      exitCode: ExitCode.prerequisite,
      remedy:
        'Deploy Azure IoT Operations (az iot ops create), fix --resource-group, or use --target kubernetes / --no-apply.',
    })
  }
  if (instances.length > 1) {
    throw new ConfigError(
      'INSTANCE_REQUIRED',
      `Resource group '${rg}' has ${instances.length} IoT Operations instances: ${names.join(', ')}.`,
      `Pass --instance with one of: ${names.join(', ')}.`,
      {
        instances: names,
      },
    )
  }
  return instances[0] as IotOpsResource
}

/** Is every property we want already there with the same value (extra properties the service adds are ignored)? */
export function containsDesired(actual: unknown, desired: unknown): boolean {
  if (desired === null || typeof desired !== 'object') return actual === desired
  if (Array.isArray(desired)) {
    return (
      Array.isArray(actual) &&
      actual.length === desired.length &&
      desired.every((d, i) => containsDesired(actual[i], d))
    )
  }
  // An empty settings object we send (systemAssignedManagedIdentitySettings: {}) may come back absent.
  if (actual === undefined && Object.keys(desired).length === 0) return true
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false
  return Object.entries(desired).every(([k, v]) => containsDesired((actual as Record<string, unknown>)[k], v))
}

/** Provisioned, or no state reported (some api-versions omit it): a Failed resource is redeployed, not kept. */
function provisioned(r: {properties?: {provisioningState?: string}}): boolean {
  const state = r.properties?.provisioningState
  return state === undefined || state.toLowerCase() === 'succeeded'
}

/** What the ARM path reads before it can compare: the instance, its custom location, and what exists now. */
export interface DataflowsDiscovery {
  instance: IotOpsResource
  customLocation: string
  /** Resource ids of the endpoint and the dataflows, and each one as it is now (undefined: absent). */
  ids: string[]
  existing: Array<IotOpsResource | undefined>
}

/** The IoT Operations instance the dataflows go to, and its custom location: what setup checks before any write. */
export interface DataflowsTarget {
  instance: IotOpsResource
  customLocation: string
}

export async function findDataflowsTarget(
  arm: ArmClient,
  target: {subscriptionId: string; resourceGroup: string},
  modelFlags: BridgeModelFlags,
): Promise<DataflowsTarget> {
  const rg = target.resourceGroup
  // Names and api-version only: they do not depend on the hostname.
  const probe = buildBridgeModel({...modelFlags, hostname: undefined})
  const iotOps = new IotOpsGateway(arm, probe.apiVersion)
  const instance = pickInstance(await iotOps.listInstances(target.subscriptionId, rg), modelFlags.instance, rg)
  const customLocationId = instance.extendedLocation?.name
  if (!customLocationId) {
    throw new AzureError(
      'CUSTOM_LOCATION_UNKNOWN',
      `IoT Operations instance '${instance.name}' has no extendedLocation.`,
      {
        exitCode: ExitCode.prerequisite,
        remedy: 'Pass --custom-location, or check the instance (az iot ops show).',
      },
    )
  }
  const customLocation = modelFlags['custom-location'] ?? customLocationId.split('/').pop() ?? ''
  return {instance, customLocation}
}

/** The endpoint and dataflows as they are now on that instance (undefined: absent): what the comparison needs. */
export async function discoverDataflows(
  arm: ArmClient,
  target: {subscriptionId: string; resourceGroup: string},
  modelFlags: BridgeModelFlags,
  found?: Promise<DataflowsTarget>,
): Promise<DataflowsDiscovery> {
  const sub = target.subscriptionId
  const rg = target.resourceGroup
  const probe = buildBridgeModel({...modelFlags, hostname: undefined})
  const iotOps = new IotOpsGateway(arm, probe.apiVersion)
  const {instance, customLocation} = await (found ?? findDataflowsTarget(arm, target, modelFlags))
  const ids = [
    iotOps.endpointId(sub, rg, instance.name, probe.endpoint.name),
    ...probe.dataflows.map((df) => iotOps.dataflowId(sub, rg, instance.name, probe.profile, df.name)),
  ]
  const existing = await Promise.all(ids.map((id) => iotOps.get(id)))
  return {instance, customLocation, ids, existing}
}

/**
 * setup's last step on the ARM path: discover the instance and its custom location, compare what exists with the
 * model (GETs, in parallel; or `discovered`, started earlier) and deploy the ARM template only when something
 * differs. A dry run asks what-if. Every deployment carries the record teardown reads (the namespace and host, as
 * tags); the comparison looks at the resources only, so a deployment an older aio-bridge made without the record is
 * not redeployed for it (a second run stays write-free) and gets it with the next change.
 */
export async function applyDataflowsArm(
  arm: ArmClient,
  target: {subscriptionId: string; resourceGroup: string; namespace: string},
  modelFlags: BridgeModelFlags,
  hostname: string,
  opts: {
    dryRun?: boolean
    signal?: AbortSignal
    onProgress?: (text: string) => void
    /** Told once Azure accepted the deployment. */
    onSubmitted?: () => void
    discovered?: Promise<DataflowsDiscovery>
  } = {},
): Promise<DataflowsResult> {
  const sub = target.subscriptionId
  const rg = target.resourceGroup
  const {instance, customLocation, ids, existing} = await (opts.discovered ??
    discoverDataflows(arm, target, modelFlags))
  const model: BridgeModel = buildBridgeModel({
    ...modelFlags,
    hostname,
    instance: instance.name,
    'custom-location': customLocation,
  })
  const desired = [model.endpoint.properties, ...model.dataflows.map((df) => df.properties)]
  const name = deploymentName(instance.name)
  const {template, parameters} = renderArmTemplate(model)
  const body = {
    tags: deploymentRecordTags(namespaceId(sub, rg, target.namespace), model.endpoint.properties.mqttSettings.host),
    properties: {mode: 'Incremental' as const, template, parameters},
  }
  const deployments = new DeploymentsGateway(arm)
  const base = {target: 'arm' as const, instance: instance.name, customLocation, deployment: name, resources: ids}

  const same = existing.every((r, i) => r !== undefined && provisioned(r) && containsDesired(r.properties, desired[i]))
  const action: DataflowsAction = same ? 'unchanged' : existing.every((r) => r === undefined) ? 'create' : 'update'
  if (opts.dryRun) {
    if (same) return {...base, action, changes: []}
    opts.onProgress?.('asking Azure what-if')
    const changes: WhatIfChange[] = await deployments.whatIf(sub, rg, name, body, {abortSignal: opts.signal})
    return {...base, action, changes: changes.map((c) => ({resourceId: c.resourceId, changeType: c.changeType}))}
  }
  if (same) return {...base, action}
  opts.onProgress?.(`deploying ${name}`)
  await deployments.createOrUpdateDeployment(sub, rg, name, body, {
    onSubmitted: opts.onSubmitted,
    onWaitingForEarlier: () => opts.onProgress?.(`waiting for ${name}, still running from an earlier run`),
    abortSignal: opts.signal,
  })
  return {...base, action}
}
