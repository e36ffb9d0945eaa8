import {Command, Flags, type Interfaces} from '@oclif/core'
import {AioBridgeError, DEFAULT_INTERRUPT_REMEDY, ExitCode, isAioBridgeError} from './errors.js'
import {toAioBridgeError} from './normalize-error.js'
import {formatError} from './ui/format-error.js'
import {redact, registerSecret} from './ui/redact.js'
import {makeChalk, makeTheme, type Theme} from './ui/theme.js'

type FlagOutput = Record<string, unknown>

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

  /**
   * What Ctrl-C means for this command: the line printed when it arrives, and the remedy of the INTERRUPTED error.
   * The default fits the commands that change Azure; verify, status and the rest override it.
   */
  static interrupt = {
    stopping: 'Stopping after the step in flight (Ctrl-C again to stop now)…',
    remedy: 'Run the same command again: it continues from what exists.',
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
      process.stderr.write(`\n${(this.ctor as typeof BaseCommand).interrupt.stopping}\n`)
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

  /**
   * Every flag error of every command is answered here: oclif's parse failures become USAGE_* errors with a remedy
   * (src/usage/parse-errors.ts), loaded only when parsing failed so start-up pays nothing for it.
   */
  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends FlagOutput>(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    try {
      return await super.parse(options, argv)
    } catch (err) {
      const {isOclifParseError, usageError} = await import('./usage/parse-errors.js')
      if (!isOclifParseError(err)) throw err
      maskPasswordArguments(argv)
      const ctor = (options ?? this.ctor) as {flags?: object; baseFlags?: object}
      throw usageError(err, {id: this.id, flags: {...ctor.baseFlags, ...ctor.flags} as never}, argv)
    }
  }

  /** Every --json result carries `status`, the exit code, beside the command's own fields. */
  protected override toSuccessJson(result: unknown): unknown {
    const status = typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok
    return {status, ...(result as object)}
  }

  /**
   * The --json document of a failure: `{status, error}`, plus what the command could still report (verify's run
   * report), so a command has one shape whether it succeeds or fails.
   */
  protected errorJson(e: AioBridgeError): Record<string, unknown> {
    return {status: e.exitCode, ...e.result, error: e.toJSON()}
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<void> {
    let e: AioBridgeError = isAioBridgeError(err) ? err : toAioBridgeError(err)
    if (e.code === 'INTERRUPTED') e = withRemedy(e, (this.ctor as typeof BaseCommand).interrupt.remedy)
    if (e.exitCode === ExitCode.interrupted && this.terminated) e = asTerminated(e)
    process.exitCode = e.exitCode
    if (this.jsonEnabled()) {
      process.stdout.write(`${redact(JSON.stringify(this.errorJson(e), null, 2))}\n`)
      return
    }
    process.stderr.write(formatError(e, makeTheme(makeChalk({stream: process.stderr})), this.debugEnabled))
  }
}

/** The same interruption, reported with SIGTERM's exit code (143) everywhere: the exit status, the text and --json. */
function asTerminated(e: AioBridgeError): AioBridgeError {
  return copyError(e, {exitCode: ExitCode.terminated})
}

/** An interruption with the remedy of the command it stopped (an executor's own remedy, when it set one, wins). */
function withRemedy(e: AioBridgeError, remedy: string): AioBridgeError {
  return e.remedy && e.remedy !== DEFAULT_INTERRUPT_REMEDY ? e : copyError(e, {remedy})
}

function copyError(
  e: AioBridgeError,
  change: {exitCode?: AioBridgeError['exitCode']; remedy?: string},
): AioBridgeError {
  const t = new AioBridgeError(e.code, e.message, {
    exitCode: change.exitCode ?? e.exitCode,
    remedy: change.remedy ?? e.remedy,
    details: e.details,
    cause: e.cause,
    result: e.result,
  })
  t.progress = e.progress
  return t
}

/**
 * `--password secret` is not a flag aio-bridge has, and oclif would echo `secret` as an unexpected argument: the
 * value is registered as a secret before any error is printed.
 */
function maskPasswordArguments(argv: readonly string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    const m = /^(--password|--pw|-P)(=(.*))?$/.exec(a)
    if (m) registerSecret(m[3] ?? argv[i + 1])
  }
}
