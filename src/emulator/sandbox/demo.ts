import {spawn} from 'node:child_process'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {AioBridgeError, ExitCode, type ExitCodeValue} from '../../errors.js'
import {type Sandbox, sandboxEnv, startSandbox} from './sandbox.js'
import {requireSystemDeps} from './system-deps.js'

/**
 * `aio-bridge demo`: the tutorial end to end on this machine. Starts the sandbox in this process, then runs the same
 * CLI's `setup`, `verify` and `teardown --yes` as child processes (so the code paths and the output are exactly a
 * user's against Azure), reports the measured round trip, and stops everything it started, also on failure and
 * Ctrl-C. The first failing step ends the demo with that step's exit code.
 */

export interface DemoOptions {
  /** bin/run.js of this CLI. */
  bin: string
  /** Run the steps with --json and keep their stdout to ourselves (demo --json). */
  json: boolean
  /** Messages verify sends. */
  count: number
  teardown: boolean
  signal: AbortSignal
  /** Human progress lines (stderr; silent under --json). */
  note: (line: string) => void
  /** Child stdout passes through here when not --json. */
  write: (chunk: string) => void
}

export interface DemoStep {
  step: 'setup' | 'verify' | 'teardown'
  argv: string[]
  exitCode: number
  durationMs: number
  /** The step's --json result (demo --json only). */
  result?: unknown
}

export interface DemoResult {
  ok: boolean
  steps: DemoStep[]
  /** The round trip verify measured (ms), when it passed. */
  roundTrip?: {minMs?: number; p50Ms?: number; p95Ms?: number; maxMs?: number; line?: string}
  durationMs: number
}

function runStep(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: {capture: boolean; write: (s: string) => void; signal: AbortSignal},
): Promise<{code: number; stdout: string}> {
  return new Promise((resolve, reject) => {
    // stdin closed: teardown must never wait for an answer; stderr passes through (the task list, errors).
    const child = spawn(process.execPath, [bin, ...args], {env, stdio: ['ignore', 'pipe', 'inherit']})
    let stdout = ''
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
      if (!opts.capture) opts.write(d)
    })
    const onAbort = () => child.kill('SIGINT')
    opts.signal.addEventListener('abort', onAbort, {once: true})
    child.once('error', reject)
    child.once('close', (code, signal) => {
      opts.signal.removeEventListener('abort', onAbort)
      resolve({code: code ?? (signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.unexpected), stdout})
    })
  })
}

/** Parses `round trip min 0.8 ms  p50 1.1 ms …` from verify's human report. */
function roundTripFromText(text: string): DemoResult['roundTrip'] {
  const line = /^\s*round trip min .*$/m.exec(text)?.[0]?.trim()
  if (!line) return undefined
  const num = (label: string) => {
    const m = new RegExp(`${label} ([\\d.]+) ?(µs|ms|s)\\b`).exec(line)
    if (!m) return undefined
    const v = Number(m[1])
    return m[2] === 's' ? v * 1000 : m[2] === 'µs' ? v / 1000 : v
  }
  return {minMs: num('min'), p50Ms: num('p50'), p95Ms: num('p95'), maxMs: num('max'), line}
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return undefined
  }
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now()
  const {mosquitto} = requireSystemDeps()
  const dir = await mkdtemp(join(tmpdir(), 'aio-bridge-demo-'))
  const steps: DemoStep[] = []
  let sandbox: Sandbox | undefined
  let keepDir = false
  try {
    opts.note('Starting the local emulation: Resource Manager, IoT Operations broker, Event Grid broker, dataflows…')
    sandbox = await startSandbox({dir, mosquittoBinary: mosquitto, cliPollIntervalInMs: 50})
    const env = {...process.env, ...sandboxEnv(sandbox)}
    const json = opts.json ? ['--json'] : []
    const plan: Array<{step: DemoStep['step']; args: string[]}> = [
      {step: 'setup', args: ['setup', ...json]},
      {
        step: 'verify',
        args: ['verify', ...sandbox.verifyArgs, '--count', String(opts.count), '--interval', '0.2', ...json],
      },
    ]
    if (opts.teardown) plan.push({step: 'teardown', args: ['teardown', '--yes', ...json]})
    let roundTrip: DemoResult['roundTrip']
    for (const {step, args} of plan) {
      if (opts.signal.aborted) throw interrupted()
      if (step === 'verify') {
        opts.note('\nWaiting for the dataflows setup deployed to start…')
        if (!(await sandbox.runner.whenRunning(2, 15_000))) opts.note('The dataflows are not all running yet.')
      }
      opts.note(`\n$ aio-bridge ${args.join(' ')}`)
      const t0 = Date.now()
      const r = await runStep(opts.bin, args, env, {capture: opts.json, write: opts.write, signal: opts.signal})
      const s: DemoStep = {step, argv: args, exitCode: r.code, durationMs: Date.now() - t0}
      if (opts.json) s.result = parseJson(r.stdout)
      steps.push(s)
      if (step === 'verify') {
        if (opts.json) {
          const l = (s.result as {report?: {latencyMs?: Record<string, number> | null}} | undefined)?.report?.latencyMs
          if (l) roundTrip = {minMs: l.min, p50Ms: l.p50, p95Ms: l.p95, maxMs: l.max}
        } else roundTrip = roundTripFromText(r.stdout)
      }
      if (opts.signal.aborted || r.code === ExitCode.interrupted) throw interrupted()
      if (r.code !== 0) {
        keepDir = true
        // Under --json the step's error is in its captured output, not on the screen: carry it in ours.
        const stepError = opts.json ? (s.result as {error?: unknown} | undefined)?.error : undefined
        throw stepFailed(step, r.code, {
          logFile: sandbox.logFile,
          log: await tail(sandbox.logFile),
          steps,
          json: opts.json,
          stepError,
        })
      }
    }
    return {ok: true, steps, roundTrip, durationMs: Date.now() - started}
  } finally {
    await sandbox?.stop()
    if (!keepDir) await rm(dir, {recursive: true, force: true})
  }
}

async function tail(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.trim().split('\n').slice(-10)
}

function interrupted(): AioBridgeError {
  return new AioBridgeError('INTERRUPTED', 'Interrupted: the demo stopped the emulation it had started.', {
    remedy: 'Run aio-bridge demo again.',
    exitCode: ExitCode.interrupted,
  })
}

function stepFailed(
  step: string,
  code: number,
  o: {logFile: string; log: string[]; steps: DemoStep[]; json: boolean; stepError?: unknown},
): AioBridgeError {
  const known = Object.values(ExitCode) as number[]
  const e = o.stepError as {code?: unknown; message?: unknown} | undefined
  const cause = typeof e?.code === 'string' ? `: ${e.code}${typeof e.message === 'string' ? ` ${e.message}` : ''}` : ''
  return new AioBridgeError(
    'DEMO_STEP_FAILED',
    o.json
      ? `The demo's ${step} step failed with exit code ${code}${cause}`
      : `The demo's ${step} step failed with exit code ${code} (its error is above).`,
    {
      remedy: `Read the step's error (${o.json ? 'details.stepError' : 'above'}) and the emulation's log ${o.logFile}; run a step by hand against a lasting emulation with aio-bridge sandbox up.`,
      exitCode: (known.includes(code) ? code : ExitCode.unexpected) as ExitCodeValue,
      details: {
        step,
        stepExitCode: code,
        ...(o.stepError === undefined ? {} : {stepError: o.stepError}),
        sandboxLog: o.log,
        steps: o.steps.map(({step, exitCode}) => ({step, exitCode})),
      },
    },
  )
}
