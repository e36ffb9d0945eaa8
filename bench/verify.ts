/**
 * Benchmark of `aio-bridge verify` through the emulated bridge (two mosquitto brokers over TLS + the relay), printed
 * as figures, never asserted:
 *   1. round trip p50/p99 over 1,000 messages: verify's client beside a bare mqtt.js ping (library defaults plus TCP
 *      no-delay, as verify's own socket, so the comparison is of the clients and not of Nagle's algorithm) on the
 *      same path, at the same pacing, after a warm-up, in rounds of alternating order (median of the rounds);
 *   2. load mode msg/s: verify at full speed beside mosquitto_pub -l / mosquitto_sub on the same path.
 * Run: npx tsc -p . && ./node_modules/.bin/node dist/bench/verify.js [messages]; `npm run bench` calls benchVerify().
 */
import {spawn} from 'node:child_process'
import {performance} from 'node:perf_hooks'
import {pathToFileURL} from 'node:url'
import {startBridgeEmulation} from '../src/emulator/mqtt/topology.js'
import {encodePayload} from '../src/verify/correlation.js'
import {runVerify} from '../src/verify/run.js'
import {latencyStats} from '../src/verify/stats.js'
import type {MqttEndpoint} from '../src/verify/transport.js'

export interface VerifyBenchResult {
  rows: Array<[string, string]>
  verifyP50: number
  verifyP99: number
  bareP50: number
  bareP99: number
  /** Median over the rounds of verify p50 / bare p50 within the round. */
  p50Ratio: number
  verifyPerSecond: number
  mosquittoPerSecond: number
  /** Peak RSS of the spawned `aio-bridge verify` (MB) when `probe` was given. */
  cliMaxRssMb?: number
}

export async function benchVerify(
  N = 1000,
  opts: {
    loadN?: number
    /** Also spawn the CLI's verify against the same path, to measure it (the bench hook). */
    probe?: (emu: {port: number; caFile: string}) => Promise<number>
  } = {},
): Promise<VerifyBenchResult> {
  const LOAD_N = opts.loadN ?? N * 10
  const out: Partial<VerifyBenchResult> = {}

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
    // 1. Round trip: verify's client and a bare mqtt.js ping with the SAME pacing (one message every 2 ms, on a
    // schedule), interleaved over several rounds, median of the per-round p50s. A closed-loop ping (next message the
    // moment the last came back) keeps the event loop and CPU hot and is not the same measurement.
    const ROUNDS = 7
    const INTERVAL = 2
    const mqtt = await import('mqtt')
    const verifyRounds: Array<{p50: number; p99: number}> = []
    const bareRounds: Array<{p50: number; p99: number}> = []
    let received = 0
    const verifyRound = async (id: string, count: number) => {
      const rt = await runVerify({
        local: endpoint(id),
        localTopic: 'tutorial/local',
        cloudTopic: 'tutorial/cloud',
        count,
        intervalMs: INTERVAL,
        qos: 1,
        timeoutMs: 120_000,
        waitMs: 5000,
      })
      return {p50: rt.latencyMs?.p50 ?? Number.NaN, p99: rt.latencyMs?.p99 ?? Number.NaN, received: rt.received}
    }
    const bareRound = async (count: number) => {
      const bare = await mqtt.connectAsync({
        host: '127.0.0.1',
        port: emu.local.port,
        protocol: 'mqtts',
        ca: emu.caPem,
        servername: 'aio-broker',
        protocolVersion: 5,
      })
      // verify's socket has no-delay; without it Nagle's algorithm would hold each small publish back.
      ;(bare.stream as {setNoDelay?: (v: boolean) => void}).setNoDelay?.(true)
      await bare.subscribeAsync('tutorial/cloud', {qos: 1})
      const samples: number[] = []
      const t0 = performance.now()
      for (let i = 0; i < count; i++) {
        const wait = t0 + i * INTERVAL - performance.now()
        if (wait > 1) await new Promise((r) => setTimeout(r, wait))
        const back = new Promise<void>((resolve) => bare.once('message', () => resolve()))
        const t = performance.now()
        // The same payload verify sends, so the two differ only in the client around it.
        await bare.publishAsync('tutorial/local', encodePayload('bare', i), {qos: 1})
        await back
        samples.push(performance.now() - t)
      }
      await bare.endAsync()
      const b = latencyStats(samples)
      return {p50: b?.p50 ?? Number.NaN, p99: b?.p99 ?? Number.NaN}
    }
    // Warm-up (JIT, TLS session caches, broker buffers), not counted; then rounds in alternating order.
    await verifyRound('bench-warmup', 300)
    await bareRound(300)
    for (let round = 0; round < ROUNDS; round++) {
      const runVerifyFirst = round % 2 === 0
      if (!runVerifyFirst) bareRounds.push(await bareRound(N))
      const v = await verifyRound(`bench-verify-${round}`, N)
      received += v.received
      verifyRounds.push(v)
      if (runVerifyFirst) bareRounds.push(await bareRound(N))
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
    out.verifyP50 = med(verifyRounds.map((r) => r.p50))
    out.verifyP99 = med(verifyRounds.map((r) => r.p99))
    out.bareP50 = med(bareRounds.map((r) => r.p50))
    // Each round's two runs sit side by side in time: the median of their ratios cancels the machine's drift.
    out.p50Ratio = med(verifyRounds.map((v, i) => v.p50 / (bareRounds[i]?.p50 ?? Number.NaN)))
    out.bareP99 = med(bareRounds.map((r) => r.p99))
    rows.push([
      `verify round trip (${ROUNDS} × ${N}, ${received} back, every ${INTERVAL} ms)`,
      `p50 ${f(out.verifyP50)}  p99 ${f(out.verifyP99)}  (median of rounds)`,
    ])
    rows.push([
      `bare mqtt.js ping, no-delay (${ROUNDS} × ${N}, every ${INTERVAL} ms)`,
      `p50 ${f(out.bareP50)}  p99 ${f(out.bareP99)}  (median of rounds)`,
    ])

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
    out.verifyPerSecond = load.throughput.receivedPerSecond
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
    const pub = spawn('mosquitto_pub', [...common, '-t', 'tutorial/local', '-l'], {
      stdio: ['pipe', 'ignore', 'inherit'],
    })
    pub.stdin.end(`${Array.from({length: LOAD_N}, (_, i) => `{"seq":${i}}`).join('\n')}\n`)
    const timer = setTimeout(() => sub.kill(), 120_000)
    const t1 = await subDone
    clearTimeout(timer)
    out.mosquittoPerSecond = Math.round((LOAD_N / (t1 - t0)) * 1000)
    rows.push([`mosquitto_pub -l / mosquitto_sub, ${LOAD_N} msgs`, `${out.mosquittoPerSecond} msg/s`])

    // 3. the CLI's verify on the same path, for its peak memory.
    if (opts.probe) out.cliMaxRssMb = await opts.probe({port: emu.local.port, caFile: emu.caFile})
  } finally {
    await emu.stop()
  }
  return {...(out as VerifyBenchResult), rows}
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const {rows} = await benchVerify(Number(process.argv[2] ?? 1000))
  const w = Math.max(...rows.map((r) => r[0].length))
  console.log(`verify benchmark: local mosquitto (TLS) → relay → cloud mosquitto (TLS) → relay → local, QoS 1`)
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`)
}
