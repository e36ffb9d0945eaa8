import type {RoleAssignment} from '../azure/authorization-gateway.js'
import type {EventGridNamespace, TopicSpace} from '../azure/eventgrid-gateway.js'
import {
  MANAGED_DESCRIPTION,
  MANAGED_TAG,
  namespaceId,
  ROLES,
  type RoleKey,
  roleAssignmentName,
  roleGuidOf,
  sameId,
  topicSpaceId,
} from '../azure/ids.js'

/**
 * teardown's planner: pure, (config, what Azure holds now) → the deletions in reverse dependency order, and what it
 * leaves alone and why. What aio-bridge made is recognised from Azure alone (tags, the managed description, the
 * deterministic role assignment names, the deployment record), never from a local file.
 */

export type TeardownTarget = 'arm' | 'kubernetes'

export interface TeardownConfig {
  subscriptionId: string
  resourceGroup: string
  namespace: string
  topicSpace: string
  target: TeardownTarget
  /** Keep a namespace aio-bridge created (delete what is inside it that aio-bridge made). */
  keepNamespace: boolean
}

export type TeardownKind =
  | 'dataflow'
  | 'dataflowEndpoint'
  | 'deployment'
  | 'kubernetesObjects'
  | 'roleAssignment'
  | 'topicSpace'
  | 'namespace'

/** An IoT Operations resource setup may have deployed, as read from ARM. */
export interface ObservedIotOpsResource {
  id: string
  kind: 'dataflow' | 'dataflowEndpoint'
  name: string
  exists: boolean
}

/** One IoT Operations instance: the deployment record setup leaves (`aio-bridge-<instance>`) and its resources. */
export interface ObservedInstance {
  name: string
  /** The deployment aio-bridge-<instance>: its existence proves setup deployed the resources. */
  deployment?: {id: string; name: string}
  /** The endpoint and dataflows: the deployment's own output resources when it lists them, else the model's names. */
  resources: ObservedIotOpsResource[]
}

/** One of the model's objects in the cluster. `ref` is kubectl's kind/name (`dataflow.connectivity…/local-to-remote`). */
export interface KubernetesObject {
  kind: 'Dataflow' | 'DataflowEndpoint'
  name: string
  namespace: string
  ref: string
}

export interface ObservedKubernetes {
  /** kubectl found on PATH (absent: teardown can neither read the cluster nor delete, and says how to). */
  kubectl?: string
  /** The model's objects, in deletion order (dataflows before the endpoint they use). */
  objects: KubernetesObject[]
  /**
   * What the cluster holds of them (kubectl get), as refs: `labelled` carry app.kubernetes.io/managed-by=aio-bridge,
   * `all` exist with or without it. Absent without kubectl.
   */
  cluster?: {labelled: string[]; all: string[]}
}

/** What teardown read from Azure (and the local kubectl) before deciding anything. undefined = does not exist. */
export interface TeardownObserved {
  namespace?: EventGridNamespace
  topicSpace?: TopicSpace
  /** Every topic space in the namespace (a namespace holding one aio-bridge did not make is kept). */
  topicSpaces?: TopicSpace[]
  /** Assignments at (or inherited by) the topic space scope, any principal (`$filter=atScope()`); [] without it. */
  roleAssignments: RoleAssignment[]
  /** target arm: the instances in the resource group. */
  instances?: ObservedInstance[]
  /** target kubernetes. */
  kubernetes?: ObservedKubernetes
}

export interface TeardownDeletion {
  /** Unique within the plan: the progress list's key. */
  key: string
  kind: TeardownKind
  name: string
  /** Resource id; for kubernetesObjects, `kubectl:<namespace>`. */
  id: string
  /** Deletions of one phase run together; phases run in order (reverse dependency order). */
  phase: number
  title: string
  /** kubernetesObjects: the objects kubectl deletes (each carries aio-bridge's label in the cluster). */
  objects?: KubernetesObject[]
  kubectl?: string
}

export interface KeptItem {
  kind: TeardownKind
  name: string
  id: string
  reason: string
}

export interface TeardownPlan {
  deletions: TeardownDeletion[]
  kept: KeptItem[]
  /** Things the user should know that change nothing (e.g. kubectl missing, no instance). */
  notes: string[]
}

/** Reverse dependency order: dataflows use the endpoint; roles sit on the topic space; it sits in the namespace. */
export const TEARDOWN_PHASE: Record<TeardownKind, number> = {
  kubernetesObjects: 0,
  dataflow: 0,
  dataflowEndpoint: 1,
  deployment: 2,
  roleAssignment: 3,
  topicSpace: 4,
  namespace: 5,
}

