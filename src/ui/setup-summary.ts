import type {SetupResult} from '../setup/run-setup.js'
import type {Theme} from './theme.js'

/**
 * The human summary printed after setup's task list. Pure: result in, text out. `sandbox`: the shell points at
 * `aio-bridge sandbox` (no cluster, no kubectl), so the next step is verify with the sandbox's own flags.
 */
export function formatSetupSummary(r: SetupResult, theme: Theme, opts: {sandbox?: boolean} = {}): string {
  const rolesOf = (who: string) =>
    r.roleAssignments
      .filter((a) => a.assignee === who)
      .map((a) => `${a.roleName.replace('EventGrid TopicSpaces ', '')}: ${theme.action(a.action)}`)
      .join(', ')
  const roles = rolesOf('iot-operations')
  const rows: Array<[string, string]> = [
    ['namespace', `${r.namespace.name} (${theme.action(r.namespace.action)})`],
    [
      'topic space',
      `${r.topicSpace.name} (${theme.action(r.topicSpace.action)}), templates ${r.topicSpace.templates.join(', ')}`,
    ],
    ['principal', `${r.principalId} (extension ${r.extension})`],
    ['roles', roles],
    ...(r.roleAssignments.some((a) => a.assignee === 'caller')
      ? [['your roles', rolesOf('caller')] as [string, string]]
      : []),
    ['hostname', r.hostname ?? theme.dim('(known once the namespace is provisioned)')],
  ]
  const df = r.dataflows as
    | {target?: string; action?: string; instance?: string; files?: string[]; command?: string; applied?: boolean}
    | undefined
  const notApplied = df?.applied === false
  if (df) {
    const where = df.instance ? ` on instance ${df.instance}` : df.files ? ` → ${df.files.join(', ')}` : ''
    const state = notApplied ? 'written, not applied' : df.action ? theme.action(df.action) : 'applied'
    rows.push(['dataflows', `${df.target} (${state})${where}`])
    if (df.command) rows.push(['apply with', df.command])
  }
  const head = r.dryRun
    ? theme.bold('Dry run: nothing was changed. Planned:')
    : df && !notApplied
      ? theme.ok(theme.bold('The bridge is in place: Event Grid side and dataflows.'))
      : theme.ok(theme.bold('The Event Grid side of the bridge is ready.'))
  const lines = [head, ...rows.map(([k, v]) => `  ${k.padEnd(12)} ${v}`)]
  for (const w of r.warnings) lines.push(theme.warn(`  warning: ${w}`))
  if (!r.dryRun) {
    const next =
      df && !notApplied
        ? opts.sandbox
          ? "Next: aio-bridge verify $AIO_BRIDGE_SANDBOX_VERIFY_FLAGS proves the round trip through the sandbox's brokers."
          : 'Next: aio-bridge verify (in the cluster, or from here with --kubectl) proves the round trip.'
        : 'Next: apply the dataflows (the command above, or aio-bridge setup without --no-apply), then aio-bridge verify.'
    lines.push('', theme.dim(next))
  }
  return lines.join('\n')
}
