import {stripVTControlCharacters} from 'node:util'
import levenshtein from 'fast-levenshtein'
import {ConfigError} from '../errors.js'
import {parseGoDuration} from '../verify/options.js'
import {FOREIGN_FLAGS} from './foreign-flags.js'

/**
 * oclif's parse failures (unknown flag, bad value, missing required flag, stray argument) as the project's usage
 * error: a code, one line of what is wrong, and a remedy with the corrected value where one can be derived (a
 * duration as seconds, a number brought into range, the nearest option or flag name), else the rule and an example.
 * Every command goes through BaseCommand.parse, so this is the one place flags are answered.
 */

/** What this module reads of an oclif flag definition. */
export interface FlagDef {
  name?: string
  char?: string
  type: 'boolean' | 'option'
  options?: readonly string[]
  min?: number
  max?: number
  multiple?: boolean
  helpValue?: string | string[]
  allowNo?: boolean
  hidden?: boolean
}

export type FlagDefs = Record<string, FlagDef>

/** An example value per flag, for remedies when none can be derived from what was typed. */
const EXAMPLES: Record<string, string> = {
  count: '5',
  port: '18883',
  qos: '1',
  size: '1024',
  'max-client-sessions': '3',
  'profile-instances': '1',
  'event-grid-port': '8883',
  interval: '0.5',
  rate: '50',
  wait: '10',
  timeout: '60',
  'metrics-wait': '300',
  'metrics-poll': '20',
}

/** The helpValue that marks a decimal number of seconds (src/flags.ts `seconds`). */
const SECONDS = 'SECONDS'

interface OclifParseError extends Error {
  flags?: string[]
  args?: unknown[]
  parse?: {input?: {argv?: string[]}}
}

export function isOclifParseError(err: unknown): boolean {
  const e = err as OclifParseError & {oclif?: {exit?: number}}
  return (
    e instanceof Error &&
    (e.parse !== undefined ||
      /^Parsing --|^Flag --|^Unexpected flag|^Expected --|Missing required flag/m.test(e.message ?? ''))
  )
}

/** Converts an oclif parse error for `command` (its flag definitions and argv) into a ConfigError. */
export function usageError(
  err: unknown,
  command: {id?: string; flags: FlagDefs},
  argv: readonly string[],
): ConfigError {
  const e = err as OclifParseError
  const message = stripVTControlCharacters(e.message ?? String(err))
  const id = (command.id ?? '').replaceAll(':', ' ')
  const help = `aio-bridge ${id} --help`.replace(/\s+/g, ' ')
  const flags = command.flags

  if (e.name === 'NonExistentFlagsError' || /^Nonexistent flags?:/m.test(message)) {
    const unknown = e.flags ?? (/Nonexistent flags?: (.*)/.exec(message)?.[1] ?? '').split(', ')
    const hints = unknown.map((f) => unknownFlagHint(f, flags, help))
    return new ConfigError(
      'USAGE_UNKNOWN_FLAG',
      `${id ? `${id}: ` : ''}unknown flag${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}.`,
      hints.join(' '),
      {flags: unknown},
    )
  }

  if (e.name === 'UnexpectedArgsError') {
    const words = (e.args ?? []).map(String)
    return new ConfigError(
      'USAGE_UNEXPECTED_ARGUMENT',
      `Unexpected argument${words.length === 1 ? '' : 's'} to '${id}': ${words.join(' ')}`,
      `'${id}' takes flags only: give each value with its flag (${help} lists them).`,
      {arguments: words},
    )
  }

  const missing = [...message.matchAll(/Missing required flag ([\w-]+)/g)].map((m) => m[1] as string)
  if (missing.length > 0) {
    const parts = missing.map((name) => `${flagWithExample(name, flags[name])}`)
    return new ConfigError(
      'USAGE_INVALID_FLAG',
      `Missing required flag${missing.length > 1 ? 's' : ''} ${missing.map((m) => `--${m}`).join(', ')}.`,
      `Pass ${parts.join(' and ')}.`,
      {flags: missing.map((m) => `--${m}`)},
    )
  }

  // "Expected --format=yaml to be one of: bicep, arm, kubernetes"
  const option = /Expected --([\w-]+)=(.*) to be one of: (.*)/.exec(message)
  if (option) {
    const [, name = '', input = '', list = ''] = option
    const choices = flags[name]?.options ?? list.split(', ')
    const near = closest(input, choices)
    return new ConfigError(
      'USAGE_INVALID_FLAG',
      `--${name} '${input}' is not one of ${choices.join(', ')}.`,
      near ? `Pass --${name} ${near}.` : `Pass one of: ${choices.map((c) => `--${name} ${c}`).join(', ')}.`,
      {flag: `--${name}`, value: input},
    )
  }

  // "Parsing --interval \n\tExpected a number of seconds ≥ 0 but received: abc"
  const parsing = /Parsing --([\w-]+)/.exec(message)
  const expectsValue = /^Flag --([\w-]+) expects a value/m.exec(message)
  const once = /^Flag --([\w-]+) can only be specified once/m.exec(message)
  const name = parsing?.[1] ?? expectsValue?.[1] ?? once?.[1]
  if (name) {
    const def = flags[name]
    const input = /received: (.*)$/m.exec(message)?.[1]?.trim() ?? typedValue(name, argv)
    const why = once
      ? 'is given more than once'
      : expectsValue || input === undefined
        ? 'needs a value'
        : `'${input}' is not ${describe(def)}`
    return new ConfigError(
      'USAGE_INVALID_FLAG',
      `--${name} ${why}.`,
      once ? `Give --${name} once, e.g. ${flagWithExample(name, def)}.` : correctedValue(name, def, input),
      {flag: `--${name}`, ...(input === undefined ? {} : {value: input})},
    )
  }

  const text = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^See more help with --help$|^The following errors? occurred:$/.test(l))
    .join(' ')
  return new ConfigError('USAGE_INVALID_FLAG', text, `${help} lists the flags and the values each takes.`)
}

