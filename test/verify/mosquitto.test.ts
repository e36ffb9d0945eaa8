import assert from 'node:assert/strict'
import {lstat, readFile, symlink, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {freePort} from '../../src/emulator/mqtt/ports.js'
import {spawnCli} from '../helpers/cli.js'
import {
  azStub,
  type BridgeEmulation,
  errorDetails,
  localArgs,
  runCli,
  startBridgeEmulation,
  stubDir,
} from '../helpers/mosquitto.js'

const PASSWORD = 'alice-Secret-pw-42'
const FAST = ['--interval', '0.05', '--wait', '2']

/** Two mosquitto brokers (TLS, password auth on the local one, an ACL that keeps alice off tutorial/forbidden) + relay. */
describe('verify against mosquitto brokers and a relay', () => {
  let emu: BridgeEmulation
  const env = {AIO_BRIDGE_MQTT_PASSWORD: PASSWORD}
  const pw = () => [...localArgs(emu), '--username', 'alice']

  before(async () => {
    emu = await startBridgeEmulation({
      local: {
        kind: 'mosquitto',
        users: {alice: PASSWORD},
        acl: 'user alice\ntopic readwrite tutorial/#\ntopic deny tutorial/forbidden\n',
      },
    })
  })
  after(async () => {
    await emu?.stop()
  })

  it('passes the round trip and reports counts and latency (exit 0)', async () => {
    const r = await runCli(['verify', ...pw(), ...FAST, '--json'], env)
    assert.equal(r.code, 0, r.stderr)
    const report = (r.json as {report: Record<string, unknown> & {latencyMs: {p50: number; max: number}}}).report
    assert.equal(r.json?.status, 0)
    assert.equal(report.ok, true)
    assert.equal(report.sent, 5)
    assert.equal(report.received, 5)
    assert.equal(report.lost, 0)
    assert.ok((report.localEcho as number) >= 1, 'the local echo was seen (verify stops watching after the first)')
    assert.ok(report.latencyMs.p50 > 0 && report.latencyMs.p50 <= report.latencyMs.max)
    assert.ok(!r.stdout.includes(PASSWORD) && !r.stderr.includes(PASSWORD))
  })

  it('prints a human summary and writes a JUnit report', async () => {
    const junit = join(emu.dir, 'verify.xml')
    const r = await runCli(['verify', ...pw(), ...FAST, '--junit', junit], env)
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /sent 5, received 5, lost 0/)
    assert.match(r.stdout, /p50 .* p99/)
    const xml = await readFile(junit, 'utf8')
    assert.match(xml, /<testsuites [^>]*tests="3" failures="0"/)
  })

  it('--junit replaces a symlink planted at its path, never the file the link points to', async () => {
    const target = join(emu.dir, 'precious.txt')
    await writeFile(target, 'keep me\n')
    const junit = join(emu.dir, 'linked.xml')
    await symlink(target, junit)
    const r = await runCli(['verify', ...pw(), ...FAST, '--count', '1', '--junit', junit], env)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await readFile(target, 'utf8'), 'keep me\n')
    assert.ok(!(await lstat(junit)).isSymbolicLink(), 'the link itself was replaced by the report')
    assert.match(await readFile(junit, 'utf8'), /<testsuites /)
  })

  it('--json has one shape: {status, report, error?}, the report with the same keys on failure as on success', async () => {
    const ok = await runCli(['verify', ...pw(), ...FAST, '--count', '1', '--json'], env)
    const port = await freePort()
    const args = pw()
    args[args.indexOf('--port') + 1] = String(port)
    const bad = await runCli(['verify', ...args, ...FAST, '--json'], env)
    assert.deepEqual(Object.keys(ok.json ?? {}).sort(), ['report', 'status'])
    assert.deepEqual(Object.keys(bad.json ?? {}).sort(), ['error', 'report', 'status'])
    const okReport = ok.json?.report as Record<string, unknown>
    const badReport = bad.json?.report as Record<string, unknown>
    assert.deepEqual(Object.keys(badReport).sort(), Object.keys(okReport).sort())
    assert.equal(badReport.latencyMs, null)
    assert.equal(bad.json?.status, 22)
    assert.equal(bad.json?.error?.details?.report, undefined, 'the report is not repeated inside the error')
  })

  it('a run that never connected prints the error alone (no path, no counts)', async () => {
    const port = await freePort()
    const args = pw()
    args[args.indexOf('--port') + 1] = String(port)
    const r = await runCli(['verify', ...args, ...FAST], env)
    assert.equal(r.code, 22)
    assert.equal(r.stdout.trim(), '', r.stdout)
    assert.match(r.stderr, /code VERIFY_TCP, exit 22/)
    assert.doesNotMatch(r.stderr, /local echo|path {7}/)
  })

  it('takes the password from a file', async () => {
    const file = join(emu.dir, 'alice.pw')
    await writeFile(file, `${PASSWORD}\n`)
    const r = await runCli(['verify', ...pw(), '--password-file', file, ...FAST, '--count', '2', '--json'], {})
    assert.equal(r.code, 0, r.stderr)
  })

  it('a wrong password is refused at CONNACK (exit 24)', async () => {
    const r = await runCli(['verify', ...pw(), ...FAST, '--json'], {AIO_BRIDGE_MQTT_PASSWORD: 'wrong-password-1'})
    assert.equal(r.code, 24, r.stdout + r.stderr)
    assert.equal(r.json?.error?.code, 'VERIFY_AUTH')
    assert.ok([0x86, 0x87].includes((errorDetails(r) as {reasonCode: number}).reasonCode))
  })

  it('a publish the broker refuses is named by its PUBACK reason (exit 25)', async () => {
    const r = await runCli(['verify', ...pw(), ...FAST, '--local-topic', 'tutorial/forbidden', '--json'], env)
    assert.equal(r.code, 25, r.stdout + r.stderr)
    assert.equal(r.json?.error?.code, 'VERIFY_PUBLISH_REFUSED')
    assert.equal((errorDetails(r) as {reasonCode: number}).reasonCode, 0x87)
  })

  it('an untrusted CA is a TLS failure that says so (exit 23)', async () => {
    const other = await emu.pki.issue('unrelated-self', {dnsNames: ['x']})
    const args = pw()
    args[args.indexOf('--ca-file') + 1] = other.cert
    const r = await runCli(['verify', ...args, ...FAST, '--json'], env)
    assert.equal(r.code, 23, r.stdout + r.stderr)
    assert.equal((errorDetails(r) as {tlsProblem: string}).tlsProblem, 'untrusted-ca')
  })

  it('a certificate name mismatch is a TLS failure that says so (exit 23)', async () => {
    const args = pw()
    args[args.indexOf('--tls-server-name') + 1] = 'not-the-broker.example'
    const r = await runCli(['verify', ...args, ...FAST, '--json'], env)
    assert.equal(r.code, 23, r.stdout + r.stderr)
    assert.equal((errorDetails(r) as {tlsProblem: string}).tlsProblem, 'name-mismatch')
  })

  it('a port nobody listens on is a connect failure (exit 22)', async () => {
    const port = await freePort()
    const args = pw()
    args[args.indexOf('--port') + 1] = String(port)
    const r = await runCli(['verify', ...args, ...FAST, '--json'], env)
    assert.equal(r.code, 22, r.stdout + r.stderr)
    assert.equal(r.json?.error?.code, 'VERIFY_TCP')
  })

  it('a broker that never answers CONNECT hits --timeout (exit 26)', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    const port = (silent.address() as {port: number}).port
    try {
      const r = await runCli([
        'verify',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--no-tls',
        '--auth',
        'anonymous',
        '--timeout',
        '1',
        '--json',
      ])
      assert.equal(r.code, 26, r.stdout + r.stderr)
      assert.equal(r.json?.error?.code, 'VERIFY_TIMEOUT')
    } finally {
      silent.close()
    }
  })

  it('Ctrl-C during verify says what fits verify (run it again), not that it continues from what exists', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    const port = (silent.address() as {port: number}).port
    try {
      const {child, result} = spawnCli(
        ['verify', '--host', '127.0.0.1', '--port', String(port), '--no-tls', '--auth', 'anonymous', '--timeout', '30'],
        {},
      )
      await new Promise((r) => setTimeout(r, 1500))
      child.kill('SIGINT')
      const r = await result
      assert.equal(r.code, 130, r.stdout + r.stderr)
      assert.match(r.stderr, /Stopping the run/)
      assert.match(r.stderr, /Fix: Run verify again/)
      assert.doesNotMatch(r.stderr, /continues from what exists/)
    } finally {
      silent.close()
    }
  })

  it('a missing CA file is invalid input (exit 2)', async () => {
    const args = pw()
    args[args.indexOf('--ca-file') + 1] = join(emu.dir, 'no-such-ca.crt')
    const r = await runCli(['verify', ...args, '--json'], env)
    assert.equal(r.code, 2)
    assert.equal(r.json?.error?.code, 'VERIFY_FILE_UNREADABLE')
  })

  it('with the relay stopped, nothing comes back (exit 20), and the local echo is not counted', async () => {
    await emu.stopRelay()
    try {
      const r = await runCli(['verify', ...pw(), '--interval', '0.05', '--wait', '1'], env)
      assert.equal(r.code, 20, r.stdout + r.stderr)
      assert.match(r.stderr, /nothing came back/i)
      assert.match(r.stdout, /received 0/)
      assert.match(r.stdout, /local echo seen/)
    } finally {
      await emu.startRelay()
    }
  })
})

