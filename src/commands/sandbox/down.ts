import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import type {SandboxDownResult} from '../../emulator/sandbox/control.js'

export default class SandboxDown extends BaseCommand {
  static override summary = 'Stop the background emulation and everything it started.'
  static override description =
    `Stops the process aio-bridge sandbox up started (and its mosquitto), and removes its state file. Nothing running is success; a state file naming a process that is not this sandbox (gone, or its pid reused) is removed and nothing is signalled.

EXIT CODES
  0 stopped (or nothing was running)`
  static override examples = ['<%= config.bin %> sandbox down']
  static override flags = {
    dir: Flags.string({description: 'State directory [default: $AIO_BRIDGE_SANDBOX_DIR or ~/.aio-bridge/sandbox]'}),
  }

  async run(): Promise<SandboxDownResult> {
    const {flags} = await this.parse(SandboxDown)
    const {sandboxDir} = await import('../../emulator/sandbox/state-file.js')
    const {sandboxDown} = await import('../../emulator/sandbox/control.js')
    const r = await sandboxDown(sandboxDir(flags.dir))
    this.out(
      r.wasRunning
        ? this.theme().ok(`✔ Sandbox stopped (pid ${r.pid})`)
        : `No sandbox was running${r.staleStateRemoved ? ' (removed a stale state file)' : ''}.`,
    )
    return r
  }
}
