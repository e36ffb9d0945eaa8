import assert from 'node:assert/strict'
import {lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {redact, registerSecret} from '../../src/ui/redact.js'
import {runCli} from '../helpers/cli.js'

/** oclif's help, not-found and autocomplete plugins, -h, and the files render writes, as a user meets them. */
describe('help, suggestions and written files (spawned CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aio-usage-'))
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('aio-bridge help setup and aio-bridge setup -h print setup’s help (exit 0)', async () => {
    const [help, dashH, long] = await Promise.all([
      runCli(['help', 'setup']),
      runCli(['setup', '-h']),
      runCli(['setup', '--help']),
    ])
    for (const r of [help, dashH]) {
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /^USAGE\n {2}\$ aio-bridge setup /m)
      assert.match(r.stdout, /--kube-context/)
      assert.equal(r.stdout, long.stdout)
    }
  })

  it('-h is --help on every command, the topic included', async () => {
    for (const args of [
      ['verify', '-h'],
      ['render', '-h'],
      ['status', '-h'],
      ['teardown', '-h'],
      ['sandbox', 'up', '-h'],
    ]) {
      const r = await runCli(args)
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stdout, new RegExp(`\\$ aio-bridge ${args.slice(0, -1).join(' ')}`))
    }
  })

  it('the root help lists help and autocomplete; autocomplete explains itself', async () => {
    const root = await runCli(['--help'])
    assert.match(root.stdout, /^ {2}autocomplete /m)
    assert.match(root.stdout, /^ {2}help /m)
    const ac = await runCli(['autocomplete', '--help'])
    assert.equal(ac.code, 0, ac.stderr)
    assert.match(ac.stdout, /zsh\|bash\|powershell/)
  })

  it('aio-bridge stup suggests setup; setup --namespace-name suggests --namespace (exit 2, code)', async () => {
    const [stup, flag] = await Promise.all([runCli(['stup']), runCli(['setup', '--namespace-name', 'x'])])
    assert.equal(stup.code, 2)
    assert.match(stup.stderr, /Did you mean 'aio-bridge setup'\?/)
    assert.match(stup.stderr, /code USAGE_UNKNOWN_COMMAND, exit 2/)
    assert.equal(flag.code, 2)
    assert.match(flag.stderr, /--namespace-name is az eventgrid's name: use --namespace\./)
    assert.match(flag.stderr, /code USAGE_UNKNOWN_FLAG, exit 2/)
  })

  it('render --out-dir replaces a symlink planted in the folder; the file it pointed to is untouched', async () => {
    const out = join(dir, 'deploy')
    const elsewhere = join(dir, 'elsewhere.txt')
    writeFileSync(elsewhere, 'not yours\n')
    mkdirSync(out)
    symlinkSync(elsewhere, join(out, 'aio-bridge.bicep'))
    const r = await runCli([
      'render',
      '-f',
      'bicep',
      '--out-dir',
      out,
      '--hostname',
      'ns.westus2-1.ts.eventgrid.azure.net',
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(readFileSync(elsewhere, 'utf8'), 'not yours\n')
    assert.ok(!lstatSync(join(out, 'aio-bridge.bicep')).isSymbolicLink())
    assert.match(readFileSync(join(out, 'aio-bridge.bicep'), 'utf8'), /ns\.westus2-1\.ts\.eventgrid\.azure\.net/)
  })

  it('the redaction masks values, never a flag name after "password:"', () => {
    registerSecret('s3cret-value-42')
    assert.equal(
      redact('No password: --password-file is not given; password=hunter22, token s3cret-value-42'),
      'No password: --password-file is not given; password=***, token ***',
    )
  })
})
