import assert from 'node:assert/strict'
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {type FakeArm, startFakeArm} from '../helpers/arm-harness.js'
import {REPO_ROOT, runCli} from '../helpers/cli.js'
import {type BridgeEmulation, localArgs, startBridgeEmulation} from '../helpers/mosquitto.js'
import {assertMatchesSchema, schemaName} from '../helpers/schema.js'

/**
 * schemas/<command>.json is the --json contract of each command: real output of the built CLI — success, a gap, a
 * dry run, a failure — must match it (the sandbox's commands are checked in test/e2e/sandbox.test.ts, against a
 * running sandbox).
 */
describe('--json output matches schemas/<command>.json', () => {
  let fake: FakeArm
  let dir: string
  const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCli([...args, '--json'], {env: {...fake.env, ...env}})

  before(async () => {
    fake = await startFakeArm()
    dir = await mkdtemp(join(tmpdir(), 'aio-schemas-'))
  })
  after(async () => {
    await fake?.stop()
    await rm(dir, {recursive: true, force: true})
  })

  it('every command in the manifest has a schema, and every schema a command (or is the shared error)', async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, unknown>
    }
    const files = (await readdir(join(REPO_ROOT, 'schemas'))).map((f) => f.replace(/\.json$/, '')).sort()
    const wanted = [...Object.keys(manifest.commands).map(schemaName), 'error'].sort()
    assert.deepEqual(files, wanted)
  })

  it('render: printed, and written with --out-dir', async () => {
    const host = ['--hostname', 'ns.westus2-1.ts.eventgrid.azure.net']
    for (const r of [
      await cli(['render', '-f', 'bicep', ...host]),
      await cli(['render', '-f', 'kubernetes', '--client', '--out-dir', join(dir, 'k8s'), ...host]),
    ]) {
      assert.equal(r.code, 0, r.stderr)
      assert.equal(assertMatchesSchema('render', r.stdout).status, 0)
    }
  })

  it('setup (dry run, real run), status (clean, gap), teardown (dry run, real run, again): one shape each', async () => {
    const steps: Array<[string, string[], number]> = [
      ['setup', ['setup', '--dry-run'], 0],
      ['setup', ['setup'], 0],
      ['status', ['status'], 0],
      ['teardown', ['teardown', '--dry-run'], 0],
      ['teardown', ['teardown', '--yes'], 0],
      ['teardown', ['teardown', '--yes'], 0],
      ['status', ['status'], 10],
    ]
    for (const [schema, args, exit] of steps) {
      const r = await cli(args)
      assert.equal(r.code, exit, `${args.join(' ')}: ${r.stderr}`)
      assert.equal(assertMatchesSchema(schema, r.stdout).status, exit)
    }
  })

  it('failures of every command have the error shape, with status = the exit code', async () => {
    const cases: Array<[string, string[], Record<string, string | undefined>?]> = [
      ['setup', ['setup', '-n', 'my_eg_ns']],
      ['render', ['render']],
      ['status', ['status'], {SUBSCRIPTION_ID: undefined}],
      ['teardown', ['teardown', '--yes', '-n', 'a.b']],
      ['verify', ['verify', '--timeout', '1m']],
      ['demo', ['demo', '--count', '0']],
      ['sandbox-env', ['sandbox', 'env', '--dir', join(dir, 'no-sandbox')]],
    ]
    for (const [schema, args, env] of cases) {
      const r = await cli(args, env)
      assert.notEqual(r.code, 0, args.join(' '))
      const doc = assertMatchesSchema(schema, r.stdout) as {status: number; error: {exitCode: number}}
      assert.equal(doc.status, r.code)
      assert.equal(doc.error.exitCode, r.code)
    }
  })

  describe('verify, against real brokers', () => {
    let emu: BridgeEmulation
    before(async () => {
      emu = await startBridgeEmulation({local: {kind: 'mosquitto', users: {alice: 'alice-Secret-pw-42'}}})
    })
    after(async () => {
      await emu?.stop()
    })

    it('a round trip and a run that never connected both match schemas/verify.json', async () => {
      const env = {AIO_BRIDGE_MQTT_PASSWORD: 'alice-Secret-pw-42'}
      const args = [...localArgs(emu), '--username', 'alice', '--interval', '0.05', '--wait', '2', '--count', '2']
      const ok = await runCli(['verify', ...args, '--json'], {env})
      assert.equal(ok.code, 0, ok.stdout + ok.stderr)
      assertMatchesSchema('verify', ok.stdout)
      const bad = args.map((a, i) => (args[i - 1] === '--port' ? '1' : a))
      const failed = await runCli(['verify', ...bad, '--json'], {env})
      assert.equal(failed.code, 22, failed.stdout + failed.stderr)
      const doc = assertMatchesSchema('verify', failed.stdout) as {report?: unknown}
      assert.ok(doc.report, 'a run that ran keeps its report beside the error')
    })
  })
})
