import type {StepReporter} from '../setup/reporter.js'

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

/**
 * Shows an executor's steps as a listr2 task list. The executor stays in charge of order and concurrency; each listr2
 * task just waits for its step to be reported done, failed or skipped.
 */
export async function createListrReporter(
  steps: Record<string, string>,
  renderer: RendererName,
): Promise<StepReporter & {finish(): Promise<void>}> {
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
    fail: (id, title) => settle(id, (e) => e.reject(new Error(title))),
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
