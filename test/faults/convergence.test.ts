import assert from 'node:assert/strict'
import {before, describe, it} from 'node:test'
import {DEFAULTS, ROLE_IDS} from '../../src/emulator/arm/seed.js'
import type {FaultSettings, RequestLogEntry} from '../../src/emulator/arm/types.js'
import {type FakeArm, type FakeArmOptions, startFakeArm} from '../helpers/arm-harness.js'
import {runCli, type SpawnedCli, spawnCli} from '../helpers/cli.js'
import {assignmentCounts, canonicalState, isWrite, onRequest, seedIdentities, signalOnce} from './state.js'

/**
 * Convergence under faults, black box: the built CLI against the fake ARM. Whatever Azure does on the way —
 * throttling, 5xx, an identity still replicating, a kill -9 at any write, a Ctrl-C — setup ends in exactly the state
 * of an undisturbed run, and a further run sends no write.
 */

const PRINCIPAL = DEFAULTS.extensionPrincipalId
// Written by every setup run: namespace, topic space, the two role assignments, the dataflow deployment.
const SETUP_WRITES = 5

async function withFakeArm<T>(opts: FakeArmOptions, fn: (fake: FakeArm, ids: Map<string, string>) => Promise<T>) {
  const fake = await startFakeArm(opts)
  try {
    return await fn(fake, seedIdentities(fake.emulator))
  } finally {
    await fake.stop()
  }
}

function faultsOf(requests: RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((r) => r.fault)
}

function assertOneAssignmentEach(fake: FakeArm): void {
  const counts = assignmentCounts(fake.emulator, fake.emulator.ids.topicSpace(), PRINCIPAL)
  assert.deepEqual(counts, {[ROLE_IDS.topicSpacesPublisher]: 1, [ROLE_IDS.topicSpacesSubscriber]: 1})
}

