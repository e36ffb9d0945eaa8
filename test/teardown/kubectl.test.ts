import assert from 'node:assert/strict'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, afterEach, before, describe, it} from 'node:test'
import type {AioBridgeError} from '../../src/errors.js'
import {buildBridgeModel} from '../../src/model/bridge-model.js'
import {deleteWithKubectl, parseKubectlDeleteOutput, parseKubectlNames} from '../../src/teardown/kubectl-delete.js'
import {runTeardown} from '../../src/teardown/run-teardown.js'
import {armError, armScope, isolateNetwork, testArmClient} from '../helpers/nock.js'
import {model, NS_ID, RG, SUB, TS_ID} from './fixtures.js'

isolateNetwork({before, afterEach, after})

const dirs: string[] = []
after(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

/**
 * A stand-in kubectl for a cluster: `get -l …` prints `labelled`, `get` without a selector prints `all`, `delete` prints
 * kubectl's line for each object named. Every call's arguments are recorded (one call per line, tab-separated).
 * `fail` makes every call print `stderr` and exit 1.
 */
function fakeKubectl(opts: {labelled?: string[]; all?: string[]; stderr?: string; fail?: boolean} = {}): {
  dir: string
  path: string
  calls: () => string[][]
} {
  const dir = mkdtempSync(join(tmpdir(), 'aio-bridge-kubectl-'))
  dirs.push(dir)
  const path = join(dir, 'kubectl')
  const labelled = opts.labelled ?? []
  writeFileSync(join(dir, 'labelled.txt'), labelled.map((l) => `${l}\n`).join(''))
  writeFileSync(join(dir, 'all.txt'), (opts.all ?? labelled).map((l) => `${l}\n`).join(''))
  writeFileSync(join(dir, 'err.txt'), opts.stderr ?? '')
  writeFileSync(
    path,
    `#!/bin/sh
d="${dir}"
(IFS="$(printf '\\t')"; printf '%s\\n' "$*") >> "$d/calls.txt"
cat > /dev/null
${opts.fail ? 'cat "$d/err.txt" >&2; exit 1' : ''}
case "$1" in
  get) case "$*" in *" -l "*) cat "$d/labelled.txt" ;; *) cat "$d/all.txt" ;; esac ;;
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

const L2R = 'dataflow.connectivity.iotoperations.azure.com/local-to-remote'
const R2L = 'dataflow.connectivity.iotoperations.azure.com/remote-to-local'
const EP = 'dataflowendpoint.connectivity.iotoperations.azure.com/eventgrid'
const KINDS = 'dataflows.connectivity.iotoperations.azure.com,dataflowendpoints.connectivity.iotoperations.azure.com'

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
    assert.deepEqual(parseKubectlNames(`${L2R}\nNo resources found\n`), [L2R])
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
  const azureGone = () => {
    const scope = armScope()
    scope.get(NS_ID).query(EG).reply(404, armError('ResourceNotFound', 'gone'))
    scope.get(TS_ID).query(EG).reply(404, armError('ResourceNotFound', 'gone'))
    return scope
  }

  it('reads the cluster with and without the label, deletes only labelled objects (dataflows first), keeps the rest', async () => {
    const k = fakeKubectl({
      labelled: [R2L, L2R],
      all: [L2R, R2L, EP, 'dataflow.connectivity.iotoperations.azure.com/theirs'],
    })
    const scope = azureGone()
    const r = await runTeardown(testArmClient(), config, {model: model(), env: {PATH: `${k.dir}:/usr/bin:/bin`}})
    scope.done()
    assert.deepEqual(
      r.deletions.map((d) => [d.kind, d.outcome]),
      [['kubernetesObjects', 'deleted']],
    )
    const calls = k.calls()
    assert.deepEqual(
      calls.filter((c) => c[0] === 'get').sort(),
      [
        ['get', KINDS, '-n', 'azure-iot-operations', '-l', 'app.kubernetes.io/managed-by=aio-bridge', '-o', 'name'],
        ['get', KINDS, '-n', 'azure-iot-operations', '-o', 'name'],
      ].sort(),
    )
    // The endpoint carries no label: it is not deleted, and is listed as kept; another dataflow is not ours to list.
    assert.deepEqual(
      calls.filter((c) => c[0] === 'delete'),
      [['delete', '-n', 'azure-iot-operations', '--ignore-not-found', L2R, R2L]],
    )
    assert.deepEqual(
      r.kept.map((x) => [x.kind, x.name]),
      [['dataflowEndpoint', 'eventgrid']],
    )
    assert.match(r.kept[0]?.reason ?? '', /without the label/)
  })

  it('kinds carry no version: --crd-version changes nothing kubectl is asked (a v1beta1 cluster needs no flag)', async () => {
    const k = fakeKubectl({labelled: [EP]})
    const scope = azureGone()
    await runTeardown(testArmClient(), config, {
      model: model(),
      crdVersion: 'v1beta1',
      env: {PATH: `${k.dir}:/usr/bin:/bin`},
    })
    scope.done()
    for (const c of k.calls()) assert.ok(!c.join(' ').match(/\/v1|\.v1/), c.join(' '))
  })

  it('nothing labelled in the cluster: no kubectl delete, nothing to do', async () => {
    const k = fakeKubectl({labelled: [], all: []})
    const scope = azureGone()
    const r = await runTeardown(testArmClient(), config, {model: model(), env: {PATH: `${k.dir}:/usr/bin:/bin`}})
    scope.done()
    assert.deepEqual(r.deletions, [])
    assert.ok(!k.calls().some((c) => c[0] === 'delete'))
  })

  it('kubectl cannot read the cluster: its error (KUBECTL_UNREACHABLE), nothing deleted', async () => {
    const k = fakeKubectl({stderr: 'The connection to the server localhost:8080 was refused', fail: true})
    const scope = azureGone()
    await assert.rejects(
      runTeardown(testArmClient(), config, {model: model(), env: {PATH: `${k.dir}:/usr/bin:/bin`}}),
      (e: AioBridgeError) => e.code === 'KUBECTL_UNREACHABLE',
    )
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
      const scope = azureGone()
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