const ROLE_BY_GUID = new Map<string, RoleKey>(
  (Object.keys(ROLES) as RoleKey[]).map((k) => [ROLES[k].id.toLowerCase(), k]),
)

/** Is this an assignment setup made: a TopicSpaces role, made at the topic space, under the name setup derives? */
export function isSetupRoleAssignment(a: RoleAssignment, topicSpaceScope: string): boolean {
  const guid = roleGuidOf(a.properties.roleDefinitionId)
  if (!ROLE_BY_GUID.has(guid)) return false
  const scope = a.properties.scope ?? scopeOfAssignmentId(a.id)
  if (!sameId(scope, topicSpaceScope)) return false
  return a.name.toLowerCase() === roleAssignmentName(topicSpaceScope, guid, a.properties.principalId)
}

/** `<scope>/providers/Microsoft.Authorization/roleAssignments/<name>` → `<scope>`. */
export function scopeOfAssignmentId(id: string): string {
  const i = id.toLowerCase().lastIndexOf('/providers/microsoft.authorization/roleassignments/')
  return i >= 0 ? id.slice(0, i) : id
}

export function isManagedNamespace(ns: EventGridNamespace | undefined): boolean {
  return ns?.tags?.[MANAGED_TAG.key] === MANAGED_TAG.value
}

export function isManagedTopicSpace(ts: TopicSpace | undefined): boolean {
  return ts?.properties.description === MANAGED_DESCRIPTION
}

/** Pure: what teardown deletes, in order, and what it keeps. An empty `deletions` means there is nothing to do. */
export function planTeardown(config: TeardownConfig, observed: TeardownObserved): TeardownPlan {
  const deletions: TeardownDeletion[] = []
  const kept: KeptItem[] = []
  const notes: string[] = []
  const add = (d: Omit<TeardownDeletion, 'phase'>) => deletions.push({...d, phase: TEARDOWN_PHASE[d.kind]})

  // 1. The dataflows and the endpoint, whichever way setup applied them.
  if (config.target === 'arm') {
    const instances = observed.instances ?? []
    if (instances.length === 0)
      notes.push(
        `No IoT Operations instance in resource group '${config.resourceGroup}': no dataflows to remove there.`,
      )
    for (const inst of instances) {
      const present = inst.resources.filter((r) => r.exists)
      if (!inst.deployment) {
        for (const r of present) {
          kept.push({
            kind: r.kind,
            name: r.name,
            id: r.id,
            reason: `not deployed by aio-bridge (no deployment aio-bridge-${inst.name} in the resource group)`,
          })
        }
        continue
      }
      for (const r of present) {
        add({
          key: `${r.kind}:${inst.name}:${r.name}`,
          kind: r.kind,
          name: r.name,
          id: r.id,
          title: `${r.kind === 'dataflow' ? 'Dataflow' : 'Dataflow endpoint'} ${r.name} (instance ${inst.name})`,
        })
      }
      add({
        key: `deployment:${inst.deployment.name}`,
        kind: 'deployment',
        name: inst.deployment.name,
        id: inst.deployment.id,
        title: `Deployment record ${inst.deployment.name}`,
      })
    }
  } else if (observed.kubernetes) {
    planKubernetes(observed.kubernetes, add, kept, notes)
  }

  // 2. The role assignments setup made, found by their deterministic names at the topic space scope.
  const tsId =
    observed.topicSpace?.id ??
    topicSpaceId(config.subscriptionId, config.resourceGroup, config.namespace, config.topicSpace)
  for (const a of observed.roleAssignments) {
    const guid = roleGuidOf(a.properties.roleDefinitionId)
    const role = ROLE_BY_GUID.get(guid)
    const scope = a.properties.scope ?? scopeOfAssignmentId(a.id)
    // Inherited assignments (made at the namespace, group or subscription) are not the topic space's business.
    if (!sameId(scope, tsId)) continue
    const roleName = role ? ROLES[role].name : `role ${guid}`
    if (isSetupRoleAssignment(a, tsId)) {
      add({
        key: `roleAssignment:${a.name.toLowerCase()}`,
        kind: 'roleAssignment',
        name: a.name,
        id: a.id,
        title: `Role ${roleName} for ${a.properties.principalId}`,
      })
    } else if (role) {
      kept.push({
        kind: 'roleAssignment',
        name: a.name,
        id: a.id,
        reason: `${roleName} for ${a.properties.principalId}: not named the way setup names its assignments (made by hand or another tool)`,
      })
    }
  }

  // 3. The topic space, only if setup created it.
  const ts = observed.topicSpace
  if (ts) {
    if (isManagedTopicSpace(ts)) {
      add({key: 'topicSpace', kind: 'topicSpace', name: ts.name, id: ts.id, title: `Topic space ${ts.name}`})
    } else {
      kept.push({
        kind: 'topicSpace',
        name: ts.name,
        id: ts.id,
        reason: 'not created by aio-bridge (its description is not the one setup writes)',
      })
    }
  }

  // 4. The namespace, only if setup created it, and never when it holds a topic space someone else made.
  const ns = observed.namespace
  // Every topic space in it, not only the one named by --topic-space (a typo there must not make the guard vanish).
  const inside = [...(observed.topicSpaces ?? []), ...(ts ? [ts] : [])]
  const foreign = inside
    .filter((t) => !isManagedTopicSpace(t))
    .filter((t, i, all) => all.findIndex((o) => o.name.toLowerCase() === t.name.toLowerCase()) === i)
  if (ns) {
    const id = ns.id ?? namespaceId(config.subscriptionId, config.resourceGroup, config.namespace)
    if (!isManagedNamespace(ns)) {
      kept.push({
        kind: 'namespace',
        name: ns.name,
        id,
        reason: `not created by aio-bridge (no ${MANAGED_TAG.key}: ${MANAGED_TAG.value} tag)`,
      })
    } else if (config.keepNamespace) {
      kept.push({kind: 'namespace', name: ns.name, id, reason: '--keep-namespace'})
    } else if (foreign.length > 0) {
      const names = foreign.map((f) => `'${f.name}'`).join(', ')
      kept.push({
        kind: 'namespace',
        name: ns.name,
        id,
        reason: `it holds topic space${foreign.length === 1 ? '' : 's'} ${names}, which aio-bridge did not create (deleting the namespace would delete ${foreign.length === 1 ? 'it' : 'them'})`,
      })
    } else {
      add({key: 'namespace', kind: 'namespace', name: ns.name, id, title: `Event Grid namespace ${ns.name}`})
    }
  }

  deletions.sort((a, b) => a.phase - b.phase)
  return {deletions, kept, notes}
}

