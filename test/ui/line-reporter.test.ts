import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {AioBridgeError} from '../../src/errors.js'
import {createLineReporter} from '../../src/ui/listr-reporter.js'
import {type FakeArm, startFakeArm} from '../helpers/arm-harness.js'
import {runCli} from '../helpers/cli.js'

/** Output a person reads in a CI log: a line per step done, one line with its cause per failure, one for the rest. */
describe('progress without a terminal', () => {
  it('the line reporter: done, failed with its cause, planned, and the steps never run in one line', async () => {
    const lines: string[] = []
    const r = createLineReporter({read: 'Read', a: 'Step A', b: 'Step B', c: 'Step C'}, (l) => lines.push(l))
    r.update('read', 'waiting')
    r.update('read', 'waiting')
    r.end('read', 'Read')
    r.fail('a', 'Step A', new AioBridgeError('NOT_LOGGED_IN', 'Not logged in to Azure: token expired\nmore detail'))
    r.end('a', 'Step A again')
    r.skip('b', 'Step B: not run')
    await r.finish()
    assert.deepEqual(lines, [
      '  › Read: waiting',
      '✔ Read',
      '✖ Step A: Not logged in to Azure: token expired (NOT_LOGGED_IN)',
      '↓ Not run: Step B; Step C',
    ])
  })

  describe('the built CLI in CI (no TTY)', () => {
    let fake: FakeArm
    before(async () => {
      fake = await startFakeArm({az: {loggedOut: true}})
    })
    after(async () => {
      await fake?.stop()
    })

    it('a failed read is one line with its cause, the steps after it one line, no start or skip line per step', async () => {
      const r = await runCli(['setup'], {env: fake.env})
      assert.equal(r.code, 3, r.stdout + r.stderr)
      const lines = r.stdout.split('\n').filter((l) => l.trim() !== '')
      assert.equal(lines.length, 2, r.stdout)
      assert.match(lines[0] as string, /^✖ Read the current state \(.*\): .*\(NOT_LOGGED_IN\)$/)
      assert.match(lines[1] as string, /^↓ Not run: Event Grid namespace; Topic space; /)
      assert.doesNotMatch(r.stdout, /❯|\[SKIPPED|\[FAILED/)
    })
  })
})
