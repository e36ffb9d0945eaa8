import type {ArmResource, MetricSample} from './types.js'

export interface SubscriptionRecord {
  subscriptionId: string
  tenantId: string
  displayName: string
  /** Lower-case provider namespace → registration state. */
  providers: Map<string, string>
}

export interface PrincipalRecord {
  id: string
  type: 'ServicePrincipal' | 'User' | 'Group'
}

/** A long-running operation: answers InProgress until `remaining` polls are used up, then runs `complete`. */
export interface Operation {
  id: string
  kind: 'async' | 'location'
  /** Resource (or deployment) the operation acts on, lower case. */
  target?: string
  remaining: number
  startedAt: number
  status: 'InProgress' | 'Succeeded' | 'Failed'
  error?: Record<string, unknown>
  /** Body of the final Location answer (what-if result). */
  result?: unknown
  /** Applies the operation's effect once; may turn the operation Failed. */
  complete?: () => void
  endTime?: string
}

/**
 * Everything the emulator knows, in memory. Every addressable thing (resource groups, tracked resources, extension
 * resources such as role assignments and cluster extensions, deployments) lives in one map keyed by the lower-case
 * resource id, so scope checks, cascading deletes and "by hand" deletion work the same way for all of them.
 */
export class ArmState {
  readonly subscriptions = new Map<string, SubscriptionRecord>()
  readonly resources = new Map<string, ArmResource>()
  readonly principals = new Map<string, PrincipalRecord>()
  /** Lower-case principal id → PrincipalNotFound answers still to give. */
  readonly replicating = new Map<string, number>()
  readonly operations = new Map<string, Operation>()
  readonly metrics: MetricSample[] = []
  /** Namespace names someone else holds (lower case). */
  readonly takenNames = new Set<string>()
  forbidden: Array<{scope: string; actions: string[]}> = []
  tenantId = ''
  callerPrincipalId = ''
  /** Time source for systemData and metrics (tests may replace it). */
  now: () => number = () => Date.now()

  /** Empties everything (before a reset seeds the world anew); `now` is kept. */
  clear(): void {
    this.subscriptions.clear()
    this.resources.clear()
    this.principals.clear()
    this.replicating.clear()
    this.operations.clear()
    this.metrics.length = 0
    this.takenNames.clear()
    this.forbidden = []
    this.tenantId = ''
    this.callerPrincipalId = ''
  }

  get(id: string): ArmResource | undefined {
    return this.resources.get(key(id))
  }

  has(id: string): boolean {
    return this.resources.has(key(id))
  }

  set(resource: ArmResource): void {
    this.resources.set(key(resource.id), resource)
  }

  /** Removes a resource and everything under it (child resources, role assignments, extensions). */
  deleteTree(id: string): string[] {
    const k = key(id)
    const removed: string[] = []
    for (const [rk, r] of this.resources) {
      if (rk === k || rk.startsWith(`${k}/`)) {
        this.resources.delete(rk)
        removed.push(r.id)
      }
    }
    return removed
  }

  /** Resources of one type (case-insensitive), optionally directly under a parent id. */
  list(type: string, parentId?: string): ArmResource[] {
    const t = type.toLowerCase()
    const out: ArmResource[] = []
    for (const r of this.resources.values()) {
      if (r.type.toLowerCase() !== t) continue
      if (parentId !== undefined && parentOf(r.id) !== key(parentId)) continue
      out.push(r)
    }
    return out
  }

  /** Does a scope (subscription, resource group or resource id) exist? */
  scopeExists(scope: string): boolean {
    const segs = scope.split('/').filter(Boolean)
    if (segs.length === 2 && segs[0]?.toLowerCase() === 'subscriptions')
      return this.subscriptions.has(key(segs[1] ?? ''))
    return this.has(`/${segs.join('/')}`)
  }

  subscription(id: string): SubscriptionRecord | undefined {
    return this.subscriptions.get(key(id))
  }

  providerState(subscriptionId: string, namespace: string): string {
    return this.subscription(subscriptionId)?.providers.get(namespace.toLowerCase()) ?? 'Registered'
  }

  /** JSON-safe snapshot for the control API and for test assertions. */
  dump(): Record<string, unknown> {
    return {
      subscriptions: [...this.subscriptions.values()].map((s) => ({...s, providers: Object.fromEntries(s.providers)})),
      resources: [...this.resources.values()],
      principals: [...this.principals.values()],
      operations: [...this.operations.values()].map(({complete: _c, ...o}) => o),
      metrics: this.metrics,
    }
  }
}

export function key(id: string): string {
  return id.toLowerCase().replace(/\/+$/, '')
}

/** Lower-case id of the parent: the resource a child or extension resource sits under. */
export function parentOf(id: string): string {
  const segs = key(id).split('/').filter(Boolean)
  // …/providers/<ns>/<type>/<name>: parent is what precedes "providers" when this is the first type after it.
  const p = segs.lastIndexOf('providers')
  if (p >= 0 && segs.length - p === 4) return `/${segs.slice(0, p).join('/')}`
  return `/${segs.slice(0, -2).join('/')}`
}
