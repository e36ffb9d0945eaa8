/** Round-trip latency summary, in milliseconds (fractions kept: a loopback round trip is well under 1 ms). */
export interface LatencyStats {
  count: number
  min: number
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

/**
 * Nearest-rank percentile (the value below which p% of samples fall, always an observed sample): what load tools
 * such as mosquitto's and k6's report, and stable for the small samples (5 messages) a default run takes.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

export function latencyStats(samples: readonly number[]): LatencyStats | undefined {
  if (samples.length === 0) return undefined
  const sorted = [...samples].sort((a, b) => a - b)
  const sum = sorted.reduce((a, b) => a + b, 0)
  return {
    count: sorted.length,
    min: round(sorted[0] as number),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] as number),
    mean: round(sum / sorted.length),
  }
}

/** Microsecond resolution is all a millisecond report can honestly show. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
