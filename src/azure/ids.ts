import {createHash} from 'node:crypto'

/** Resource ids and api-versions used by the gateways: one place, so the fakes and the gateways agree. */
export const API = {
  subscriptions: '2022-12-01',
  resourceGroups: '2021-04-01',
  providers: '2021-04-01',
  eventGrid: '2025-02-15',
  extensions: '2023-05-01',
  authorization: '2022-04-01',
  deployments: '2025-04-01',
  metrics: '2018-01-01',
} as const

export const ROLES = {
  publisher: {name: 'EventGrid TopicSpaces Publisher', id: 'a12b0b94-b317-4dcd-84a8-502ce99884c6'},
  subscriber: {name: 'EventGrid TopicSpaces Subscriber', id: '4b0f2fd7-60b4-4eca-896f-4435034f8bf5'},
} as const

export type RoleKey = keyof typeof ROLES

/** The tag setup puts on what it creates; teardown deletes only what carries it. */
export const MANAGED_TAG = {key: 'managed-by', value: 'aio-bridge'} as const
/** Topic spaces carry no tags in ARM: setup marks the ones it creates in their description instead. */
export const MANAGED_DESCRIPTION = 'Created by aio-bridge setup (managed-by: aio-bridge).'

export function subscriptionId(sub: string): string {
  return `/subscriptions/${sub}`
}

/** The subscription a resource id or scope names (the SDK clients are per subscription). */
export function subscriptionOfId(id: string): string {
  return /^\/*subscriptions\/([^/]+)/i.exec(id)?.[1] ?? ''
}

export function resourceGroupId(sub: string, rg: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}`
}

export function namespaceId(sub: string, rg: string, ns: string): string {
  return `${resourceGroupId(sub, rg)}/providers/Microsoft.EventGrid/namespaces/${ns}`
}

export function topicSpaceId(sub: string, rg: string, ns: string, ts: string): string {
  return `${namespaceId(sub, rg, ns)}/topicSpaces/${ts}`
}

export function connectedClusterId(sub: string, rg: string, cluster: string): string {
  return `${resourceGroupId(sub, rg)}/providers/Microsoft.Kubernetes/connectedClusters/${cluster}`
}

export function roleDefinitionId(sub: string, role: RoleKey): string {
  return `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[role].id}`
}

/**
 * A role assignment name derived from (scope, role, principal), like Bicep's guid(): the same inputs always give the
 * same name, so a re-run (or a run after a kill) finds its own assignment and never makes a duplicate, and teardown
 * finds it from any machine. A name-based UUID (version 5 layout) over SHA-1.
 */
export function roleAssignmentName(scope: string, roleGuid: string, principalId: string): string {
  const h = createHash('sha1')
    .update(`aio-bridge|${scope.toLowerCase()}|${roleGuid.toLowerCase()}|${principalId.toLowerCase()}`)
    .digest()
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80
  const hex = h.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

/** The last GUID of a role definition id, in either the tenant or the subscription form. */
export function roleGuidOf(roleDefinitionIdValue: string): string {
  return (roleDefinitionIdValue.split('/').pop() ?? '').toLowerCase()
}

/** Resource ids compare without regard to case or to leading and trailing slashes (ARM gives both forms). */
export function sameId(a: string | undefined, b: string | undefined): boolean {
  const norm = (x: string | undefined) => (x ?? '').replace(/^\/+|\/+$/g, '').toLowerCase()
  return norm(a) === norm(b)
}
