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
  const command = words[0] ?? ''
  const err = opts.config.findCommand(command)
    ? new ConfigError(
        'USAGE_UNKNOWN_FLAG',
        `Unexpected argument: ${words.slice(1).join(' ')}`,
        `See 'aio-bridge ${command} --help' for the flags this command takes.`,
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
