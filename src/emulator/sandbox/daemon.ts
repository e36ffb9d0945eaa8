import {rm, writeFile} from 'node:fs/promises'
import {type Sandbox, sandboxInfo, startSandbox} from './sandbox.js'
import {type SandboxStateFile, stateFilePath} from './state-file.js'

/**
 * Entry point of the detached process `aio-bridge sandbox up` starts: `node daemon.js <dir>`. Runs the sandbox until
 * SIGTERM/SIGINT, then stops everything it started and removes the state file. Any start failure goes to stderr
 * (the daemon log) and exit code 1, which `sandbox up` reports.
 */
async function main(): Promise<void> {
  const dir = process.argv[2]
  if (!dir) throw new Error('usage: daemon.js <sandbox dir>')
  // The handlers go in before anything starts: a signal during start (sandbox up giving up, Ctrl-C) must stop what
  // has started — mosquitto is a process of its own and would outlive us.
  const starting = new AbortController()
  let sandbox: Sandbox | undefined
  let stateWritten = false
  let stopping = false
  const stop = async (code: number) => {
    if (stopping) return
    stopping = true
    if (stateWritten) await rm(stateFilePath(dir), {force: true})
    await sandbox?.stop()
    process.exit(code)
  }
  // While starting, abort: startSandbox stops what it has started and rejects, and main's caller exits.
  const onSignal = () => (sandbox ? void stop(0) : starting.abort())
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  // Closing the terminal `sandbox up` ran in must not stop the sandbox; a crash must not orphan its mosquitto.
  process.on('SIGHUP', () => {})
  process.on('uncaughtException', (err) => {
    process.stderr.write(`sandbox crashed: ${err.stack ?? err.message}\n`)
    if (sandbox) void stop(1)
    else starting.abort()
  })
  sandbox = await startSandbox({
    dir,
    mosquittoBinary: process.env.AIO_BRIDGE_SANDBOX_MOSQUITTO || undefined,
    signal: starting.signal,
  })
  const state: SandboxStateFile = {...sandboxInfo(sandbox), pid: process.pid, startedAt: new Date().toISOString()}
  await writeFile(stateFilePath(dir), `${JSON.stringify(state, null, 2)}\n`, {mode: 0o600})
  stateWritten = true
  process.stdout.write(`ready ${process.pid}\n`)
}

main().catch((err) => {
  process.stderr.write(`sandbox failed to start: ${(err as Error).message}\n`)
  process.exit(1)
})
