import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {RoleAssignment} from '../../src/azure/authorization-gateway.js'
import type {EventGridNamespace, TopicSpace} from '../../src/azure/eventgrid-gateway.js'
import type {ClusterExtension} from '../../src/azure/extensions-gateway.js'
import {
  MANAGED_DESCRIPTION,
  MANAGED_TAG,
  namespaceId,
  ROLES,
  roleAssignmentName,
  roleDefinitionId,
  topicSpaceId,
} from '../../src/azure/ids.js'
import {type BridgeConfig, type BridgeFlags, resolveBridgeConfig} from '../../src/config/bridge-config.js'
import {AioBridgeError} from '../../src/errors.js'
import {type ObservedState, planSetup, resolvePrincipal} from '../../src/plan/setup-plan.js'

const SUB = '11111111-2222-3333-4444-555555555555'
const RG = 'rg-tutorial'
const NS = 'eg-tutorial'
const CLUSTER = 'arc-cluster'
const PRINCIPAL = 'aaaaaaaa-1111-2222-3333-444444444444'
const NS_ID = namespaceId(SUB, RG, NS)
const TS_ID = topicSpaceId(SUB, RG, NS, 'tutorial')

function config(flags: BridgeFlags = {}): BridgeConfig {
  return resolveBridgeConfig(flags, {
    SUBSCRIPTION_ID: SUB,
    RESOURCE_GROUP: RG,
    EVENT_GRID_NAMESPACE: NS,
    CLUSTER_NAME: CLUSTER,
  })
}

function extension(over: Partial<ClusterExtension> = {}, type = 'microsoft.iotoperations'): ClusterExtension {
  return {
    id: `${NS_ID}/x`,
    name: 'azure-iot-operations-x1',
    identity: {type: 'SystemAssigned', principalId: PRINCIPAL},
    properties: {extensionType: type, provisioningState: 'Succeeded'},
    ...over,
  }
}

function namespace(
  tsc: EventGridNamespace['properties']['topicSpacesConfiguration'],
  tags?: Record<string, string>,
): EventGridNamespace {
  return {
    id: NS_ID,
    name: NS,
    location: 'West US 2',
    ...(tags ? {tags} : {}),
    properties: {provisioningState: 'Succeeded', topicSpacesConfiguration: tsc},
  }
}

function topicSpace(templates: string[], description?: string): TopicSpace {
  return {
    id: TS_ID,
    name: 'tutorial',
    properties: {provisioningState: 'Succeeded', topicTemplates: templates, ...(description ? {description} : {})},
  }
}

function assignment(role: keyof typeof ROLES, name: string): RoleAssignment {
  return {
    id: `${TS_ID}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    properties: {
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLES[role].id}`,
      principalId: PRINCIPAL,
      principalType: 'ServicePrincipal',
      scope: TS_ID,
    },
  }
}

/** Nothing made yet: the group exists in westus2, the provider is registered, IoT Operations is on the cluster. */
function fresh(over: Partial<ObservedState> = {}): ObservedState {
  return {
    subscriptionExists: true,
    resourceGroup: {location: 'westus2'},
    providerRegistration: 'Registered',
    extensions: [extension()],
    roleAssignments: [],
    ...over,
  }
}

/** What a finished setup leaves behind. */
function converged(over: Partial<ObservedState> = {}): ObservedState {
  return fresh({
    namespace: namespace(
      {state: 'Enabled', maximumClientSessionsPerAuthenticationName: 3, hostname: 'h'},
      {[MANAGED_TAG.key]: MANAGED_TAG.value},
    ),
    topicSpace: topicSpace(['telemetry/#'], MANAGED_DESCRIPTION),
    roleAssignments: [
      assignment('publisher', roleAssignmentName(TS_ID, ROLES.publisher.id, PRINCIPAL)),
      assignment('subscriber', roleAssignmentName(TS_ID, ROLES.subscriber.id, PRINCIPAL)),
    ],
    ...over,
  })
}

function planError(fn: () => unknown): AioBridgeError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof AioBridgeError, String(err))
    return err
  }
  assert.fail('expected an AioBridgeError')
}

