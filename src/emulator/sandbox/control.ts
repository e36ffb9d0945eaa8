import {execFile, spawn} from 'node:child_process'
import {closeSync, existsSync, openSync} from 'node:fs'
import {mkdir, readFile, rm} from 'node:fs/promises'
import {resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'
import {AioBridgeError, ExitCode} from '../../errors.js'
import type {SandboxInfo} from './sandbox.js'
import {daemonLogPath, readSandboxState, type SandboxStateFile, stateFilePath} from './state-file.js'
import {requireSystemDeps} from './system-deps.js'

/** Starting, finding and stopping the detached sandbox process (`aio-bridge sandbox up|down|env`). */

const DAEMON = fileURLToPath(new URL('./daemon.js', import.meta.url))

/** The state without the emulator's control key: what `sandbox up` prints and returns under --json. */
export type SandboxPublicState = Omit<SandboxStateFile, 'arm'> & {arm: Omit<SandboxStateFile['arm'], 'controlKey'>}

export interface SandboxUpResult {
  alreadyRunning: boolean
  pid: number
  dir: string
  state: SandboxPublicState
}

function publicState(state: SandboxStateFile): SandboxPublicState {
  const {controlKey: _secret, ...arm} = state.arm
  return {...state, arm}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function logTail(dir: string): Promise<string> {
  const text = await readFile(daemonLogPath(dir), 'utf8').catch(() => '')
  return text.trim().split('\n').slice(-8).join('\n')
}

/** Exists and is this user's: a signal to it would be delivered (EPERM means another user's, never ours). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The command line of one of this user's processes, one argument per entry; undefined when there is none. */
async function commandLine(pid: number | undefined): Promise<string[] | undefined> {
  if (!pid || !Number.isInteger(pid) || pid <= 0 || !exists(pid)) return undefined
  if (existsSync('/proc/self/cmdline')) {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined)
    return raw?.split('\0').filter(Boolean)
  }
  // No /proc (macOS): ps prints the arguments joined by spaces, which is enough for the checks below.
  return new Promise((done) =>
    execFile('ps', ['-o', 'args=', '-p', String(pid)], (err, out) =>
      done(err ? undefined : out.trim().split(/\s+/).filter(Boolean)),
    ),
  )
}

/**
 * Is `pid` still this directory's sandbox process? A state file can outlive its process (a crash, a reboot) and
 * the pid be reused by anything: only a process running daemon.js for this directory may be trusted or signalled.
 */
async function isSandboxDaemon(pid: number | undefined, dir: string): Promise<boolean> {
  const args = await commandLine(pid)
  if (!args) return false
  return args.some((a) => a.endsWith(`${sep}daemon.js`)) && (args.includes(resolve(dir)) || args.includes(dir))
}

/** Is `pid` still this directory's mosquitto: its configuration file lives under the directory. */
async function isSandboxMosquitto(pid: number | undefined, dir: string): Promise<boolean> {
  const args = await commandLine(pid)
  if (!args) return false
  const under = `${resolve(dir)}${sep}`
  return args.some((a) => a.includes('mosquitto')) && args.some((a) => a.startsWith(under))
}

/** The running sandbox in `dir`, or undefined (a state file not naming a live sandbox process is removed). */
async function findSandbox(dir: string): Promise<SandboxStateFile | undefined> {
  const state = await readSandboxState(dir)
  if (!state) return undefined
  if (await isSandboxDaemon(state.pid, dir)) return state
  await removeStale(state, dir)
  return undefined
}

/** After the sandbox process is gone: its mosquitto, if it outlived it, and the state file. */
async function removeStale(state: SandboxStateFile, dir: string): Promise<void> {
  // Only a process that is still this sandbox's mosquitto (pids are reused).
  if (await isSandboxMosquitto(state.local.pid, dir)) process.kill(state.local.pid as number, 'SIGKILL')
  await rm(stateFilePath(dir), {force: true})
}

export async function requireSandbox(dir: string): Promise<SandboxStateFile> {
  const state = await findSandbox(dir)
  if (state) return state
  throw new AioBridgeError('SANDBOX_NOT_RUNNING', `No sandbox is running (state directory ${dir}).`, {
    remedy: 'Start one with: aio-bridge sandbox up',
    exitCode: ExitCode.prerequisite,
  })
}

export async function sandboxUp(dir: string, opts: {timeoutInMs?: number} = {}): Promise<SandboxUpResult> {
  const existing = await findSandbox(dir)
  if (existing) return {alreadyRunning: true, pid: existing.pid, dir, state: publicState(existing)}
  const {mosquitto} = requireSystemDeps()
  await mkdir(dir, {recursive: true, mode: 0o700})
  const fd = openSync(daemonLogPath(dir), 'w', 0o600)
  // An absolute directory on its command line, so `down` and `env` recognise the process from any working directory.
  const child = spawn(process.execPath, [DAEMON, resolve(dir)], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: {...process.env, AIO_BRIDGE_SANDBOX_MOSQUITTO: mosquitto},
  })
  closeSync(fd)
  let exited: number | null | undefined
  child.once('exit', (code) => {
    exited = code ?? 1
  })
  child.unref()
  const deadline = Date.now() + (opts.timeoutInMs ?? 30_000)
  while (Date.now() < deadline) {
    const state = await readSandboxState(dir)
    if (state && state.pid === child.pid) return {alreadyRunning: false, pid: state.pid, dir, state: publicState(state)}
    if (exited !== undefined) break
    await sleep(100)
  }
  if (exited === undefined && child.pid) process.kill(child.pid, 'SIGTERM')
  throw new AioBridgeError(
    'SANDBOX_START_FAILED',
    `The sandbox did not start${exited === undefined ? ' in time' : ''}: ${(await logTail(dir)) || 'no output'}`,
    {
      remedy: `Read ${daemonLogPath(dir)}; check that mosquitto and openssl work (bash scripts/ensure-system-deps.sh).`,
      exitCode: ExitCode.prerequisite,
    },
  )
}

