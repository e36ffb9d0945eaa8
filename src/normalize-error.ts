import {fromAzureError, looksLikeAzureError} from './azure/arm-errors.js'
import {AioBridgeError, ConfigError, ExitCode, interruptedError} from './errors.js'

/** Turns anything thrown into a typed error: oclif parse errors, aborts, Azure SDK errors, and the unexpected. */
export function toAioBridgeError(err: unknown): AioBridgeError {
  if (err instanceof AioBridgeError) return err
  const e = err as Error & {oclif?: {exit?: number}; parse?: unknown; code?: string}
  if (e?.name === 'AbortError') {
    return interruptedError()
  }
  if (e && (e.parse !== undefined || /Flag|Args|Arg|flag/.test(e.name ?? '') || e.oclif?.exit === 2)) {
    // oclif puts the useful part on the following lines ("Parsing --qos\n\tExpected an integer…"): keep them all.
    const message = (e.message ?? String(err))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !/^See more help with --help$|^The following errors? occurred:$/.test(l))
      .join(' ')
      .replace(/^Parsing (--[\w-]+) /, '$1: ')
    const code = /Nonexistent flag|Unexpected argument/i.test(e.message ?? '')
      ? 'USAGE_UNKNOWN_FLAG'
      : 'USAGE_INVALID_FLAG'
    return new ConfigError(code, message.replace(/^Error:\s*/, ''), 'See --help for the flags this command takes.')
  }
  if (looksLikeAzureError(err)) return fromAzureError(err)
  return new AioBridgeError('UNEXPECTED', e?.message ?? String(err), {
    exitCode: ExitCode.unexpected,
    cause: err,
    remedy: 'Re-run with --debug and report the output (secrets are masked).',
  })
}