/** What kind of value a flag takes, for "'abc' is not a number of seconds". */
function describe(def: FlagDef | undefined): string {
  if (!def) return 'a valid value'
  if (def.options) return `one of ${def.options.join(', ')}`
  if (helpValue(def) === SECONDS) return 'a number of seconds'
  if (helpValue(def) === 'RATE') return 'a number of messages per second'
  if (def.min !== undefined || def.max !== undefined || helpValue(def) === 'N') {
    if (def.min !== undefined && def.max !== undefined) return `a whole number from ${def.min} to ${def.max}`
    if (def.min !== undefined) return `a whole number ≥ ${def.min}`
    if (def.max !== undefined) return `a whole number ≤ ${def.max}`
  }
  return 'a whole number'
}

function helpValue(def: FlagDef): string | undefined {
  return Array.isArray(def.helpValue) ? def.helpValue[0] : def.helpValue
}

/** The remedy for a bad value: the value corrected when it can be (1m → 60 seconds, 0 → the minimum), else an example. */
function correctedValue(name: string, def: FlagDef | undefined, input: string | undefined): string {
  if (def?.options) {
    const near = input === undefined ? undefined : closest(input, def.options)
    return near ? `Pass --${name} ${near}.` : `Pass one of: ${def.options.map((o) => `--${name} ${o}`).join(', ')}.`
  }
  if (def && helpValue(def) === SECONDS) {
    const ms = input === undefined ? undefined : parseGoDuration(input)
    if (ms !== undefined) return `Give seconds as a plain number: --${name} ${ms / 1000}.`
    return `Give a number of seconds (decimals allowed), e.g. --${name} ${EXAMPLES[name] ?? '10'}.`
  }
  if (def && helpValue(def) === 'RATE') return `Give messages per second as a number, e.g. --${name} ${EXAMPLES[name]}.`
  const n = input === undefined ? Number.NaN : Number(input)
  if (def && Number.isFinite(n)) {
    let fixed = Math.round(n)
    if (def.min !== undefined) fixed = Math.max(def.min, fixed)
    if (def.max !== undefined) fixed = Math.min(def.max, fixed)
    return `Pass ${describe(def)}: --${name} ${fixed}.`
  }
  return `Pass ${describe(def)}, e.g. ${flagWithExample(name, def)}.`
}

function flagWithExample(name: string, def: FlagDef | undefined): string {
  if (def?.options)
    return def.options
      .map((o) => `--${name} ${o}`)
      .join(', ')
      .replace(/, ([^,]*)$/, ' or $1')
  return `--${name} ${EXAMPLES[name] ?? def?.min ?? 'VALUE'}`
}

/** The value that followed `--name` in argv (`--name v` or `--name=v`). */
function typedValue(name: string, argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === `--${name}`) return argv[i + 1]
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3)
  }
  return undefined
}

/** The nearest of `choices` to `input` by edit distance, when near enough to be a typo of it. */
export function closest(input: string, choices: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const c of choices) {
    const d = levenshtein.get(input.toLowerCase(), c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  // A third of the longer name (at least 2 edits) still reads as a typo; more is a different word.
  const limit = Math.max(2, Math.floor(Math.max(input.length, best?.length ?? 0) / 3))
  return best !== undefined && bestDistance <= limit ? best : undefined
}

/** The names a command's flags answer to: --name, --no-name, -c. */
function flagNames(flags: FlagDefs): string[] {
  const names: string[] = []
  for (const [name, def] of Object.entries(flags)) {
    if (def.hidden) continue
    names.push(`--${name}`)
    if (def.allowNo) names.push(`--no-${name}`)
  }
  return names
}

function hasFlag(flags: FlagDefs, flag: string): boolean {
  const bare = flag.replace(/^--(no-)?/, '')
  if (flag.startsWith('--')) return bare in flags
  return Object.values(flags).some((d) => d.char !== undefined && `-${d.char}` === flag)
}

/** One sentence per unknown flag: the aio-bridge name of a flag from az/kubectl/mosquitto, or the nearest flag. */
function unknownFlagHint(typed: string, flags: FlagDefs, help: string): string {
  const flag = typed.split('=')[0] as string
  const foreign = FOREIGN_FLAGS[flag]
  if (foreign) {
    const use = foreign.use.filter((f) => hasFlag(flags, f))
    if (use.length > 0 || foreign.use.length === 0) {
      const instead = use.length ? `use ${use.join(' or ')}` : 'aio-bridge has no such flag'
      return `${flag} is ${foreign.from}'s name: ${instead}${foreign.why ? ` (${foreign.why})` : ''}.`
    }
  }
  const near = flag.startsWith('--') ? closest(flag, flagNames(flags)) : undefined
  if (near) return `Did you mean ${near}?`
  return `${help} lists the flags this command takes.`
}
