import {ArmHttpError} from './arm-error.js'
import type {ArmCall, ArmReply} from './http.js'
import {requireApiVersion} from './http.js'
import {API_VERSIONS} from './resource-types.js'
import {type ArmState, key} from './state.js'
import type {ArmSeed} from './types.js'

/**
 * Azure Monitor metrics (`GET {resourceId}/providers/Microsoft.Insights/metrics`, api-version 2018-01-01) for Event
 * Grid namespaces, fed by counters (`addMetric`): the demo's brokers count what they carry, verify --metrics reads it
 * back in Azure Monitor's shape.
 */

/**
 * Records `count` of `metric` at `at` (default now) for one namespace — its id, or its name in the seed's first
 * resource group — or for any namespace.
 */
export function recordMetric(
  state: ArmState,
  seed: ArmSeed & {subscriptionId: string},
  metric: string,
  count: number,
  opts: {namespace?: string; at?: number} = {},
): void {
  let scope = '*'
  if (opts.namespace) {
    scope = opts.namespace.includes('/')
      ? key(opts.namespace)
      : key(
          `/subscriptions/${seed.subscriptionId}/resourceGroups/${seed.resourceGroups?.[0]?.name}/providers/Microsoft.EventGrid/namespaces/${opts.namespace}`,
        )
  }
  state.metrics.push({metric, scope, count, at: opts.at ?? state.now()})
}

export const NAMESPACE_METRICS: Record<string, string> = {
  'Mqtt.SuccessfulPublishedMessages': 'MQTT: Successful Published Messages',
  'Mqtt.FailedPublishedMessages': 'MQTT: Failed Published Messages',
  'Mqtt.SuccessfulDeliveredMessages': 'MQTT: Successful Delivered Messages',
  'Mqtt.Connections': 'MQTT: Active Connections',
  'Mqtt.RequestCount': 'MQTT: Request Count',
  'Mqtt.Throughput': 'MQTT: Throughput',
  'Mqtt.ThrottlingEnforcements': 'MQTT: Throttling Enforcements',
  'Mqtt.DroppedSessions': 'MQTT: Dropped Sessions',
  'Mqtt.SuccessfulSubscriptionOperations': 'MQTT: Successful Subscription Operations',
  'Mqtt.FailedSubscriptionOperations': 'MQTT: Failed Subscription Operations',
}

const INTERVALS: Record<string, number> = {
  PT1M: 60_000,
  PT5M: 300_000,
  PT15M: 900_000,
  PT30M: 1_800_000,
  PT1H: 3_600_000,
}

/** ISO-8601 duration (PT…H…M…S, P…D) in ms; NaN when not one. */
function durationMs(d: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(d)
  if (!m || d === 'P' || d === 'PT') return Number.NaN
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000
}

function parseTimespan(raw: string | null, now: number): [number, number] {
  if (!raw) return [now - 3_600_000, now]
  const parts = raw.split('/')
  if (parts.length === 1) {
    const ms = durationMs(parts[0] as string)
    if (Number.isFinite(ms)) return [now - ms, now]
  } else if (parts.length === 2) {
    const [a, b] = parts as [string, string]
    const start = Date.parse(a)
    const endOrDur = Date.parse(b)
    if (Number.isFinite(start) && Number.isFinite(endOrDur) && endOrDur > start) return [start, endOrDur]
    const dur = durationMs(b)
    if (Number.isFinite(start) && Number.isFinite(dur)) return [start, start + dur]
  }
  throw new ArmHttpError(
    400,
    'BadRequest',
    `Detected invalid timespan '${raw}'. Use ISO 8601 'start/end' or a duration such as PT1H.`,
  )
}

export function handleMetrics(call: ArmCall, state: ArmState, resourceId: string): ArmReply {
  requireApiVersion(call, API_VERSIONS.metrics, 'Microsoft.Insights/metrics')
  if (call.method !== 'GET') throw new ArmHttpError(405, 'MethodNotAllowed', 'Metrics are read-only.')
  const resource = state.get(resourceId)
  if (!resource) {
    throw new ArmHttpError(404, 'ResourceNotFound', `The Resource '${resourceId}' was not found.`)
  }
  const names = (call.query.get('metricnames') ?? 'Mqtt.SuccessfulPublishedMessages').split(',').map((n) => n.trim())
  for (const n of names) {
    if (!Object.keys(NAMESPACE_METRICS).some((k) => k.toLowerCase() === n.toLowerCase())) {
      throw new ArmHttpError(
        400,
        'BadRequest',
        `Failed to find metric configuration for provider: Microsoft.EventGrid, resource Type: namespaces, metric: ${n}, Valid metrics: ${Object.keys(NAMESPACE_METRICS).join(',')}`,
      )
    }
  }
  const interval = (call.query.get('interval') ?? 'PT1M').toUpperCase()
  const step = INTERVALS[interval]
  if (!step)
    throw new ArmHttpError(
      400,
      'BadRequest',
      `Invalid interval '${interval}'. Supported: ${Object.keys(INTERVALS).join(', ')}.`,
    )
  const aggregation = (call.query.get('aggregation') ?? 'Total').split(',')[0]?.trim().toLowerCase() ?? 'total'
  const field =
    aggregation === 'count'
      ? 'count'
      : aggregation === 'average'
        ? 'average'
        : aggregation === 'maximum'
          ? 'maximum'
          : 'total'
  const [start, end] = parseTimespan(call.query.get('timespan'), state.now())
  const first = Math.floor(start / step) * step
  const rid = key(resource.id)
  const value = names.map((raw) => {
    const name = Object.keys(NAMESPACE_METRICS).find((k) => k.toLowerCase() === raw.toLowerCase()) as string
    const samples = state.metrics.filter(
      (s) => s.metric.toLowerCase() === name.toLowerCase() && (s.scope === '*' || s.scope === rid),
    )
    const data: Array<Record<string, unknown>> = []
    for (let t = first; t < end; t += step) {
      const inBucket = samples.filter((s) => s.at >= t && s.at < t + step && s.at >= start)
      const total = inBucket.reduce((a, s) => a + s.count, 0)
      const v =
        field === 'count'
          ? inBucket.length
          : field === 'average'
            ? inBucket.length
              ? total / inBucket.length
              : 0
            : field === 'maximum'
              ? Math.max(0, ...inBucket.map((s) => s.count))
              : total
      data.push({timeStamp: new Date(t).toISOString().replace('.000Z', 'Z'), [field]: v})
    }
    return {
      id: `${resource.id}/providers/Microsoft.Insights/metrics/${name}`,
      type: 'Microsoft.Insights/metrics',
      name: {value: name, localizedValue: NAMESPACE_METRICS[name]},
      displayDescription: `${NAMESPACE_METRICS[name]} (emulated).`,
      unit: name === 'Mqtt.Throughput' ? 'Bytes' : 'Count',
      timeseries: [{metadatavalues: [], data}],
      errorCode: 'Success',
    }
  })
  return {
    status: 200,
    body: {
      cost: 0,
      timespan: `${new Date(start).toISOString()}/${new Date(end).toISOString()}`,
      interval,
      value,
      namespace: 'Microsoft.EventGrid/namespaces',
      resourceregion: resource.location,
    },
  }
}
