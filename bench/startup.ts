import {fileURLToPath} from 'node:url'
import {type Figure, fmt, median, run} from './lib.js'

const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/** Median wall time of the CLI's start-up paths beside a bare node start, in the same run, interleaved. */
export async function benchStartup(opts: {runs?: number; setupEnv?: NodeJS.ProcessEnv} = {}): Promise<Figure[]> {
  const runs = opts.runs ?? 15
  const env = {...process.env, NO_COLOR: '1', CI: 'true'}
  const cases: Array<{name: string; args: string[]; env?: NodeJS.ProcessEnv; target?: number}> = [
    {name: 'node -e ""', args: ['-e', '']},
    {name: 'aio-bridge --help', args: [bin, '--help'], target: 5},
    {
      name: 'aio-bridge render --format bicep',
      args: [bin, 'render', '--format', 'bicep', '--hostname', 'ns.westus2-1.ts.eventgrid.azure.net'],
      target: 8,
    },
  ]
  if (opts.setupEnv)
    cases.push({name: 'aio-bridge setup --dry-run (fake ARM)', args: [bin, 'setup', '--dry-run'], env: opts.setupEnv})
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]))
  for (let i = 0; i < runs; i++) {
    for (const c of cases) {
      const r = await run(process.execPath, c.args, c.env ?? env)
      if (r.code !== 0) throw new Error(`${c.name} exited ${r.code}: ${r.stderr.slice(0, 500)}`)
      times.get(c.name)?.push(r.ms)
    }
  }
  const base = median(times.get('node -e ""') ?? [])
  return cases.map((c) => {
    const m = median(times.get(c.name) ?? [])
    const ratio = m / base
    return {
      name: `start-up: ${c.name}`,
      value: c.name.startsWith('node') ? fmt(m) : `${fmt(m)} (${ratio.toFixed(1)}× node)`,
      target: c.target ? `≤ ${c.target}× node` : undefined,
      ok: c.target ? ratio <= c.target : undefined,
    }
  })
}
