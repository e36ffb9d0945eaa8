import type {Hook} from '@oclif/core'
import {ConfigError} from '../errors.js'
import {formatError} from '../ui/format-error.js'
import {makeChalk, makeTheme} from '../ui/theme.js'

/**
 * `aio-bridge setup extra` or `aio-bridge nosuch` never reach a command (oclif looks for the command "setup extra"),
 * so BaseCommand cannot report them: without this hook they come out in oclif's own format, without a code, and
 * ignore --json. Reported here as every other input error: code, remedy, exit 2.
 */
const hook: Hook.CommandNotFound = async (opts) => {
  const words = opts.id.split(':')
  // The longest leading run of words that names a command (`sandbox env` in `sandbox env extra`); the rest are
  // arguments it does not take.
  let n = words.length
  while (n > 0 && !opts.config.findCommand(words.slice(0, n).join(':'))) n--
  const command = words.slice(0, n).join(' ')
  const err =
    n > 0
      ? new ConfigError(
          'USAGE_UNEXPECTED_ARGUMENT',
          `Unexpected argument${words.length - n === 1 ? '' : 's'} to '${command}': ${words.slice(n).join(' ')}`,
          `See 'aio-bridge ${command} --help' for what this command takes (its inputs are flags).`,
        )
      : new ConfigError(
          'USAGE_UNKNOWN_COMMAND',
          `Unknown command: ${words.join(' ')}`,
          "Run 'aio-bridge --help' for the list of commands.",
        )
  process.exitCode = err.exitCode
  if ((opts.argv ?? []).includes('--json')) {
    process.stdout.write(`${JSON.stringify({status: err.exitCode, error: err.toJSON()}, null, 2)}\n`)
  } else {
    process.stderr.write(formatError(err, makeTheme(makeChalk({stream: process.stderr})), false))
  }
}

export default hook