describe('setup converges under faults (spawned CLI, fake ARM)', () => {
  let baseline: unknown

  before(async () => {
    baseline = await withFakeArm({lroSettleMs: 200}, async (fake, ids) => {
      const r = await runCli(['setup', '--json'], {env: fake.env})
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.equal(fake.emulator.writes().length, SETUP_WRITES)
      return canonicalState(fake.emulator, ids)
    })
  })

  for (const seed of [7, 11, 23]) {
    it(`30% of requests answered 429/500/503 (seed ${seed}) and a replicating principal: same end state`, async () => {
      const faults: FaultSettings = {rate: 0.3, seed, statuses: [429, 500, 503], maxConsecutive: 3}
      const scenario = {replicatingPrincipals: {[PRINCIPAL]: 3}}
      await withFakeArm({scenario, faults, lroSettleMs: 200}, async (fake, ids) => {
        const {emulator} = fake
        const r = await runCli(['setup', '--json'], {env: fake.env})
        assert.equal(r.code, 0, r.stdout + r.stderr)
        const injected = faultsOf(emulator.requests)
        assert.ok(injected.length >= 5, `only ${injected.length} faults were injected`)
        assert.ok(new Set(injected.map((f) => f.status)).size >= 2, 'more than one kind of fault')
        assert.ok(
          injected.some((f) => isWrite(f)),
          'a write was refused at least once',
        )
        const notFound = emulator.requests.filter((e) => e.errorCode === 'PrincipalNotFound')
        assert.ok(notFound.length >= 3, 'the role assignment waited for the replicating principal')
        assert.deepEqual(canonicalState(emulator, ids), baseline)
        assertOneAssignmentEach(fake)

        // A second run, still under faults, writes nothing.
        emulator.clearRequests()
        const again = await runCli(['setup', '--json'], {env: fake.env})
        assert.equal(again.code, 0, again.stdout + again.stderr)
        assert.deepEqual(emulator.writes(), [])
        assert.deepEqual(canonicalState(emulator, ids), baseline)
      })
    })
  }

  it('honours Retry-After (seconds) on a throttled write', async () => {
    await withFakeArm({lroSettleMs: 200}, async (fake) => {
      fake.emulator.setFaults({
        retryAfterSeconds: 1,
        rules: [{method: 'PUT', pathIncludes: '/topicSpaces/tutorial', status: 429, times: 1}],
      })
      const r = await runCli(['setup', '--json'], {env: fake.env})
      assert.equal(r.code, 0, r.stdout + r.stderr)
      const puts = fake.emulator.requests.filter(
        (e) => e.method === 'PUT' && e.path.endsWith('/topicSpaces/tutorial') && !e.poll,
      )
      assert.deepEqual(
        puts.map((p) => p.status),
        [429, 201],
      )
      const [first, second] = puts as [RequestLogEntry, RequestLogEntry]
      const waited = Date.parse(second.time) - Date.parse(first.time)
      assert.ok(waited >= 950, `retried after ${waited} ms, before Retry-After: 1`)
    })
  })

  for (const [status, code] of [
    [503, 'AZURE_UNAVAILABLE'],
    [429, 'THROTTLED'],
  ] as const) {
    it(`a ${status} that outlasts the retries → ${code}, exit 7, what exists and how to continue`, async () => {
      await withFakeArm({lroSettleMs: 200}, async (fake, ids) => {
        const rules = [{method: 'PUT', pathIncludes: '/topicSpaces/tutorial', status, times: 1000}]
        fake.emulator.setFaults({rules})
        const human = await runCli(['setup'], {env: fake.env})
        assert.equal(human.code, 7, human.stdout + human.stderr)
        assert.match(human.stderr, new RegExp(`code ${code}, exit 7`))
        assert.match(human.stderr, /Done before the failure:\n\s+✔ Namespace aio-bridge-ns: created/)
        assert.match(human.stderr, /Run 'aio-bridge setup' again with the same inputs/)
        assert.doesNotMatch(human.stderr + human.stdout, /^\s+at /m)
        const tries = fake.emulator.requests.filter((e) => e.method === 'PUT' && e.path.endsWith('/tutorial'))
        assert.ok(tries.length > 1 && tries.length <= 10, `${tries.length} attempts: retried, within a bound`)

        const json = await runCli(['setup', '--json'], {env: fake.env})
        assert.equal(json.code, 7)
        const out = JSON.parse(json.stdout) as {error: {code: string; exitCode: number; progress?: string}}
        assert.equal(out.error.code, code)
        assert.equal(out.error.exitCode, 7)
        // The second run changed nothing before failing, and says so instead of listing unchanged steps.
        assert.equal(out.error.progress, 'Nothing was changed in Azure.')

        fake.emulator.setFaults(undefined)
        const healed = await runCli(['setup', '--json'], {env: fake.env})
        assert.equal(healed.code, 0, healed.stdout + healed.stderr)
        assert.deepEqual(canonicalState(fake.emulator, ids), baseline)
      })
    })
  }

  for (let n = 1; n <= SETUP_WRITES; n++) {
    it(`killed (SIGKILL) as write ${n} of ${SETUP_WRITES} reaches Azure, then run again: same end state`, async () => {
      await withFakeArm({lroSettleMs: 200}, async (fake, ids) => {
        let cli: SpawnedCli | undefined
        const kill = signalOnce(() => cli, 'SIGKILL')
        let writes = 0
        onRequest(fake.emulator, (e) => {
          if (isWrite(e) && ++writes === n) kill()
        })
        cli = spawnCli(['setup'], {env: fake.env})
        const killed = await cli.result
        assert.equal(killed.signal, 'SIGKILL', `setup finished before write ${n}: ${killed.stdout}${killed.stderr}`)
        assert.ok(writes >= n)

        const r = await runCli(['setup', '--json'], {env: fake.env})
        assert.equal(r.code, 0, r.stdout + r.stderr)
        assert.deepEqual(canonicalState(fake.emulator, ids), baseline)
        assertOneAssignmentEach(fake)
      })
    })
  }

  it('SIGTERM (a cancelled CI job) stops like Ctrl-C, with exit 143', async () => {
    await withFakeArm({lroSettleMs: 200, latencyMs: 50}, async (fake) => {
      let cli: SpawnedCli | undefined
      const terminate = signalOnce(() => cli, 'SIGTERM')
      onRequest(fake.emulator, (e) => {
        if (isWrite(e)) terminate()
      })
      cli = spawnCli(['setup'], {env: fake.env})
      const r = await cli.result
      assert.equal(r.code, 143, r.stdout + r.stderr)
      assert.match(r.stderr, /code INTERRUPTED, exit 143/)
    })
  })

  for (const n of [1, SETUP_WRITES]) {
    it(`Ctrl-C while write ${n} is in flight: exit 130 after that step, then a re-run converges`, async () => {
      await withFakeArm({lroSettleMs: 200, latencyMs: 50}, async (fake, ids) => {
        let cli: SpawnedCli | undefined
        const interrupt = signalOnce(() => cli, 'SIGINT')
        let writes = 0
        onRequest(fake.emulator, (e) => {
          if (isWrite(e) && ++writes === n) interrupt()
        })
        cli = spawnCli(['setup'], {env: fake.env})
        const r = await cli.result
        assert.equal(r.code, 130, r.stdout + r.stderr)
        assert.match(r.stderr, /Stopping after the step in flight/)
        assert.match(r.stderr, /Interrupted: stopped after the step in flight/)
        assert.match(r.stderr, /code INTERRUPTED, exit 130/)
        // Waits stop at once, writes are never cut off: the namespace was created, or its creation was accepted.
        assert.match(
          r.stderr,
          /Done before the failure:\n\s+✔ Namespace aio-bridge-ns: (created|create requested \(Azure finishes it\))/,
        )
        assert.doesNotMatch(r.stderr, /^\s+at /m)
        // The step in flight finished (or, for the deployment, was left to Azure), and nothing after it started.
        assert.equal(writes, n)

        fake.emulator.setLatency(0)
        const again = await runCli(['setup', '--json'], {env: fake.env})
        assert.equal(again.code, 0, again.stdout + again.stderr)
        assert.deepEqual(canonicalState(fake.emulator, ids), baseline)
        assertOneAssignmentEach(fake)
      })
    })
  }
})
