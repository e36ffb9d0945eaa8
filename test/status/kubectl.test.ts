import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, afterEach, before, describe, it} from 'node:test'
import type {AioBridgeError} from '../../src/errors.js'
import {assessStatus} from '../../src/plan/status.js'
import {kubectlStatusArgs, parseKubectlGetJson} from '../../src/status/kubectl.js'
import {observeStatus} from '../../src/status/observe.js'
import {armScope, isolateNetwork, testArmClient} from '../helpers/nock.js'
import {HOSTNAME, model, statusConfig} from '../teardown/fixtures.js'
import {clusterObjects, kubectlList, type StubKubectl, stubKubectl} from './stub-kubectl.js'
import {world} from './world.js'

isolateNetwork({before, afterEach, after})

/**
 * status --target kubernetes: Azure (nock) as setup leaves it, the endpoint and dataflows read from a stand-in kubectl
 * whose folder is the whole PATH, and fed into the same assessment as ARM's.
 */

const config = () => statusConfig({target: 'kubernetes'})
const stubs: StubKubectl[] = []
const stub = (o: {stdout?: string; stderr?: string}) => {
  const s = stubKubectl(o)
  stubs.push(s)
  return s
}
after(() => {
  for (const s of stubs) s.remove()
})

const ARGS = [
  'get',
  'dataflowendpoints.connectivity.iotoperations.azure.com/eventgrid',
  'dataflows.connectivity.iotoperations.azure.com/local-to-remote',
  'dataflows.connectivity.iotoperations.azure.com/remote-to-local',
  '-n',
  'azure-iot-operations',
  '-o',
  'json',
  '--ignore-not-found',
]
const CLUSTER_CHECKS = ['endpoint.exists', 'endpoint.host', 'dataflow.local-to-remote', 'dataflow.remote-to-local']

/** observe (ARM: no endpoint or dataflow reads) + assess, with `path` as the only PATH. */
async function status(path: string) {
  const scope = world(armScope(), {noIotOpsReads: true})
  const observed = await observeStatus(testArmClient(), config(), {env: {PATH: path}})
  scope.done()
  return assessStatus(config(), observed)
}