describe('planSetup: namespace', () => {
  it('missing → create with exactly this body: the group’s location, managed tag, MQTT enabled, sessions', () => {
    const plan = planSetup(config(), fresh())
    assert.equal(plan.location, 'westus2')
    assert.deepEqual(plan.namespace, {
      id: NS_ID,
      action: 'create',
      managed: true,
      changes: ['create in westus2 with MQTT enabled, 3 sessions per authentication name'],
      body: {
        location: 'westus2',
        tags: {'managed-by': 'aio-bridge'},
        sku: {name: 'Standard', capacity: 1},
        properties: {topicSpacesConfiguration: {state: 'Enabled', maximumClientSessionsPerAuthenticationName: 3}},
      },
    })
    assert.deepEqual(plan.warnings, [])
  })

  it('the group’s display-form region is normalised; --location wins over it', () => {
    assert.equal(planSetup(config(), fresh({resourceGroup: {location: 'East US'}})).location, 'eastus')
    const plan = planSetup(config({location: 'North Europe', 'max-client-sessions': 5}), fresh())
    assert.equal(plan.location, 'northeurope')
    assert.deepEqual(plan.namespace.body, {
      location: 'northeurope',
      tags: {'managed-by': 'aio-bridge'},
      sku: {name: 'Standard', capacity: 1},
      properties: {topicSpacesConfiguration: {state: 'Enabled', maximumClientSessionsPerAuthenticationName: 5}},
    })
  })

  it('exists with MQTT disabled → PATCH with state only', () => {
    const plan = planSetup(
      config(),
      fresh({namespace: namespace({state: 'Disabled', maximumClientSessionsPerAuthenticationName: 3})}),
    )
    assert.equal(plan.namespace.action, 'update')
    assert.equal(plan.namespace.managed, false)
    assert.deepEqual(plan.namespace.body, {properties: {topicSpacesConfiguration: {state: 'Enabled'}}})
    assert.deepEqual(plan.namespace.changes, ['enable MQTT (topicSpacesConfiguration.state: Enabled)'])
  })

  it('exists with a lower session limit → PATCH with the limit only (absent counts as the default 1)', () => {
    const lower = planSetup(
      config(),
      fresh({namespace: namespace({state: 'Enabled', maximumClientSessionsPerAuthenticationName: 2})}),
    )
    assert.deepEqual(lower.namespace.body, {
      properties: {topicSpacesConfiguration: {maximumClientSessionsPerAuthenticationName: 3}},
    })
    assert.deepEqual(lower.namespace.changes, ['raise sessions per authentication name 2 → 3'])
    const absent = planSetup(config(), fresh({namespace: namespace({state: 'Enabled'})}))
    assert.deepEqual(absent.namespace.changes, ['raise sessions per authentication name 1 → 3'])
  })

  it('no topicSpacesConfiguration at all → PATCH with both fields', () => {
    const plan = planSetup(config(), fresh({namespace: namespace(undefined)}))
    assert.deepEqual(plan.namespace.body, {
      properties: {topicSpacesConfiguration: {state: 'Enabled', maximumClientSessionsPerAuthenticationName: 3}},
    })
  })

  it('exists with a higher limit → unchanged, with a warning, and never lowered', () => {
    const plan = planSetup(
      config(),
      fresh({namespace: namespace({state: 'Enabled', maximumClientSessionsPerAuthenticationName: 10})}),
    )
    assert.equal(plan.namespace.action, 'unchanged')
    assert.equal(plan.namespace.body, undefined)
    assert.deepEqual(plan.namespace.changes, [])
    assert.deepEqual(plan.warnings, [
      'Namespace allows 10 sessions per authentication name (more than --max-client-sessions 3); left as is.',
    ])
  })

  it('a namespace elsewhere than --location is used where it is, with a warning', () => {
    const plan = planSetup(
      config({location: 'eastus'}),
      fresh({namespace: namespace({state: 'Enabled', maximumClientSessionsPerAuthenticationName: 3})}),
    )
    assert.equal(plan.namespace.action, 'unchanged')
    assert.deepEqual(plan.warnings, [`Namespace '${NS}' is in westus2, not eastus; it is used where it is.`])
  })

  it('managed follows the tag: user namespace (no tag, other tags) → false, tagged → true', () => {
    const tsc = {state: 'Enabled' as const, maximumClientSessionsPerAuthenticationName: 3}
    assert.equal(planSetup(config(), fresh({namespace: namespace(tsc)})).namespace.managed, false)
    assert.equal(planSetup(config(), fresh({namespace: namespace(tsc, {team: 'x'})})).namespace.managed, false)
    assert.equal(
      planSetup(config(), fresh({namespace: namespace(tsc, {'managed-by': 'someone-else'})})).namespace.managed,
      false,
    )
    assert.equal(
      planSetup(config(), fresh({namespace: namespace(tsc, {'managed-by': 'aio-bridge'})})).namespace.managed,
      true,
    )
  })
})

