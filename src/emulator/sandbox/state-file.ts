import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import type {SandboxInfo} from './sandbox.js'

/**
 * Where `sandbox up` keeps what `env` and `down` need: `$AIO_BRIDGE_SANDBOX_DIR`, else `~/.aio-bridge/sandbox`.
 * `state.json` (mode 0600: it holds the emulator's control key) is written once the sandbox is ready.
 */
export interface SandboxStateFile extends SandboxInfo {
  /** The detached sandbox process. */
  pid: number
  startedAt: string
}

export function sandboxDir(flag?: string, env = process.env): string {
  return flag ?? env.AIO_BRIDGE_SANDBOX_DIR ?? join(homedir(), '.aio-bridge', 'sandbox')
}

export const stateFilePath = (dir: string) => join(dir, 'state.json')
export const daemonLogPath = (dir: string) => join(dir, 'daemon.log')

export async function readSandboxState(dir: string): Promise<SandboxStateFile | undefined> {
  try {
    return JSON.parse(await readFile(stateFilePath(dir), 'utf8')) as SandboxStateFile
  } catch {
    return undefined
  }
}
