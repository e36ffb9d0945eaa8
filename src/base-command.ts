import {Command, Flags} from '@oclif/core'
import {AioBridgeError, ExitCode, isAioBridgeError} from './errors.js'
import {toAioBridgeError} from './normalize-error.js'
import {formatError} from './ui/format-error.js'
import {redact} from './ui/redact.js'
import {makeChalk, makeTheme, type Theme} from './ui/theme.js'

/**
 * What every aio-bridge command shares: --json (oclif's), --debug, typed error output with documented exit codes
 * (set both process.exitCode and oclif's exit so --json and human modes agree), and Ctrl-C as an abort signal.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {
    debug: Flags.boolean({
      description: 'Print request traces and stack traces (secrets are masked).',
      helpGroup: 'GLOBAL',
    }),
  }

  protected readonly abortController = new AbortController()
  private sigintHandler?: (signal?: NodeJS.Signals) => void
  /** Stopped by SIGTERM (a cancelled CI job) rather than Ctrl-C: exit 143 instead of 130. */
  private terminated = false

  get debugEnabled(): boolean {
    return this.argv.includes('--debug')
  }

  protected theme(stream: NodeJS.WriteStream = process.stdout): Theme {
    return makeTheme(makeChalk({json: this.jsonEnabled(), stream}))
  }

  /** Human output to stdout; silent under --json. */
  protected out(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(`${text}\n`)
  }

  /** Progress and warnings to stderr; silent under --json. */
  protected note(text: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${redact(text)}\n`)
  }

  protected override async init(): Promise<void> {
    await super.init()
    // First Ctrl-C (or SIGTERM): finish the step in flight, then stop with a report. Second: stop now.
    this.sigintHandler = (signal?: NodeJS.Signals) => {
      if (signal === 'SIGTERM') this.terminated = true
      if (this.abortController.signal.aborted)
        process.exit(this.terminated ? ExitCode.terminated : ExitCode.interrupted)
      process.stderr.write('\nStopping after the step in flight (Ctrl-C again to stop now)…\n')
      this.abortController.abort()
    }
    process.on('SIGINT', this.sigintHandler)
    process.on('SIGTERM', this.sigintHandler)
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    if (this.sigintHandler) {
      process.off('SIGINT', this.sigintHandler)
      process.off('SIGTERM', this.sigintHandler)
    }
    await super.finally(err)
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<void> {
    let e: AioBridgeError = isAioBridgeError(err) ? err : toAioBridgeError(err)
    if (e.exitCode === ExitCode.interrupted && this.terminated) e = asTerminated(e)
    process.exitCode = e.exitCode
    if (this.jsonEnabled()) {
      process.stdout.write(`${redact(JSON.stringify({status: e.exitCode, error: e.toJSON()}, null, 2))}\n`)
      return
    }
    process.stderr.write(formatError(e, makeTheme(makeChalk({stream: process.stderr})), this.debugEnabled))
  }
}

/** The same interruption, reported with SIGTERM's exit code (143) everywhere: the exit status, the text and --json. */
function asTerminated(e: AioBridgeError): AioBridgeError {
  const t = new AioBridgeError(e.code, e.message, {
    exitCode: ExitCode.terminated,
    remedy: e.remedy,
    details: e.details,
    cause: e.cause,
  })
  t.progress = e.progress
  return t
}
