import {resourceGroupNotFound} from '../azure/arm-errors.js'
import {findEquivalentAssignment, type RoleAssignment} from '../azure/authorization-gateway.js'
import type {
  EventGridNamespace,
  NamespaceCreateBody,
  NamespacePatchBody,
  TopicSpace,
  TopicSpaceBody,
} from '../azure/eventgrid-gateway.js'
import {type ClusterExtension, iotOperationsExtensions} from '../azure/extensions-gateway.js'
import {
  MANAGED_DESCRIPTION,
  MANAGED_TAG,
  namespaceId,
  ROLES,
  type RoleKey,
  roleAssignmentName,
  roleDefinitionId,
  topicSpaceId,
} from '../azure/ids.js'
import type {BridgeConfig} from '../config/bridge-config.js'
import {MAX_TOPIC_TEMPLATES, normalizeLocation} from '../config/rules.js'
import {AzureError, ExitCode} from '../errors.js'

/** The action a step takes. */
export type Action = 'create' | 'update' | 'unchanged'

/** What setup read from Azure before deciding anything. `undefined` = does not exist (404). */
export interface ObservedState {
  subscriptionExists: boolean
  resourceGroup?: {location: string}
  providerRegistration?: string
  namespace?: EventGridNamespace
  topicSpace?: TopicSpace
  extensions: ClusterExtension[]
  /** Assignments of the resolved principal that apply at the topic space scope. */
  roleAssignments: RoleAssignment[]
  /** Assignments of the caller (with --grant-caller) that apply at the topic space scope. */
  callerRoleAssignments?: RoleAssignment[]
}

/** The signed-in identity, when setup is asked to grant it the roles too (--grant-caller). */
export interface CallerPrincipal {
  principalId: string
  principalType: 'ServicePrincipal' | 'User'
}

export type NamespaceStep = {
  id: string
  /** Managed by aio-bridge (created by it now or before): teardown may delete it. */
  managed: boolean
  changes: string[]
} & (
  | {action: 'create' /** The PUT body. */; body: NamespaceCreateBody}
  | {action: 'update' /** The PATCH body: only what differs. */; body: NamespacePatchBody}
  | {action: 'unchanged'; body?: undefined}
)

export interface TopicSpaceStep {
  id: string
  action: Action
  managed: boolean
  changes: string[]
  /** The PUT body (create or update). */
  body?: TopicSpaceBody
}

export interface RoleStep {
  role: RoleKey
  /** Whose role: the IoT Operations extension's identity, or the caller's (setup --grant-caller, for verify --from-cloud). */
  assignee: 'iot-operations' | 'caller'
  principalId: string
  principalType: 'ServicePrincipal' | 'User'
  roleName: string
  scope: string
  /** The deterministic name setup uses. */
  name: string
  roleDefinitionId: string
  action: 'create' | 'unchanged'
  /** An equivalent assignment made some other way (by hand, az, another tool). */
  existingName?: string
}

export interface SetupPlan {
  location: string
  namespace: NamespaceStep
  topicSpace: TopicSpaceStep
  principal: {principalId: string; extension: string}
  roles: RoleStep[]
  warnings: string[]
}

