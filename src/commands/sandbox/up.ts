import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import type {SandboxUpResult} from '../../emulator/sandbox/control.js'

export default class SandboxUp extends BaseCommand {
  static override summary = 'Start the local emulation in the background and keep it running.'
  static override description =
    `Starts one background process hosting the Resource Manager emulator, the IoT Operations and Event Grid broker stand-ins and the dataflow runner (see aio-bridge demo), and records its ports, process ids and CA in the state directory ($AIO_BRIDGE_SANDBOX_DIR, default ~/.aio-bridge/sandbox). Already running: reports it and changes nothing. The emulator's control key stays in the state file (mode 0600) and is never printed. Then: eval "$(aio-bridge sandbox env)".

EXIT CODES
  0 running   5 mosquitto or openssl missing, or the emulation did not start`
  static override examples = ['<%= config.bin %> sandbox up && eval "$(<%= config.bin %> sandbox env)"']
  static override flags = {
    dir: Flags.string({description: 'State directory [default: $AIO_BRIDGE_SANDBOX_DIR or ~/.aio-bridge/sandbox]'}),
  }

  async run(): Promise<SandboxUpResult> {
    const {flags} = await this.parse(SandboxUp)
    const {sandboxDir} = await import('../../emulator/sandbox/state-file.js')
    const {sandboxUp} = await import('../../emulator/sandbox/control.js')
    const dir = sandboxDir(flags.dir)
    const r = await sandboxUp(dir)
    const s = r.state
    const head = r.alreadyRunning ? 'Sandbox already running' : 'Sandbox running'
    this.out(`${this.theme().ok(`✔ ${head}`)} (pid ${r.pid}, state in ${dir})`)
    this.out(`  Resource Manager        ${s.arm.url}`)
    this.out(`  IoT Operations broker   ${s.local.host}:${s.local.port} (TLS, name aio-broker, user verify)`)
    this.out(`  Event Grid broker       ${s.eventGrid.host}:${s.eventGrid.port} (TLS, OAUTH2-JWT)`)
    this.out(`  log                     ${s.logFile}`)
    this.out(`  next: eval "$(aio-bridge sandbox env${flags.dir ? ` --dir ${flags.dir}` : ''})"`)
    return r
  }
}
