import type {Hook} from '@oclif/core'
import {ConfigError} from '../errors.js'
import {formatError} from '../ui/format-error.js'
import {makeChalk, makeTheme} from '../ui/theme.js'
import {closest} from '../usage/parse-errors.js'

/**
 * `aio-bridge stup` or `aio-bridge setup extra` never reach a command (oclif looks for the command "setup:extra"), so
 * BaseCommand cannot report them. On a terminal, a word that is no command goes to @oclif/plugin-not-found (it asks
 * "Did you mean setup?" and runs it); everywhere else (CI, --json, a pipe) nothing can be asked, so the same
 * suggestion is the remedy of a usage error: code, exit 2, --json honoured.
 */
const hook: Hook.CommandNotFound = async function (opts) {
  const words = opts.id.split(':')
  // The longest leading run of words that names a command (`sandbox env` in `sandbox env extra`); the rest are
  // arguments it does not take.
  let n = words.length
  while (n > 0 && !opts.config.findCommand(words.slice(0, n).join(':'))) n--
  const json = (opts.argv ?? []).includes('--json')
  if (n === 0 && !json && process.stdin.isTTY && process.stderr.isTTY) {
    const {default: notFound} = await import('@oclif/plugin-not-found')
    try {
      return await notFound.call(this, opts)
    } catch {
      // Answered no (the plugin then exits 127): fall through to the documented usage error.
    }
  }
  const command = words.slice(0, n).join(' ')
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '))
  const near = closest(words.join(' '), ids)
  const err =
    n > 0
      ? new ConfigError(
          'USAGE_UNEXPECTED_ARGUMENT',
          `Unexpected argument${words.length - n === 1 ? '' : 's'} to '${command}': ${words.slice(n).join(' ')}`,
          `'aio-bridge ${command}' takes flags only: give each value with its flag ('aio-bridge ${command} --help' lists them).`,
        )
      : new ConfigError(
          'USAGE_UNKNOWN_COMMAND',
          `Unknown command: ${words.join(' ')}`,
          near
            ? `Did you mean 'aio-bridge ${near}'? ('aio-bridge help' lists the commands.)`
            : `Run 'aio-bridge help' for the commands: ${ids.sort().join(', ')}.`,
        )
  process.exitCode = err.exitCode
  if (json) {
    process.stdout.write(`${JSON.stringify({status: err.exitCode, error: err.toJSON()}, null, 2)}\n`)
  } else {
    process.stderr.write(formatError(err, makeTheme(makeChalk({stream: process.stderr})), false))
  }
}

export default hook