describe('planSetup: topic space', () => {
  it('missing → create with the templates and the managed description', () => {
    const plan = planSetup(config({'topic-template': ['telemetry/#', 'alerts/+']}), fresh())
    assert.deepEqual(plan.topicSpace, {
      id: TS_ID,
      action: 'create',
      managed: true,
      changes: ['create with templates telemetry/#, alerts/+'],
      body: {properties: {topicTemplates: ['telemetry/#', 'alerts/+'], description: MANAGED_DESCRIPTION}},
    })
  })

  it('partial templates → update with the union; the user’s own templates and description are kept', () => {
    const plan = planSetup(
      config({'topic-template': ['telemetry/#', 'alerts/+']}),
      fresh({topicSpace: topicSpace(['mine/#', 'telemetry/#'], 'my space')}),
    )
    assert.equal(plan.topicSpace.action, 'update')
    assert.equal(plan.topicSpace.managed, false)
    assert.deepEqual(plan.topicSpace.changes, ['add templates alerts/+'])
    assert.deepEqual(plan.topicSpace.body, {
      properties: {topicTemplates: ['mine/#', 'telemetry/#', 'alerts/+'], description: 'my space'},
    })
  })

  it('all templates present (plus others) → unchanged; nothing is ever removed', () => {
    const plan = planSetup(config(), fresh({topicSpace: topicSpace(['a/#', 'telemetry/#'])}))
    assert.equal(plan.topicSpace.action, 'unchanged')
    assert.equal(plan.topicSpace.body, undefined)
  })

  it('a union over 10 templates → TOPIC_TEMPLATES_FULL, exit 6', () => {
    const existing = Array.from({length: 10}, (_, i) => `user${i}/#`)
    const err = planError(() => planSetup(config(), fresh({topicSpace: topicSpace(existing)})))
    assert.equal(err.code, 'TOPIC_TEMPLATES_FULL')
    assert.equal(err.exitCode, 6)
    // Exactly 10 after the union is fine.
    const nine = planSetup(config(), fresh({topicSpace: topicSpace(existing.slice(0, 9))}))
    assert.equal(
      (nine.topicSpace.body as {properties: {topicTemplates: string[]}}).properties.topicTemplates.length,
      10,
    )
  })

  it('managed follows the description', () => {
    assert.equal(
      planSetup(config(), fresh({topicSpace: topicSpace(['telemetry/#'], MANAGED_DESCRIPTION)})).topicSpace.managed,
      true,
    )
    assert.equal(planSetup(config(), fresh({topicSpace: topicSpace(['telemetry/#'])})).topicSpace.managed, false)
  })
})

