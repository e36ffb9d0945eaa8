import {randomUUID} from 'node:crypto'
import {type EmulatorEnv, namespaceSpec, systemData, topicSpaceSpec} from './resource-types.js'
import type {ArmState} from './state.js'
import type {ArmResource, ArmSeed} from './types.js'

/** Fixed identities of the default world, so tests and the demo can name them. */
export const DEFAULTS = {
  subscriptionId: '6f0b2a3c-1d4e-4f5a-8b6c-7d8e9f0a1b2c',
  subscriptionName: 'aio-bridge emulator',
  tenantId: 'a3c6e2f1-5b4d-4e8a-9c7b-1d2e3f4a5b6c',
  callerPrincipalId: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  extensionPrincipalId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
  resourceGroup: 'aio-bridge-rg',
  location: 'eastus',
  namespace: 'aio-bridge-ns',
  cluster: 'aio-cluster',
  instance: 'aio-instance',
  customLocation: 'aio-cl',
} as const

export const ROLE_IDS = {
  topicSpacesPublisher: 'a12b0b94-b317-4dcd-84a8-502ce99884c6',
  topicSpacesSubscriber: '4b0f2fd7-60b4-4eca-896f-4435034f8bf5',
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd9b-f7d10f9b4c44',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
} as const

/** The tutorial's world: a resource group, an Arc cluster with IoT Operations, its instance; no namespace yet. */
export function defaultSeed(): Required<Pick<ArmSeed, 'subscriptionId' | 'tenantId' | 'callerPrincipalId'>> & ArmSeed {
  return {
    subscriptionId: DEFAULTS.subscriptionId,
    subscriptionName: DEFAULTS.subscriptionName,
    tenantId: DEFAULTS.tenantId,
    callerPrincipalId: DEFAULTS.callerPrincipalId,
    resourceGroups: [{name: DEFAULTS.resourceGroup, location: DEFAULTS.location}],
    providers: {},
    clusters: [
      {
        name: DEFAULTS.cluster,
        extensions: [
          {name: 'azure-iot-operations-platform', extensionType: 'microsoft.iotoperations.platform'},
          {name: 'azure-arc-containerstorage', extensionType: 'microsoft.arc.containerstorage'},
          {
            name: 'azure-iot-operations-x7k2q',
            extensionType: 'microsoft.iotoperations',
            principalId: DEFAULTS.extensionPrincipalId,
            version: '1.0.34',
          },
        ],
      },
    ],
    iotInstances: [{name: DEFAULTS.instance, customLocation: DEFAULTS.customLocation, profiles: ['default']}],
    namespaces: [],
    roleAssignments: [],
    principals: [],
    replicatingPrincipals: {},
    forbidden: [],
    takenNamespaceNames: [],
  }
}

type Scenario = () => ArmSeed

/** Named worlds for tests and `aio-bridge sandbox`; each is the default seed with one thing changed. */
export const ARM_SCENARIOS = {
  default: defaultSeed,
  'two-instances': () => {
    const s = defaultSeed()
    s.iotInstances = [
      {name: DEFAULTS.instance, customLocation: DEFAULTS.customLocation},
      {name: 'aio-instance-2', customLocation: 'aio-cl-2'},
    ]
    return s
  },
  'no-iot-extension': () => {
    const s = defaultSeed()
    s.clusters = [
      {
        name: DEFAULTS.cluster,
        extensions: [{name: 'azure-arc-containerstorage', extensionType: 'microsoft.arc.containerstorage'}],
      },
    ]
    return s
  },
  'two-iot-extensions': () => {
    const s = defaultSeed()
    s.clusters?.[0]?.extensions?.push({
      name: 'aio-second',
      extensionType: 'Microsoft.IoTOperations',
      principalId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    })
    return s
  },
  'extension-without-identity': () => {
    const s = defaultSeed()
    for (const e of s.clusters?.[0]?.extensions ?? [])
      if (e.extensionType === 'microsoft.iotoperations') e.principalId = null
    return s
  },
  'provider-not-registered': () => ({...defaultSeed(), providers: {'Microsoft.EventGrid': 'NotRegistered'}}),
  'existing-namespace': () => ({
    ...defaultSeed(),
    namespaces: [
      {
        name: DEFAULTS.namespace,
        tags: {owner: 'someone-else'},
        topicSpacesConfiguration: {state: 'Enabled', maximumClientSessionsPerAuthenticationName: 1},
      },
    ],
  }),
  'replicating-principal': () => ({...defaultSeed(), replicatingPrincipals: {[DEFAULTS.extensionPrincipalId]: 2}}),
  'forbidden-role-assignments': () => ({
    ...defaultSeed(),
    forbidden: [
      {
        scope: `/subscriptions/${DEFAULTS.subscriptionId}/resourceGroups/${DEFAULTS.resourceGroup}`,
        actions: ['Microsoft.Authorization/roleAssignments/write'],
      },
    ],
  }),
  'namespace-name-taken': () => ({...defaultSeed(), takenNamespaceNames: [DEFAULTS.namespace]}),
  'no-resource-group': () => ({...defaultSeed(), resourceGroups: []}),
} satisfies Record<string, Scenario>

