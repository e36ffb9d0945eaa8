import type {RoleAssignment} from '../azure/authorization-gateway.js'
import type {EventGridNamespace, TopicSpace} from '../azure/eventgrid-gateway.js'
import {
  MANAGED_DESCRIPTION,
  MANAGED_TAG,
  namespaceId,
  ROLES,
  type RoleKey,
  resourceGroupId,
  roleAssignmentName,
  roleGuidOf,
  sameId,
  topicSpaceId,
} from '../azure/ids.js'
import {AIO_NAMESPACE} from '../model/bridge-model.js'
import {bridgeHost, nameOfId, readDeploymentRecord, sameHost} from '../model/bridge-record.js'

/**
 * teardown's planner: pure, (config, what Azure holds now) → the deletions in reverse dependency order, and what it
 * leaves alone and why. What aio-bridge made is recognised from Azure alone (tags, the managed description, the
 * deterministic role assignment names, the deployment record), never from a local file; which bridge the endpoint
 * and dataflows belong to, from what the endpoint points at (see bridgeVerdicts).
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
  /** An endpoint's mqttSettings.host (what it points at). */
  host?: string
  /** A dataflow's endpoints (sources and destinations), lower-cased. */
  endpointRefs?: string[]
}

/** One IoT Operations instance: the deployment record setup leaves (`aio-bridge-<instance>`) and its resources. */
export interface ObservedInstance {
  name: string
  /**
   * The deployment aio-bridge-<instance>: its existence proves setup deployed the resources; its tags, which namespace
   * setup deployed them for (model/bridge-record.ts; none on a record made before aio-bridge wrote them).
   */
  deployment?: {id: string; name: string; tags?: Record<string, string>}
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

/** One of the model's objects as the cluster holds it (kubectl get -o json). */
export interface ClusterObject {
  ref: string
  /** Carries app.kubernetes.io/managed-by=aio-bridge. */
  labelled: boolean
  /** DataflowEndpoint: spec.mqttSettings.host. */
  host?: string
  /** Dataflow: the endpoints its spec.operations name, lower-cased. */
  endpointRefs?: string[]
}

export interface ObservedKubernetes {
  /** kubectl found on PATH (absent: teardown can neither read the cluster nor delete, and says how to). */
  kubectl?: string
  /** The model's objects, in deletion order (dataflows before the endpoint they use). */
  objects: KubernetesObject[]
  /** What the cluster holds of them (the ones it does not hold are absent). Absent without kubectl. */
  cluster?: ClusterObject[]
}

/** What teardown read from Azure (and the local kubectl) before deciding anything. undefined = does not exist. */
export interface TeardownObserved {
  namespace?: EventGridNamespace
  topicSpace?: TopicSpace
  /** Every topic space in the namespace (a namespace holding one aio-bridge did not make is kept). */
  topicSpaces?: TopicSpace[]
  /** Assignments at (or inherited by) the topic space scope, any principal (`$filter=atScope()`); [] without it. */
  roleAssignments: RoleAssignment[]
  /** target arm: the instances in the resource group (only the --instance one, when given). */
  instances?: ObservedInstance[]
  /** target arm: the names of every instance in the resource group. */
  instanceNames?: string[]
  /** target arm: the --instance asked for, when the resource group has no instance of that name. */
  missingInstance?: string
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

/** Something the inputs name that does not exist (a mistyped -n, --topic-space or --instance): said first. */
export interface NotFoundItem {
  kind: 'namespace' | 'topicSpace' | 'instance'
  name: string
  id: string
  /** `namespace typo-ns not found in rg-bridge: nothing of it to delete`. */
  message: string
}

export interface TeardownPlan {
  deletions: TeardownDeletion[]
  kept: KeptItem[]
  notFound: NotFoundItem[]
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
  const hostname = observed.namespace?.properties.topicSpacesConfiguration?.hostname ?? undefined
  const scope: BridgeScope = {
    namespace: config.namespace,
    resourceGroup: config.resourceGroup,
    namespaceId: observed.namespace?.id ?? namespaceId(config.subscriptionId, config.resourceGroup, config.namespace),
    exists: observed.namespace !== undefined,
    ...(hostname ? {host: bridgeHost(hostname)} : {}),
  }

