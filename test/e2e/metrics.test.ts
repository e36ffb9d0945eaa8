import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {type Sandbox, sandboxEnv, startSandbox} from '../../src/emulator/sandbox/sandbox.js'
import {runCli} from '../helpers/cli.js'

/**
 * verify --metrics the way a user runs it: the built CLI reads Mqtt.SuccessfulPublishedMessages of the namespace from
 * the (emulated) Azure Monitor before and after the round trip; the Event Grid stand-in counts what it accepted.
 */
describe('verify --metrics against the sandbox (spawned CLI)', () => {
  let dir: string
  let sb: Sandbox
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aio-metrics-'))
    sb = await startSandbox({dir})
  })
  after(async () => {
    await sb?.stop()
    await rm(dir, {recursive: true, force: true})
  })

  it('reports the published-messages difference the bridge caused', async () => {
    const env = sandboxEnv(sb)
    const setup = await runCli(['setup', '--json'], {env})
    assert.equal(setup.code, 0, setup.stdout + setup.stderr)
    const r = await runCli(
      [
        'verify',
        ...sb.verifyArgs,
        '--count',
        '4',
        '--interval',
        '0.05',
        '--metrics',
        '--metrics-poll',
        '0.2',
        '--metrics-wait',
        '10',
        '--json',
      ],
      {env},
    )
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const {report} = JSON.parse(r.stdout) as {
      report: {received: number; metrics?: {before: number; after: number; delta: number}}
    }
    assert.equal(report.received, 4)
    assert.ok(report.metrics, 'a metrics section')
    // The local-to-remote dataflow published each message to Event Grid once.
    assert.ok(report.metrics.delta >= 4, `delta ${report.metrics.delta}`)
    assert.equal(report.metrics.after - report.metrics.before, report.metrics.delta)
  })
})
