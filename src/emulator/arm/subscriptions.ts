import {ArmHttpError, armErrors} from './arm-error.js'
import {authorize} from './auth.js'
import {type ArmCall, type ArmReply, methodNotAllowed, ok, requireApiVersion} from './http.js'
import {API_VERSIONS, PROVIDERS, TYPE_SPECS} from './resource-types.js'
import type {ArmState, SubscriptionRecord} from './state.js'

/** The subscription itself, its resource groups (read-only: the seed makes them) and resource-provider registration. */

/** `GET /subscriptions/{sub}`. */
export function handleSubscription(state: ArmState, call: ArmCall, sub: SubscriptionRecord): ArmReply {
  requireApiVersion(call, API_VERSIONS.subscriptions, 'subscriptions')
  if (call.method !== 'GET') throw methodNotAllowed(call)
  const id = `/subscriptions/${sub.subscriptionId}`
  authorize(state, id, 'Microsoft.Resources/subscriptions/read', call.caller)
  return ok({
    id,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: sub.subscriptionId,
    tenantId: sub.tenantId,
    displayName: sub.displayName,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  })
}

/** `GET /subscriptions/{sub}/resourceGroups/{rg}` (`rgName` as the request spelt it). */
export function handleResourceGroup(state: ArmState, call: ArmCall, sub: string, rgName: string): ArmReply {
  requireApiVersion(call, API_VERSIONS.resourceGroups, 'resourceGroups')
  if (call.method !== 'GET') throw methodNotAllowed(call)
  const id = `/subscriptions/${sub}/resourceGroups/${rgName}`
  authorize(state, id, 'Microsoft.Resources/subscriptions/resourceGroups/read', call.caller)
  const rg = state.get(id)
  if (!rg) throw armErrors.resourceGroupNotFound(rgName)
  return ok({
    id: rg.id,
    name: rg.name,
    type: rg.type,
    location: rg.location,
    ...(rg.tags ? {tags: rg.tags} : {}),
    properties: rg.properties,
  })
}

/** `GET /subscriptions/{sub}/providers/{ns}` and `POST …/{ns}/register`. */
export function handleProvider(state: ArmState, call: ArmCall, sub: string, nsRaw: string): ArmReply {
  requireApiVersion(call, API_VERSIONS.providers, 'providers')
  const ns = PROVIDERS.find((k) => k.toLowerCase() === nsRaw.toLowerCase())
  if (!ns) throw new ArmHttpError(404, 'InvalidResourceNamespace', `The resource namespace '${nsRaw}' is invalid.`)
  if (call.segs.length === 5) {
    if (call.method !== 'POST') throw methodNotAllowed(call)
    authorize(state, `/subscriptions/${sub}`, `${ns}/register/action`, call.caller)
    state.subscription(sub)?.providers.set(ns.toLowerCase(), 'Registered')
  } else if (call.method !== 'GET') {
    throw methodNotAllowed(call)
  }
  const types = TYPE_SPECS.filter((s) => s.provider === ns)
  return ok({
    id: `/subscriptions/${sub}/providers/${ns}`,
    namespace: ns,
    registrationState: state.providerState(sub, ns),
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: types.map((t) => ({
      resourceType: t.type.split('/').slice(1).join('/'),
      locations: ['East US', 'East US 2', 'West US 2', 'West Europe', 'North Europe'],
      apiVersions: [...t.apiVersions],
      capabilities: 'None',
    })),
  })
}
