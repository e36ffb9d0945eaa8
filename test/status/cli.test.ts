import assert from 'node:assert/strict'
import {after, before, beforeEach, describe, it} from 'node:test'
import type {ArmResource} from '../../src/emulator/arm/index.js'
import {ROLE_IDS} from '../../src/emulator/arm/index.js'
import {ExitCode} from '../../src/errors.js'
import {type FakeArm, startFakeArm} from '../helpers/arm-harness.js'
import {runCli} from '../helpers/cli.js'
import {clusterObjects, kubectlList, stubKubectl} from './stub-kubectl.js'

/**
 * status as a pipeline runs it: the built CLI against the ARM emulator after a real `setup`; then each piece is
 * removed or changed by hand through the emulator and status must name exactly that gap, with exit 10.
 */

// biome-ignore lint/suspicious/noExplicitAny: --json output is checked field by field
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T

describe('status against the fake ARM (spawned CLI)', () => {
  let arm: FakeArm
  /** The world right after setup, restored before each case. */
  let afterSetup: ArmResource[] = []
  const status = async (extra: string[] = [], env: Record<string, string | undefined> = {}) => {
    const r = await runCli(['status', '--json', ...extra], {env: {...arm.env, ...env}})
    return {code: r.code, out: json(r.stdout), stderr: r.stderr}
  }
  const assignmentId = (roleGuid: string): string => {
    const a = arm.emulator.state
      .list('Microsoft.Authorization/roleAssignments')
      .find((r) => String(r.properties.roleDefinitionId).endsWith(roleGuid))
    assert.ok(a, `no assignment of ${roleGuid}`)
    return a.id
  }
  const change = (id: string, fn: (r: ArmResource) => void) => {
    const r = clone(arm.emulator.getResource(id))
    assert.ok(r, id)
    fn(r)
    arm.emulator.putResource(r)
  }

  before(async () => {
    arm = await startFakeArm()
    const r = await runCli(['setup', '--json'], {env: arm.env})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    afterSetup = clone([...arm.emulator.state.resources.values()])
  })
  after(async () => {
    await arm.stop()
  })
  beforeEach(() => {
    arm.emulator.state.resources.clear()
    for (const r of clone(afterSetup)) arm.emulator.state.set(r)
  })

  it('is clean right after setup: exit 0, every check ok, and it wrote nothing', async () => {
    arm.emulator.clearRequests()
    const {code, out, stderr} = await status()
    assert.equal(code, 0, stderr)
    assert.equal(out.clean, true)
    assert.deepEqual(out.gaps, [])
    assert.equal(out.checks.length, 14)
    assert.equal(out.status, 0)
    assert.ok(out.checks.every((c: {result: string}) => c.result === 'ok'))
    assert.deepEqual(
      arm.emulator.requests.filter((q) => q.method !== 'GET').map((q) => q.method),
      [],
    )
  })

  const ns = () => arm.emulator.ids.namespace()
  const ts = () => arm.emulator.ids.topicSpace('tutorial')
  const inst = () => arm.emulator.ids.instance()
  const cases: Array<[string, () => void, string[]]> = [
    [
      'the namespace deleted',
      () => arm.emulator.deleteResource(ns()),
      ['namespace.exists', 'topicSpace.exists', 'endpoint.host'],
    ],
    [
      'MQTT disabled on the namespace',
      () => change(ns(), (r) => Object.assign(r.properties.topicSpacesConfiguration as object, {state: 'Disabled'})),
      ['namespace.mqtt'],
    ],
    [
      'the session limit lowered to 1',
      () =>
        change(ns(), (r) =>
          Object.assign(r.properties.topicSpacesConfiguration as object, {
            maximumClientSessionsPerAuthenticationName: 1,
          }),
        ),
      ['namespace.sessions'],
    ],
    ['the topic space deleted', () => arm.emulator.deleteResource(ts()), ['topicSpace.exists']],
    [
      'the topic template replaced',
      () => change(ts(), (r) => Object.assign(r.properties, {topicTemplates: ['other/#']})),
      ['topicSpace.templates'],
    ],
    [
      'the Publisher assignment deleted',
      () => arm.emulator.deleteResource(assignmentId(ROLE_IDS.topicSpacesPublisher)),
      ['role.publisher'],
    ],
    [
      'the Subscriber assignment deleted',
      () => arm.emulator.deleteResource(assignmentId(ROLE_IDS.topicSpacesSubscriber)),
      ['role.subscriber'],
    ],
    [
      'the endpoint deleted',
      () => arm.emulator.deleteResource(`${inst()}/dataflowEndpoints/eventgrid`),
      ['endpoint.exists'],
    ],
    [
      'the endpoint pointed elsewhere',
      () =>
        change(`${inst()}/dataflowEndpoints/eventgrid`, (r) =>
          Object.assign(r.properties.mqttSettings as object, {host: 'elsewhere.eastus-1.ts.eventgrid.azure.net:8883'}),
        ),
      ['endpoint.host'],
    ],
    [
      'the dataflow local-to-remote deleted',
      () => arm.emulator.deleteResource(`${inst()}/dataflowProfiles/default/dataflows/local-to-remote`),
      ['dataflow.local-to-remote'],
    ],
    [
      'the dataflow remote-to-local deleted',
      () => arm.emulator.deleteResource(`${inst()}/dataflowProfiles/default/dataflows/remote-to-local`),
      ['dataflow.remote-to-local'],
    ],
    [
      'the dataflow remote-to-local failed',
      () =>
        change(`${inst()}/dataflowProfiles/default/dataflows/remote-to-local`, (r) =>
          Object.assign(r.properties, {provisioningState: 'Failed'}),
        ),
      ['dataflow.remote-to-local'],
    ],
  ]
  for (const [name, act, gaps] of cases) {
    it(`names the gap when ${name}: ${gaps.join(', ')} (exit 10)`, async () => {
      act()
      const {code, out} = await status()
      assert.equal(code, ExitCode.statusGap)
      assert.equal(out.clean, false)
      assert.deepEqual(out.gaps, gaps)
      for (const id of gaps) assert.match(out.checks.find((c: {id: string}) => c.id === id).fix, /aio-bridge setup|az /)
    })
  }

  it('a role given at the resource group instead counts, and says where it comes from', async () => {
    const id = assignmentId(ROLE_IDS.topicSpacesPublisher)
    const a = clone(arm.emulator.getResource(id) as ArmResource)
    arm.emulator.deleteResource(id)
    const rg = arm.emulator.ids.resourceGroup
    arm.emulator.putResource({
      ...a,
      id: `${rg}/providers/Microsoft.Authorization/roleAssignments/${a.name}`,
      properties: {...a.properties, scope: rg},
    })
    const {code, out} = await status()
    assert.equal(code, 0)
    assert.match(
      out.checks.find((c: {id: string}) => c.id === 'role.publisher').detail,
      /inherited from resource group aio-bridge-rg/,
    )
  })

  it('without a cluster the identity and roles are not checked (not a gap)', async () => {
    const {code, out} = await status([], {CLUSTER_NAME: undefined})
    assert.equal(code, 0)
    assert.deepEqual(out.skipped, ['principal', 'role.publisher', 'role.subscriber'])
    const results = Object.fromEntries(out.checks.map((c: {id: string; result: string}) => [c.id, c.result]))
    assert.equal(results.principal, 'skipped', 'a check that did not run is skipped, not failed')
    assert.ok(!out.checks.some((c: {result: string}) => c.result === 'gap'))
    assert.ok(!out.checks.some((c: object) => 'ok' in c), 'no ok: false for a check that did not run')
  })

  it('--target kubernetes reads the endpoint and dataflows with kubectl: clean (exit 0); kubectl failing → exit 5', async () => {
    const namespace = arm.emulator.getResource(ns())
    assert.ok(namespace)
    const {hostname} = namespace.properties.topicSpacesConfiguration as {hostname: string}
    const {endpoint, dataflows} = clusterObjects(hostname)
    const good = stubKubectl({stdout: kubectlList([endpoint, ...Object.values(dataflows)])})
    const down = stubKubectl({stderr: 'The connection to the server localhost:8080 was refused'})
    try {
      // The stub first on PATH (the stand-in az needs the rest): it is the kubectl found.
      const ok = await status(['--target', 'kubernetes'], {PATH: `${good.dir}:${arm.env.PATH}`})
      assert.equal(ok.code, 0, ok.stderr)
      assert.equal(ok.out.clean, true)
      assert.deepEqual(ok.out.skipped, [])
      assert.equal(good.calls().length, 1)
      const r = await runCli(['status', '--json', '--target', 'kubernetes'], {
        env: {...arm.env, PATH: `${down.dir}:${arm.env.PATH}`},
      })
      assert.equal(r.code, ExitCode.prerequisite, r.stderr)
      assert.equal(json(r.stdout).error.code, 'KUBECTL_UNREACHABLE')
    } finally {
      good.remove()
      down.remove()
    }
  })

  it('human output: a table with the gap and its fix, no colour in CI, exit 10', async () => {
    arm.emulator.deleteResource(assignmentId(ROLE_IDS.topicSpacesSubscriber))
    const r = await runCli(['status'], {env: arm.env})
    assert.equal(r.code, ExitCode.statusGap)
    assert.match(r.stdout, /✘ Subscriber .*not assigned/)
    assert.match(r.stdout, /fix: aio-bridge setup/)
    assert.match(r.stdout, /1 gap: role\.subscriber/)
    assert.ok(!r.stdout.includes(String.fromCharCode(27)), 'no colour codes')
  })
})
