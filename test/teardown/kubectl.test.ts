import assert from 'node:assert/strict'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, afterEach, before, describe, it} from 'node:test'
import {parse} from 'yaml'
import type {AioBridgeError} from '../../src/errors.js'
import {renderKubernetes} from '../../src/render/kubernetes.js'
import {deleteWithKubectl, KUBECTL_DELETE_ARGS, parseKubectlDeleteOutput} from '../../src/teardown/kubectl-delete.js'
import {reverseDocuments} from '../../src/teardown/observe.js'
import {runTeardown} from '../../src/teardown/run-teardown.js'
import {armError, armScope, isolateNetwork, testArmClient} from '../helpers/nock.js'
import {model, NS_ID, RG, SUB, TS_ID} from './fixtures.js'

isolateNetwork({before, afterEach, after})

const dirs: string[] = []
after(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

/** A stand-in kubectl: records its arguments and stdin, prints `out` and exits with `code`. */
function fakeKubectl(opts: {stdout?: string; stderr?: string; code?: number} = {}): {
  dir: string
  path: string
  args: () => string[]
  stdin: () => string
} {
  const dir = mkdtempSync(join(tmpdir(), 'aio-bridge-kubectl-'))
  dirs.push(dir)
  const path = join(dir, 'kubectl')
  writeFileSync(join(dir, 'out.txt'), opts.stdout ?? '')
  writeFileSync(join(dir, 'err.txt'), opts.stderr ?? '')
  writeFileSync(
    path,
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > "${dir}/args.txt"\ncat > "${dir}/stdin.txt"\ncat "${dir}/out.txt"\ncat "${dir}/err.txt" >&2\nexit ${opts.code ?? 0}\n`,
  )
  chmodSync(path, 0o755)
  return {
    dir,
    path,
    args: () => readFileSync(join(dir, 'args.txt'), 'utf8').split('\n').filter(Boolean),
    stdin: () => readFileSync(join(dir, 'stdin.txt'), 'utf8'),
  }
}

const DELETED = [
  'dataflow.connectivity.iotoperations.azure.com "remote-to-local" deleted',
  'dataflow.connectivity.iotoperations.azure.com "local-to-remote" deleted from azure-iot-operations namespace',
  'dataflowendpoint.connectivity.iotoperations.azure.com "eventgrid" deleted',
].join('\n')

describe('kubectl delete', () => {
  it('parses both kubectl output forms (with and without "from <ns> namespace")', () => {
    assert.deepEqual(
      parseKubectlDeleteOutput(`${DELETED}\nwarning: something\n`).map((o) => o.name),
      ['remote-to-local', 'local-to-remote', 'eventgrid'],
    )
    assert.deepEqual(parseKubectlDeleteOutput(''), [])
  })

  it('reverses the manifest so the dataflows go before the endpoint they use', () => {
    const docs = reverseDocuments(renderKubernetes(model()))
      .split(/^---$/m)
      .map((d) => parse(d) as {kind: string; metadata: {name: string}})
    assert.deepEqual(
      docs.map((d) => `${d.kind}/${d.metadata.name}`),
      ['Dataflow/remote-to-local', 'Dataflow/local-to-remote', 'DataflowEndpoint/eventgrid'],
    )
  })

  it('runs kubectl with an argument array and the manifest on stdin', async () => {
    const k = fakeKubectl({stdout: DELETED})
    const r = await deleteWithKubectl({kubectl: k.path, manifest: 'kind: Dataflow\n'})
    assert.deepEqual(k.args(), [...KUBECTL_DELETE_ARGS])
    assert.deepEqual(k.args(), ['delete', '--ignore-not-found', '-f', '-'])
    assert.equal(k.stdin(), 'kind: Dataflow\n')
    assert.equal(r.deleted.length, 3)
  })

  for (const [stderr, code] of [
    [
      'error: resource mapping not found for name: "eventgrid": no matches for kind "DataflowEndpoint"',
      'KUBECTL_CRD_MISSING',
    ],
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
    it(`kubectl failing with "${stderr.slice(0, 40)}…" → ${code}`, async () => {
      const k = fakeKubectl({stderr, code: 1})
      await assert.rejects(
        deleteWithKubectl({kubectl: k.path, manifest: 'x'}),
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

  it('kubectl delete first, with the rendered objects in deletion order; no ARM dataflow calls', async () => {
    const k = fakeKubectl({stdout: DELETED})
    const scope = armScope()
    scope.get(NS_ID).query(EG).reply(404, armError('ResourceNotFound', 'gone'))
    scope.get(TS_ID).query(EG).reply(404, armError('ResourceNotFound', 'gone'))
    const r = await runTeardown(testArmClient(), config, {model: model(), env: {PATH: `${k.dir}:/usr/bin:/bin`}})
    scope.done()
    assert.deepEqual(
      r.deletions.map((d) => [d.kind, d.outcome]),
      [['kubernetesObjects', 'deleted']],
    )
    const kinds = k
      .stdin()
      .split(/^---$/m)
      .map((d) => (parse(d) as {kind: string}).kind)
    assert.deepEqual(kinds, ['Dataflow', 'Dataflow', 'DataflowEndpoint'])
  })

  it('nothing left in the cluster: kubectl prints nothing, the step is "already gone"', async () => {
    const k = fakeKubectl({stdout: ''})
    const scope = armScope()
    scope.get(NS_ID).query(EG).reply(404, armError('ResourceNotFound', 'gone'))
    scope.get(TS_ID).query(EG).reply(404, armError('ResourceNotFound', 'gone'))
    const r = await runTeardown(testArmClient(), config, {model: model(), env: {PATH: `${k.dir}:/usr/bin:/bin`}})
    scope.done()
    assert.equal(r.deletions[0]?.outcome, 'already-gone')
  })

  it('without kubectl: KUBECTL_NOT_FOUND before anything is deleted; a dry run still lists', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aio-bridge-nokubectl-'))
    dirs.push(empty)
    for (const dryRun of [true, false]) {
      const scope = armScope()
      scope.get(NS_ID).query(EG).reply(404, armError('ResourceNotFound', 'gone'))
      scope.get(TS_ID).query(EG).reply(404, armError('ResourceNotFound', 'gone'))
      const run = runTeardown(testArmClient(), config, {model: model(), env: {PATH: empty}, dryRun})
      if (dryRun) {
        const r = await run
        assert.match(r.notes.join(), /kubectl is not on PATH/)
        assert.equal(r.deletions[0]?.outcome, 'would-delete')
      } else {
        await assert.rejects(
          run,
          (e: AioBridgeError) => e.code === 'KUBECTL_NOT_FOUND' && /kubectl delete/.test(e.remedy ?? ''),
        )
      }
      scope.done()
    }
  })
})
