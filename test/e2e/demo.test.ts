import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {runDemo} from '../../src/emulator/sandbox/demo.js'
import type {AioBridgeError} from '../../src/errors.js'
import {runCli, spawnCli} from '../helpers/cli.js'
import {assertMatchesSchema} from '../helpers/schema.js'

/** `aio-bridge demo` as a newcomer runs it: the whole tutorial against the local emulation, then nothing left. */

/**
 * The mosquitto processes a demo of this test file started. Each demo run here gets its own TMPDIR, where the demo
 * makes its working directory (and so its brokers' config files): only a broker whose arguments name that directory is
 * ours. Other engineers' demos on the same machine live elsewhere and are never counted.
 */
function brokersUnder(dir: string): number[] {
  const out = execFileSync('ps', ['-ww', '-eo', 'pid=,args='], {encoding: 'utf8'})
  return out
    .split('\n')
    .filter((l) => l.includes('mosquitto') && l.includes(`${dir}/`))
    .map((l) => Number.parseInt(l.trim(), 10))
}

describe('aio-bridge demo', {timeout: 180_000}, () => {
  /** This file's own temp root: TMPDIR of every demo it runs. */
  let own: string
  before(async () => {
    own = await mkdtemp(join(tmpdir(), 'aio-bridge-demo-test-'))
  })
  after(async () => {
    await rm(own, {recursive: true, force: true})
  })
  /** A fresh TMPDIR per run, so a leftover of one case is not blamed on another. */
  const runDir = async () => mkdtemp(join(own, 'run-'))

  it('runs setup, verify and teardown against the emulation, prints the round trip and exits 0', async () => {
    const tmp = await runDir()
    const r = await runCli(['demo'], {timeoutMs: 120_000, env: {TMPDIR: tmp}})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.match(r.stdout, /✔ Round trip complete/)
    assert.match(r.stdout, /Teardown done/)
    assert.match(r.stdout, /Demo complete/)
    assert.match(r.stdout, /round trip p50 [\d.]+ ms/)
    assert.match(r.stderr, /\$ aio-bridge setup/)
    assert.deepEqual(brokersUnder(tmp), [], 'the demo stops the broker it started')
  })

  it('--json returns every step and the measured round trip', async () => {
    const tmp = await runDir()
    const r = await runCli(['demo', '--json', '--no-teardown', '--count', '3'], {
      timeoutMs: 120_000,
      env: {TMPDIR: tmp},
    })
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assertMatchesSchema('demo', r.stdout)
    const result = JSON.parse(r.stdout) as {
      ok: boolean
      steps: Array<{step: string; exitCode: number}>
      roundTrip: {p50Ms: number}
    }
    assert.equal(result.ok, true)
    assert.deepEqual(
      result.steps.map((s) => [s.step, s.exitCode]),
      [
        ['setup', 0],
        ['verify', 0],
      ],
    )
    assert.equal(typeof result.roundTrip.p50Ms, 'number')
    assert.deepEqual(brokersUnder(tmp), [], '--no-teardown keeps the resources, not the emulation')
  })

  it('without mosquitto it fails at once with SANDBOX_MOSQUITTO_MISSING naming the install command', async () => {
    const r = await runCli(['demo', '--json'], {env: {AIO_BRIDGE_MOSQUITTO: '/nonexistent/mosquitto'}})
    assert.equal(r.code, 5, r.stdout)
    const err = JSON.parse(r.stdout).error as {code: string; remedy: string}
    assert.equal(err.code, 'SANDBOX_MOSQUITTO_MISSING')
    assert.match(err.remedy, /ensure-system-deps\.sh|apt-get install/)
  })

  it('Ctrl-C stops the step in flight and everything the demo started (exit 130)', async () => {
    const tmp = await runDir()
    const {child, result} = spawnCli(['demo'], {timeoutMs: 120_000, env: {TMPDIR: tmp}})
    let stderr = ''
    let running: number[] | undefined
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString()
        if (running === undefined && stderr.includes('$ aio-bridge setup')) {
          running = brokersUnder(tmp)
          resolve()
        }
      })
      child.once('close', () => resolve())
    })
    child.kill('SIGINT')
    const r = await result
    assert.equal(r.code, 130, r.stderr + r.stdout)
    // The check below can fail: while it ran, the demo's brokers were found where this run put them.
    assert.ok((running ?? []).length > 0, 'the demo’s brokers run under its own TMPDIR')
    assert.deepEqual(brokersUnder(tmp), [], 'no broker left behind')
  })

  it("--json keeps the failed step's error in its own error (the step's output is not on the screen)", async () => {
    // A CLI whose setup fails the way setup does under --json: the error object on stdout, exit 4.
    const dir = await mkdtemp(join(tmpdir(), 'aio-bridge-demo-stub-'))
    const bin = join(dir, 'run.js')
    const stepError = {code: 'AZURE_FORBIDDEN', message: 'No permission.', remedy: 'Ask for a role.', exitCode: 4}
    await writeFile(
      bin,
      `process.stdout.write(JSON.stringify({status: 4, error: ${JSON.stringify(stepError)}})); process.exitCode = 4\n`,
    )
    try {
      const run = (json: boolean) =>
        runDemo({
          bin,
          json,
          count: 1,
          teardown: false,
          signal: new AbortController().signal,
          note: () => {},
          write: () => {},
        })
      await assert.rejects(run(true), (err: AioBridgeError) => {
        assert.equal(err.code, 'DEMO_STEP_FAILED')
        assert.equal(err.exitCode, 4)
        assert.deepEqual(err.details?.stepError, stepError)
        assert.match(err.message, /AZURE_FORBIDDEN/)
        assert.doesNotMatch(`${err.message} ${err.remedy}`, /above/)
        return true
      })
      // On a terminal the step's error was printed as it ran: "above" is right there.
      await assert.rejects(run(false), (err: AioBridgeError) => {
        assert.match(err.message, /above/)
        assert.equal(err.details?.stepError, undefined)
        return true
      })
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})
