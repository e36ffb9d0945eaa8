import {execFile} from 'node:child_process'
import {chmod, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export {type BridgeEmulation, startBridgeEmulation} from '../../src/emulator/mqtt/topology.js'

/** The repository root (dist/test/helpers → ../../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON, when it is. */
  json?: {status?: number; error?: {code: string; exitCode: number; details?: Record<string, unknown>}} & Record<
    string,
    unknown
  >
}

/**
 * Runs the built CLI as a user would, without blocking this process (the brokers' relay lives here and must keep
 * forwarding while the child runs).
 */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: {...process.env, NO_COLOR: '1', AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential', ...env},
        timeout: timeoutMs,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as {code?: unknown}).code === 'number' ? (err as {code: number}).code : -1) : 0
        let json: CliResult['json']
        try {
          json = JSON.parse(stdout)
        } catch {
          json = undefined
        }
        resolvePromise({code, stdout, stderr, json})
      },
    )
  })
}

/** The `details` of a --json error (empty when there is none). */
export function errorDetails(r: CliResult): Record<string, unknown> {
  return r.json?.error?.details ?? {}
}

/** The flags that point verify at an emulated local broker (loopback, the emulation's CA, its certificate name). */
export function localArgs(emu: {local: {port: number}; caFile: string}): string[] {
  return [
    '--host',
    '127.0.0.1',
    '--port',
    String(emu.local.port),
    '--ca-file',
    emu.caFile,
    '--tls-server-name',
    'aio-broker',
  ]
}

/** A directory with executable stubs (`az`, `kubectl`) to put first on PATH. */
export async function stubDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aio-bridge-stubs-'))
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name)
    await writeFile(p, text)
    await chmod(p, 0o755)
  }
  return dir
}

/** A stub `az` that answers `az account get-access-token` with the given token (AzureCliCredential's protocol). */
export function azStub(token: string): string {
  const body = JSON.stringify({
    accessToken: token,
    expiresOn: new Date(Date.now() + 3600_000).toISOString(),
    expires_on: Math.floor(Date.now() / 1000) + 3600,
    tokenType: 'Bearer',
  })
  return `#!/bin/sh\ncat <<'EOF'\n${body}\nEOF\n`
}
