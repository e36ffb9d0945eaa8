import assert from 'node:assert/strict'
import {after, before, beforeEach, describe, it} from 'node:test'
import {type FakeArm, startFakeArm} from '../helpers/arm-harness.js'
import {runCli} from '../helpers/cli.js'
import {clusterObjects, kubectlList, stubKubectl} from '../status/stub-kubectl.js'

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

  describe('one bridge’s resources, never another’s', () => {
    const deletes = () => arm.emulator.requests.filter((q) => q.method === 'DELETE')
    const instanceId = () => arm.emulator.ids.instance()
    const bridge = () => [
      `${instanceId()}/dataflowEndpoints/eventgrid`,
      `${instanceId()}/dataflowProfiles/default/dataflows/local-to-remote`,
      `${instanceId()}/dataflowProfiles/default/dataflows/remote-to-local`,
    ]
    /** The namespace's MQTT host, `<hostname>:8883`, as the emulator gave it. */
    const hostOf = () => {
      const tsc = arm.emulator.getResource(arm.emulator.ids.namespace())?.properties.topicSpacesConfiguration
      return `${(tsc as {hostname: string}).hostname}:8883`
    }

    it('teardown -n typo-ns --yes deletes nothing of the aio-bridge-ns bridge, says the namespace is missing and why each piece stays', async () => {
      await setup()
      const ns = arm.env.EVENT_GRID_NAMESPACE
      assert.equal(ns, 'aio-bridge-ns')
      const host = hostOf()
      const before = ids()
      arm.emulator.clearRequests()

      const j = await runCli(['teardown', '-n', 'typo-ns', '--yes', '--json'], {env: arm.env})
      assert.equal(j.code, 0, j.stderr + j.stdout)
      assert.deepEqual(deletes(), [], 'not one DELETE')
      assert.deepEqual(ids(), before)
      const out = json(j.stdout)
      assert.deepEqual(out.deletions, [])
      assert.deepEqual(
        out.notFound.map((n: {kind: string; name: string; message: string}) => [n.kind, n.name, n.message]),
        [['namespace', 'typo-ns', `namespace typo-ns not found in ${arm.env.RESOURCE_GROUP}: nothing of it to delete`]],
      )
      const kept = Object.fromEntries(out.kept.map((k: {name: string; reason: string}) => [k.name, k.reason]))
      assert.deepEqual(Object.keys(kept).sort(), [
        'aio-bridge-aio-instance',
        'eventgrid',
        'local-to-remote',
        'remote-to-local',
      ])
      assert.match(
        kept.eventgrid,
        new RegExp(
          `^points at ${host.replace(/\./g, '\\.')}: deployment aio-bridge-aio-instance records that setup made it for namespace aio-bridge-ns, not typo-ns$`,
        ),
      )
      assert.match(kept['local-to-remote'], /^uses endpoint eventgrid, which is kept/)
      assert.match(kept['aio-bridge-aio-instance'], /namespace aio-bridge-ns, not typo-ns/)

      // The same, for a person: the warning first, then what stays and why; and --dry-run agrees.
      for (const args of [['--yes'], ['--dry-run']]) {
        arm.emulator.clearRequests()
        const t = await runCli(['teardown', '-n', 'typo-ns', ...args], {env: arm.env})
        assert.equal(t.code, 0, t.stderr + t.stdout)
        const lines = t.stdout.split('\n')
        assert.equal(
          lines[0],
          `warning: namespace typo-ns not found in ${arm.env.RESOURCE_GROUP}: nothing of it to delete`,
          args.join(),
        )
        assert.equal(lines[1], 'Nothing to delete of this bridge.')
        assert.match(t.stdout, /= dataflowEndpoint eventgrid: points at aio-bridge-ns\./)
        assert.deepEqual(deletes(), [])
      }
      const dry = json((await runCli(['teardown', '-n', 'typo-ns', '--dry-run', '--json'], {env: arm.env})).stdout)
      assert.deepEqual(
        {deletions: dry.deletions, notFound: dry.notFound, kept: dry.kept},
        {deletions: out.deletions, notFound: out.notFound, kept: out.kept},
      )
      assert.deepEqual(ids(), before)

      // status names the same: the missing namespace, the endpoint pointing elsewhere; exit 10.
      const st = await runCli(['status', '-n', 'typo-ns', '--json'], {env: arm.env})
      assert.equal(st.code, 10, st.stderr + st.stdout)
      const sj = json(st.stdout)
      assert.deepEqual(sj.gaps, ['namespace.exists', 'topicSpace.exists', 'endpoint.host'])
      const check = (id: string) => sj.checks.find((c: {id: string}) => c.id === id)
      assert.match(check('namespace.exists').detail, /^typo-ns does not exist in .*did you mean -n aio-bridge-ns\?/)
      assert.match(
        check('endpoint.host').detail,
        /points elsewhere \(namespace aio-bridge-ns's, not namespace typo-ns's/,
      )
      const text = await runCli(['status', '-n', 'typo-ns'], {env: arm.env})
      assert.equal(text.code, 10)
      assert.match(text.stdout, /✘ Namespace .*typo-ns does not exist/)

      // The right namespace still removes everything setup made.
      const right = await runCli(['teardown', '--yes', '--json'], {env: arm.env})
      assert.equal(right.code, 0, right.stderr + right.stdout)
      assert.equal(json(right.stdout).deletions.length, 8)
      for (const id of bridge()) assert.equal(arm.emulator.getResource(id), undefined, id)
    })

    it('the namespace deleted by hand: teardown still removes the endpoint, dataflows and record (the record names it)', async () => {
      await setup()
      arm.emulator.deleteResource(arm.emulator.ids.namespace())
      arm.emulator.clearRequests()
      const t = await runCli(['teardown', '--yes', '--json'], {env: arm.env})
      assert.equal(t.code, 0, t.stderr + t.stdout)
      const out = json(t.stdout)
      assert.match(
        out.notFound[0].message,
        /not found in .*: deleting only what the deployment record says setup made for it/,
      )
      assert.deepEqual(
        out.deletions.map((d: {kind: string}) => d.kind),
        ['dataflow', 'dataflow', 'dataflowEndpoint', 'deployment'],
      )
      for (const id of bridge()) assert.equal(arm.emulator.getResource(id), undefined, id)
      assert.equal(arm.emulator.state.list('Microsoft.Resources/deployments').length, 0)
      // Nothing of it is left: a second run writes nothing.
      arm.emulator.clearRequests()
      const again = await runCli(['teardown', '--yes', '--json'], {env: arm.env})
      assert.equal(again.code, 0)
      assert.deepEqual(arm.emulator.requests.filter(isWrite), [])
    })

    it('setup’s deployment records the namespace and host (tags); a second setup writes nothing, so an older record stays as it is', async () => {
      await setup()
      const [dep] = arm.emulator.state.list('Microsoft.Resources/deployments')
      assert.ok(dep)
      assert.deepEqual(dep.tags, {
        'managed-by': 'aio-bridge',
        'aio-bridge-namespace': arm.emulator.ids.namespace(),
        'aio-bridge-host': hostOf(),
      })
      // A record made by an aio-bridge before the tags: setup does not redeploy for them (the resources are unchanged).
      arm.emulator.putResource({...dep, tags: undefined})
      arm.emulator.clearRequests()
      await setup()
      assert.deepEqual(arm.emulator.requests.filter(isWrite), [], 'a second setup writes nothing')
      assert.equal(arm.emulator.state.list('Microsoft.Resources/deployments')[0]?.tags, undefined)
      // Its namespace still there, teardown decides by the host alone and removes the bridge.
      const t = await runCli(['teardown', '--yes', '--json'], {env: arm.env})
      assert.equal(t.code, 0, t.stderr + t.stdout)
      for (const id of bridge()) assert.equal(arm.emulator.getResource(id), undefined, id)
    })

    it('--target kubernetes: the same host rule on the cluster’s endpoint (the stub kubectl)', async () => {
      await setup()
      const {endpoint, dataflows} = clusterObjects(hostOf().replace(/:8883$/, ''))
      const k = stubKubectl({stdout: kubectlList([endpoint, ...Object.values(dataflows)])})
      try {
        const env = {...arm.env, PATH: `${k.dir}:${arm.env.PATH}`}
        const typo = await runCli(['teardown', '--target', 'kubernetes', '-n', 'typo-ns', '--yes', '--json'], {env})
        assert.equal(typo.code, 0, typo.stderr + typo.stdout)
        const out = json(typo.stdout)
        assert.deepEqual(out.deletions, [])
        assert.ok(!k.calls().some((c) => c[0] === 'delete'), 'no kubectl delete')
        assert.deepEqual(out.kept.map((x: {kind: string; name: string}) => `${x.kind}:${x.name}`).sort(), [
          'dataflow:local-to-remote',
          'dataflow:remote-to-local',
          'dataflowEndpoint:eventgrid',
        ])
        const right = await runCli(['teardown', '--target', 'kubernetes', '--yes', '--json', '--keep-namespace'], {env})
        assert.equal(right.code, 0, right.stderr + right.stdout)
        const del = k.calls().filter((c) => c[0] === 'delete')
        assert.equal(del.length, 1)
        assert.deepEqual(
          del[0]?.slice(4).map((r) => r.split('/').pop()),
          ['local-to-remote', 'remote-to-local', 'eventgrid'],
        )
      } finally {
        k.remove()
      }
    })
  })
})
