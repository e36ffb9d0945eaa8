import {BaseCommand} from '../base-command.js'
import {verifyFlags} from '../verify/flags.js'
import type {VerifyJsonReport} from '../verify/report.js'

/** `--json`: `{status, report}` on success, `{status, report, error}` on failure (schemas/verify.json). */
export interface VerifyResult {
  report: VerifyJsonReport
}

export default class Verify extends BaseCommand {
  static override summary = 'Send correlated test messages through the bridge and measure the round trip.'
  static override description =
    `Publishes messages carrying a run id and sequence number to tutorial/local on the IoT Operations broker and expects each back on tutorial/cloud (local → dataflow → Event Grid → dataflow → local), having subscribed first. Reports sent, received, lost, duplicated and out-of-order messages and the round-trip latency; fails with a distinct exit code for each way the path can break. Defaults are the tutorial's mqtt-client pod: aio-broker:18883, TLS with /var/run/certs/ca.crt, K8S-SAT from /var/run/secrets/tokens/broker-sat, 5 messages 1 s apart.

EXIT CODES
  0 all messages came back   2 invalid input   20 nothing came back (check the dataflows and roles)
  21 some messages were lost   22 cannot connect (DNS, TCP, port-forward)   23 TLS (untrusted CA, name mismatch, expired)
  24 authentication refused (CONNACK)   25 not authorized to publish/subscribe (PUBACK/SUBACK)   26 --timeout reached`
  static override examples = [
    '<%= config.bin %> verify                                   # inside the mqtt-client pod',
    '<%= config.bin %> verify --kubectl                         # from a workstation',
    '<%= config.bin %> verify --kubectl --count 1000 --rate 50 --junit verify.xml',
    '<%= config.bin %> verify --kubectl --from-cloud -g my-rg -n my-eg-namespace',
  ]
  static override flags = verifyFlags
  static override interrupt = {
    stopping: 'Stopping the run (Ctrl-C again to stop now)…',
    remedy: 'Run verify again when you are ready: it changes nothing, each run starts afresh.',
  }

  async run(): Promise<VerifyResult> {
    const {flags} = await this.parse(Verify)
    const {executeVerify} = await import('../verify/execute.js')
    const {formatReport, neverConnected, toJsonReport} = await import('../verify/report.js')
    const {VerifyError} = await import('../errors.js')
    const debug = this.debugEnabled
    const report = await executeVerify(flags, {
      env: process.env,
      signal: this.abortController.signal,
      trace: debug ? (l) => this.note(`[verify] ${l}`) : undefined,
      progress: (l) => this.note(this.theme(process.stderr).dim(l)),
    })
    // A run that never reached the broker has no path or counts worth reading: the error alone says it.
    if (!neverConnected(report)) this.out(formatReport(report, this.theme()))
    const result: VerifyResult = {report: toJsonReport(report)}
    const f = report.failure
    if (f) {
      throw new VerifyError(f.code, f.message, {
        exitCode: f.exitCode as never,
        remedy: f.remedy,
        details: {...f.details, hop: f.hop},
        result: {...result},
      })
    }
    return result
  }
}
