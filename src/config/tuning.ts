/**
 * Timing knobs read from the environment: how long to wait between long-running-operation polls and before retries.
 * The defaults suit Azure; the emulator and the tests shorten them (AIO_BRIDGE_POLL_INTERVAL_MS,
 * AIO_BRIDGE_RETRY_DELAY_MS). Retry-After from the service still wins over the poll interval.
 */
export interface Tuning {
  pollIntervalInMs?: number
  retryDelayInMs?: number
}

export function tuningFromEnv(env: Record<string, string | undefined> = process.env): Tuning {
  return {
    pollIntervalInMs: numberEnv(env.AIO_BRIDGE_POLL_INTERVAL_MS),
    retryDelayInMs: numberEnv(env.AIO_BRIDGE_RETRY_DELAY_MS),
  }
}

function numberEnv(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}
