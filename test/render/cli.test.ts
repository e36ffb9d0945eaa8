import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {parseAllDocuments} from 'yaml'
import {runCli} from '../helpers/cli.js'

/** The built CLI as a user runs it, from a folder that is not the package (templates are found from the package). */
const cli = (args: string[]) => runCli(['render', ...args], {cwd: tmpdir()})

const HOST = 'myns.westus2-1.ts.eventgrid.azure.net'
const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'aio-bridge-render-'))
  dirs.push(d)
  return d
}
after(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

describe('aio-bridge render (spawned)', () => {
  it('prints the Kubernetes manifests to stdout, offline, with the tutorial map and no warning', async () => {
    const r = await cli(['--format', 'kubernetes', '--hostname', HOST])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stderr, '')
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS())
    assert.deepEqual(
      docs.map((d) => `${d.kind}/${d.metadata.name}`),
      ['DataflowEndpoint/eventgrid', 'Dataflow/local-to-remote', 'Dataflow/remote-to-local'],
    )
    assert.equal(docs[0].spec.mqttSettings.host, `${HOST}:8883`)
  })

  it('warns on stderr when the hostname is unknown, and writes the placeholder', async () => {
    const r = await cli(['--format', 'bicep'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stderr, /Warning:.*hostname/i)
    assert.match(r.stdout, /param eventGridHostName string = '<EVENT_GRID_HOSTNAME>:8883'/)
  })

  it('writes every file of a format into --out-dir and says which', async () => {
    const dir = tempDir()
    const r = await cli(['--format', 'arm', '--hostname', HOST, '--out-dir', dir, '--client', '--instance', 'my-aio'])
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(readdirSync(dir).sort(), ['aio-bridge.json', 'aio-bridge.parameters.json', 'mqtt-client.yaml'])
    for (const f of readdirSync(dir)) assert.ok(r.stdout.includes(join(dir, f)), `stdout names ${f}`)
    const params = JSON.parse(readFileSync(join(dir, 'aio-bridge.parameters.json'), 'utf8'))
    assert.deepEqual(params.parameters.aioInstanceName, {value: 'my-aio'})
  })

  it('--json returns the file names and contents, and nothing else on stdout', async () => {
    const r = await cli(['--format', 'kubernetes', '--crd-version', 'v1beta1', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.equal(out.format, 'kubernetes')
    assert.deepEqual(
      out.files.map((f: {name: string}) => f.name),
      ['aio-bridge.yaml'],
    )
    assert.match(out.files[0].content, /connectivity\.iotoperations\.azure\.com\/v1beta1/)
    assert.deepEqual(
      out.warnings.map((w: {code: string}) => w.code),
      ['HOSTNAME_PLACEHOLDER'],
    )
    assert.equal(out.hostname.source, 'placeholder')
  })

  it('exits 2 with the error code on a bad map and writes nothing', async () => {
    const dir = join(tempDir(), 'out')
    const r = await cli([
      '--format',
      'kubernetes',
      '--hostname',
      HOST,
      '--local-destination',
      'tutorial/local',
      '--out-dir',
      dir,
    ])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /code MAP_LOOP, exit 2/)
    assert.match(r.stderr, /--local-destination/)
    assert.equal(existsSync(dir), false)

    const j = await cli(['--format', 'arm', '--hostname', HOST, '--remote-destination', 'telemetry/#', '--json'])
    assert.equal(j.code, 2)
    assert.equal(JSON.parse(j.stdout).error.code, 'MAP_DESTINATION_WILDCARD')

    const s = await cli(['--format', 'arm', '--hostname', HOST, '--max-client-sessions', '1', '--json'])
    assert.equal(s.code, 2)
    assert.equal(JSON.parse(s.stdout).error.code, 'EVENTGRID_SESSION_LIMIT')
  })

  it('checks remote topics against --topic-template', async () => {
    const bad = await cli(['--format', 'bicep', '--hostname', HOST, '--remote-destination', 'alerts/aio', '--json'])
    assert.equal(JSON.parse(bad.stdout).error.code, 'MAP_TOPIC_OUTSIDE_TOPIC_SPACE')
    const ok = await cli([
      '--format',
      'bicep',
      '--hostname',
      HOST,
      '--remote-destination',
      'alerts/aio',
      '--topic-template',
      'telemetry/#',
      '--topic-template',
      'alerts/#',
    ])
    assert.equal(ok.code, 0, ok.stderr)
    assert.match(ok.stdout, /dataDestination: 'alerts\/aio'/)
  })
})
