import assert from 'node:assert/strict'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {applyWithKubectl, findKubectl, parseKubectlApplyOutput} from '../../src/apply/kubectl.js'
import {isAioBridgeError} from '../../src/errors.js'
import {buildBridgeModel} from '../../src/model/bridge-model.js'
import {renderFiles} from '../../src/render/files.js'

/**
 * A stub kubectl: records its argv (one per line) and stdin, then answers like kubectl apply does, or fails the way
 * STUB_MODE says. PATH holds only the stub's folder (so the machine's own kubectl is never run): /bin/cat is absolute.
 */
const STUB = `#!/bin/sh
printf '%s\\n' "$@" > "$STUB_DIR/argv"
/bin/cat > "$STUB_DIR/stdin"
case "$STUB_MODE" in
  crd) echo 'error: resource mapping not found for name: "eventgrid" namespace: "azure-iot-operations" from "STDIN": no matches for kind "DataflowEndpoint" in version "connectivity.iotoperations.azure.com/v1"' >&2; echo 'ensure CRDs are installed first' >&2; exit 1 ;;
  slow) exec /bin/sleep 30 ;;
  down) echo 'The connection to the server localhost:8080 was refused - did you specify the right host or port?' >&2; exit 1 ;;
  *) echo 'dataflowendpoint.connectivity.iotoperations.azure.com/eventgrid created'
     echo 'dataflow.connectivity.iotoperations.azure.com/local-to-remote configured'
     echo 'dataflow.connectivity.iotoperations.azure.com/remote-to-local unchanged'
     echo 'serviceaccount/mqtt-client created'
     echo 'pod/mqtt-client created' ;;
esac
`

let stubDir: string
let emptyDir: string
before(() => {
  stubDir = mkdtempSync(join(tmpdir(), 'aio-bridge-kubectl-'))
  emptyDir = mkdtempSync(join(tmpdir(), 'aio-bridge-nokubectl-'))
  writeFileSync(join(stubDir, 'kubectl'), STUB)
  chmodSync(join(stubDir, 'kubectl'), 0o755)
})
after(() => {
  rmSync(stubDir, {recursive: true, force: true})
  rmSync(emptyDir, {recursive: true, force: true})
})

const files = () =>
  renderFiles(buildBridgeModel({hostname: 'myns.westus2-1.ts.eventgrid.azure.net'}), {
    format: 'kubernetes',
    client: true,
  })
const env = (mode = 'ok') => ({PATH: stubDir, STUB_DIR: stubDir, STUB_MODE: mode})

describe('applyWithKubectl', () => {
  it('finds kubectl on PATH and passes the manifests on stdin, never as arguments', async () => {
    assert.equal(findKubectl({PATH: stubDir}), join(stubDir, 'kubectl'))
    const result = await applyWithKubectl({
      files: files(),
      outDir: join(stubDir, 'out'),
      env: env(),
    })
    assert.equal(result.applied, true)
    assert.deepEqual(readFileSync(join(stubDir, 'argv'), 'utf8').trim().split('\n'), ['apply', '-f', '-'])
    const stdin = readFileSync(join(stubDir, 'stdin'), 'utf8')
    assert.equal(
      stdin,
      files()
        .map((f) => f.content)
        .join('---\n'),
    )
    assert.equal(result.command, 'kubectl apply -f -')
    assert.deepEqual(
      result.objects.map((o) => `${o.name}:${o.action}`),
      [
        'eventgrid:created',
        'local-to-remote:configured',
        'remote-to-local:unchanged',
        'mqtt-client:created',
        'mqtt-client:created',
      ],
    )
  })

  it('without kubectl, writes the files and returns the exact command to run', async () => {
    const out = join(emptyDir, 'manifests dir')
    const result = await applyWithKubectl({files: files(), outDir: out, env: {PATH: emptyDir}})
    assert.equal(result.applied, false)
    assert.deepEqual(result.files, [join(out, 'aio-bridge.yaml'), join(out, 'mqtt-client.yaml')])
    assert.equal(
      result.command,
      `kubectl apply -f '${join(out, 'aio-bridge.yaml')}' -f '${join(out, 'mqtt-client.yaml')}'`,
    )
    assert.equal(readFileSync(join(out, 'aio-bridge.yaml'), 'utf8'), files()[0]?.content)
  })

  it('turns kubectl failures into coded errors', async () => {
    const codeOf = async (mode: string) => {
      try {
        await applyWithKubectl({files: files(), outDir: stubDir, env: env(mode)})
      } catch (err) {
        assert.ok(isAioBridgeError(err))
        return [err.code, err.exitCode, err.remedy]
      }
      assert.fail('expected an error')
    }
    const [crd, crdExit, crdRemedy] = await codeOf('crd')
    assert.equal(crd, 'KUBECTL_CRD_MISSING')
    assert.equal(crdExit, 5)
    assert.match(String(crdRemedy), /--crd-version v1beta1/)
    assert.deepEqual((await codeOf('down')).slice(0, 2), ['KUBECTL_UNREACHABLE', 5])
  })

  it('a kubectl that does not finish in time is stopped and reported as KUBECTL_TIMEOUT (not "exited with null")', async () => {
    const started = Date.now()
    await assert.rejects(
      applyWithKubectl({files: files(), outDir: stubDir, env: env('slow'), timeoutInMs: 300}),
      (e: unknown) => {
        assert.ok(isAioBridgeError(e))
        assert.equal(e.code, 'KUBECTL_TIMEOUT')
        assert.equal(e.exitCode, 8)
        assert.match(e.message, /did not finish within 0\.3s/)
        assert.doesNotMatch(e.message, /null/)
        assert.match(String(e.remedy), /kubectl get nodes/)
        return true
      },
    )
    assert.ok(Date.now() - started < 10_000, 'stopped at the bound, not when the stub ended')
  })

  it('parses kubectl apply output, including dry runs', () => {
    assert.deepEqual(
      parseKubectlApplyOutput('dataflow.connectivity.iotoperations.azure.com/x created (server dry run)\nWarning: y\n'),
      [{resource: 'dataflow.connectivity.iotoperations.azure.com', name: 'x', action: 'created'}],
    )
  })
})