/** The principal of the cluster's IoT Operations extension: exactly one extension with an identity. */
export function resolvePrincipal(
  cluster: string,
  extensions: ClusterExtension[],
): {principalId: string; extension: string} {
  const found = iotOperationsExtensions(extensions)
  const listed = extensions.map((e) => `${e.name} (${e.properties?.extensionType ?? '?'})`).join(', ') || 'none'
  if (found.length === 0) {
    throw new AzureError(
      'IOT_OPERATIONS_EXTENSION_NOT_FOUND',
      `Cluster '${cluster}' has no microsoft.iotoperations extension (extensions found: ${listed}).`,
      {
        exitCode: ExitCode.prerequisite,
        remedy: 'Deploy Azure IoT Operations to the cluster (az iot ops create), or fix --cluster / --resource-group.',
        details: {cluster, extensions: extensions.map((e) => e.name)},
      },
    )
  }
  if (found.length > 1) {
    throw new AzureError(
      'IOT_OPERATIONS_EXTENSION_AMBIGUOUS',
      `Cluster '${cluster}' has ${found.length} microsoft.iotoperations extensions: ${found.map((e) => e.name).join(', ')}.`,
      {
        exitCode: ExitCode.prerequisite,
        remedy: 'Remove the stale IoT Operations extension (az k8s-extension delete) so exactly one remains.',
      },
    )
  }
  const ext = found[0] as ClusterExtension
  const principalId = ext.identity?.principalId
  if (!principalId) {
    throw new AzureError(
      'IOT_OPERATIONS_IDENTITY_MISSING',
      `The IoT Operations extension '${ext.name}' on cluster '${cluster}' has no system-assigned identity.`,
      {
        exitCode: ExitCode.prerequisite,
        remedy: 'Wait for the extension to finish installing (az k8s-extension show), or reinstall IoT Operations.',
      },
    )
  }
  return {principalId, extension: ext.name}
}

function isManagedNamespace(ns: EventGridNamespace | undefined): boolean {
  return ns?.tags?.[MANAGED_TAG.key] === MANAGED_TAG.value
}

