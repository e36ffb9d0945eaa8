import assert from 'node:assert/strict'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, afterEach, before, describe, it} from 'node:test'
import type {AioBridgeError} from '../../src/errors.js'
import {buildBridgeModel} from '../../src/model/bridge-model.js'
import {kubectlStatusArgs} from '../../src/status/kubectl.js'
import {deleteWithKubectl, parseKubectlDeleteOutput} from '../../src/teardown/kubectl-delete.js'
import {runTeardown} from '../../src/teardown/run-teardown.js'
import {armError, armScope, isolateNetwork, testArmClient} from '../helpers/nock.js'
import {clusterObjects, kubectlList} from '../status/stub-kubectl.js'
import {HOSTNAME, model, NS_ID, namespace, RG, SUB, TS_ID} from './fixtures.js'

isolateNetwork({before, afterEach, after})

const dirs: string[] = []
after(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

/**
 * A stand-in kubectl for a cluster: `get` prints the cluster's objects as `kubectl get -o json` does (a List of
 * `objects`), `delete` prints kubectl's line for each object named. Every call's arguments are recorded (one call per
 * line, tab-separated). `fail` makes every call print `stderr` and exit 1.
 */
function fakeKubectl(opts: {objects?: Cr[]; stderr?: string; fail?: boolean} = {}): {
  dir: string
  path: string
  calls: () => string[][]
} {
  const dir = mkdtempSync(join(tmpdir(), 'aio-bridge-kubectl-'))
  dirs.push(dir)
  const path = join(dir, 'kubectl')
  writeFileSync(join(dir, 'get.json'), opts.objects?.length ? kubectlList(opts.objects) : '')
  writeFileSync(join(dir, 'err.txt'), opts.stderr ?? '')
  writeFileSync(
    path,
    `#!/bin/sh
d="${dir}"
(IFS="$(printf '\\t')"; printf '%s\\n' "$*") >> "$d/calls.txt"
cat > /dev/null
${opts.fail ? 'cat "$d/err.txt" >&2; exit 1' : ''}
case "$1" in
  get) cat "$d/get.json" ;;
  delete) for a in "$@"; do case "$a" in */*) printf '%s "%s" deleted\\n' "\${a%%/*}" "\${a#*/}" ;; esac; done ;;
esac
exit 0
`,
  )
  chmodSync(path, 0o755)
  return {
    dir,
    path,
    calls: () =>
      readFileSync(join(dir, 'calls.txt'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')),
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a custom resource as kubectl prints it
type Cr = Record<string, any>

/** The cluster as setup --target kubernetes leaves it (each object labelled, the endpoint at this namespace). */
const cluster = () => clusterObjects(HOSTNAME)
const unlabelled = (o: Cr): Cr => ({...o, metadata: {...o.metadata, labels: {}}})

const L2R = 'dataflow.connectivity.iotoperations.azure.com/local-to-remote'
const R2L = 'dataflow.connectivity.iotoperations.azure.com/remote-to-local'
const EP = 'dataflowendpoint.connectivity.iotoperations.azure.com/eventgrid'

describe('kubectl get and delete', () => {
  it('parses both kubectl delete output forms (with and without "from <ns> namespace")', () => {
    const out = [
      'dataflow.connectivity.iotoperations.azure.com "remote-to-local" deleted',
      'dataflow.connectivity.iotoperations.azure.com "local-to-remote" deleted from azure-iot-operations namespace',
      'dataflowendpoint.connectivity.iotoperations.azure.com "eventgrid" deleted',
    ].join('\n')
    assert.deepEqual(
      parseKubectlDeleteOutput(`${out}\nwarning: something\n`).map((o) => o.name),
      ['remote-to-local', 'local-to-remote', 'eventgrid'],
    )
    assert.deepEqual(parseKubectlDeleteOutput(''), [])
  })

  it('deletes by kind/name with an argument array, nothing on stdin', async () => {
    const k = fakeKubectl()
    const r = await deleteWithKubectl({kubectl: k.path, refs: [L2R, EP]})
    assert.deepEqual(k.calls(), [['delete', '-n', 'azure-iot-operations', '--ignore-not-found', L2R, EP]])
    assert.equal(r.deleted.length, 2)
  })

  for (const [stderr, code] of [
    ['error: the server doesn\'t have a resource type "dataflows"', 'KUBECTL_CRD_MISSING'],
    [
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?\nUnable to connect to the server',
      'KUBECTL_UNREACHABLE',
    ],
    [
      'Error from server (Forbidden): dataflows.connectivity.iotoperations.azure.com "x" is forbidden',
      'KUBECTL_FORBIDDEN',
    ],
    ['error: something else', 'KUBECTL_DELETE_FAILED'],
  ] as const) {
    it(`kubectl delete failing with "${stderr.slice(0, 40)}…" → ${code}`, async () => {
      const k = fakeKubectl({stderr, fail: true})
      await assert.rejects(
        deleteWithKubectl({kubectl: k.path, refs: [EP]}),
        (e: AioBridgeError) => e.code === code && typeof e.remedy === 'string',
      )
    })
  }
})

describe('teardown --target kubernetes (nock + a stand-in kubectl)', () => {
  const EG = {'api-version': '2025-02-15'}
  const config = {
    subscriptionId: SUB,
    resourceGroup: RG,
    namespace: 'eg-bridge',
    topicSpace: 'tutorial',
    target: 'kubernetes' as const,
    keepNamespace: true,
  }
  /** Azure after the topic space was removed: the namespace (kept) is there, with its hostname, or gone. */
  const azure = (ns: 'there' | 'gone' = 'there') => {
    const scope = armScope()
    if (ns === 'there') {
      scope.get(NS_ID).query(EG).reply(200, namespace())
      scope.get(`${NS_ID}/topicSpaces`).query(EG).reply(200, {value: []})
    } else scope.get(NS_ID).query(EG).reply(404, armError('ResourceNotFound', 'gone'))
    scope.get(TS_ID).query(EG).reply(404, armError('ResourceNotFound', 'gone'))
    return scope
  }
  /** What was kept of the cluster's objects (the namespace is kept too: --keep-namespace). */
  const bridgeKept = (r: {kept: Array<{kind: string; name: string; reason: string}>}) =>
    r.kept.filter((x) => x.kind !== 'namespace')
  const teardown = (k: {dir: string}, more: Partial<Parameters<typeof runTeardown>[2]> = {}) =>
    runTeardown(testArmClient(), config, {model: model(), env: {PATH: `${k.dir}:/usr/bin:/bin`}, ...more})

  it('reads the cluster once (status’s kubectl get -o json), deletes only labelled objects of this bridge (dataflows first), keeps the rest', async () => {
    const {endpoint, dataflows} = cluster()
    const theirs = {
      ...dataflows['local-to-remote'],
      metadata: {...dataflows['local-to-remote']?.metadata, name: 'theirs'},
    }
    const k = fakeKubectl({
      objects: [unlabelled(endpoint), dataflows['remote-to-local'] as Cr, dataflows['local-to-remote'] as Cr, theirs],
    })
    const scope = azure()
    const r = await teardown(k)
    scope.done()
    assert.deepEqual(
      r.deletions.map((d) => [d.kind, d.outcome]),
      [['kubernetesObjects', 'deleted']],
    )
    const calls = k.calls()
    assert.deepEqual(
      calls.filter((c) => c[0] === 'get'),
      [kubectlStatusArgs(model())],
    )
    // The endpoint carries no label: it is not deleted, and is listed as kept; another dataflow is not ours to list.
    assert.deepEqual(
      calls.filter((c) => c[0] === 'delete'),
      [['delete', '-n', 'azure-iot-operations', '--ignore-not-found', L2R, R2L]],
    )
    assert.deepEqual(
      bridgeKept(r).map((x) => [x.kind, x.name]),
      [['dataflowEndpoint', 'eventgrid']],
    )
    assert.match(bridgeKept(r)[0]?.reason ?? '', /without the label/)
  })

  it('the endpoint points at another namespace’s host: nothing is deleted, it and the dataflows using it are kept', async () => {
    const {endpoint, dataflows} = cluster()
    endpoint.spec.mqttSettings.host = 'aio-bridge-ns.westus2-1.ts.eventgrid.azure.net:8883'
    const k = fakeKubectl({objects: [endpoint, ...Object.values(dataflows)]})
    const scope = azure()
    const r = await teardown(k)
    scope.done()
    assert.deepEqual(r.deletions, [])
    assert.ok(!k.calls().some((c) => c[0] === 'delete'))
    assert.deepEqual(
      bridgeKept(r)
        .map((x) => x.name)
        .sort(),
      ['eventgrid', 'local-to-remote', 'remote-to-local'],
    )
    assert.match(r.kept.find((x) => x.name === 'eventgrid')?.reason ?? '', /^points at aio-bridge-ns\./)
  })

  it('the namespace gone: nothing in the cluster is deleted (it keeps no record of the namespace), and it says so', async () => {
    const {endpoint, dataflows} = cluster()
    const k = fakeKubectl({objects: [endpoint, ...Object.values(dataflows)]})
    const scope = azure('gone')
    const r = await teardown(k)
    scope.done()
    assert.deepEqual(r.deletions, [])
    assert.ok(!k.calls().some((c) => c[0] === 'delete'))
    assert.equal(r.notFound[0]?.message, 'namespace eg-bridge not found in rg-bridge: nothing of it to delete')
    assert.match(r.notes.join('\n'), /kubectl delete -n azure-iot-operations --ignore-not-found/)
  })

  it('kinds carry no version: --crd-version changes nothing kubectl is asked (a v1beta1 cluster needs no flag)', async () => {
    const k = fakeKubectl({objects: [cluster().endpoint]})
    const scope = azure()
    await teardown(k, {crdVersion: 'v1beta1'})
    scope.done()
    assert.ok(k.calls().some((c) => c[0] === 'delete'))
    for (const c of k.calls()) assert.ok(!c.join(' ').match(/\/v1|\.v1/), c.join(' '))
  })

  it('nothing labelled in the cluster: no kubectl delete, nothing to do', async () => {
    const {endpoint, dataflows} = cluster()
    const k = fakeKubectl({objects: [endpoint, ...Object.values(dataflows)].map(unlabelled)})
    const scope = azure()
    const r = await teardown(k)
    scope.done()
    assert.deepEqual(r.deletions, [])
    assert.equal(bridgeKept(r).length, 3)
    assert.ok(!k.calls().some((c) => c[0] === 'delete'))
  })

  it('kubectl cannot read the cluster: its error (KUBECTL_UNREACHABLE), nothing deleted', async () => {
    const k = fakeKubectl({stderr: 'The connection to the server localhost:8080 was refused', fail: true})
    const scope = azure()
    await assert.rejects(teardown(k), (e: AioBridgeError) => e.code === 'KUBECTL_UNREACHABLE')
    scope.done()
    assert.ok(!k.calls().some((c) => c[0] === 'delete'))
  })

  it('without kubectl: KUBECTL_NOT_FOUND before anything is deleted, its remedy keeps the model flags; a dry run still lists', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aio-bridge-nokubectl-'))
    dirs.push(empty)
    const custom = buildBridgeModel({
      'endpoint-name': 'eg2',
      'local-source': 'plant/#',
      'aio-api-version': '2025-10-01',
    })
    for (const dryRun of [true, false]) {
      const scope = azure()
      const run = runTeardown(testArmClient(), config, {
        model: custom,
        crdVersion: 'v1beta1',
        env: {PATH: empty},
        dryRun,
      })
      if (dryRun) {
        const r = await run
        assert.match(r.notes.join(), /kubectl is not on PATH/)
        assert.equal(r.deletions[0]?.outcome, 'would-delete')
      } else {
        await assert.rejects(run, (e: AioBridgeError) => {
          assert.equal(e.code, 'KUBECTL_NOT_FOUND')
          const remedy = e.remedy ?? ''
          assert.match(remedy, /aio-bridge teardown .*--target kubernetes/)
          assert.match(remedy, /aio-bridge render -f kubernetes --crd-version v1beta1 /)
          for (const f of ['--endpoint-name eg2', "--local-source 'plant/#'", '--aio-api-version 2025-10-01'])
            assert.equal(remedy.split(f).length - 1, 2, `${f} in both the teardown and the render command: ${remedy}`)
          return true
        })
      }
      scope.done()
    }
  })
})