export interface SandboxDownResult {
  wasRunning: boolean
  pid?: number
  dir: string
  /** The state file named a process that is not this sandbox (gone, or its pid reused): it was removed. */
  staleStateRemoved?: boolean
}

/** Stops the sandbox process (SIGTERM, then SIGKILL after `graceInMs`) and a mosquitto it left behind. */
export async function sandboxDown(dir: string, opts: {graceInMs?: number} = {}): Promise<SandboxDownResult> {
  const state = await readSandboxState(dir)
  if (!state) return {wasRunning: false, dir}
  const wasRunning = await isSandboxDaemon(state.pid, dir)
  if (wasRunning) {
    process.kill(state.pid, 'SIGTERM')
    const deadline = Date.now() + (opts.graceInMs ?? 10_000)
    while (exists(state.pid) && Date.now() < deadline) await sleep(50)
    if (await isSandboxDaemon(state.pid, dir)) process.kill(state.pid, 'SIGKILL')
  }
  await removeStale(state, dir)
  return {wasRunning, pid: wasRunning ? state.pid : undefined, dir, ...(wasRunning ? {} : {staleStateRemoved: true})}
}

/** `export NAME='value'` lines for a POSIX shell; the stub az goes first on PATH. */
export function formatEnvExports(info: Pick<SandboxInfo, 'env' | 'azDir' | 'verifyArgs'>): string {
  const q = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`
  const lines = Object.entries(info.env).map(([k, v]) => `export ${k}=${q(v)}`)
  lines.push(`export PATH=${q(info.azDir)}:"$PATH"`)
  lines.push(`export AIO_BRIDGE_SANDBOX_VERIFY_FLAGS=${q(info.verifyArgs.join(' '))}`)
  lines.push(
    '# then: aio-bridge setup && aio-bridge verify $AIO_BRIDGE_SANDBOX_VERIFY_FLAGS && aio-bridge teardown --yes',
  )
  return lines.join('\n')
}