describe('verify refuses topics that would pass with the bridge dead', () => {
  let emu: BridgeEmulation
  before(async () => {
    // No relay: nothing can come back through a bridge, so any pass would be the local echo.
    emu = await startBridgeEmulation({local: {kind: 'mosquitto'}, relay: false})
  })
  after(async () => {
    await emu?.stop()
  })

  it('--local-topic equal to --cloud-topic is invalid input (exit 2) before any connection', async () => {
    const r = await runCli([
      'verify',
      ...localArgs(emu),
      '--auth',
      'anonymous',
      '--local-topic',
      'tutorial/cloud',
      ...FAST,
      '--json',
    ])
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.equal(r.json?.error?.code, 'VERIFY_TOPICS_SAME')
    assert.equal(errorDetails(r).flag, '--cloud-topic')
  })

  it('the same topics are fine with --from-cloud, which does not publish locally', async () => {
    // Fails later (no Event Grid here), but not on the topics.
    const r = await runCli(
      [
        'verify',
        ...localArgs(emu),
        '--auth',
        'anonymous',
        '--local-topic',
        'tutorial/cloud',
        '--from-cloud',
        '--event-grid-host',
        '127.0.0.1',
        '--event-grid-port',
        String(await freePort()),
        ...FAST,
        '--json',
      ],
      {PATH: `${await stubDir({az: azStub('not-a-real-token')})}:${process.env.PATH}`},
    )
    assert.notEqual(r.json?.error?.code, 'VERIFY_TOPICS_SAME', r.stdout + r.stderr)
    assert.equal(r.json?.error?.code, 'VERIFY_TCP')
    // The remedy is Event Grid's, not the local broker's --host/--port.
    const remedy = String((r.json?.error as {remedy?: string} | undefined)?.remedy)
    assert.match(remedy, /8883|Event Grid/)
    assert.doesNotMatch(remedy, /--host|--port|kubectl/)
  })
})

describe('verify with an X.509 client certificate', () => {
  let emu: BridgeEmulation
  before(async () => {
    emu = await startBridgeEmulation({local: {kind: 'mosquitto', requireCertificate: true}})
  })
  after(async () => {
    await emu?.stop()
  })

  it('authenticates with --cert/--key (exit 0)', async () => {
    const c = await emu.clientCert('verify-client')
    const r = await runCli([
      'verify',
      ...localArgs(emu),
      '--cert',
      c.cert,
      '--key',
      c.key,
      ...FAST,
      '--count',
      '3',
      '--json',
    ])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal((r.json as {report: {received: number}}).report.received, 3)
  })

  it('without a client certificate the TLS failure names it (exit 23)', async () => {
    const r = await runCli(['verify', ...localArgs(emu), '--auth', 'anonymous', ...FAST, '--json'])
    assert.equal(r.code, 23, r.stdout + r.stderr)
  })
})
