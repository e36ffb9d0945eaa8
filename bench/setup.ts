/**
 * setup's critical path against the ARM emulator: every request answered after a fixed latency L, every long-running
 * operation (LRO) answering InProgress for a fixed number of polls, and a 1 ms poll interval (no Retry-After), so
 * waiting is counted in requests rather than in seconds. Figures only; nothing here asserts a time.
 *
 * THE LOWER BOUND (fresh world: nothing of the bridge exists). What each request needs from another one:
 *   reads      subscription, resource group, provider, namespace, topic space, cluster extensions, and the IoT
 *              Operations instance list (setup checks the instance before its first write): need nothing, so one
 *              round. (The role-assignment list needs the topic space and the principal: skipped, since the topic
 *              space does not exist.) The endpoint and dataflow GETs need the instance's name but nothing setup
 *              writes: they run beside the chain below.
 *   namespace  PUT needs the plan (all reads: setup checks everything before its first write), then P polls.
 *   topic      PUT needs the namespace provisioned (Event Grid refuses a child of a namespace still Creating), P polls.
 *   roles      the two PUTs need the topic space (their scope) and run together: one round.
 *   hostname   the namespace GET after its operation: runs beside the topic space and the roles.
 *   dataflows  the deployment PUT needs the hostname and, by design, comes after the roles (a caller who cannot grant
 *              them must not end up with a bridge deployed that cannot authenticate), then P polls.
 *   Nothing needs the topic space or the deployment read back after their operations: those GETs are not needed.
 *   Longest chain = 1 + (1 + P) + (1 + P) + 1 + (1 + P) = 3P + 5 requests, each L, plus 3P poll waits.
 *   The Azure SDK's pollers read every PUT's resource back after its operation; setup runs the namespace's and the
 *   topic space's beside the next step, the deployment's is last: the bound with it is 3P + 6 requests.
 * A second run (everything exists): reads round 1, then the role list (needs the topic space and the principal) and
 * the dataflow GETs (need the instance name): 2 rounds, no write.
 * THE TUTORIAL, one call at a time: the same requests in sequence, computed as (number of requests) × L + poll waits,
 * without the ~1 s start of each `az`/`kubectl` invocation it also pays.
 */
import type {RequestLogEntry} from '../src/emulator/arm/types.js'
import {startFakeArm} from '../test/helpers/arm-harness.js'
import {type Figure, fmt, median} from './lib.js'
import {runCliProbed} from './probe.js'

export interface SetupBenchOptions {
  latencyMs?: number
  /** Polls an LRO answers InProgress (the emulator's lroPolls); it then takes lroPolls + 1 polls. */
  lroPolls?: number
  pollIntervalMs?: number
  runs?: number
}

export interface SetupBenchResult {
  figures: Figure[]
  /** Requests by kind of the last fresh run, for the report. */
  byKind: Record<string, number>
  unneeded: string[]
  maxRssMb: number
}

/** "GET namespaces", "PUT roleAssignments", "poll", … : the last resource type in the path. */
function kindOf(q: RequestLogEntry): string {
  if (q.poll) return 'GET operation (poll)'
  const segs = q.path.split('/').filter(Boolean)
  const type = segs.length % 2 === 0 ? segs[segs.length - 2] : segs[segs.length - 1]
  return `${q.method} ${type ?? 'root'}`
}

/**
 * Requests the result does not need: a GET of a resource already read with no write to it since; and, apart, the
 * read-backs after a write (only the namespace's is needed: its hostname appears once it is provisioned), which the
 * Azure SDK's pollers make after every PUT's operation and which setup cannot turn off.
 */
export function unneededRequests(log: RequestLogEntry[]): {unneeded: string[]; readBacks: string[]} {
  const out: string[] = []
  const readBacks: string[] = []
  const lastWrite = new Map<string, number>()
  const lastRead = new Map<string, number>()
  for (const q of log) {
    if (q.poll) continue
    const key = q.path.toLowerCase()
    if (q.method !== 'GET') {
      lastWrite.set(key, q.seq)
      continue
    }
    const w = lastWrite.get(key)
    const r = lastRead.get(key)
    const isNamespace = /\/namespaces\/[^/]+$/i.test(q.path)
    if (w !== undefined && !isNamespace && (r === undefined || r < w))
      readBacks.push(`GET ${q.path.split('/').slice(-2).join('/')}`)
    else if (r !== undefined && (w === undefined || w < r))
      out.push(`GET ${q.path.split('/').slice(-2).join('/')} (read twice)`)
    lastRead.set(key, q.seq)
  }
  return {unneeded: out, readBacks}
}

/** Wall time of the ARM conversation: from the first request sent (its log time less L) to the last answer. */
function armSpanMs(log: RequestLogEntry[], latencyMs: number): number {
  const times = log.map((q) => Date.parse(q.time))
  return Math.max(...times) - (Math.min(...times) - latencyMs)
}

