import {fromAzureError, looksLikeAzureError} from './azure/arm-errors.js'
import {AioBridgeError, ExitCode, interruptedError} from './errors.js'

/** Turns anything thrown into a typed error: aborts, Azure SDK errors, and the unexpected (parse errors: BaseCommand.parse). */
export function toAioBridgeError(err: unknown): AioBridgeError {
  if (err instanceof AioBridgeError) return err
  const e = err as Error & {code?: string}
  if (e?.name === 'AbortError') {
    return interruptedError()
  }
  if (looksLikeAzureError(err)) return fromAzureError(err)
  return new AioBridgeError('UNEXPECTED', e?.message ?? String(err), {
    exitCode: ExitCode.unexpected,
    cause: err,
    remedy: 'Re-run with --debug and report the output (secrets are masked).',
  })
}
