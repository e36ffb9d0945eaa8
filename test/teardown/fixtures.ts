/**
 * Shapes Azure returns, built for the teardown and status tests: a namespace, topic space, role assignments and the
 * IoT Operations resources as setup leaves them, with the ids the gateways address.
 */
import type {RoleAssignment} from '../../src/azure/authorization-gateway.js'
import type {EventGridNamespace, TopicSpace} from '../../src/azure/eventgrid-gateway.js'
import {
  MANAGED_DESCRIPTION,
  MANAGED_TAG,
  namespaceId,
  ROLES,
  type RoleKey,
  resourceGroupId,
  roleAssignmentName,
  topicSpaceId,
} from '../../src/azure/ids.js'
import type {IotOpsResource} from '../../src/azure/iotops-gateway.js'
import {type BridgeModel, buildBridgeModel} from '../../src/model/bridge-model.js'
import type {StatusConfig} from '../../src/plan/status.js'
import type {TeardownConfig} from '../../src/plan/teardown-plan.js'

export const SUB = '00000000-0000-0000-0000-0000000000a1'
export const RG = 'rg-bridge'
export const NS = 'eg-bridge'
export const TS = 'tutorial'
export const INSTANCE = 'aio-1'
export const PRINCIPAL = 'aaaaaaaa-1111-2222-3333-444444444444'
export const OTHER_PRINCIPAL = 'bbbbbbbb-1111-2222-3333-444444444444'
export const HOSTNAME = `${NS}.westus2-1.ts.eventgrid.azure.net`
export const API_AIO = '2024-11-01'

export const NS_ID = namespaceId(SUB, RG, NS)
export const TS_ID = topicSpaceId(SUB, RG, NS, TS)
export const INSTANCE_ID = `${resourceGroupId(SUB, RG)}/providers/Microsoft.IoTOperations/instances/${INSTANCE}`
export const ENDPOINT_ID = `${INSTANCE_ID}/dataflowEndpoints/eventgrid`
export const DATAFLOW_IDS = {
  'local-to-remote': `${INSTANCE_ID}/dataflowProfiles/default/dataflows/local-to-remote`,
  'remote-to-local': `${INSTANCE_ID}/dataflowProfiles/default/dataflows/remote-to-local`,
} as const
export const DEPLOYMENT_NAME = `aio-bridge-${INSTANCE}`
export const DEPLOYMENT_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Resources/deployments/${DEPLOYMENT_NAME}`

export function model(): BridgeModel {
  return buildBridgeModel({})
}

export function namespace(
  opts: {
    managed?: boolean
    tags?: Record<string, string>
    state?: 'Enabled' | 'Disabled'
    sessions?: number
    hostname?: string | null
    provisioningState?: string
  } = {},
): EventGridNamespace {
  return {
    id: NS_ID,
    name: NS,
    location: 'westus2',
    tags: opts.tags ?? (opts.managed === false ? {env: 'prod'} : {[MANAGED_TAG.key]: MANAGED_TAG.value}),
    sku: {name: 'Standard', capacity: 1},
    properties: {
      provisioningState: opts.provisioningState ?? 'Succeeded',
      topicSpacesConfiguration: {
        state: opts.state ?? 'Enabled',
        maximumClientSessionsPerAuthenticationName: opts.sessions ?? 3,
        hostname: opts.hostname === undefined ? HOSTNAME : opts.hostname,
      },
    },
  }
}

export function topicSpace(opts: {managed?: boolean; templates?: string[]} = {}): TopicSpace {
  return {
    id: TS_ID,
    name: TS,
    properties: {
      provisioningState: 'Succeeded',
      topicTemplates: opts.templates ?? ['telemetry/#'],
      ...(opts.managed === false ? {description: 'made by hand'} : {description: MANAGED_DESCRIPTION}),
    },
  }
}

/** An assignment; by default the one setup makes (deterministic name, at the topic space). */
export function assignment(
  role: RoleKey,
  opts: {principalId?: string; scope?: string; name?: string; roleGuid?: string} = {},
): RoleAssignment {
  const scope = opts.scope ?? TS_ID
  const principalId = opts.principalId ?? PRINCIPAL
  const roleGuid = opts.roleGuid ?? ROLES[role].id
  const name = opts.name ?? roleAssignmentName(TS_ID, roleGuid, principalId)
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    properties: {
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
      principalId,
      principalType: 'ServicePrincipal',
      scope,
    },
  }
}

export function endpoint(opts: {host?: string; provisioningState?: string} = {}): IotOpsResource {
  return {
    id: ENDPOINT_ID,
    name: 'eventgrid',
    type: 'Microsoft.IoTOperations/instances/dataflowEndpoints',
    properties: {
      provisioningState: opts.provisioningState ?? 'Succeeded',
      endpointType: 'Mqtt',
      mqttSettings: {
        host: opts.host ?? `${HOSTNAME}:8883`,
        authentication: {method: 'SystemAssignedManagedIdentity', systemAssignedManagedIdentitySettings: {}},
        tls: {mode: 'Enabled'},
      },
    },
  }
}

export function dataflow(
  name: keyof typeof DATAFLOW_IDS,
  opts: {provisioningState?: string; dataSources?: string[]} = {},
): IotOpsResource {
  const df = model().dataflows.find((d) => d.name === name)
  if (!df) throw new Error(name)
  const properties = JSON.parse(JSON.stringify(df.properties)) as Record<string, unknown> & {
    operations: Array<{sourceSettings?: {dataSources: string[]}}>
  }
  if (opts.dataSources && properties.operations[0]?.sourceSettings)
    properties.operations[0].sourceSettings.dataSources = opts.dataSources
  return {
    id: DATAFLOW_IDS[name],
    name,
    type: 'Microsoft.IoTOperations/instances/dataflowProfiles/dataflows',
    properties: {...properties, provisioningState: opts.provisioningState ?? 'Succeeded'},
  }
}

/** status's inputs for the world above (the cluster named, the tutorial's templates and session limit). */
export function statusConfig(over: Partial<StatusConfig> = {}): StatusConfig {
  return {
    subscriptionId: SUB,
    resourceGroup: RG,
    namespace: NS,
    topicSpace: TS,
    topicTemplates: ['telemetry/#'],
    maxClientSessions: 3,
    cluster: 'arc-1',
    model: model(),
    ...over,
  }
}

/** teardown's inputs for the world above (ARM target, the namespace not kept). */
export function teardownConfig(over: Partial<TeardownConfig> = {}): TeardownConfig {
  return {
    subscriptionId: SUB,
    resourceGroup: RG,
    namespace: NS,
    topicSpace: TS,
    target: 'arm',
    keepNamespace: false,
    ...over,
  }
}
