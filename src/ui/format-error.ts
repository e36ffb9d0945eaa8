import {inspect} from 'node:util'
import type {AioBridgeError} from '../errors.js'
import {redact} from './redact.js'
import type {Theme} from './theme.js'

/** The human form of an error: one line of what, the progress so far, the fix, the code. Stack only with --debug. */
export function formatError(err: AioBridgeError, theme: Theme, debug: boolean): string {
  const lines = [`${theme.err('Error:')} ${err.message}`]
  if (err.progress) lines.push('', err.progress)
  if (err.remedy) lines.push('', `${theme.bold('Fix:')} ${err.remedy}`)
  lines.push(theme.dim(`code ${err.code}, exit ${err.exitCode}${debug ? '' : ' (more with --debug)'}`))
  if (debug) {
    lines.push('', theme.dim(err.stack ?? ''))
    if (err.cause) lines.push(theme.dim(`cause: ${inspect(err.cause, {depth: 4})}`))
  }
  return `${redact(lines.join('\n'))}\n`
}
