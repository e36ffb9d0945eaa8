import assert from 'node:assert/strict'
import {after, before, beforeEach, describe, it} from 'node:test'
import {type FakeArm, startFakeArm} from '../helpers/arm-harness.js'
import {runCli} from '../helpers/cli.js'

/** teardown as a user runs it: the built CLI, spawned, against the ARM emulator, after a real `setup`. */

// biome-ignore lint/suspicious/noExplicitAny: --json output is checked field by field
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>
const isWrite = (r: {method: string; poll?: boolean}) => r.method !== 'GET' && !r.poll

describe('teardown against the fake ARM (spawned CLI)', () => {
  let arm: FakeArm
  /** Lower-case ids of everything the emulator holds. */
  const ids = () => new Set([...arm.emulator.state.resources.keys()])
  const setup = async () => {
    const r = await runCli(['setup', '--json'], {env: arm.env})
    assert.equal(r.code, 0, r.stderr + r.stdout)
  }

  before(async () => {
    arm = await startFakeArm()
  })
  after(async () => {
    await arm.stop()
  })
  beforeEach(() => arm.emulator.reset())

  it('after setup, teardown --yes leaves nothing setup created and nothing else is touched; a second teardown changes nothing', async () => {
    const beforeSetup = ids()
    await setup()
    const created = [...ids()].filter((id) => !beforeSetup.has(id))
    // namespace, topic space, 2 role assignments, endpoint, 2 dataflows, the deployment record
    assert.equal(created.length, 8, created.join('\n'))

    arm.emulator.clearRequests()
    const t = await runCli(['teardown', '--yes', '--json'], {env: arm.env})
    assert.equal(t.code, 0, t.stderr + t.stdout)
    const out = json(t.stdout)
    assert.equal(out.confirmed, true)
    assert.equal(out.deletions.length, 8)
    assert.ok(out.deletions.every((d: {outcome: string}) => d.outcome === 'deleted' || d.outcome === 'already-gone'))
    assert.deepEqual(out.kept, [])
    assert.deepEqual([...ids()].sort(), [...beforeSetup].sort(), 'the world is as it was before setup')
    // Every DELETE named something setup created.
    const deletes = arm.emulator.requests.filter((q) => q.method === 'DELETE').map((q) => q.path.toLowerCase())
    assert.equal(deletes.length, 8)
    for (const d of deletes) assert.ok(created.includes(d), `deleted ${d}, which setup did not create`)

    arm.emulator.clearRequests()
    const again = await runCli(['teardown', '--yes', '--json'], {env: arm.env})
    assert.equal(again.code, 0, again.stderr + again.stdout)
    assert.deepEqual(json(again.stdout).deletions, [])
    assert.deepEqual(arm.emulator.requests.filter(isWrite), [])
    assert.deepEqual([...ids()].sort(), [...beforeSetup].sort())
  })

  it('a namespace that existed before setup survives, with its tags; what setup added inside it goes', async () => {
    arm.emulator.reset('existing-namespace')
    const nsId = arm.emulator.ids.namespace()
    await setup()
    assert.ok(arm.emulator.getResource(arm.emulator.ids.topicSpace('tutorial')))
    const t = await runCli(['teardown', '--yes', '--json'], {env: arm.env})
    assert.equal(t.code, 0, t.stderr + t.stdout)
    const ns = arm.emulator.getResource(nsId)
    assert.ok(ns, 'the user’s namespace is still there')
    assert.deepEqual(ns.tags, {owner: 'someone-else'})
    assert.equal(arm.emulator.getResource(arm.emulator.ids.topicSpace('tutorial')), undefined)
    assert.equal(arm.emulator.state.list('Microsoft.Authorization/roleAssignments').length, 0)
    const out = json(t.stdout)
    assert.deepEqual(
      out.kept.map((k: {kind: string; name: string}) => `${k.kind}:${k.name}`),
      [`namespace:${arm.env.EVENT_GRID_NAMESPACE}`],
    )
    assert.match(out.kept[0].reason, /managed-by: aio-bridge/)
  })

  it('a namespace setup made is kept when it also holds a topic space someone else made, even with a mistyped --topic-space', async () => {
    await setup()
    const nsId = arm.emulator.ids.namespace()
    const theirs = arm.emulator.ids.topicSpace('factory')
    arm.emulator.putResource({
      id: theirs,
      name: 'factory',
      type: 'Microsoft.EventGrid/namespaces/topicSpaces',
      properties: {provisioningState: 'Succeeded', topicTemplates: ['factory/#'], description: 'made by hand'},
    })
    for (const args of [['--topic-space', 'tutorail'], []]) {
      const t = await runCli(['teardown', '--yes', '--json', ...args], {env: arm.env})
      assert.equal(t.code, 0, t.stderr + t.stdout)
      const kept = json(t.stdout).kept.find((k: {kind: string}) => k.kind === 'namespace')
      assert.match(kept?.reason ?? '', /holds topic space 'factory'/, args.join(' '))
      assert.ok(arm.emulator.getResource(nsId), 'the namespace is still there')
      assert.ok(arm.emulator.getResource(theirs), 'their topic space is still there')
    }
    assert.equal(arm.emulator.getResource(arm.emulator.ids.topicSpace('tutorial')), undefined, 'ours went')
  })

  it('not on a terminal and without --yes: exit 2 TEARDOWN_CONFIRM_REQUIRED, the list, and nothing deleted', async () => {
    await setup()
    const before = ids()
    arm.emulator.clearRequests()
    const j = await runCli(['teardown', '--json'], {env: arm.env})
    assert.equal(j.code, 2, j.stderr + j.stdout)
    const err = json(j.stdout).error
    assert.equal(err.code, 'TEARDOWN_CONFIRM_REQUIRED')
    assert.equal(err.details.deletions.length, 8)
    assert.match(err.remedy, /--yes/)

    const h = await runCli(['teardown'], {env: arm.env})
    assert.equal(h.code, 2)
    assert.match(h.stderr, /Will delete, in this order \(resource group aio-bridge-rg\):/)
    assert.match(h.stderr, /Event Grid namespace/)
    assert.match(h.stderr, /code TEARDOWN_CONFIRM_REQUIRED, exit 2/)
    assert.doesNotMatch(h.stderr, /at .*\.js:\d+/, 'no stack trace')
    assert.deepEqual(arm.emulator.requests.filter(isWrite), [])
    assert.deepEqual(ids(), before)
  })

  it('--dry-run lists what would go and what is kept, and deletes nothing', async () => {
    await setup()
    const before = ids()
    arm.emulator.clearRequests()
    const r = await runCli(['teardown', '--dry-run'], {env: arm.env})
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Would delete, in this order \(resource group aio-bridge-rg\):/)
    assert.match(r.stdout, /Dry run: nothing was deleted\./)
    assert.deepEqual(arm.emulator.requests.filter(isWrite), [])
    assert.deepEqual(ids(), before)
  })

  it('--keep-namespace keeps the namespace setup made and removes the rest', async () => {
    await setup()
    const r = await runCli(['teardown', '--yes', '--keep-namespace', '--json'], {env: arm.env})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.ok(arm.emulator.getResource(arm.emulator.ids.namespace()))
    assert.equal(arm.emulator.getResource(arm.emulator.ids.topicSpace('tutorial')), undefined)
    assert.deepEqual(
      json(r.stdout).kept.map((k: {reason: string}) => k.reason),
      ['--keep-namespace'],
    )
  })
})