const LABEL_REASON =
  'in the cluster without the label app.kubernetes.io/managed-by=aio-bridge (applied by hand, by another tool, or by an aio-bridge older than the label)'

/** Only the model's objects the cluster shows with aio-bridge's label are deleted; same-named others are kept. */
function planKubernetes(
  k: ObservedKubernetes,
  add: (d: Omit<TeardownDeletion, 'phase'>) => void,
  kept: KeptItem[],
  notes: string[],
): void {
  let objects = k.objects
  if (!k.kubectl || !k.cluster) {
    // Listed so that --dry-run shows what teardown would look for; deleting stops at KUBECTL_NOT_FOUND.
    notes.push(
      'kubectl is not on PATH: the cluster cannot be read, so which dataflows and endpoint carry aio-bridge’s label is unknown, and none can be deleted from here.',
    )
  } else {
    const has = (list: string[], o: KubernetesObject) => list.includes(o.ref.toLowerCase())
    const {labelled, all} = k.cluster
    for (const o of k.objects.filter((o) => !has(labelled, o) && has(all, o))) {
      kept.push({
        kind: o.kind === 'Dataflow' ? 'dataflow' : 'dataflowEndpoint',
        name: o.name,
        id: `kubectl:${o.namespace}/${o.ref}`,
        reason: LABEL_REASON,
      })
    }
    objects = k.objects.filter((o) => has(labelled, o))
  }
  if (objects.length === 0) return
  const namespaces = [...new Set(objects.map((o) => o.namespace))]
  add({
    key: 'kubernetes',
    kind: 'kubernetesObjects',
    name: objects.map((o) => `${o.kind}/${o.name}`).join(', '),
    id: `kubectl:${namespaces.join(',')}`,
    title: `Kubernetes ${objects.map((o) => `${o.kind} ${o.name}`).join(', ')} (kubectl delete --ignore-not-found, namespace ${namespaces.join(', ')})`,
    objects,
    ...(k.kubectl ? {kubectl: k.kubectl} : {}),
  })
}

/** The deletions grouped by phase, in order: each group can run concurrently. */
export function teardownPhases(plan: TeardownPlan): TeardownDeletion[][] {
  const byPhase = new Map<number, TeardownDeletion[]>()
  for (const d of plan.deletions) byPhase.set(d.phase, [...(byPhase.get(d.phase) ?? []), d])
  return [...byPhase.keys()].sort((a, b) => a - b).map((p) => byPhase.get(p) as TeardownDeletion[])
}
