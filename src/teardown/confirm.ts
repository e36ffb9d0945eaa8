import {createInterface} from 'node:readline'
import {ConfigError} from '../errors.js'
import type {TeardownPlan} from '../plan/teardown-plan.js'
import type {Theme} from '../ui/theme.js'
import {formatTeardownPlan} from './format.js'

/**
 * Asks a yes/no question on a terminal; only "y" or "yes" is yes. Ctrl-C or end of input is no (nothing is deleted).
 */
export function askYesNo(
  question: string,
  io: {input: NodeJS.ReadableStream; output: NodeJS.WritableStream} = {input: process.stdin, output: process.stderr},
): Promise<boolean> {
  const rl = createInterface({
    input: io.input,
    output: io.output,
    terminal: (io.input as {isTTY?: boolean}).isTTY === true,
  })
  return new Promise((resolve) => {
    let settled = false
    const finish = (yes: boolean) => {
      if (settled) return
      settled = true
      rl.close()
      resolve(yes)
    }
    rl.on('SIGINT', () => {
      io.output.write('\n')
      finish(false)
    })
    rl.on('close', () => finish(false))
    rl.question(question, (answer) => finish(/^\s*y(es)?\s*$/i.test(answer)))
  })
}

/**
 * teardown's confirmation: on a terminal, ask; elsewhere (CI, pipes, --json) refuse with TEARDOWN_CONFIRM_REQUIRED,
 * carrying the list (as the error's progress text and, for --json, its details) so the user sees what --yes would do.
 */
export function confirmTeardown(opts: {
  interactive: boolean
  theme: Theme
  resourceGroup: string
}): (plan: TeardownPlan) => Promise<boolean> {
  return async (plan) => {
    const n = plan.deletions.length
    if (!opts.interactive) {
      const e = new ConfigError(
        'TEARDOWN_CONFIRM_REQUIRED',
        `teardown would delete ${n} resource${n === 1 ? '' : 's'} and cannot ask first: standard input is not a terminal (or --json is set).`,
        'Re-run with --yes to delete them, or with --dry-run to list them only.',
        {
          deletions: plan.deletions.map(({kind, name, id}) => ({kind, name, id})),
          notFound: plan.notFound,
          kept: plan.kept,
        },
      )
      e.progress = formatTeardownPlan(plan, opts.theme, {resourceGroup: opts.resourceGroup})
      throw e
    }
    return askYesNo(`Delete ${n === 1 ? 'this resource' : `these ${n} resources`}? [y/N] `)
  }
}
