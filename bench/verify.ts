/**
 * Benchmark of `aio-bridge verify` through the emulated bridge (two mosquitto brokers over TLS + the relay), printed
 * as figures, never asserted:
 *   1. round trip p50/p99 over 1,000 messages: verify's client beside a bare mqtt.js ping (library defaults) on the
 *      same path;
 *   2. load mode msg/s: verify at full speed beside mosquitto_pub -l / mosquitto_sub on the same path.
 * Run: npx tsc -p . && ./node_modules/.bin/node dist/bench/verify.js [messages]
 */
import {spawn} from 'node:child_process'
import {performance} from 'node:perf_hooks'
import {startBridgeEmulation} from '../src/emulator/mqtt/topology.js'
import {runVerify} from '../src/verify/run.js'
import {latencyStats} from '../src/verify/stats.js'
import type {MqttEndpoint} from '../src/verify/transport.js'

const N = Number(process.argv[2] ?? 1000)
const LOAD_N = N * 10

const emu = await startBridgeEmulation({local: {kind: 'mosquitto'}, cloud: {kind: 'mosquitto'}})
const endpoint = (id: string): MqttEndpoint => ({
  hop: {name: 'IoT Operations broker', host: '127.0.0.1', port: emu.local.port},
  tls: {ca: emu.caPem, serverName: 'aio-broker'},
  credentials: {describe: 'anonymous'},
  clientId: id,
})
const rows: Array<[string, string]> = []
const f = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(3)} ms`)

try {
  // 1a. verify's client, one message in flight at a time (2 ms apart; a loopback round trip is well under that).
  const rt = await runVerify({
    local: endpoint('bench-verify'),
    localTopic: 'tutorial/local',
    cloudTopic: 'tutorial/cloud',
    count: N,
    intervalMs: 2,
    qos: 1,
    timeoutMs: 120_000,
    waitMs: 5000,
  })
  rows.push([
    `verify round trip (${rt.received}/${rt.sent})`,
    `p50 ${f(rt.latencyMs?.p50)}  p99 ${f(rt.latencyMs?.p99)}`,
  ])

  // 1b. bare mqtt.js ping: connect with library defaults, publish, wait for it on the cloud topic, repeat.
  const mqtt = await import('mqtt')
  const bare = await mqtt.connectAsync({
    host: '127.0.0.1',
    port: emu.local.port,
    protocol: 'mqtts',
    ca: emu.caPem,
    servername: 'aio-broker',
    protocolVersion: 5,
  })
  await bare.subscribeAsync('tutorial/cloud', {qos: 1})
  const samples: number[] = []
  for (let i = 0; i < N; i++) {
    const back = new Promise<void>((resolve) => bare.once('message', () => resolve()))
    const t = performance.now()
    await bare.publishAsync('tutorial/local', `ping ${i}`, {qos: 1})
    await back
    samples.push(performance.now() - t)
  }
  await bare.endAsync()
  const b = latencyStats(samples)
  rows.push([`bare mqtt.js ping (${samples.length})`, `p50 ${f(b?.p50)}  p99 ${f(b?.p99)}`])

  // 2a. verify load mode at full speed.
  const load = await runVerify({
    local: endpoint('bench-load'),
    localTopic: 'tutorial/local',
    cloudTopic: 'tutorial/cloud',
    count: LOAD_N,
    intervalMs: 0,
    qos: 1,
    timeoutMs: 300_000,
    waitMs: 10_000,
  })
  rows.push([
    `verify load, ${LOAD_N} msgs (${load.received} back)`,
    `${load.throughput.receivedPerSecond} msg/s  (p50 ${f(load.latencyMs?.p50)}, p99 ${f(load.latencyMs?.p99)})`,
  ])

  // 2b. mosquitto_pub -l (one message per stdin line) → mosquitto_sub -C N on the cloud topic.
  const common = [
    '-V',
    'mqttv5',
    '-h',
    '127.0.0.1',
    '-p',
    String(emu.local.port),
    '--cafile',
    emu.caFile,
    '--insecure',
    '-q',
    '1',
  ]
  const sub = spawn('mosquitto_sub', [...common, '-t', 'tutorial/cloud', '-C', String(LOAD_N)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const subDone = new Promise<number>((resolve) => sub.once('exit', () => resolve(performance.now())))
  await new Promise((r) => setTimeout(r, 300))
  const t0 = performance.now()
  const pub = spawn('mosquitto_pub', [...common, '-t', 'tutorial/local', '-l'], {stdio: ['pipe', 'ignore', 'inherit']})
  pub.stdin.end(`${Array.from({length: LOAD_N}, (_, i) => `{"seq":${i}}`).join('\n')}\n`)
  const timer = setTimeout(() => sub.kill(), 120_000)
  const t1 = await subDone
  clearTimeout(timer)
  rows.push([`mosquitto_pub -l / mosquitto_sub, ${LOAD_N} msgs`, `${Math.round((LOAD_N / (t1 - t0)) * 1000)} msg/s`])
} finally {
  await emu.stop()
}

const w = Math.max(...rows.map((r) => r[0].length))
console.log(`verify benchmark: local mosquitto (TLS) → relay → cloud mosquitto (TLS) → relay → local, QoS 1`)
for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`)