export async function benchSetup(opts: SetupBenchOptions = {}): Promise<SetupBenchResult> {
  const L = opts.latencyMs ?? 50
  const polls = (opts.lroPolls ?? 2) + 1
  const interval = opts.pollIntervalMs ?? 1
  const runs = opts.runs ?? 3
  const fake = await startFakeArm({latencyMs: L, lroPolls: opts.lroPolls ?? 2, lroSettleMs: 0, pageSize: 0})
  const env = {...process.env, ...fake.env, NO_COLOR: '1', CI: 'true', AIO_BRIDGE_POLL_INTERVAL_MS: String(interval)}
  const fresh: Array<{span: number; wall: number; requests: number; connections: number; rss: number}> = []
  const again: Array<{span: number; requests: number}> = []
  let log: RequestLogEntry[] = []
  try {
    for (let i = 0; i < runs; i++) {
      fake.emulator.reset()
      fake.emulator.clearRequests()
      const r = await runCliProbed(['setup', '--json'], env)
      if (r.code !== 0) throw new Error(`setup exited ${r.code}: ${r.stderr.slice(0, 500)}${r.stdout.slice(0, 500)}`)
      log = [...fake.emulator.requests]
      fresh.push({
        span: armSpanMs(log, L),
        wall: r.ms,
        requests: log.length,
        connections: r.connections,
        rss: r.maxRssMb,
      })
      fake.emulator.clearRequests()
      const r2 = await runCliProbed(['setup', '--json'], env)
      if (r2.code !== 0) throw new Error(`second setup exited ${r2.code}: ${r2.stderr.slice(0, 500)}`)
      again.push({span: armSpanMs(fake.emulator.requests, L), requests: fake.emulator.requests.length})
    }
  } finally {
    await fake.stop()
  }
  const byKind: Record<string, number> = {}
  for (const q of log) byKind[kindOf(q)] = (byKind[kindOf(q)] ?? 0) + 1
  const {unneeded, readBacks} = unneededRequests(log)
  const pollCount = log.filter((q) => q.poll).length

  const boundRounds = 3 * polls + 5
  const bound = boundRounds * L + 3 * polls * interval
  const span = median(fresh.map((f) => f.span))
  const ratio = span / bound
  // The deployment's read-back is the one SDK read-back left on the chain (the namespace's and the topic space's run
  // beside the next step): the bound of what the SDK pollers allow.
  const sdkBound = bound + L
  const sequential = log.length * L + pollCount * interval
  const againBound = 2 * L
  const againSpan = median(again.map((a) => a.span))
  const maxRss = Math.max(...fresh.map((f) => f.rss))
  const figures: Figure[] = [
    {
      name: `setup (fresh): requests by kind (L ${L} ms, LRO ${polls} polls)`,
      value: `${log.length}: ${Object.entries(byKind)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}`,
    },
    {
      name: 'setup (fresh): requests the result does not need',
      value: unneeded.length === 0 ? 'none' : unneeded.join('; '),
      target: 'none',
      ok: unneeded.length === 0,
    },
    {
      name: 'setup (fresh): ARM wall time / lower bound',
      value: `${fmt(span)} / ${fmt(bound)} (${boundRounds} requests in sequence) = ${ratio.toFixed(2)}`,
      target: '≤ 1.15',
      ok: ratio <= 1.15,
    },
    {
      name: "setup (fresh): the SDK pollers' read-backs (not needed, not avoidable)",
      value: readBacks.length === 0 ? 'none' : `${readBacks.length}: ${readBacks.join(', ')}`,
    },
    {
      name: 'setup (fresh): ARM wall time / lower bound with the deployment read-back',
      value: `${fmt(span)} / ${fmt(sdkBound)} (${boundRounds + 1} requests in sequence) = ${(span / sdkBound).toFixed(2)}`,
    },
    {
      name: 'setup (fresh): same requests one at a time, as the tutorial (computed)',
      value: `${fmt(sequential)} (${log.length} × ${L} ms + poll waits) = ${(sequential / span).toFixed(2)}× setup`,
    },
    {
      name: 'setup (fresh): whole process (start, az token, ARM, exit)',
      value: `${fmt(median(fresh.map((f) => f.wall)))}; ${median(fresh.map((f) => f.connections))} TCP connections for ${log.length} requests`,
    },
    {
      // No target: with two rounds, the fixed cost of opening the first round's TLS connections is most of the gap.
      name: 'setup (second run, all exists): ARM wall time / lower bound',
      value: `${fmt(againSpan)} / ${fmt(againBound)} (2 rounds, ${median(again.map((a) => a.requests))} GETs, no write) = ${(againSpan / againBound).toFixed(2)}`,
    },
  ]
  return {figures, byKind, unneeded, maxRssMb: maxRss}
}
