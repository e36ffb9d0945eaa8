import type {TeardownPlan} from '../plan/teardown-plan.js'
import type {Theme} from '../ui/theme.js'
import type {TeardownResult} from './run-teardown.js'

/** What teardown will delete and what it keeps, for the prompt, --dry-run and the confirmation error. Pure. */
export function formatTeardownPlan(
  plan: TeardownPlan,
  theme: Theme,
  opts: {dryRun?: boolean; resourceGroup?: string} = {},
): string {
  // First, what the inputs name that does not exist: a mistyped -n must be the first thing read.
  const lines: string[] = plan.notFound.map((n) => theme.warn(`warning: ${n.message}`))
  if (plan.deletions.length === 0) {
    lines.push(
      theme.ok(
        plan.kept.length > 0
          ? 'Nothing to delete of this bridge.'
          : 'Nothing to delete: nothing aio-bridge made is left.',
      ),
    )
  } else {
    const where = opts.resourceGroup ? ` (resource group ${opts.resourceGroup})` : ''
    lines.push(theme.bold(`${opts.dryRun ? 'Would delete' : 'Will delete'}, in this order${where}:`))
    // Titles name kind, name and instance; the full ids are in --json.
    for (const d of plan.deletions) lines.push(`  ${theme.err('-')} ${d.title}`)
  }
  if (plan.kept.length > 0) {
    lines.push(theme.bold('Keeps:'))
    for (const k of plan.kept) lines.push(`  ${theme.ok('=')} ${k.kind} ${k.name}: ${k.reason}`)
  }
  for (const n of plan.notes) lines.push(theme.dim(`note: ${n}`))
  return lines.join('\n')
}

/** The summary after teardown ran. Pure. */
export function formatTeardownSummary(r: TeardownResult, theme: Theme): string {
  if (r.dryRun) return theme.bold('Dry run: nothing was deleted.')
  if (!r.confirmed) return theme.warn('Cancelled: nothing was deleted.')
  const deleted = r.deletions.filter((d) => d.outcome === 'deleted').length
  const gone = r.deletions.filter((d) => d.outcome === 'already-gone').length
  if (r.deletions.length === 0) return theme.ok('Teardown done: there was nothing to delete.')
  const parts = [
    `${deleted} deleted`,
    ...(gone ? [`${gone} already gone`] : []),
    ...(r.kept.length ? [`${r.kept.length} kept`] : []),
  ]
  return theme.ok(theme.bold(`Teardown done: ${parts.join(', ')}.`))
}
