import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {runCli, spawnCli} from '../helpers/cli.js'

/** `aio-bridge demo` as a newcomer runs it: the whole tutorial against the local emulation, then nothing left. */

/** mosquitto processes started for a demo (their config lives in an aio-bridge-demo- temp dir). */
function demoBrokers(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], {encoding: 'utf8'})
  return out
    .split('\n')
    .filter((l) => l.includes('mosquitto') && l.includes('aio-bridge-demo-'))
    .map((l) => Number.parseInt(l.trim(), 10))
}

describe('aio-bridge demo', {timeout: 180_000}, () => {
  it('runs setup, verify and teardown against the emulation, prints the round trip and exits 0', async () => {
    const before = new Set(demoBrokers())
    const r = await runCli(['demo'], {timeoutMs: 120_000})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    assert.match(r.stdout, /✔ Round trip complete/)
    assert.match(r.stdout, /Teardown done/)
    assert.match(r.stdout, /Demo complete/)
    assert.match(r.stdout, /round trip p50 [\d.]+ ms/)
    assert.match(r.stderr, /\$ aio-bridge setup/)
    assert.deepEqual(
      demoBrokers().filter((p) => !before.has(p)),
      [],
      'the demo stops the broker it started',
    )
  })

  it('--json returns every step and the measured round trip', async () => {
    const r = await runCli(['demo', '--json', '--no-teardown', '--count', '3'], {timeoutMs: 120_000})
    assert.equal(r.code, 0, r.stderr + r.stdout)
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
  })

  it('without mosquitto it fails at once with SANDBOX_MOSQUITTO_MISSING naming the install command', async () => {
    const r = await runCli(['demo', '--json'], {env: {AIO_BRIDGE_MOSQUITTO: '/nonexistent/mosquitto'}})
    assert.equal(r.code, 5, r.stdout)
    const err = JSON.parse(r.stdout).error as {code: string; remedy: string}
    assert.equal(err.code, 'SANDBOX_MOSQUITTO_MISSING')
    assert.match(err.remedy, /ensure-system-deps\.sh|apt-get install/)
  })

  it('Ctrl-C stops the step in flight and everything the demo started (exit 130)', async () => {
    const before = new Set(demoBrokers())
    const {child, result} = spawnCli(['demo'], {timeoutMs: 120_000})
    let stderr = ''
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString()
        if (stderr.includes('$ aio-bridge setup')) resolve()
      })
      child.once('close', () => resolve())
    })
    child.kill('SIGINT')
    const r = await result
    assert.equal(r.code, 130, r.stderr + r.stdout)
    assert.deepEqual(
      demoBrokers().filter((p) => !before.has(p)),
      [],
      'no broker left behind',
    )
  })
})
