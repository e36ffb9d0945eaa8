import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync} from 'node:fs'
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

describe('error codes are documented', () => {
  it('every code an error is constructed with in src/ has a row in docs/robustness.md', () => {
    const files: string[] = []
    const walk = (dir: URL) => {
      for (const name of readdirSync(dir)) {
        const u = new URL(name, dir)
        if (statSync(u).isDirectory()) walk(new URL(`${name}/`, dir))
        else if (name.endsWith('.ts')) files.push(readFileSync(u, 'utf8'))
      }
    }
    walk(new URL('src/', root))
    const pattern =
      /(?:AioBridgeError|ConfigError|AzureError|VerifyError|KubectlApplyError|make)\(\s*'([A-Z][A-Z0-9_]+)'/g
    const codes = new Set(files.flatMap((f) => [...f.matchAll(pattern)].map((m) => m[1] as string)))
    assert.ok(codes.size > 40, `found ${codes.size} codes`)
    const doc = read('docs/robustness.md')
    const missing = [...codes].filter((c) => !doc.includes(`\`${c}\``))
    assert.deepEqual(missing, [], 'add these codes to the table in docs/robustness.md')
  })
})
