import {rm, writeFile} from 'node:fs/promises'
import {sandboxInfo, startSandbox} from './sandbox.js'
import {type SandboxStateFile, stateFilePath} from './state-file.js'

/**
 * Entry point of the detached process `aio-bridge sandbox up` starts: `node daemon.js <dir>`. Runs the sandbox until
 * SIGTERM/SIGINT, then stops everything it started and removes the state file. Any start failure goes to stderr
 * (the daemon log) and exit code 1, which `sandbox up` reports.
 */
async function main(): Promise<void> {
  const dir = process.argv[2]
  if (!dir) throw new Error('usage: daemon.js <sandbox dir>')
  const sandbox = await startSandbox({dir, mosquittoBinary: process.env.AIO_BRIDGE_SANDBOX_MOSQUITTO || undefined})
  const state: SandboxStateFile = {...sandboxInfo(sandbox), pid: process.pid, startedAt: new Date().toISOString()}
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await rm(stateFilePath(dir), {force: true})
    await sandbox.stop()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => void stop())
  // Closing the terminal `sandbox up` ran in must not stop the sandbox; a crash must not orphan its mosquitto.
  process.on('SIGHUP', () => {})
  process.on('uncaughtException', (err) => {
    process.stderr.write(`sandbox crashed: ${err.stack ?? err.message}\n`)
    void stop()
  })
  await writeFile(stateFilePath(dir), `${JSON.stringify(state, null, 2)}\n`, {mode: 0o600})
  process.stdout.write(`ready ${process.pid}\n`)
}

main().catch((err) => {
  process.stderr.write(`sandbox failed to start: ${(err as Error).message}\n`)
  process.exit(1)
})
