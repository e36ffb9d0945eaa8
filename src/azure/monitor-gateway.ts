import type {ArmClient} from './arm-client.js'
import {API} from './ids.js'
import {sleep} from './wait.js'

/**
 * Azure Monitor metrics of an Event Grid namespace through the shared ARM client (one pipeline, one token):
 * `GET {namespaceId}/providers/Microsoft.Insights/metrics?api-version=2018-01-01`. What @azure/arm-monitor's
 * `metrics.list` sends: one GET does not earn another SDK (and its load time) in verify's path.
 */
export const PUBLISHED_METRIC = 'Mqtt.SuccessfulPublishedMessages'

interface MetricsResponse {
  value?: Array<{
    name?: {value?: string}
    timeseries?: Array<{data?: Array<{timeStamp?: string; total?: number | null}>}>
  }>
}

export interface MetricsDelta {
  metric: string
  resourceId: string
  before: number
  after: number
  /** after − before: messages the namespace counted during the run (other clients' included). */
  delta: number
  /** What this run should have added. */
  expected: number
  /** True once delta reached expected within the wait bound (metrics lag 1–3 minutes). */
  settled: boolean
  waitedMs: number
}

export interface MeasurePublishedOptions {
  /** Upper bound on waiting for the metric to catch up. */
  maxWaitInMs: number
  pollIntervalInMs: number
  signal?: AbortSignal
  onPoll?: (delta: number, expected: number) => void
}

export class MonitorGateway {
  constructor(private readonly arm: ArmClient) {}

  /** Sum of the metric's Total over [start, end], across every time series and one-minute bin. */
  async getMetricTotal(
    resourceId: string,
    metric: string,
    start: Date,
    end: Date,
    options: {abortSignal?: AbortSignal} = {},
  ): Promise<number> {
    const res = await this.arm.send<MetricsResponse>('GET', `${resourceId}/providers/Microsoft.Insights/metrics`, {
      apiVersion: API.metrics,
      query: {
        metricnames: metric,
        aggregation: 'Total',
        timespan: `${start.toISOString()}/${end.toISOString()}`,
        interval: 'PT1M',
      },
      abortSignal: options.abortSignal,
    })
    let total = 0
    for (const v of res.body?.value ?? []) {
      for (const ts of v.timeseries ?? []) for (const d of ts.data ?? []) total += d.total ?? 0
    }
    return total
  }

  /**
   * A before/after probe for one run. `begin()` reads the metric over a window that starts at the current minute;
   * `finish(expected)` reads the same window again, polling until the difference reaches `expected` or the bound.
   */
  publishedProbe(resourceId: string, opts: MeasurePublishedOptions) {
    const windowStart = new Date(Math.floor(Date.now() / 60_000) * 60_000)
    let before = 0
    const windowEnd = () => new Date(Math.ceil((Date.now() + 60_000) / 60_000) * 60_000)
    return {
      begin: async () => {
        before = await this.getMetricTotal(resourceId, PUBLISHED_METRIC, windowStart, windowEnd(), {
          abortSignal: opts.signal,
        })
      },
      finish: async (expected: number): Promise<MetricsDelta> => {
        const started = Date.now()
        for (;;) {
          const after = await this.getMetricTotal(resourceId, PUBLISHED_METRIC, windowStart, windowEnd(), {
            abortSignal: opts.signal,
          })
          const delta = after - before
          const waitedMs = Date.now() - started
          opts.onPoll?.(delta, expected)
          if (delta >= expected || waitedMs + opts.pollIntervalInMs > opts.maxWaitInMs) {
            return {
              metric: PUBLISHED_METRIC,
              resourceId,
              before,
              after,
              delta,
              expected,
              settled: delta >= expected,
              waitedMs,
            }
          }
          await sleep(opts.pollIntervalInMs, opts.signal)
        }
      },
    }
  }
}
