import {createInterface} from 'node:readline'

/**
 * Asks a yes/no question on a terminal; only "y" or "yes" is yes. Ctrl-C or end of input is no (nothing is deleted).
 */
export function askYesNo(
  question: string,
  io: {input: NodeJS.ReadableStream; output: NodeJS.WritableStream} = {input: process.stdin, output: process.stderr},
): Promise<boolean> {
  const rl = createInterface({
    input: io.input,
    output: io.output,
    terminal: (io.input as {isTTY?: boolean}).isTTY === true,
  })
  return new Promise((resolve) => {
    let settled = false
    const finish = (yes: boolean) => {
      if (settled) return
      settled = true
      rl.close()
      resolve(yes)
    }
    rl.on('SIGINT', () => {
      io.output.write('\n')
      finish(false)
    })
    rl.on('close', () => finish(false))
    rl.question(question, (answer) => finish(/^\s*y(es)?\s*$/i.test(answer)))
  })
}
