import {type ChildProcess, spawn} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * Runs the built CLI (bin/run.js, which loads dist/) as a user would: a child process with a clean environment —
 * nothing from the host's Azure login or tutorial variables leaks in — NO_COLOR=1 and CI=true.
 */

/** Repository root (this file compiles to dist/test/helpers/cli.js). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const BIN = join(REPO_ROOT, 'bin', 'run.js')

export interface CliResult {
  /** Exit code; 128 + signal number when killed by a signal. */
  code: number
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** True when runCli killed it after timeoutMs. */
  timedOut: boolean
}

export interface RunCliOptions {
  /** Added on top of the clean environment (e.g. the harness env). */
  env?: Record<string, string | undefined>
  /** Written to stdin, then stdin is closed (default: closed at once). */
  input?: string
  /** Kill with SIGKILL after this long (default 60 s). */
  timeoutMs?: number
  cwd?: string
}

/** Host variables that are passed through; everything else (AZURE_*, SUBSCRIPTION_ID, …) is dropped. */
const PASS_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'SYSTEMROOT', 'USER', 'LOGNAME']

export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const k of PASS_THROUGH) {
    const v = process.env[k]
    if (v !== undefined) env[k] = v
  }
  env.NO_COLOR = '1'
  env.CI = 'true'
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return env
}

export interface SpawnedCli {
  child: ChildProcess
  result: Promise<CliResult>
}

/** Starts the CLI and returns the child at once (for Ctrl-C and kill tests) and a promise of its result. */
export function spawnCli(args: string[], opts: RunCliOptions = {}): SpawnedCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: cleanEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let timedOut = false
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
  })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  child.stdin?.on('error', () => {})
  if (opts.input !== undefined) child.stdin?.end(opts.input)
  else child.stdin?.end()
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, opts.timeoutMs ?? 60_000)
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const sigNo = signal ? (({SIGINT: 2, SIGKILL: 9, SIGTERM: 15} as Record<string, number>)[signal] ?? 0) : 0
      resolve({code: code ?? 128 + sigNo, signal, stdout, stderr, timedOut})
    })
  })
  return {child, result}
}

/** Runs the built CLI to the end. */
export function runCli(args: string[], opts: RunCliOptions = {}): Promise<CliResult> {
  return spawnCli(args, opts).result
}
