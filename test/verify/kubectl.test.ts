import assert from 'node:assert/strict'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {checkJwt} from '../../src/emulator/mqtt/jwt.js'
import {type BridgeEmulation, runCli, startBridgeEmulation, stubDir} from '../helpers/mosquitto.js'

/**
 * A stub kubectl (a Node script first on PATH) that behaves like the real one for the three calls --kubectl makes:
 * `create token` prints a token, `get configmap -o json` prints the trust bundle, `port-forward svc/aio-broker :18883`
 * forwards a free local port to the emulated broker until it is stopped. Every call's arguments are logged.
 */
function kubectlStub(o: {
  tokenFile?: string
  /** Sign each token like the API server (HS256 with the emulation's secret), expiring after --duration seconds. */
  signWith?: string
  caFile: string
  targetPort: number
  log: string
}): string {
  return `#!${process.execPath}
const fs = require('node:fs'), net = require('node:net'), crypto = require('node:crypto')
const args = process.argv.slice(2)
fs.appendFileSync(${JSON.stringify(o.log)}, JSON.stringify({args}) + '\\n')
const rest = args[0] === '--context' ? args.slice(2) : args
if (rest[0] === 'create' && rest[1] === 'token' && ${JSON.stringify(o.signWith ?? '')}) {
  const seconds = Number.parseInt(rest[rest.indexOf('--duration') + 1], 10)
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const claims = {aud: ['aio-internal'], sub: 'system:serviceaccount:azure-iot-operations:mqtt-client', jti: crypto.randomUUID(), exp: Math.floor(Date.now() / 1000) + seconds}
  const body = b64({alg: 'HS256', typ: 'JWT'}) + '.' + b64(claims)
  const sig = crypto.createHmac('sha256', ${JSON.stringify(o.signWith ?? '')}).update(body).digest('base64url')
  process.stdout.write(body + '.' + sig + '\\n')
} else if (rest[0] === 'create' && rest[1] === 'token') {
  process.stdout.write(fs.readFileSync(${JSON.stringify(o.tokenFile ?? '')}, 'utf8') + '\\n')
} else if (rest[0] === 'get' && rest[1] === 'configmap') {
  process.stdout.write(JSON.stringify({data: {'ca.crt': fs.readFileSync(${JSON.stringify(o.caFile)}, 'utf8')}}))
} else if (rest[0] === 'port-forward') {
  const server = net.createServer((c) => {
    const up = net.connect(${o.targetPort}, '127.0.0.1')
    c.pipe(up).pipe(c)
    c.on('error', () => up.destroy()); up.on('error', () => c.destroy())
  })
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write('Forwarding from 127.0.0.1:' + server.address().port + ' -> 18883\\n')
  })
  process.on('SIGTERM', () => {
    fs.appendFileSync(${JSON.stringify(o.log)}, JSON.stringify({stopped: 'port-forward'}) + '\\n')
    process.exit(0)
  })
} else {
  process.stderr.write('error: unknown command ' + rest.join(' ') + '\\n'); process.exit(1)
}
`
}

