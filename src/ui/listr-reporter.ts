import type {StepReporter} from '../setup/reporter.js'
import {redact} from './redact.js'

type Outcome = {kind: 'end' | 'skip'; title: string}

interface Entry {
  promise: Promise<Outcome>
  resolve: (o: Outcome) => void
  reject: (e: Error) => void
  settled: boolean
  task?: {title: string; output: string; skip(msg?: string): void}
  output?: string
}

export type RendererName = 'default' | 'simple' | 'silent'

/** Picks the renderer: silent under --json, the animated one on a terminal, plain lines in CI and pipes. */
export function pickRenderer(json: boolean): RendererName {
  if (json) return 'silent'
  const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false'
  return process.stdout.isTTY && !ci ? 'default' : 'simple'
}

/** The one line a failure's cause gets: a typed error's message and code, or the first line of anything else. */
export function causeLine(cause: unknown): string {
  if (!(cause instanceof Error)) return cause === undefined ? 'failed' : String(cause)
  const first = cause.message.split('\n').find((l) => l.trim() !== '') ?? cause.name
  const code = (cause as {code?: unknown}).code
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) ? `${first} (${code})` : first
}

/**
 * Plain lines for CI logs and pipes (no TTY): one line per step done, one line with its cause per step failed, each
 * planned step of a dry run, and the steps that never ran in one summary line — not listr2's simple renderer, which
 * prints a start line for every step and a skip line for every step that never ran.
 */
export function createLineReporter(
  steps: Record<string, string>,
  write: (line: string) => void = (l) => process.stdout.write(`${redact(l)}\n`),
): StepReporter & {finish(): Promise<void>} {
  const settled = new Set<string>()
  const progress = new Map<string, string>()
  // After a failure, a step reported skipped is one that never ran: it joins the summary line, not a line of its own.
  const notRun: string[] = []
  let failed = false
  const settle = (id: string, line: string) => {
    if (settled.has(id)) return
    settled.add(id)
    write(line)
  }
  return {
    begin() {},
    update(id, text) {
      // Long waits (an identity replicating, a deployment running) show; repeats of the same text do not.
      if (settled.has(id) || progress.get(id) === text) return
      progress.set(id, text)
      write(`  › ${steps[id] ?? id}: ${text}`)
    },
    end: (id, title) => settle(id, `✔ ${title}`),
    skip(id, title) {
      if (!failed) return settle(id, `↓ ${title}`)
      if (!settled.has(id)) notRun.push(id)
      settled.add(id)
    },
    fail(id, title, cause) {
      failed = true
      settle(id, `✖ ${title}: ${causeLine(cause)}`)
    },
    async finish() {
      for (const id of Object.keys(steps)) {
        if (settled.has(id)) continue
        settled.add(id)
        notRun.push(id)
      }
      if (notRun.length > 0) write(`↓ Not run: ${notRun.map((id) => steps[id] ?? id).join('; ')}`)
    },
  }
}

/**
 * Shows an executor's steps as a listr2 task list on a terminal (plain lines elsewhere, nothing under --json). The
 * executor stays in charge of order and concurrency; each listr2 task just waits for its step to be reported done,
 * failed or skipped.
 */
export async function createListrReporter(
  steps: Record<string, string>,
  renderer: RendererName,
): Promise<StepReporter & {finish(): Promise<void>}> {
  if (renderer === 'simple') return createLineReporter(steps)
  const {Listr} = await import('listr2')
  const entries = new Map<string, Entry>()
  for (const id of Object.keys(steps)) {
    let resolve!: (o: Outcome) => void
    let reject!: (e: Error) => void
    const promise = new Promise<Outcome>((res, rej) => {
      resolve = res
      reject = rej
    })
    promise.catch(() => {})
    entries.set(id, {promise, resolve, reject, settled: false})
  }
  const listr = new Listr(
    Object.entries(steps).map(([id, title]) => ({
      title,
      task: async (_ctx: unknown, task: Entry['task'] & object) => {
        const entry = entries.get(id) as Entry
        entry.task = task
        if (entry.output) task.output = entry.output
        const outcome = await entry.promise
        if (outcome.kind === 'skip') task.skip(outcome.title)
        else task.title = outcome.title
      },
    })),
    {
      // Shown in the executor's order; the executor itself overlaps the steps that can overlap.
      concurrent: false,
      exitOnError: false,
      // Ctrl-C belongs to BaseCommand (finish the step in flight, exit 130): listr2's own handler would exit 127 at once.
      registerSignalListeners: false,
      renderer,
      fallbackRenderer: 'simple',
      rendererOptions: {collapseErrors: false},
    } as never,
  )
  const running = listr.run().catch(() => {})
  const settle = (id: string, fn: (e: Entry) => void) => {
    const e = entries.get(id)
    if (!e || e.settled) return
    e.settled = true
    fn(e)
  }
  return {
    begin() {},
    update(id, text) {
      const e = entries.get(id)
      if (!e) return
      e.output = text
      if (e.task) e.task.output = text
    },
    end: (id, title) => settle(id, (e) => e.resolve({kind: 'end', title})),
    skip: (id, title) => settle(id, (e) => e.resolve({kind: 'skip', title})),
    fail: (id, title, cause) =>
      settle(id, (e) => {
        if (e.task) e.task.title = title
        e.reject(new Error(causeLine(cause)))
      }),
    async finish() {
      for (const id of entries.keys()) settle(id, (e) => e.resolve({kind: 'skip', title: 'not run'}))
      await running
    },
  }
}

/** Runs `fn` with a listr2 reporter for `steps`, and lets the task list finish drawing whatever happens. */
export async function withListr<T>(
  steps: Record<string, string>,
  json: boolean,
  fn: (reporter: StepReporter) => Promise<T>,
): Promise<T> {
  const reporter = await createListrReporter(steps, pickRenderer(json))
  try {
    return await fn(reporter)
  } finally {
    await reporter.finish()
  }
}
