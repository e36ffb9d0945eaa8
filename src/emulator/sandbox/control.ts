import {spawn} from 'node:child_process'
import {closeSync, openSync} from 'node:fs'
import {mkdir, readFile, rm} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import {AioBridgeError, ExitCode} from '../../errors.js'
import type {SandboxInfo} from './sandbox.js'
import {daemonLogPath, isAlive, readSandboxState, type SandboxStateFile, stateFilePath} from './state-file.js'
import {requireSystemDeps} from './system-deps.js'

/** Starting, finding and stopping the detached sandbox process (`aio-bridge sandbox up|down|env`). */

const DAEMON = fileURLToPath(new URL('./daemon.js', import.meta.url))

export interface SandboxUpResult {
  alreadyRunning: boolean
  pid: number
  dir: string
  state: SandboxStateFile
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function logTail(dir: string): Promise<string> {
  const text = await readFile(daemonLogPath(dir), 'utf8').catch(() => '')
  return text.trim().split('\n').slice(-8).join('\n')
}

/** The running sandbox in `dir`, or undefined (a state file left by a dead process is removed). */
export async function findSandbox(dir: string): Promise<SandboxStateFile | undefined> {
  const state = await readSandboxState(dir)
  if (!state) return undefined
  if (isAlive(state.pid)) return state
  await rm(stateFilePath(dir), {force: true})
  return undefined
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
  if (existing) return {alreadyRunning: true, pid: existing.pid, dir, state: existing}
  const {mosquitto} = requireSystemDeps()
  await mkdir(dir, {recursive: true, mode: 0o700})
  const fd = openSync(daemonLogPath(dir), 'w', 0o600)
  const child = spawn(process.execPath, [DAEMON, dir], {
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
    if (state && state.pid === child.pid) return {alreadyRunning: false, pid: state.pid, dir, state}
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
}

/** Stops the sandbox process (SIGTERM, then SIGKILL after `graceInMs`) and a mosquitto it left behind. */
export async function sandboxDown(dir: string, opts: {graceInMs?: number} = {}): Promise<SandboxDownResult> {
  const state = await readSandboxState(dir)
  if (!state) return {wasRunning: false, dir}
  const wasRunning = isAlive(state.pid)
  if (wasRunning) {
    process.kill(state.pid, 'SIGTERM')
    const deadline = Date.now() + (opts.graceInMs ?? 10_000)
    while (isAlive(state.pid) && Date.now() < deadline) await sleep(50)
    if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL')
  }
  // Only a process that is still this sandbox's mosquitto (pids are reused): its command line names our config dir.
  const mq = state.local.pid
  if (mq && isAlive(mq)) {
    const cmdline = await readFile(`/proc/${mq}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes('mosquitto') && cmdline.includes(dir)) process.kill(mq, 'SIGKILL')
  }
  await rm(stateFilePath(dir), {force: true})
  return {wasRunning, pid: state.pid, dir}
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
