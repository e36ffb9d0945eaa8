import type {StatusAssessment} from '../plan/status.js'
import type {Theme} from './theme.js'

/** The human status table: one line per check (mark, piece, what was found), the fix under each gap. Pure. */
export function formatStatus(
  a: StatusAssessment,
  theme: Theme,
  where: {resourceGroup: string; namespace: string; topicSpace: string},
): string {
  const width = Math.max(...a.checks.map((c) => c.title.length), 10)
  const lines = [
    theme.bold(
      `Bridge status: namespace ${where.namespace}, topic space ${where.topicSpace}, resource group ${where.resourceGroup}`,
    ),
  ]
  for (const c of a.checks) {
    const mark = c.ok ? theme.ok('✔') : c.skipped ? theme.dim('-') : theme.err('✘')
    const detail = c.skipped ? theme.dim(c.detail) : c.detail
    lines.push(`  ${mark} ${c.title.padEnd(width)}  ${detail}`)
    if (!c.ok && !c.skipped && c.fix) lines.push(`    ${' '.repeat(width + 2)}${theme.dim('fix:')} ${c.fix}`)
  }
  lines.push('')
  const skipped = a.skipped.length ? theme.dim(` (${a.skipped.length} not checked)`) : ''
  lines.push(
    a.clean
      ? `${theme.ok(theme.bold('Clean: every piece matches what setup makes.'))}${skipped}`
      : `${theme.err(theme.bold(`${a.gaps.length} gap${a.gaps.length === 1 ? '' : 's'}: ${a.gaps.join(', ')}`))}${skipped} ${theme.dim('(exit 10)')}`,
  )
  return lines.join('\n')
}
