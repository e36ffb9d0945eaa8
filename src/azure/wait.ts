import {AioBridgeError, ExitCode} from '../errors.js'

/**
 * Waiting on Azure: the SDK pollers for the operations this process started (started first, so Ctrl-C stops the
 * wait and never cuts off the write), and a read loop for a resource found busy with an operation this process did
 * not start (a re-run after an interrupted one). Both bounded by the same operation timeout.
 */

/** What every wait takes: an interval between reads, an upper bound, and the signal that stops it. */
export interface WaitOptions {
  /** Default wait between polls when the service sends no Retry-After. */
  intervalInMs?: number
  /** Upper bound on the whole wait (default 30 minutes). */
  timeoutInMs?: number
  abortSignal?: AbortSignal
}

const DEFAULT_OPERATION_TIMEOUT_MS = 30 * 60_000

/** The part of an SDK poller (core-lro 2 and 3) this code uses. */
export interface StartedOperation<T> {
  submitted(): Promise<void>
  pollUntilDone(options?: {abortSignal?: AbortSignal}): Promise<T>
  /** core-lro's state: `status`, and `config.operationLocation` once submitted. */
  readonly operationState?: unknown
}

/**
 * Sends the operation's first request with no signal (Azure may have taken it), then waits for it on the SDK's
 * poller; the signal stops only the waiting. `onSubmitted` is told once the write was accepted.
 */
export async function startThenWait<T>(
  poller: StartedOperation<T>,
  what: string,
  options: WaitOptions & {onSubmitted?: () => void} = {},
): Promise<T> {
  await poller.submitted()
  options.onSubmitted?.()
  const timeout = AbortSignal.timeout(options.timeoutInMs ?? DEFAULT_OPERATION_TIMEOUT_MS)
  const abortSignal = options.abortSignal ? AbortSignal.any([options.abortSignal, timeout]) : timeout
  try {
    return await poller.pollUntilDone({abortSignal})
  } catch (err) {
    if (timeout.aborted && !options.abortSignal?.aborted) throw operationTimedOut(what)
    throw err
  }
}

/**
 * Reads a resource until `busy` says its operation has ended, and returns it as it ended (undefined if it is gone).
 * For a resource another run's operation is still changing: its operation URL is not known here, the resource is.
 */
export async function waitWhileBusy<T>(
  read: () => Promise<T | undefined>,
  busy: (resource: T) => boolean,
  what: string,
  options: WaitOptions = {},
): Promise<T | undefined> {
  const deadline = Date.now() + (options.timeoutInMs ?? DEFAULT_OPERATION_TIMEOUT_MS)
  for (;;) {
    const r = await read()
    if (r === undefined || !busy(r)) return r
    if (Date.now() > deadline) throw operationTimedOut(what)
    await sleep(options.intervalInMs ?? 2000, options.abortSignal)
  }
}

function operationTimedOut(what: string): AioBridgeError {
  return new AioBridgeError('OPERATION_TIMEOUT', `An Azure operation did not finish in time (${what}).`, {
    exitCode: ExitCode.azureService,
    remedy: 'Run the command again later; it continues from what exists.',
  })
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError())
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(abortError())
    }
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}

function abortError(): Error {
  const e = new Error('The operation was aborted.')
  e.name = 'AbortError'
  return e
}
