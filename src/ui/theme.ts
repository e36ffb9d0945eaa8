import {Chalk, type ChalkInstance} from 'chalk'

/**
 * chalk ignores NO_COLOR, so the theme honours it here (and FORCE_COLOR / --no-color through chalk's own detection).
 */
export function makeChalk(opts: {json?: boolean; stream?: NodeJS.WriteStream} = {}): ChalkInstance {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ''
  const forced = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0'
  const tty = (opts.stream ?? process.stdout).isTTY === true
  const level = opts.json || noColor ? 0 : forced || tty ? 1 : 0
  return new Chalk({level})
}

export type Theme = ReturnType<typeof makeTheme>

export function makeTheme(chalk: ChalkInstance) {
  return {
    chalk,
    ok: (s: string) => chalk.green(s),
    warn: (s: string) => chalk.yellow(s),
    err: (s: string) => chalk.red(s),
    dim: (s: string) => chalk.dim(s),
    bold: (s: string) => chalk.bold(s),
    action: (a: string) =>
      a === 'create' ? chalk.green(a) : a === 'update' ? chalk.yellow(a) : a === 'delete' ? chalk.red(a) : chalk.dim(a),
  }
}
