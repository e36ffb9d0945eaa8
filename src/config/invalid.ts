import {ConfigError} from '../errors.js'
import {shellQuote} from '../model/command-line.js'
import {EVENT_GRID_NAME_RULE, suggestEventGridName} from './rules.js'

/**
 * The one shape of a bad value's error: what is wrong with it, and a remedy that fixes it — the corrected value when
 * it can be derived from what was typed (`my_eg_ns` → `--namespace my-eg-ns`), else the rule and an example. A remedy
 * never just names the flag (test/errors/remedies.test.ts fails on one that does).
 */
export interface InvalidValue {
  /** The flag that takes the value, e.g. `--namespace`. */
  flag: string
  /** What the value is, for the message: `Event Grid namespace name`. */
  what: string
  value: string
  /** Reads after the value: `may contain only letters, digits and hyphens`. */
  problem: string
  /** The value corrected, when it can be derived. */
  corrected?: string
  /** The rule, as an instruction (`use 3 to 50 letters…`), and an example value: for when nothing can be derived. */
  rule: string
  example: string
  /** The environment variable the value came from, when it did not come from the flag. */
  env?: string
}

export function invalidValue(v: InvalidValue): ConfigError {
  const from = v.env ? ` (from ${v.env})` : ''
  const message = `${v.what} '${v.value}'${from} ${v.problem}.`
  // From a variable: fix the variable (the flag would override it); from a flag: the flag.
  const give = (value: string) =>
    v.env
      ? `set ${v.env}=${shellQuote(value)} (or pass ${v.flag} ${shellQuote(value)})`
      : `pass ${v.flag} ${shellQuote(value)}`
  const remedy =
    v.corrected !== undefined && v.corrected !== v.value
      ? `${capitalize(give(v.corrected))}.`
      : `${capitalize(v.rule)}, e.g. ${give(v.example)}.`
  return new ConfigError('CONFIG_INVALID', message, remedy, {
    flag: v.flag,
    value: v.value,
    ...(v.corrected !== undefined && v.corrected !== v.value ? {corrected: v.corrected} : {}),
  })
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** The namespace name's error, the same for every command that takes one. */
export function invalidNamespace(value: string, problem: string, env?: string): ConfigError {
  return invalidValue({
    flag: '--namespace',
    what: 'Event Grid namespace name',
    value,
    problem,
    corrected: suggestEventGridName(value),
    rule: EVENT_GRID_NAME_RULE,
    example: 'my-eg-ns',
    env,
  })
}
