import {ExitCode} from '../errors.js'
import type {Theme} from '../ui/theme.js'
import type {VerifyReport} from './run.js'

/** The report as --json gives it: the same keys on success and failure (`latencyMs` null when nothing came back). */
export type VerifyJsonReport = Omit<VerifyReport, 'failure' | 'latencyMs'> & {
  latencyMs: VerifyReport['latencyMs'] | null
}

export function toJsonReport(r: VerifyReport): VerifyJsonReport {
  const {failure: _, latencyMs, ...rest} = r
  return {...rest, latencyMs: latencyMs ?? null}
}

/** The run failed before any broker took it (DNS, TCP, port-forward, TLS, authentication): nothing was sent. */
export function neverConnected(r: VerifyReport): boolean {
  const f = r.failure
  return (
    f !== undefined &&
    [ExitCode.verifyConnect, ExitCode.verifyTls, ExitCode.verifyAuth].includes(f.exitCode as never) &&
    r.sent === 0
  )
}

/** The human summary of a run (stdout). The failure itself is printed by the command's error path (stderr). */
export function formatReport(r: VerifyReport, theme: Theme): string {
  const lines: string[] = []
  const head = r.ok ? theme.ok('✔ Round trip complete') : theme.err('✘ Round trip failed')
  lines.push(`${head} ${theme.dim(`(run ${r.runId}, ${(r.durationMs / 1000).toFixed(1)} s)`)}`)
  lines.push(`  path       ${r.publish.topic} @ ${r.publish.hop} → bridge → ${r.expect.topic} @ ${r.expect.hop}`)
  lines.push(
    `  messages   sent ${r.sent}, received ${r.received}, lost ${r.lost}, duplicated ${r.duplicated}, out of order ${r.outOfOrder}`,
  )
  if (r.direction === 'round-trip')
    lines.push(
      r.localEcho > 0
        ? `  local echo seen ${theme.dim('(the local broker took the messages; an echo never counts as a round trip)')}`
        : `  local echo not seen ${theme.dim('(not watched, or the local broker did not pass the messages on)')}`,
    )
  if (r.latencyMs) {
    const l = r.latencyMs
    lines.push(`  round trip min ${ms(l.min)}  p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  max ${ms(l.max)}`)
  }
  if (r.sent >= 20) {
    lines.push(
      `  throughput sent ${r.throughput.sentPerSecond} msg/s, received ${r.throughput.receivedPerSecond} msg/s`,
    )
  }
  if (r.missing.length > 0 && r.received > 0) {
    lines.push(`  missing    seq ${r.missing.slice(0, 20).join(', ')}${r.lost > 20 ? ', …' : ''}`)
  }
  if (r.reconnects > 0) lines.push(`  reconnects ${r.reconnects}`)
  if (r.metrics) {
    const m = r.metrics
    lines.push(
      `  metrics    ${m.metric}: +${m.delta} (before ${m.before}, after ${m.after}, expected +${m.expected}${m.settled ? '' : ', not settled'})`,
    )
  }
  for (const w of r.warnings) lines.push(theme.warn(`  ⚠ ${w}`))
  return lines.join('\n')
}

function ms(v: number): string {
  return v < 10 ? `${v.toFixed(2)} ms` : `${Math.round(v)} ms`
}

function xml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({'<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;'})[c] as string,
  )
}

/**
 * JUnit XML for CI test reports: one test suite per run, one test case per hop that can fail, so a pipeline's test
 * tab shows which hop broke. Counts and latency go in properties.
 */
export function toJUnit(r: VerifyReport): string {
  const f = r.failure
  const failedHop = f?.hop
  const connectCase = `connect and subscribe on ${r.expect.hop}`
  const publishCase = `publish to ${r.publish.topic} on ${r.publish.hop}`
  const roundTripCase = `messages come back on ${r.expect.topic}`
  const cases: Array<{name: string; failed: boolean; skipped: boolean}> = []
  // Which case a failure belongs to: connect/subscribe errors name the hop; the bridge owns loss and nothing-back.
  const bridgeFailure = failedHop === 'bridge'
  const connectFailure = f !== undefined && !bridgeFailure && r.sent === 0 && failedHop === r.expect.hop
  const publishFailure = f !== undefined && !bridgeFailure && !connectFailure
  cases.push({name: connectCase, failed: connectFailure, skipped: false})
  cases.push({name: publishCase, failed: publishFailure, skipped: connectFailure})
  cases.push({name: roundTripCase, failed: bridgeFailure, skipped: connectFailure || publishFailure})
  const failures = cases.filter((c) => c.failed).length
  const skipped = cases.filter((c) => c.skipped).length
  const time = (r.durationMs / 1000).toFixed(3)
  const props: Array<[string, string | number]> = [
    ['runId', r.runId],
    ['sent', r.sent],
    ['received', r.received],
    ['lost', r.lost],
    ['duplicated', r.duplicated],
    ['outOfOrder', r.outOfOrder],
  ]
  if (r.latencyMs) {
    for (const k of ['min', 'p50', 'p95', 'p99', 'max'] as const) props.push([`latencyMs.${k}`, r.latencyMs[k]])
  }
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="aio-bridge verify" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${time}">`,
    `  <testsuite name="aio-bridge verify (${r.direction})" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${time}">`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${xml(k)}" value="${xml(String(v))}"/>`),
    '    </properties>',
  ]
  for (const c of cases) {
    const open = `    <testcase classname="aio-bridge.verify" name="${xml(c.name)}"`
    if (c.failed && f) {
      out.push(`${open}>`)
      out.push(
        `      <failure type="${xml(f.code)}" message="${xml(f.message)}">${xml(`${f.message}\nFix: ${f.remedy ?? ''}\nexit ${f.exitCode}`)}</failure>`,
      )
      out.push('    </testcase>')
    } else if (c.skipped) {
      out.push(`${open}><skipped/></testcase>`)
    } else {
      out.push(`${open}/>`)
    }
  }
  out.push('  </testsuite>', '</testsuites>', '')
  return out.join('\n')
}
