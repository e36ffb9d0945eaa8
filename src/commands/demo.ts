import {join} from 'node:path'
import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import type {DemoResult} from '../emulator/sandbox/demo.js'

export default class Demo extends BaseCommand {
  static override summary = 'Run the whole tutorial on this machine against a local emulation: no Azure account needed.'
  static override description =
    `Starts a local emulation of everything aio-bridge talks to (a Resource Manager emulator with the tutorial's resource group, Arc cluster and IoT Operations instance; an IoT Operations MQTT broker; an Event Grid MQTT broker that enforces the topic space's templates and role assignments; a runner for the deployed dataflows), then runs aio-bridge setup, verify and teardown --yes against it as separate processes (the same code and output as against Azure), prints the measured round trip and stops everything it started. Needs mosquitto and openssl (bash scripts/ensure-system-deps.sh installs them). See docs/demo.md for what is emulated and what is not.

EXIT CODES
  0 done   5 mosquitto or openssl missing   130 interrupted   otherwise: the exit code of the step that failed`
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --count 20 --no-teardown']
  static override flags = {
    count: Flags.integer({description: 'Messages verify sends through the bridge', default: 5, min: 1, max: 10_000}),
    teardown: Flags.boolean({
      description: 'Run teardown at the end (--no-teardown: stop after verify)',
      allowNo: true,
      default: true,
    }),
  }

  async run(): Promise<DemoResult> {
    const {flags} = await this.parse(Demo)
    const {runDemo} = await import('../emulator/sandbox/demo.js')
    const theme = this.theme(process.stderr)
    const result = await runDemo({
      bin: join(this.config.root, 'bin', 'run.js'),
      json: this.jsonEnabled(),
      count: flags.count,
      teardown: flags.teardown,
      signal: this.abortController.signal,
      note: (l) => this.note(theme.dim(l)),
      write: (s) => {
        if (!this.jsonEnabled()) process.stdout.write(s)
      },
    })
    const rt = result.roundTrip
    const figure =
      rt?.p50Ms === undefined ? 'not measured' : `p50 ${rt.p50Ms} ms (min ${rt.minMs} ms, max ${rt.maxMs} ms)`
    const steps = result.steps.map((s) => s.step).join(', ')
    this.out(
      `\n${this.theme().ok('✔ Demo complete')}: ${steps} against the local emulation in ${(result.durationMs / 1000).toFixed(1)} s`,
    )
    this.out(`  round trip ${figure}`)
    this.out('  next: aio-bridge sandbox up   (keep the emulation running and try the commands yourself)')
    return result
  }
}