export type ArmScenarioName = keyof typeof ARM_SCENARIOS

/** A full seed from a scenario name or a partial seed (missing fields from the default). */
export function resolveSeed(
  seed?: ArmSeed | ArmScenarioName,
): ArmSeed & {subscriptionId: string; tenantId: string; callerPrincipalId: string} {
  if (typeof seed === 'string') {
    const make = ARM_SCENARIOS[seed]
    if (!make) throw new Error(`Unknown emulator scenario '${seed}' (known: ${Object.keys(ARM_SCENARIOS).join(', ')})`)
    return {...defaultSeed(), ...make()}
  }
  return {...defaultSeed(), ...(seed ?? {})}
}

/** Builds the seed's world into the state (additively: seeding twice adds to what exists). */
export function applySeed(state: ArmState, seed: ArmSeed, env: EmulatorEnv): void {
  // Identity fields default to what the state already has, so a partial seed adds to the running world.
  const first = state.subscriptions.values().next().value
  const s = {
    subscriptionId: first?.subscriptionId ?? DEFAULTS.subscriptionId,
    tenantId: state.tenantId || DEFAULTS.tenantId,
    callerPrincipalId: state.callerPrincipalId || DEFAULTS.callerPrincipalId,
    ...seed,
  }
  const sub = s.subscriptionId
  state.tenantId = s.tenantId
  state.callerPrincipalId = s.callerPrincipalId
  for (const id of [sub, ...(s.otherSubscriptions ?? [])]) {
    if (!state.subscription(id)) {
      state.subscriptions.set(id.toLowerCase(), {
        subscriptionId: id,
        tenantId: s.tenantId,
        displayName: id === sub ? (s.subscriptionName ?? DEFAULTS.subscriptionName) : id,
        providers: new Map(),
      })
    }
  }
  for (const [ns, st] of Object.entries(s.providers ?? {})) state.subscription(sub)?.providers.set(ns.toLowerCase(), st)
  state.principals.set(s.callerPrincipalId.toLowerCase(), {id: s.callerPrincipalId, type: 'User'})
  for (const p of s.principals ?? [])
    state.principals.set(p.id.toLowerCase(), {id: p.id, type: p.type ?? 'ServicePrincipal'})
  for (const [id, n] of Object.entries(s.replicatingPrincipals ?? {})) {
    state.replicating.set(id.toLowerCase(), n)
    if (!state.principals.has(id.toLowerCase())) state.principals.set(id.toLowerCase(), {id, type: 'ServicePrincipal'})
  }
  for (const f of s.forbidden ?? []) state.forbidden.push({scope: f.scope, actions: f.actions ?? ['*']})
  for (const n of s.takenNamespaceNames ?? []) state.takenNames.add(n.toLowerCase())

  const rgs = s.resourceGroups ?? []
  const defaultRg = rgs[0]?.name ?? DEFAULTS.resourceGroup
  const rgLocation = (rg: string) =>
    rgs.find((r) => r.name.toLowerCase() === rg.toLowerCase())?.location ?? DEFAULTS.location
  const rgId = (rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`
  const sd = () => systemData(env)
  for (const rg of rgs) {
    state.set({
      id: rgId(rg.name),
      name: rg.name,
      type: 'Microsoft.Resources/resourceGroups',
      location: rg.location,
      ...(rg.tags ? {tags: rg.tags} : {}),
      properties: {provisioningState: 'Succeeded'},
    })
  }

  const clusters = s.clusters ?? []
  for (const c of clusters) {
    const rg = c.resourceGroup ?? defaultRg
    const clusterId = `${rgId(rg)}/providers/Microsoft.Kubernetes/connectedClusters/${c.name}`
    state.set({
      id: clusterId,
      name: c.name,
      type: 'Microsoft.Kubernetes/connectedClusters',
      location: c.location ?? rgLocation(rg),
      identity: {type: 'SystemAssigned', principalId: randomUUID(), tenantId: s.tenantId},
      properties: {
        provisioningState: 'Succeeded',
        connectivityStatus: 'Connected',
        distribution: 'k3s',
        kubernetesVersion: '1.31.4',
        agentVersion: '1.24.4',
        totalNodeCount: 1,
      },
      systemData: sd(),
    })
    for (const e of c.extensions ?? []) {
      const principalId = e.principalId === undefined ? randomUUID() : e.principalId
      if (principalId) state.principals.set(principalId.toLowerCase(), {id: principalId, type: 'ServicePrincipal'})
      const ext: ArmResource = {
        id: `${clusterId}/providers/Microsoft.KubernetesConfiguration/extensions/${e.name}`,
        name: e.name,
        type: 'Microsoft.KubernetesConfiguration/extensions',
        ...(principalId ? {identity: {type: 'SystemAssigned', principalId, tenantId: s.tenantId}} : {}),
        systemData: sd(),
        properties: {
          extensionType: e.extensionType,
          autoUpgradeMinorVersion: false,
          releaseTrain: 'stable',
          version: e.version ?? '1.0.0',
          scope: {cluster: {releaseNamespace: e.releaseNamespace ?? 'azure-iot-operations'}},
          configurationSettings: {},
          provisioningState: 'Succeeded',
          currentVersion: e.version ?? '1.0.0',
          statuses: [],
          isSystemExtension: false,
        },
      }
      state.set(ext)
    }
  }

  for (const inst of s.iotInstances ?? []) {
    const rg = inst.resourceGroup ?? defaultRg
    const location = inst.location ?? rgLocation(rg)
    const clName = inst.customLocation ?? DEFAULTS.customLocation
    const clId = `${rgId(rg)}/providers/Microsoft.ExtendedLocation/customLocations/${clName}`
    const cluster = clusters.find((c) => c.name === inst.cluster) ?? clusters[0]
    const clusterId = cluster
      ? `${rgId(cluster.resourceGroup ?? defaultRg)}/providers/Microsoft.Kubernetes/connectedClusters/${cluster.name}`
      : undefined
    if (!state.has(clId)) {
      state.set({
        id: clId,
        name: clName,
        type: 'Microsoft.ExtendedLocation/customLocations',
        location,
        properties: {
          hostResourceId: clusterId,
          namespace: 'azure-iot-operations',
          hostType: 'Kubernetes',
          provisioningState: 'Succeeded',
          clusterExtensionIds: [],
        },
        systemData: sd(),
      })
    }
    const instanceId = `${rgId(rg)}/providers/Microsoft.IoTOperations/instances/${inst.name}`
    const extendedLocation = {name: clId, type: 'CustomLocation'}
    state.set({
      id: instanceId,
      name: inst.name,
      type: 'Microsoft.IoTOperations/instances',
      location,
      extendedLocation,
      properties: {
        provisioningState: 'Succeeded',
        version: '1.1.59',
        description: 'Azure IoT Operations instance (emulated)',
        schemaRegistryRef: {
          resourceId: `${rgId(rg)}/providers/Microsoft.DeviceRegistry/schemaRegistries/aio-schemas`,
        },
      },
      systemData: sd(),
    })
    for (const p of inst.profiles ?? ['default']) {
      state.set({
        id: `${instanceId}/dataflowProfiles/${p}`,
        name: p,
        type: 'Microsoft.IoTOperations/instances/dataflowProfiles',
        extendedLocation,
        properties: {instanceCount: 1, diagnostics: {logs: {level: 'info'}}, provisioningState: 'Succeeded'},
        systemData: sd(),
      })
    }
    state.set({
      id: `${instanceId}/dataflowEndpoints/default`,
      name: 'default',
      type: 'Microsoft.IoTOperations/instances/dataflowEndpoints',
      extendedLocation,
      properties: {
        endpointType: 'Mqtt',
        mqttSettings: {
          host: 'aio-broker:18883',
          authentication: {method: 'ServiceAccountToken', serviceAccountTokenSettings: {audience: 'aio-internal'}},
          tls: {mode: 'Enabled', trustedCaCertificateConfigMapRef: 'azure-iot-operations-aio-ca-trust-bundle'},
          clientIdPrefix: 'aio-dataflow',
          qos: 1,
          retain: 'Keep',
          keepAliveSeconds: 60,
          maxInflightMessages: 100,
          sessionExpirySeconds: 3600,
          protocol: 'Mqtt',
        },
        provisioningState: 'Succeeded',
      },
      systemData: sd(),
    })
  }

  for (const n of s.namespaces ?? []) {
    const rg = n.resourceGroup ?? defaultRg
    const id = `${rgId(rg)}/providers/Microsoft.EventGrid/namespaces/${n.name}`
    const ns = namespaceSpec.build({
      id,
      names: [n.name],
      subscriptionId: sub,
      resourceGroup: rg,
      body: {
        location: n.location ?? rgLocation(rg),
        ...(n.tags ? {tags: n.tags} : {}),
        properties: {
          topicSpacesConfiguration: n.topicSpacesConfiguration ?? {
            state: 'Enabled',
            maximumClientSessionsPerAuthenticationName: 1,
          },
        },
      },
      method: 'PUT',
      state,
      env,
    })
    namespaceSpec.onProvisioned?.(ns, env)
    state.set(ns)
    for (const ts of n.topicSpaces ?? []) {
      state.set(
        topicSpaceSpec.build({
          id: `${id}/topicSpaces/${ts.name}`,
          names: [n.name, ts.name],
          subscriptionId: sub,
          resourceGroup: rg,
          body: {properties: {topicTemplates: ts.topicTemplates}},
          method: 'PUT',
          state,
          env,
        }),
      )
    }
  }

  for (const ra of s.roleAssignments ?? []) {
    const name = ra.name ?? randomUUID()
    const scope = ra.scope.startsWith('/') ? ra.scope : `/${ra.scope}`
    const roleGuid = ra.roleDefinitionId.split('/').pop() as string
    state.set({
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
        principalId: ra.principalId,
        principalType: ra.principalType ?? 'ServicePrincipal',
        scope,
      },
    })
  }
}