describe('status --target kubernetes (nock + a stand-in kubectl)', () => {
  it('clean: one kubectl get with the model’s names (an argument array), every check passes', async () => {
    const {endpoint, dataflows} = clusterObjects(HOSTNAME)
    const k = stub({stdout: kubectlList([endpoint, ...Object.values(dataflows)])})
    const a = await status(k.dir)
    assert.deepEqual(k.calls(), [ARGS])
    assert.deepEqual(kubectlStatusArgs(model()), ARGS)
    assert.equal(a.clean, true)
    assert.deepEqual(a.gaps, [])
    assert.deepEqual(a.skipped, [])
    assert.equal(a.checks.length, 14)
    assert.ok(a.checks.every((c) => c.ok))
    assert.equal(a.checks.find((c) => c.id === 'endpoint.host')?.detail, `${HOSTNAME}:8883`)
  })

  it('the endpoint pointing elsewhere is a gap (endpoint.host) whose fix is setup --target kubernetes', async () => {
    const {endpoint, dataflows} = clusterObjects(HOSTNAME)
    endpoint.spec.mqttSettings.host = 'elsewhere.eastus-1.ts.eventgrid.azure.net:8883'
    const k = stub({stdout: kubectlList([endpoint, ...Object.values(dataflows)])})
    const a = await status(k.dir)
    assert.deepEqual(a.gaps, ['endpoint.host'])
    const c = a.checks.find((x) => x.id === 'endpoint.host')
    assert.match(c?.detail ?? '', /^elsewhere\..*: points elsewhere \(namespace elsewhere's, not eg-bridge\./)
    // Either command keeps --target kubernetes: the status of the namespace it points at, or the setup re-pointing it.
    assert.match(
      c?.fix ?? '',
      /^If you meant the bridge of namespace elsewhere: aio-bridge status .*-n elsewhere .*--target kubernetes\. /,
    )
    assert.match(c?.fix ?? '', /To make this one's instead: aio-bridge setup .*-n eg-bridge .*--target kubernetes$/)
  })

  it('a dataflow missing from the cluster is a gap (its check), the others pass', async () => {
    const {endpoint, dataflows} = clusterObjects(HOSTNAME)
    const k = stub({stdout: kubectlList([endpoint, dataflows['local-to-remote']])})
    const a = await status(k.dir)
    assert.deepEqual(a.gaps, ['dataflow.remote-to-local'])
    const c = a.checks.find((x) => x.id === 'dataflow.remote-to-local')
    assert.match(c?.detail ?? '', /does not exist in the cluster \(namespace azure-iot-operations\)/)
    assert.match(c?.fix ?? '', /aio-bridge setup .*--target kubernetes/)
  })

  it('nothing in the cluster (kubectl prints nothing with --ignore-not-found): endpoint and both dataflows are gaps', async () => {
    const k = stub({stdout: ''})
    const a = await status(k.dir)
    assert.deepEqual(a.gaps, ['endpoint.exists', 'dataflow.local-to-remote', 'dataflow.remote-to-local'])
    assert.deepEqual(a.skipped, ['endpoint.host'])
  })

  it('a dataflow whose sources differ, or in another profile, is a gap; no provisioningState is needed', async () => {
    const {endpoint, dataflows} = clusterObjects(HOSTNAME)
    const l2r = dataflows['local-to-remote']
    const r2l = dataflows['remote-to-local']
    l2r.spec.operations[0].sourceSettings.dataSources = ['other/#']
    r2l.spec.profileRef = 'profile-2'
    const k = stub({stdout: kubectlList([endpoint, l2r, r2l])})
    const a = await status(k.dir)
    assert.deepEqual(a.gaps, ['dataflow.local-to-remote', 'dataflow.remote-to-local'])
    const detail = (id: string) => a.checks.find((x) => x.id === id)?.detail ?? ''
    assert.match(detail('dataflow.local-to-remote'), /differs from the model/)
    assert.match(detail('dataflow.remote-to-local'), /in profile profile-2, not default/)
  })

  it('an object without aio-bridge’s label passes, and says teardown leaves it', async () => {
    const {endpoint, dataflows} = clusterObjects(HOSTNAME)
    delete endpoint.metadata.labels
    const k = stub({stdout: kubectlList([endpoint, ...Object.values(dataflows)])})
    const a = await status(k.dir)
    assert.equal(a.clean, true)
    assert.match(
      a.checks.find((x) => x.id === 'endpoint.exists')?.detail ?? '',
      /without the label app\.kubernetes\.io\/managed-by=aio-bridge \(teardown leaves it\)/,
    )
  })

  it('kubectl not on PATH: the endpoint and dataflows are not checked (not a gap), the detail names kubectl', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aio-bridge-nokubectl-'))
    try {
      const a = await status(empty)
      assert.equal(a.clean, true)
      assert.deepEqual(a.skipped, CLUSTER_CHECKS)
      for (const id of CLUSTER_CHECKS)
        assert.match(a.checks.find((c) => c.id === id)?.detail ?? '', /^not checked: kubectl is not on PATH/)
    } finally {
      rmSync(empty, {recursive: true, force: true})
    }
  })

  for (const [stderr, code, exitCode] of [
    [
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
      'KUBECTL_UNREACHABLE',
      5,
    ],
    ['error: the server doesn\'t have a resource type "dataflowendpoints"', 'KUBECTL_CRD_MISSING', 5],
  ] as const) {
    it(`kubectl failing (${code}): its typed error, exit ${exitCode}, a remedy that re-runs status`, async () => {
      const k = stub({stderr})
      const scope = world(armScope(), {noIotOpsReads: true})
      await assert.rejects(observeStatus(testArmClient(), config(), {env: {PATH: k.dir}}), (e: AioBridgeError) => {
        assert.equal(e.code, code)
        assert.equal(e.exitCode, exitCode)
        assert.doesNotMatch(e.remedy ?? '', /teardown/)
        return true
      })
      scope.done()
    })
  }

  it('--target arm never runs kubectl', async () => {
    const k = stub({stdout: ''})
    const scope = world(armScope())
    await observeStatus(testArmClient(), statusConfig(), {env: {PATH: k.dir}})
    scope.done()
    assert.deepEqual(k.calls(), [])
  })

  it('parses what kubectl get -o json prints: nothing, a List, one object; anything else is undefined', () => {
    assert.deepEqual(parseKubectlGetJson(''), [])
    assert.deepEqual(parseKubectlGetJson(kubectlList([{kind: 'Dataflow'}])), [{kind: 'Dataflow'}])
    assert.deepEqual(parseKubectlGetJson('{"kind":"Dataflow"}'), [{kind: 'Dataflow'}])
    assert.equal(parseKubectlGetJson('error: nope'), undefined)
    assert.equal(parseKubectlGetJson('[1]'), undefined)
  })
})