describe('planSetup: preflight', () => {
  it('missing subscription → SUBSCRIPTION_NOT_FOUND; missing group → RESOURCE_GROUP_NOT_FOUND (exit 5)', () => {
    const a = planError(() => planSetup(config(), fresh({subscriptionExists: false})))
    assert.equal(a.code, 'SUBSCRIPTION_NOT_FOUND')
    assert.equal(a.exitCode, 5)
    const b = planError(() => planSetup(config(), fresh({resourceGroup: undefined})))
    assert.equal(b.code, 'RESOURCE_GROUP_NOT_FOUND')
    assert.equal(b.exitCode, 5)
    assert.equal(
      b.remedy,
      `Create it (az group create --name ${RG} --location <region>) or fix --resource-group (az group list -o table lists yours).`,
    )
  })

  it('provider NotRegistered blocks only when the namespace or topic space must be written', () => {
    const err = planError(() => planSetup(config(), fresh({providerRegistration: 'NotRegistered'})))
    assert.equal(err.code, 'PROVIDER_NOT_REGISTERED')
    assert.equal(err.exitCode, 5)
    assert.equal(err.remedy, `az provider register --namespace Microsoft.EventGrid --subscription ${SUB} --wait`)
    const update = fresh({
      providerRegistration: 'Registering',
      namespace: namespace({state: 'Disabled', maximumClientSessionsPerAuthenticationName: 3}),
      topicSpace: topicSpace(['telemetry/#']),
    })
    assert.equal(planError(() => planSetup(config(), update)).code, 'PROVIDER_NOT_REGISTERED')
    // Everything there already: nothing to write, so the registration state does not matter.
    const plan = planSetup(config(), converged({providerRegistration: 'NotRegistered'}))
    assert.equal(plan.namespace.action, 'unchanged')
    assert.equal(plan.topicSpace.action, 'unchanged')
    // An unknown registration (provider not listed) is not a blocker.
    assert.equal(planSetup(config(), fresh({providerRegistration: undefined})).namespace.action, 'create')
  })
})

describe('resolvePrincipal', () => {
  it('exactly one IoT Operations extension with an identity → its principal', () => {
    const other = extension({name: 'flux', identity: undefined}, 'microsoft.flux')
    assert.deepEqual(resolvePrincipal(CLUSTER, [other, extension()]), {
      principalId: PRINCIPAL,
      extension: 'azure-iot-operations-x1',
    })
  })

  it('compares extensionType without regard to case', () => {
    assert.equal(resolvePrincipal(CLUSTER, [extension({}, 'Microsoft.IoTOperations')]).principalId, PRINCIPAL)
  })

  it('none → IOT_OPERATIONS_EXTENSION_NOT_FOUND naming the cluster and what was found', () => {
    const err = planError(() => resolvePrincipal(CLUSTER, [extension({name: 'flux'}, 'microsoft.flux')]))
    assert.equal(err.code, 'IOT_OPERATIONS_EXTENSION_NOT_FOUND')
    assert.equal(err.exitCode, 5)
    assert.equal(
      err.message,
      `Cluster '${CLUSTER}' has no microsoft.iotoperations extension (extensions found: flux (microsoft.flux)).`,
    )
    assert.deepEqual(err.details, {cluster: CLUSTER, extensions: ['flux']})
    assert.match(planError(() => resolvePrincipal(CLUSTER, [])).message, /extensions found: none\)/)
  })

  it('several → IOT_OPERATIONS_EXTENSION_AMBIGUOUS', () => {
    const err = planError(() =>
      resolvePrincipal(CLUSTER, [extension({name: 'a'}), extension({name: 'b'}, 'MICROSOFT.IOTOPERATIONS')]),
    )
    assert.equal(err.code, 'IOT_OPERATIONS_EXTENSION_AMBIGUOUS')
    assert.equal(err.exitCode, 5)
    assert.match(err.message, /has 2 microsoft\.iotoperations extensions: a, b\.$/)
  })

  it('no identity → IOT_OPERATIONS_IDENTITY_MISSING', () => {
    for (const identity of [undefined, {type: 'SystemAssigned'}]) {
      const err = planError(() => resolvePrincipal(CLUSTER, [extension({identity})]))
      assert.equal(err.code, 'IOT_OPERATIONS_IDENTITY_MISSING')
      assert.equal(err.exitCode, 5)
    }
  })

  it('planSetup surfaces the same errors', () => {
    assert.equal(
      planError(() => planSetup(config(), fresh({extensions: []}))).code,
      'IOT_OPERATIONS_EXTENSION_NOT_FOUND',
    )
  })
})