  // 1. The dataflows and the endpoint, whichever way setup applied them: only those of this namespace's bridge.
  if (config.target === 'arm') {
    const instances = observed.instances ?? []
    if (instances.length === 0 && !observed.missingInstance)
      notes.push(
        `No IoT Operations instance in resource group '${config.resourceGroup}': no dataflows to remove there.`,
      )
    for (const inst of instances) planInstance(inst, scope, add, kept, notes)
  } else if (observed.kubernetes) {
    planKubernetes(observed.kubernetes, scope, add, kept, notes)
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
    const id = ns.id ?? scope.namespaceId
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
  return {deletions, kept, notFound: inputsNotFound(config, observed, deletions.length > 0), notes}
}

/**
 * What the inputs name that is not there: the namespace (else its topic space), and the --instance. With the
 * namespace gone, teardown deletes only what a deployment record says setup made for it (`deleting`).
 */
function inputsNotFound(config: TeardownConfig, observed: TeardownObserved, deleting: boolean): NotFoundItem[] {
  const sub = config.subscriptionId
  const rg = config.resourceGroup
  const out: NotFoundItem[] = []
  if (!observed.namespace) {
    out.push({
      kind: 'namespace',
      name: config.namespace,
      id: namespaceId(sub, rg, config.namespace),
      message: `namespace ${config.namespace} not found in ${rg}: ${
        deleting ? 'deleting only what the deployment record says setup made for it' : 'nothing of it to delete'
      }`,
    })
  } else if (!observed.topicSpace) {
    out.push({
      kind: 'topicSpace',
      name: config.topicSpace,
      id: topicSpaceId(sub, rg, config.namespace, config.topicSpace),
      message: `topic space ${config.topicSpace} not found in namespace ${config.namespace}: no topic space or role assignments of it to delete`,
    })
  }
  const wanted = observed.missingInstance
  if (wanted) {
    const names = observed.instanceNames ?? []
    out.push({
      kind: 'instance',
      name: wanted,
      id: `${resourceGroupId(sub, rg)}/providers/Microsoft.IoTOperations/instances/${wanted}`,
      message: `IoT Operations instance ${wanted} not found in ${rg} (found: ${names.join(', ') || 'none'}): no dataflows of it to delete`,
    })
  }
  return out
}

/** What the endpoint and dataflows are compared with: this namespace, and the host its bridge's endpoint points at. */
interface BridgeScope {
  namespace: string
  resourceGroup: string
  namespaceId: string
  exists: boolean
  /** `<hostname>:8883`; undefined when the namespace does not exist or has no hostname yet. */
  host?: string
}

/** An endpoint or dataflow that exists, from ARM or from the cluster. */
interface BridgeCandidate {
  kind: 'dataflowEndpoint' | 'dataflow'
  name: string
  host?: string
  endpointRefs?: string[]
}

/** The deployment record (ARM; the cluster has none). */
interface RecordView {
  name: string
  namespaceId?: string
  host?: string
}

/** own: this bridge's. unsure: kept because nothing in Azure tells whose it is (not because it is provably another's). */
type Verdict = {own: true} | {own: false; reason: string; unsure?: boolean}

/**
 * Whose each endpoint and dataflow is. An endpoint is this bridge's when it points at this namespace's MQTT host; with
 * the namespace gone (or without a hostname), when the deployment record says setup made it for this namespace and it
 * still points where setup pointed it. A dataflow goes with the bridge endpoint it uses (one that uses none of them is
 * not this bridge's); one whose endpoint is gone bridges nothing and goes, unless the record names another namespace.
 * `bridgeEndpoints`: the names of the endpoints the bridge may have, lower-cased.
 */
function bridgeVerdicts(
  candidates: BridgeCandidate[],
  bridgeEndpoints: string[],
  scope: BridgeScope,
  record: RecordView | undefined,
): Verdict[] {
  const endpoints = new Map<string, Verdict>()
  for (const c of candidates)
    if (c.kind === 'dataflowEndpoint') endpoints.set(c.name.toLowerCase(), endpointVerdict(c, scope, record))
  return candidates.map((c): Verdict => {
    if (c.kind === 'dataflowEndpoint') return endpoints.get(c.name.toLowerCase()) as Verdict
    const refs = c.endpointRefs ?? []
    const used = refs.find((r) => bridgeEndpoints.includes(r))
    if (refs.length > 0 && bridgeEndpoints.length > 0 && !used) {
      return {
        own: false,
        reason: `uses endpoint${refs.length === 1 ? '' : 's'} ${refs.join(', ')}, not ${bridgeEndpoints.join(' or ')}: not part of this bridge`,
      }
    }
    const ep = used ?? bridgeEndpoints[0] ?? ''
    const v = endpoints.get(ep)
    if (v === undefined) {
      if (record?.namespaceId && !sameId(record.namespaceId, scope.namespaceId))
        return {
          own: false,
          reason: `its endpoint ${ep} is gone, and deployment ${record.name} records that setup made it for namespace ${nameOfId(record.namespaceId)}, not ${scope.namespace}`,
        }
      return {own: true}
    }
    if (v.own) return v
    const host = candidates.find((e) => e.kind === 'dataflowEndpoint' && e.name.toLowerCase() === ep)?.host
    return {
      own: false,
      reason: `uses endpoint ${ep}, which is kept (it points at ${host ?? 'no host'})`,
      ...(v.unsure ? {unsure: true} : {}),
    }
  })
}

function endpointVerdict(ep: BridgeCandidate, scope: BridgeScope, record: RecordView | undefined): Verdict {
  const at = `points at ${ep.host ?? 'no host'}`
  if (scope.host) {
    if (sameHost(ep.host, scope.host)) return {own: true}
    return {own: false, reason: `${at}, not at ${scope.host} (the MQTT hostname of namespace ${scope.namespace})`}
  }
  const why = scope.exists
    ? `namespace ${scope.namespace} has no MQTT hostname to compare it with`
    : `namespace ${scope.namespace} does not exist in ${scope.resourceGroup}`
  if (!record)
    return {
      own: false,
      unsure: true,
      reason: `${at}; ${why}, and the cluster keeps no record of the namespace setup made it for`,
    }
  if (!record.namespaceId)
    return {
      own: false,
      unsure: true,
      reason: `${at}; ${why}, and deployment ${record.name} does not record the namespace setup made it for (made by an aio-bridge older than that record)`,
    }
  if (!sameId(record.namespaceId, scope.namespaceId))
    return {
      own: false,
      reason: `${at}: deployment ${record.name} records that setup made it for namespace ${nameOfId(record.namespaceId)}, not ${scope.namespace}`,
    }
  if (record.host && !sameHost(ep.host, record.host))
    return {
      own: false,
      unsure: true,
      reason: `${at}, not at ${record.host} where setup pointed it: changed since, and ${why} to tell whose it is now`,
    }
  return {own: true}
}

/** One instance (ARM): setup deployed its endpoint and dataflows only if its deployment record exists. */
function planInstance(
  inst: ObservedInstance,
  scope: BridgeScope,
  add: (d: Omit<TeardownDeletion, 'phase'>) => void,
  kept: KeptItem[],
  notes: string[],
): void {
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
    return
  }
  const dep = inst.deployment
  const record: RecordView = {name: dep.name, ...readDeploymentRecord(dep.tags)}
  const bridgeEndpoints = inst.resources.filter((r) => r.kind === 'dataflowEndpoint').map((r) => r.name.toLowerCase())
  const verdicts = bridgeVerdicts(present, bridgeEndpoints, scope, record)
  const keptHere: ObservedIotOpsResource[] = []
  const unsure: ObservedIotOpsResource[] = []
  present.forEach((r, i) => {
    const v = verdicts[i] as Verdict
    if (v.own) {
      add({
        key: `${r.kind}:${inst.name}:${r.name}`,
        kind: r.kind,
        name: r.name,
        id: r.id,
        title: `${r.kind === 'dataflow' ? 'Dataflow' : 'Dataflow endpoint'} ${r.name} (instance ${inst.name})`,
      })
      return
    }
    kept.push({kind: r.kind, name: r.name, id: r.id, reason: v.reason})
    keptHere.push(r)
    if (v.unsure) unsure.push(r)
  })
  // The record goes with what it records: kept while anything of it is kept, and never when it is another's.
  const recordOther = record.namespaceId && !sameId(record.namespaceId, scope.namespaceId)
  if (recordOther || keptHere.length > 0) {
    kept.push({
      kind: 'deployment',
      name: dep.name,
      id: dep.id,
      reason: recordOther
        ? `records that setup made it for namespace ${nameOfId(record.namespaceId as string)}, not ${scope.namespace}`
        : `it records ${keptHere.map((r) => r.name).join(', ')}, which ${keptHere.length === 1 ? 'is' : 'are'} kept`,
    })
  } else {
    add({
      key: `deployment:${dep.name}`,
      kind: 'deployment',
      name: dep.name,
      id: dep.id,
      title: `Deployment record ${dep.name}`,
    })
  }
  if (unsure.length > 0) notes.push(byHand(unsure, `az resource delete --ids ${unsure.map((r) => r.id).join(' ')}`))
}

/** For what is kept because Azure cannot tell whose it is: how to remove it, should it be this bridge's after all. */
function byHand(items: Array<{kind: string; name: string}>, command: string): string {
  const names = items.map((r) => `${r.kind === 'dataflow' ? 'dataflow' : 'endpoint'} ${r.name}`).join(', ')
  const one = items.length === 1
  return `If ${names} ${one ? 'is' : 'are'} this bridge's after all, remove ${one ? 'it' : 'them'} by hand: ${command}`
}

const LABEL_REASON =
  'in the cluster without the label app.kubernetes.io/managed-by=aio-bridge (applied by hand, by another tool, or by an aio-bridge older than the label)'

/**
 * Kubernetes: only the model's objects that the cluster shows with aio-bridge's label are deleted, and of those only
 * this namespace's bridge (the host rule, without a record: the cluster keeps none). Same-named others are kept.
 */
function planKubernetes(
  k: ObservedKubernetes,
  scope: BridgeScope,
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
    const cluster = k.cluster
    const present = k.objects.flatMap((o) => {
      const c = cluster.find((x) => x.ref.toLowerCase() === o.ref.toLowerCase())
      return c ? [{o, c, kind: o.kind === 'Dataflow' ? ('dataflow' as const) : ('dataflowEndpoint' as const)}] : []
    })
    const bridgeEndpoints = k.objects.filter((o) => o.kind === 'DataflowEndpoint').map((o) => o.name.toLowerCase())
    const verdicts = bridgeVerdicts(
      present.map(({o, c, kind}) => ({kind, name: o.name, host: c.host, endpointRefs: c.endpointRefs})),
      bridgeEndpoints,
      scope,
      undefined,
    )
    objects = []
    const unsure: Array<{kind: string; name: string; ref: string}> = []
    present.forEach(({o, c, kind}, i) => {
      const v = verdicts[i] as Verdict
      const item = {kind, name: o.name, id: `kubectl:${o.namespace}/${o.ref}`}
      if (!c.labelled) kept.push({...item, reason: LABEL_REASON})
      else if (v.own) objects.push(o)
      else {
        kept.push({...item, reason: v.reason})
        if (v.unsure) unsure.push({kind, name: o.name, ref: o.ref})
      }
    })
    if (unsure.length > 0)
      notes.push(
        byHand(unsure, `kubectl delete -n ${AIO_NAMESPACE} --ignore-not-found ${unsure.map((u) => u.ref).join(' ')}`),
      )
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
