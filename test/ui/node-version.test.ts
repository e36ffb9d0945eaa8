import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {BIN, cleanEnv} from '../helpers/cli.js'

/** The machine's own Node (Debian's /usr/bin/node), when it is older than 22: what a Node 20 user meets. */
function oldNode(): string | undefined {
  try {
    const v = execFileSync('/usr/bin/node', ['-p', 'process.versions.node'], {encoding: 'utf8'}).trim()
    return Number(v.split('.')[0]) < 22 ? '/usr/bin/node' : undefined
  } catch {
    return undefined
  }
}

describe('on Node older than 22', () => {
  it('one line says exactly what to run instead (npx aio-bridge, npm start --, or Node 22+)', (t) => {
    const node = oldNode()
    if (!node) {
      t.skip('no Node < 22 on this machine')
      return
    }
    const r = spawnSync(node, [BIN, '--version'], {env: cleanEnv(), encoding: 'utf8'})
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '')
    assert.equal(lines.length, 1, r.stderr)
    assert.match(lines[0] as string, /needs Node 22 or newer .*npx aio-bridge .* npm start -- .* Node 22\+/)
    assert.doesNotMatch(r.stderr, /Node version must be/)
  })
})