describe('planSetup: role assignments', () => {
  it('fresh → both roles created under deterministic names at the topic space scope', () => {
    const plan = planSetup(config(), fresh())
    assert.deepEqual(plan.principal, {principalId: PRINCIPAL, extension: 'azure-iot-operations-x1'})
    assert.deepEqual(plan.roles, [
      {
        role: 'publisher',
        assignee: 'iot-operations',
        principalId: PRINCIPAL,
        principalType: 'ServicePrincipal',
        roleName: 'EventGrid TopicSpaces Publisher',
        scope: TS_ID,
        name: roleAssignmentName(TS_ID, ROLES.publisher.id, PRINCIPAL),
        roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/a12b0b94-b317-4dcd-84a8-502ce99884c6`,
        action: 'create',
        existingName: undefined,
      },
      {
        role: 'subscriber',
        assignee: 'iot-operations',
        principalId: PRINCIPAL,
        principalType: 'ServicePrincipal',
        roleName: 'EventGrid TopicSpaces Subscriber',
        scope: TS_ID,
        name: roleAssignmentName(TS_ID, ROLES.subscriber.id, PRINCIPAL),
        roleDefinitionId: roleDefinitionId(SUB, 'subscriber'),
        action: 'create',
        existingName: undefined,
      },
    ])
  })

  it('names: same inputs → same GUID; another principal, role or topic space → another', () => {
    const a = planSetup(config(), fresh()).roles.map((r) => r.name)
    const b = planSetup(config(), fresh()).roles.map((r) => r.name)
    assert.deepEqual(a, b)
    assert.notEqual(a[0], a[1])
    const other = planSetup(
      config(),
      fresh({extensions: [extension({identity: {principalId: 'bbbbbbbb-1111-2222-3333-444444444444'}})]}),
    )
    assert.notEqual(other.roles[0]?.name, a[0])
    assert.notEqual(other.roles[1]?.name, a[1])
    const otherSpace = planSetup(config({'topic-space': 'other'}), fresh())
    assert.notEqual(otherSpace.roles[0]?.name, a[0])
  })

  it('assignments under setup’s own names → unchanged, no existingName', () => {
    const plan = planSetup(config(), converged())
    assert.deepEqual(
      plan.roles.map((r) => [r.action, r.existingName]),
      [
        ['unchanged', undefined],
        ['unchanged', undefined],
      ],
    )
  })

  it('an equivalent assignment under another name (made by hand) → unchanged, reporting that name', () => {
    const plan = planSetup(config(), converged({roleAssignments: [assignment('publisher', 'made-by-hand')]}))
    assert.equal(plan.roles[0]?.action, 'unchanged')
    assert.equal(plan.roles[0]?.existingName, 'made-by-hand')
    assert.equal(plan.roles[1]?.action, 'create')
  })

  it('with a caller (--grant-caller): two more roles for that principal and type, judged on the caller’s own assignments', () => {
    const caller = {principalId: 'cccccccc-1111-2222-3333-444444444444', principalType: 'User' as const}
    const plan = planSetup(config(), converged(), caller)
    assert.deepEqual(
      plan.roles.map((r) => [r.assignee, r.role, r.principalId, r.principalType, r.action]),
      [
        ['iot-operations', 'publisher', PRINCIPAL, 'ServicePrincipal', 'unchanged'],
        ['iot-operations', 'subscriber', PRINCIPAL, 'ServicePrincipal', 'unchanged'],
        ['caller', 'publisher', caller.principalId, 'User', 'create'],
        ['caller', 'subscriber', caller.principalId, 'User', 'create'],
      ],
    )
    assert.equal(plan.roles[2]?.name, roleAssignmentName(TS_ID, ROLES.publisher.id, caller.principalId))
  })

  it('a second plan over the converged state writes nothing', () => {
    const plan = planSetup(config(), converged())
    assert.deepEqual(
      [plan.namespace.action, plan.topicSpace.action, ...plan.roles.map((r) => r.action)],
      ['unchanged', 'unchanged', 'unchanged', 'unchanged'],
    )
    assert.deepEqual(plan.warnings, [])
  })
})
