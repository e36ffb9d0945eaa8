import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'

export interface SandboxEnvResult {
  /** Variables to export (PATH excluded: prepend `azDir`). */
  env: Record<string, string>
  azDir: string
  verifyArgs: string[]
  controlUrl: string
  pid: number
  dir: string
}

export default class SandboxEnv extends BaseCommand {
  static override summary = 'Print the export lines that point aio-bridge at the running sandbox.'
  static override description =
    `Prints, for a POSIX shell, NODE_EXTRA_CA_CERTS, AIO_BRIDGE_ARM_ENDPOINT, AZURE_TOKEN_CREDENTIALS=AzureCliCredential, PATH with the stub az first, the tutorial's SUBSCRIPTION_ID, RESOURCE_GROUP, LOCATION, EVENT_GRID_NAMESPACE, CLUSTER_NAME, and AIO_BRIDGE_SANDBOX_VERIFY_FLAGS (the verify flags for the sandbox's broker). No secret is printed: the broker password is in a file named by the flags.

EXIT CODES
  0 printed   5 no sandbox running (aio-bridge sandbox up)`
  static override examples = [
    'eval "$(<%= config.bin %> sandbox env)"\n<%= config.bin %> setup && <%= config.bin %> verify $AIO_BRIDGE_SANDBOX_VERIFY_FLAGS',
  ]
  static override flags = {
    dir: Flags.string({description: 'State directory [default: $AIO_BRIDGE_SANDBOX_DIR or ~/.aio-bridge/sandbox]'}),
  }

  async run(): Promise<SandboxEnvResult> {
    const {flags} = await this.parse(SandboxEnv)
    const {sandboxDir} = await import('../../emulator/sandbox/state-file.js')
    const {requireSandbox, formatEnvExports} = await import('../../emulator/sandbox/control.js')
    const dir = sandboxDir(flags.dir)
    const s = await requireSandbox(dir)
    this.out(formatEnvExports(s))
    return {env: s.env, azDir: s.azDir, verifyArgs: s.verifyArgs, controlUrl: `${s.arm.url}/_emulator`, pid: s.pid, dir}
  }
}
