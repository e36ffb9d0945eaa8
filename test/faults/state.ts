import type {ArmEmulator} from '../../src/emulator/arm/index.js'
import type {RequestLogEntry} from '../../src/emulator/arm/types.js'
import type {SpawnedCli} from '../helpers/cli.js'

/**
 * What "the same Azure state" means for the convergence tests: the emulator's state dump with what legitimately
 * differs between two runs taken out — timestamps, operation ids and correlation ids, the long-running operations
 * themselves — and the identities the seed generates at random replaced by their order of appearance, so two
 * emulators started from the same scenario compare equal.
 */

const VOLATILE_KEYS = new Set([
  'systemData',
  'createdOn',
  'updatedOn',
  'createdAt',
  'lastModifiedAt',
  'timestamp',
  'duration',
  'correlationId',
])

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

/** Call right after the emulator starts: remembers the seed's UUIDs (some random) in order of appearance. */
export function seedIdentities(emulator: ArmEmulator): Map<string, string> {
  const names = new Map<string, string>()
  for (const m of JSON.stringify(stateOf(emulator)).matchAll(UUID)) {
    const id = m[0].toLowerCase()
    if (!names.has(id)) names.set(id, `<seed-id-${names.size + 1}>`)
  }
  return names
}

function stateOf(emulator: ArmEmulator): {subscriptions: unknown; resources: unknown[]; principals: unknown} {
  const dump = emulator.state.dump() as {subscriptions: unknown; resources: unknown[]; principals: unknown}
  return {subscriptions: dump.subscriptions, resources: dump.resources, principals: dump.principals}
}

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip)
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) {
      if (!VOLATILE_KEYS.has(k)) out[k] = strip((v as Record<string, unknown>)[k])
    }
    return out
  }
  return v
}

/** The comparable state: resources sorted by id, volatile fields dropped, seed identities named by position. */
export function canonicalState(emulator: ArmEmulator, identities: Map<string, string>): unknown {
  const s = stateOf(emulator)
  const resources = [...s.resources].sort((a, b) =>
    String((a as {id: string}).id)
      .toLowerCase()
      .localeCompare(String((b as {id: string}).id).toLowerCase()),
  )
  const text = JSON.stringify(strip({...s, resources})).replace(
    UUID,
    (id) => identities.get(id.toLowerCase()) ?? id.toLowerCase(),
  )
  const out = JSON.parse(text) as {principals: Array<{id: string}>}
  out.principals.sort((a, b) => a.id.localeCompare(b.id))
  return out
}

/** Requests that change state (no GETs, no long-running-operation polls, no injected faults). */
export function isWrite(e: RequestLogEntry): boolean {
  return !e.poll && e.method !== 'GET'
}

/**
 * Calls `onEntry` synchronously as each request is logged — after the emulator has acted on it and before the
 * response is written — so a test can kill the CLI at an exact point of its conversation with Resource Manager.
 */
export function onRequest(emulator: ArmEmulator, onEntry: (e: RequestLogEntry) => void): () => void {
  const log = emulator.requests
  log.push = (...items: RequestLogEntry[]): number => {
    for (const e of items) onEntry(e)
    return Array.prototype.push.apply(log, items)
  }
  return () => {
    delete (log as {push?: unknown}).push
  }
}

/** Signals a spawned CLI once (ignores a child that is already gone). */
export function signalOnce(cli: () => SpawnedCli | undefined, signal: NodeJS.Signals): () => void {
  let sent = false
  return () => {
    const c = cli()
    if (sent || !c || c.child.exitCode !== null) return
    sent = true
    c.child.kill(signal)
  }
}

/** Role assignments in the state for a principal at a scope, as `roleDefinition GUID → count`. */
export function assignmentCounts(emulator: ArmEmulator, scope: string, principalId: string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of emulator.state.list('Microsoft.Authorization/roleAssignments')) {
    const p = r.properties as {scope?: string; principalId?: string; roleDefinitionId?: string}
    if (p.principalId?.toLowerCase() !== principalId.toLowerCase()) continue
    if (p.scope?.toLowerCase() !== scope.toLowerCase()) continue
    const guid = (p.roleDefinitionId ?? '').split('/').pop() ?? ''
    counts[guid] = (counts[guid] ?? 0) + 1
  }
  return counts
}
