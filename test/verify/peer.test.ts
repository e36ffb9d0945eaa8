import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {connectMqtt, endMqtt} from '../../src/verify/transport.js'
import {
  azStub,
  type BridgeEmulation,
  errorDetails,
  localArgs,
  runCli,
  startBridgeEmulation,
  stubDir,
} from '../helpers/mosquitto.js'

const FAST = ['--interval', '0.05', '--wait', '2']

/**
 * The IoT Operations broker's K8S-SAT handshake and Event Grid's OAUTH2-JWT, played by the auth peer, with the relay
 * authenticating the same way the dataflows do.
 */
describe('verify with K8S-SAT and OAUTH2-JWT (auth peer)', () => {
  let emu: BridgeEmulation
  let sat: string
  let satFile: string
  let stubs: string

  before(async () => {
    emu = await startBridgeEmulation({
      local: {
        kind: 'peer',
        auth: {method: 'K8S-SAT', acceptToken: (t) => t === sat},
        allowSubscribe: ['tutorial/#'],
        allowPublish: ['tutorial/local'],
      },
      cloud: {
        kind: 'peer',
        auth: {method: 'OAUTH2-JWT'},
        allowPublish: ['telemetry/#'],
        allowSubscribe: ['telemetry/#'],
      },
    })
    sat = emu.issueSat()
    satFile = join(emu.dir, 'broker-sat')
    await writeFile(satFile, sat)
    stubs = await stubDir({az: azStub(emu.issueEntraToken({oid: 'verify-caller'}))})
  })
  after(async () => {
    await emu?.stop()
  })

  it('passes the round trip with K8S-SAT enhanced authentication (the tutorial default)', async () => {
    const r = await runCli(['verify', ...localArgs(emu), '--sat-file', satFile, ...FAST, '--json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal((r.json as {report: {received: number}}).report.received, 5)
    const mine = emu.local.peer?.connects.filter((c) => c.clientId.startsWith('aio-bridge-verify-')) ?? []
    assert.equal(mine.at(-1)?.method, 'K8S-SAT')
    assert.equal(mine.at(-1)?.data, sat)
    assert.ok(!r.stdout.includes(sat) && !r.stderr.includes(sat))
  })

  it('a wrong token is refused at CONNACK 0x87 (exit 24)', async () => {
    const bad = join(emu.dir, 'bad-sat')
    await writeFile(bad, emu.issueSat('system:serviceaccount:other:intruder'))
    const r = await runCli(['verify', ...localArgs(emu), '--sat-file', bad, ...FAST, '--json'])
    assert.equal(r.code, 24, r.stdout + r.stderr)
    assert.equal((errorDetails(r) as {reasonCode: number}).reasonCode, 0x87)
  })

  it('a broker without K8S-SAT answers 0x8C, reported as an authentication failure (exit 24)', async () => {
    const r = await runCli(['verify', ...localArgs(emu), '--auth', 'anonymous', ...FAST, '--json'])
    assert.equal(r.code, 24, r.stdout + r.stderr)
    assert.equal(r.json?.error?.code, 'VERIFY_AUTH')
  })

  it('a refused SUBSCRIBE is named by its SUBACK reason (exit 25)', async () => {
    const r = await runCli([
      'verify',
      ...localArgs(emu),
      '--sat-file',
      satFile,
      '--cloud-topic',
      'private/cloud',
      ...FAST,
      '--json',
    ])
    assert.equal(r.code, 25, r.stdout + r.stderr)
    assert.equal(r.json?.error?.code, 'VERIFY_SUBSCRIBE_REFUSED')
    assert.equal((errorDetails(r) as {reasonCode: number}).reasonCode, 0x87)
  })

  /** verify --from-cloud against the peer playing Event Grid (OAUTH2-JWT), the local side with K8S-SAT. */
  const fromCloudArgs = () => [
    'verify',
    ...localArgs(emu),
    '--sat-file',
    satFile,
    '--from-cloud',
    '--event-grid-host',
    'localhost',
    '--event-grid-port',
    String(emu.cloud.port),
    ...FAST,
    '--json',
  ]

  it('--from-cloud publishes on Event Grid with OAUTH2-JWT and expects the messages locally', async () => {
    const r = await runCli(fromCloudArgs(), {PATH: `${stubs}:${process.env.PATH}`, NODE_EXTRA_CA_CERTS: emu.caFile})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const report = (r.json as {report: {direction: string; received: number; publish: {hop: string}}}).report
    assert.equal(report.direction, 'from-cloud')
    assert.equal(report.publish.hop, 'Event Grid')
    assert.equal(report.received, 5)
    const egClient = emu.cloud.peer?.connects.filter((c) => c.clientId.startsWith('aio-bridge-verify-')).at(-1)
    assert.equal(egClient?.method, 'OAUTH2-JWT')
    assert.equal(egClient?.reasonCode, 0)
  })

  it('--from-cloud with a token for another audience is refused by Event Grid (exit 24)', async () => {
    const wrongAud = await stubDir({az: azStub(emu.issueEntraToken({aud: 'https://management.azure.com'}))})
    const r = await runCli(fromCloudArgs(), {PATH: `${wrongAud}:${process.env.PATH}`, NODE_EXTRA_CA_CERTS: emu.caFile})
    assert.equal(r.code, 24, r.stdout + r.stderr)
    assert.equal((errorDetails(r) as {hop: string}).hop, 'Event Grid')
  })

  /** Runs verify and, once its client is connected and a message is back, has the broker drop it. */
  const verifyWithDrop = async (reasonCode: number, beforeDrop: () => void = () => {}) => {
    const mine = () => emu.local.peer?.connects.filter((c) => c.clientId.startsWith('aio-bridge-verify-')) ?? []
    const already = mine().length
    const run = runCli([
      'verify',
      ...localArgs(emu),
      '--sat-file',
      satFile,
      '--count',
      '6',
      '--interval',
      '0.5',
      '--wait',
      '3',
      '--json',
    ])
    for (let i = 0; i < 200 && mine().length === already; i++) await new Promise((r) => setTimeout(r, 25))
    // Between two publishes (0.5 s apart), so the drop loses nothing in flight.
    await new Promise((r) => setTimeout(r, 1200))
    beforeDrop()
    emu.local.peer?.dropClients({reasonCode, only: (id) => id.startsWith('aio-bridge-verify-')})
    return run
  }

  it('a server DISCONNECT (0x89) followed by a successful reconnect is a warning, not a failure', async () => {
    const r = await verifyWithDrop(0x89)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const report = (r.json as {report: {received: number; reconnects: number; warnings: string[]}}).report
    assert.equal(report.received, 6)
    assert.ok(report.reconnects >= 1, 'it reconnected')
    assert.ok(
      report.warnings.some((w) => /DISCONNECT 0x89/.test(w)),
      JSON.stringify(report.warnings),
    )
  })

  it('a server DISCONNECT whose reconnect is refused fails, naming the refusal (exit 24)', async () => {
    const first = sat
    try {
      // The broker stops accepting the token: the reconnect gets CONNACK 0x87.
      const r = await verifyWithDrop(0x87, () => {
        sat = 'revoked'
      })
      assert.equal(r.code, 24, r.stdout + r.stderr)
      assert.equal(r.json?.error?.code, 'VERIFY_AUTH')
      assert.equal((errorDetails(r) as {reasonCode: number}).reasonCode, 0x87)
    } finally {
      sat = first
    }
  })

  it('reads the token file again when the client reconnects', async () => {
    const file = join(emu.dir, 'rotating-sat')
    const first = sat
    await writeFile(file, first)
    const client = await connectMqtt(
      {
        hop: {name: 'IoT Operations broker', host: '127.0.0.1', port: emu.local.port},
        tls: {ca: emu.caPem, serverName: 'aio-broker'},
        credentials: {authMethod: 'K8S-SAT', authData: () => readFileSyncTrim(file), describe: 'test'},
        clientId: 'rotation-test',
      },
      {timeoutMs: 5000, reconnectPeriodMs: 50},
    )
    try {
      const rotated = emu.issueSat('system:serviceaccount:azure-iot-operations:mqtt-client-rotated')
      sat = rotated
      await writeFile(file, rotated)
      const reconnected = new Promise<void>((resolve) => client.once('connect', () => resolve()))
      emu.local.peer?.dropClients()
      await reconnected
      const mine = emu.local.peer?.connects.filter((c) => c.clientId === 'rotation-test') ?? []
      assert.equal(mine.length, 2)
      assert.equal(mine[0]?.data, first)
      assert.equal(mine[1]?.data, rotated)
      assert.equal(mine[1]?.reasonCode, 0)
    } finally {
      await endMqtt(client, 500)
      sat = first
    }
  })
})

function readFileSyncTrim(path: string): string {
  return readFileSync(path, 'utf8').trim()
}
