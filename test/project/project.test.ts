import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {exitCodeMeaning} from '../../src/errors.js'

const root = new URL('../../../', import.meta.url)
const read = (p: string) => readFileSync(new URL(p, root), 'utf8')

describe('project promises', () => {
  it('the committed oclif.manifest.json matches the one the build generates', (t) => {
    let committed: string
    try {
      committed = execFileSync('git', ['show', 'HEAD:oclif.manifest.json'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
    } catch {
      t.skip('not a git checkout with a commit')
      return
    }
    const generated = JSON.parse(read('oclif.manifest.json'))
    assert.deepEqual(
      Object.keys(JSON.parse(committed).commands).sort(),
      Object.keys(generated.commands).sort(),
      'commands differ: run npm run build and commit oclif.manifest.json',
    )
    assert.deepEqual(JSON.parse(committed), generated, 'oclif.manifest.json is stale: run npm run build and commit it')
  })

  it('the README documents every exit code, with the meaning the code gives it', () => {
    const readme = read('README.md')
    for (const [code, meaning] of Object.entries(exitCodeMeaning)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| ${code} |`))
      assert.ok(row, `README exit-code table lacks ${code}`)
      assert.ok(row.includes(meaning), `README row for exit ${code} should say: ${meaning}`)
    }
  })

  it('every command in the manifest has an example in the README', () => {
    const readme = read('README.md')
    const manifest = JSON.parse(read('oclif.manifest.json'))
    for (const id of Object.keys(manifest.commands)) {
      assert.ok(readme.includes(`aio-bridge ${id.replace(/:/g, ' ')}`), `README has no example of aio-bridge ${id}`)
    }
  })

  it('the CI script runs the README test command', () => {
    assert.match(read('.ci/run'), /npm test/)
    assert.match(read('README.md'), /npm test/)
  })
})