/** Pure: (config, observed Azure state) → what setup will do, step by step. Throws typed errors for blockers. */
export function planSetup(config: BridgeConfig, observed: ObservedState, caller?: CallerPrincipal): SetupPlan {
  const sub = config.subscriptionId
  const rg = config.resourceGroup
  if (!observed.subscriptionExists) {
    throw new AzureError('SUBSCRIPTION_NOT_FOUND', `Subscription ${sub} was not found, or you cannot see it.`, {
      exitCode: ExitCode.prerequisite,
      remedy: 'Fix --subscription (az account list -o table shows the ones you can use).',
    })
  }
  if (!observed.resourceGroup) {
    throw resourceGroupNotFound(sub, rg)
  }
  const warnings: string[] = []
  const location = config.location ?? normalizeLocation(observed.resourceGroup.location)

  // Namespace: create if missing; otherwise change only what differs, and only upwards for the session limit.
  const nsId = namespaceId(sub, rg, config.namespace)
  const ns = observed.namespace
  let namespace: NamespaceStep
  if (!ns) {
    namespace = {
      id: nsId,
      action: 'create',
      managed: true,
      changes: [
        `create in ${location} with MQTT enabled, ${config.maxClientSessions} sessions per authentication name`,
      ],
      body: {
        location,
        tags: {[MANAGED_TAG.key]: MANAGED_TAG.value},
        sku: {name: 'Standard', capacity: 1},
        properties: {
          topicSpacesConfiguration: {
            state: 'Enabled',
            maximumClientSessionsPerAuthenticationName: config.maxClientSessions,
          },
        },
      },
    }
  } else {
    const tsc = ns.properties.topicSpacesConfiguration ?? {}
    const changes: string[] = []
    const patch: NamespacePatchBody['properties']['topicSpacesConfiguration'] = {}
    if (tsc.state !== 'Enabled') {
      changes.push('enable MQTT (topicSpacesConfiguration.state: Enabled)')
      patch.state = 'Enabled'
    }
    const current = tsc.maximumClientSessionsPerAuthenticationName ?? 1
    if (current < config.maxClientSessions) {
      changes.push(`raise sessions per authentication name ${current} → ${config.maxClientSessions}`)
      patch.maximumClientSessionsPerAuthenticationName = config.maxClientSessions
    } else if (current > config.maxClientSessions) {
      warnings.push(
        `Namespace allows ${current} sessions per authentication name (more than --max-client-sessions ${config.maxClientSessions}); left as is.`,
      )
    }
    if (config.location && normalizeLocation(ns.location) !== config.location) {
      warnings.push(
        `Namespace '${config.namespace}' is in ${normalizeLocation(ns.location)}, not ${config.location}; it is used where it is.`,
      )
    }
    const common = {id: nsId, managed: isManagedNamespace(ns), changes}
    namespace =
      changes.length > 0
        ? {...common, action: 'update', body: {properties: {topicSpacesConfiguration: patch}}}
        : {...common, action: 'unchanged'}
  }

  // Topic space: add missing templates, never remove the user's own.
  const tsId = topicSpaceId(sub, rg, config.namespace, config.topicSpace)
  const ts = observed.topicSpace
  let topicSpace: TopicSpaceStep
  if (!ts) {
    topicSpace = {
      id: tsId,
      action: 'create',
      managed: true,
      changes: [`create with templates ${config.topicTemplates.join(', ')}`],
      body: {properties: {topicTemplates: config.topicTemplates, description: MANAGED_DESCRIPTION}},
    }
  } else {
    const existing = ts.properties.topicTemplates ?? []
    const missing = config.topicTemplates.filter((t) => !existing.includes(t))
    const merged = [...existing, ...missing]
    if (merged.length > MAX_TOPIC_TEMPLATES) {
      throw new AzureError(
        'TOPIC_TEMPLATES_FULL',
        `Topic space '${config.topicSpace}' has ${existing.length} templates; adding ${missing.join(', ')} would exceed ${MAX_TOPIC_TEMPLATES}.`,
        {
          exitCode: ExitCode.conflict,
          remedy: 'Use another --topic-space, or fewer/wider --topic-template values (e.g. telemetry/#).',
        },
      )
    }
    topicSpace = {
      id: tsId,
      action: missing.length > 0 ? 'update' : 'unchanged',
      managed: ts.properties.description === MANAGED_DESCRIPTION,
      changes: missing.length > 0 ? [`add templates ${missing.join(', ')}`] : [],
      body:
        missing.length > 0
          ? {
              properties: {
                topicTemplates: merged,
                ...(ts.properties.description ? {description: ts.properties.description} : {}),
              },
            }
          : undefined,
    }
  }

  const writesEventGrid = namespace.action !== 'unchanged' || topicSpace.action !== 'unchanged'
  if (
    writesEventGrid &&
    observed.providerRegistration !== undefined &&
    observed.providerRegistration !== 'Registered'
  ) {
    throw new AzureError(
      'PROVIDER_NOT_REGISTERED',
      `The Microsoft.EventGrid resource provider is ${observed.providerRegistration} in subscription ${sub}.`,
      {
        exitCode: ExitCode.prerequisite,
        remedy: `az provider register --namespace Microsoft.EventGrid --subscription ${sub} --wait`,
      },
    )
  }

  const principal = resolvePrincipal(config.cluster ?? '', observed.extensions)
  const planRoles = (
    assignee: RoleStep['assignee'],
    principalId: string,
    principalType: RoleStep['principalType'],
    existingAssignments: RoleAssignment[],
  ) =>
    (Object.keys(ROLES) as RoleKey[]).map((role): RoleStep => {
      const roleGuid = ROLES[role].id
      const name = roleAssignmentName(tsId, roleGuid, principalId)
      const existing = findEquivalentAssignment(existingAssignments, tsId, roleGuid, principalId)
      return {
        role,
        assignee,
        principalId,
        principalType,
        roleName: ROLES[role].name,
        scope: tsId,
        name,
        roleDefinitionId: roleDefinitionId(sub, role),
        action: existing ? 'unchanged' : 'create',
        existingName: existing && existing.name !== name ? existing.name : undefined,
      }
    })
  const roles = planRoles('iot-operations', principal.principalId, 'ServicePrincipal', observed.roleAssignments)
  if (caller)
    roles.push(...planRoles('caller', caller.principalId, caller.principalType, observed.callerRoleAssignments ?? []))

  return {location, namespace, topicSpace, principal, roles, warnings}
}