describe('verify --kubectl (stub kubectl, K8S-SAT auth peer)', () => {
  let emu: BridgeEmulation
  let sat: string
  let path: string
  let log: string

  before(async () => {
    emu = await startBridgeEmulation({local: {kind: 'peer', auth: {method: 'K8S-SAT', acceptToken: (t) => t === sat}}})
    sat = emu.issueSat()
    const tokenFile = join(emu.dir, 'minted-token')
    await writeFile(tokenFile, sat)
    log = join(emu.dir, 'kubectl.log')
    const dir = await stubDir({kubectl: kubectlStub({tokenFile, caFile: emu.caFile, targetPort: emu.local.port, log})})
    path = `${dir}:${process.env.PATH}`
  })
  after(async () => {
    await emu?.stop()
  })

  it('mints a token, reads the CA, port-forwards, passes, and stops the port-forward', async () => {
    await writeFile(log, '')
    const r = await runCli(['verify', '--kubectl', '--interval', '0.05', '--wait', '2', '--json'], {PATH: path})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal((r.json as {report: {received: number}}).report.received, 5)
    const calls = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {args?: string[]; stopped?: string})
    const create = calls.find((c) => c.args?.includes('token'))?.args
    assert.deepEqual(create, [
      'create',
      'token',
      'mqtt-client',
      '-n',
      'azure-iot-operations',
      '--audience',
      'aio-internal',
      '--duration',
      '10m',
    ])
    assert.ok(calls.some((c) => c.args?.includes('port-forward') && c.args.includes('svc/aio-broker')))
    assert.ok(
      calls.some((c) => c.stopped === 'port-forward'),
      'port-forward was not stopped',
    )
    // The token travels on stdout only: never in an argument list, never in the output.
    assert.ok(!(await readFile(log, 'utf8')).includes(sat))
    assert.ok(!r.stdout.includes(sat) && !r.stderr.includes(sat))
    const connect = emu.local.peer?.connects.filter((c) => c.clientId.startsWith('aio-bridge-verify-')).at(-1)
    assert.equal(connect?.data, sat)
  })

  it('passes --context and --service-account through', async () => {
    await writeFile(log, '')
    const r = await runCli(
      [
        'verify',
        '--kubectl',
        '--kube-context',
        'edge',
        '--service-account',
        'mqtt-client',
        '--count',
        '1',
        '--wait',
        '2',
        '--json',
      ],
      {PATH: path},
    )
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const first = JSON.parse((await readFile(log, 'utf8')).split('\n')[0] as string) as {args: string[]}
    assert.deepEqual(first.args.slice(0, 2), ['--context', 'edge'])
  })

  it('kubectl missing is a prerequisite error (exit 5)', async () => {
    const r = await runCli(['verify', '--kubectl', '--json'], {PATH: join(emu.dir, 'empty-path')})
    assert.equal(r.code, 5, r.stdout + r.stderr)
    assert.equal(r.json?.error?.code, 'KUBECTL_NOT_FOUND')
  })
})

describe('verify --kubectl keeps its token fresh (tokens that really expire)', () => {
  let emu: BridgeEmulation
  let path: string
  let log: string

  before(async () => {
    // The broker checks signature and expiry, as the IoT Operations broker does with the API server's tokens.
    emu = await startBridgeEmulation({
      local: {
        kind: 'peer',
        auth: {method: 'K8S-SAT', acceptToken: (t) => !checkJwt(t, {audience: 'aio-internal', secret: emu.jwtSecret})},
      },
    })
    log = join(emu.dir, 'kubectl.log')
    const dir = await stubDir({
      kubectl: kubectlStub({signWith: emu.jwtSecret, caFile: emu.caFile, targetPort: emu.local.port, log}),
    })
    path = `${dir}:${process.env.PATH}`
  })
  after(async () => {
    await emu?.stop()
  })

  it('a reconnect after the first token expired presents a new one and the run passes', async () => {
    await writeFile(log, '')
    const mine = () => emu.local.peer?.connects.filter((c) => c.clientId.startsWith('aio-bridge-verify-')) ?? []
    const run = runCli(
      ['verify', '--kubectl', '--token-duration', '3s', '--count', '9', '--interval', '1', '--wait', '3', '--json'],
      {PATH: path},
    )
    for (let i = 0; i < 400 && mine().length === 0; i++) await new Promise((r) => setTimeout(r, 25))
    // Past the first token's expiry (3 s, whole seconds), between two publishes.
    await new Promise((r) => setTimeout(r, 5500))
    emu.local.peer?.dropClients({only: (id) => id.startsWith('aio-bridge-verify-')})
    const r = await run
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const report = (r.json as {report: {received: number; reconnects: number}}).report
    assert.equal(report.received, 9)
    assert.ok(report.reconnects >= 1, 'it reconnected')
    const connects = mine()
    assert.ok(connects.length >= 2 && connects.every((c) => c.reasonCode === 0), JSON.stringify(connects))
    assert.notEqual(connects.at(-1)?.data, connects[0]?.data, 'the reconnect presented a newly minted token')
    const mints = (await readFile(log, 'utf8')).split('\n').filter((l) => l.includes('"token"'))
    assert.ok(mints.length >= 2, `kubectl create token ran ${mints.length} time(s)`)
  })

  it('an unreadable --token-duration is invalid input (exit 2) before kubectl runs', async () => {
    await writeFile(log, '')
    const r = await runCli(['verify', '--kubectl', '--token-duration', 'ten minutes', '--json'], {PATH: path})
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.equal(r.json?.error?.code, 'CONFIG_INVALID')
    assert.equal(await readFile(log, 'utf8'), '')
  })
})
