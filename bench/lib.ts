import {spawn} from 'node:child_process'
import {cpus, totalmem} from 'node:os'

/** Small shared helpers for the benchmark scripts: they print figures; nothing here asserts a time. */

export interface RunResult {
  code: number | null
  ms: number
  stdout: string
  stderr: string
  /** Peak resident set size of the child in MB (from /usr/bin/time when present, else undefined). */
  maxRssMb?: number
}

export function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  input?: string,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(cmd, args, {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({code, ms: Number(process.hrtime.bigint() - started) / 1e6, stdout, stderr}))
    child.stdin.end(input ?? '')
  })
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number
}

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`
}

export function fmt(ms: number): string {
  return `${ms.toFixed(1)} ms`
}

/** A figure line with its target and verdict. */
export interface Figure {
  name: string
  value: string
  target?: string
  ok?: boolean
}

export function table(figures: Figure[]): string {
  const rows = figures.map(
    (f) => `| ${f.name} | ${f.value} | ${f.target ?? '—'} | ${f.ok === undefined ? '' : f.ok ? 'met' : 'NOT met'} |`,
  )
  return ['| figure | value | target | |', '|---|---|---|---|', ...rows].join('\n')
}
