/**
 * `npm run bench`: every benchmark of issue 7, each figure printed beside its target, and BENCHMARKS.md written with
 * the figures, the machine and the command. Figures only: the test suite never depends on machine speed.
 *   1. start-up: --help, render, setup --dry-run (fake ARM) beside `node -e ""`, as ratios;
 *   2. setup's critical path against the ARM emulator (fixed latency, fixed LRO polls): requests by kind, wall time
 *      over the lower bound, unneeded requests, the tutorial's one-call-at-a-time sum (see bench/setup.ts);
 *   3. verify: round trip p50/p99 beside a bare mqtt.js ping, load msg/s beside mosquitto_pub/sub (bench/verify.ts);
 *   4. memory: peak RSS of setup (fake ARM) and verify (local brokers), through a --import hook.
 */
import {writeFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import {startFakeArm} from '../test/helpers/arm-harness.js'
import {type Figure, machine, table} from './lib.js'
import {runCliProbed} from './probe.js'
import {benchSetup} from './setup.js'
import {benchStartup} from './startup.js'
import {benchVerify} from './verify.js'

const COMMAND = 'npm run bench'
const MEMORY_TARGET_MB = 150
const started = Date.now()
const all: Array<{section: string; figures: Figure[]}> = []

function show(section: string, figures: Figure[]): void {
  all.push({section, figures})
  console.log(`\n## ${section}`)
  const w = Math.max(...figures.map((f) => f.name.length))
  for (const f of figures) {
    const verdict = f.ok === undefined ? '' : f.ok ? '  ✔' : '  ✘ NOT met'
    console.log(`  ${f.name.padEnd(w)}  ${f.value}${f.target ? `   [target ${f.target}]` : ''}${verdict}`)
  }
}

console.log(`aio-bridge benchmarks — ${machine()}`)

// 1. Start-up (the fake ARM without latency answers setup --dry-run's reads).
{
  const fake = await startFakeArm()
  try {
    show(
      '1. Start-up (median of 15, interleaved)',
      await benchStartup({runs: 15, setupEnv: {...process.env, ...fake.env}}),
    )
  } finally {
    await fake.stop()
  }
}

// 2. setup's critical path (and setup's peak memory, from the same runs).
const setup = await benchSetup({latencyMs: 50, lroPolls: 2, pollIntervalMs: 1, runs: 3})
show('2. setup critical path (ARM emulator: 50 ms per request, LROs of 3 polls, 1 ms poll interval)', setup.figures)

// 3. verify, and the CLI verify's peak memory on the same path.
const verify = await benchVerify(1000, {
  probe: async ({port, caFile}) => {
    const args = ['verify', '--host', '127.0.0.1', '--port', String(port), '--ca-file', caFile]
    const more = ['--tls-server-name', 'aio-broker', '--auth', 'anonymous', '--count', '1000', '--interval', '0']
    const r = await runCliProbed([...args, ...more, '--json'], {...process.env, NO_COLOR: '1', CI: 'true'})
    if (r.code !== 0) throw new Error(`verify exited ${r.code}: ${r.stderr.slice(0, 300)}${r.stdout.slice(0, 300)}`)
    return r.maxRssMb
  },
})
const p50Ratio = verify.p50Ratio
const ms = (v: number) => `${v.toFixed(3)} ms`
show('3. verify (local mosquitto, TLS → relay → cloud mosquitto → relay → local, QoS 1)', [
  {
    name: 'verify round trip, 1,000 messages',
    value: `p50 ${ms(verify.verifyP50)}, p99 ${ms(verify.verifyP99)}`,
  },
  {
    name: 'bare mqtt.js ping (no-delay), same path',
    value: `p50 ${ms(verify.bareP50)}, p99 ${ms(verify.bareP99)}`,
  },
  {
    name: 'verify p50 / bare p50',
    value: `${p50Ratio.toFixed(2)}`,
    target: '≤ 1.10',
    ok: p50Ratio <= 1.1,
  },
  {
    name: 'verify load mode, 10,000 messages',
    value: `${verify.verifyPerSecond} msg/s (mosquitto_pub -l / mosquitto_sub: ${verify.mosquittoPerSecond} msg/s, ${(verify.verifyPerSecond / verify.mosquittoPerSecond).toFixed(2)}×)`,
  },
])

// 4. Memory.
show('4. Peak resident memory (process.resourceUsage().maxRSS through a --import hook)', [
  {
    name: 'aio-bridge setup (fake ARM, fresh world)',
    value: `${setup.maxRssMb.toFixed(0)} MB`,
    target: `< ${MEMORY_TARGET_MB} MB`,
    ok: setup.maxRssMb < MEMORY_TARGET_MB,
  },
  {
    name: 'aio-bridge verify (1,000 messages at full speed)',
    value: `${(verify.cliMaxRssMb ?? Number.NaN).toFixed(0)} MB`,
    target: `< ${MEMORY_TARGET_MB} MB`,
    ok: (verify.cliMaxRssMb ?? Number.POSITIVE_INFINITY) < MEMORY_TARGET_MB,
  },
])

const seconds = ((Date.now() - started) / 1000).toFixed(0)
const missed = all.flatMap((s) => s.figures).filter((f) => f.ok === false)
console.log(`\n${missed.length === 0 ? 'Every target met.' : `${missed.length} target(s) NOT met.`} (${seconds} s)`)

const md = [
  '# Benchmarks',
  '',
  `Made by \`${COMMAND}\` on ${new Date().toISOString().slice(0, 10)}, in ${seconds} s.`,
  '',
  `Machine: ${machine()}.`,
  '',
  "How each figure is made, and the derivation of setup's lower bound: `bench/*.ts` and `docs/benchmarks.md`.",
  '',
  ...all.flatMap((s) => [`## ${s.section}`, '', table(s.figures), '']),
].join('\n')
await writeFile(fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url)), md)
console.log('Wrote BENCHMARKS.md')
