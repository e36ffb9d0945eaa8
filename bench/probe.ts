import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {type RunResult, run} from './lib.js'

export const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const hook = new URL('./hook.js', import.meta.url).href

export interface ProbedRun extends RunResult {
  /** Peak resident memory of the CLI process, MB. */
  maxRssMb: number
  /** TCP connections the CLI opened. */
  connections: number
}

/** Runs the built CLI under the bench hook (peak RSS, connections opened); the product is not changed. */
export async function runCliProbed(args: string[], env: NodeJS.ProcessEnv): Promise<ProbedRun> {
  const dir = await mkdtemp(join(tmpdir(), 'aio-bench-'))
  const file = join(dir, 'probe.json')
  try {
    const r = await run(process.execPath, ['--import', hook, bin, ...args], {...env, AIO_BENCH_HOOK_OUT: file})
    const p = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as {maxRssMb?: number; connections?: number}
    return {...r, maxRssMb: p.maxRssMb ?? Number.NaN, connections: p.connections ?? Number.NaN}
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
