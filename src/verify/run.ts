import {performance} from 'node:perf_hooks'
import type {MqttClient} from 'mqtt'
import type {MetricsDelta} from '../azure/monitor-gateway.js'
import {type AioBridgeError, ExitCode, isAioBridgeError, VerifyError} from '../errors.js'
import {encodePayload, newRunId, RoundTripTracker, type TrackerCounts} from './correlation.js'
import {
  connackError,
  disconnectedError,
  EVENT_GRID_REMEDIES,
  pubackError,
  reasonText,
  subackError,
  timeoutError,
} from './failures.js'
import type {LatencyStats} from './stats.js'
import {connectMqtt, endMqtt, type MqttEndpoint} from './transport.js'

/** Event Grid's inbound limit per client session (messages/s); the dataflow's session carries every test message. */
const EVENT_GRID_SESSION_RATE_LIMIT = 100

/** How long the end of a run waits for a dropped connection to come back before calling it lost. */
const RECONNECT_GRACE_MS = 5000

export interface VerifyRunOptions {
  /** The IoT Operations broker: subscribes to the cloud topic (and publishes, unless fromCloud). */
  local: MqttEndpoint
  localTopic: string
  cloudTopic: string
  /** --from-cloud: publish on Event Grid instead, expect the messages on the local cloud topic. */
  fromCloud?: {endpoint: MqttEndpoint; topic: string}
  count: number
  /** Between publishes; 0 = as fast as the connection takes them. */
  intervalMs: number
  qos: 0 | 1
  /** Bound on the whole run. */
  timeoutMs: number
  /** How long to wait for stragglers after the last publish. */
  waitMs: number
  payloadBytes?: number
  runId?: string
  /** Metrics probe (Azure Monitor), begun before the first publish and finished after the run. */
  metrics?: {begin(): Promise<void>; finish(expected: number): Promise<MetricsDelta>}
  signal?: AbortSignal
  trace?: (line: string) => void
  /** Human progress lines (stderr). */
  progress?: (line: string) => void
}

export interface VerifyFailure {
  code: string
  exitCode: number
  message: string
  remedy?: string
  hop?: string
  /** Machine-readable facts: reason code, TLS problem, error code (never secrets). */
  details?: Record<string, unknown>
}

/** The result of `aio-bridge verify`: also its --json output and the content of --junit. */
export interface VerifyReport extends TrackerCounts {
  ok: boolean
  runId: string
  direction: 'round-trip' | 'from-cloud'
  /** Where messages were published and where they were expected. */
  publish: {hop: string; host: string; port: number; topic: string}
  expect: {hop: string; host: string; port: number; topic: string}
  qos: 0 | 1
  /** Sequence numbers that never came back (at most 50). */
  missing: number[]
  latencyMs?: LatencyStats
  durationMs: number
  /** Publish and receive rates over the run (msg/s). */
  throughput: {sentPerSecond: number; receivedPerSecond: number}
  reconnects: number
  metrics?: MetricsDelta
  warnings: string[]
  failure?: VerifyFailure
}

class Deadline {
  readonly at: number
  constructor(readonly timeoutMs: number) {
    this.at = Date.now() + timeoutMs
  }
  remaining(): number {
    return Math.max(0, this.at - Date.now())
  }
}

function failureOf(err: AioBridgeError): VerifyFailure {
  return {
    code: err.code,
    exitCode: err.exitCode,
    message: err.message,
    remedy: err.remedy,
    hop: typeof err.details?.hop === 'string' ? err.details.hop : undefined,
    ...(err.details ? {details: err.details} : {}),
  }
}

function waitFor<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(onTimeout()), ms)
    p.then(
      (v) => {
        clearTimeout(t)
        resolve(v)
      },
      (e) => {
        clearTimeout(t)
        reject(e)
      },
    )
  })
}

/** SUBSCRIBE one filter; resolves with the SUBACK reason code (granted QoS, or ≥ 0x80 when refused). */
function subscribe(client: MqttClient, topic: string, qos: 0 | 1): Promise<number> {
  return new Promise((resolve, reject) => {
    client.subscribe(topic, {qos}, (err, granted, packet) => {
      // mqtt.js drops the reason code from the error; the SUBACK packet still carries it.
      const code = (packet as {granted?: number[]} | undefined)?.granted?.[0]
      if (typeof code === 'number') return resolve(code)
      if (err) return reject(err)
      resolve(granted?.[0]?.qos ?? 0)
    })
  })
}

/**
 * One verify run: subscribe before publishing, publish `count` correlated messages, collect them on the cloud topic,
 * and report. Never throws for a failed round trip: the report carries `failure` (the command turns it into the
 * exit code), so --json and --junit always get the counts too. Throws only for an interrupt.
 */
export async function runVerify(o: VerifyRunOptions): Promise<VerifyReport> {
  const runId = o.runId ?? newRunId()
  const tracker = new RoundTripTracker(runId)
  const deadline = new Deadline(o.timeoutMs)
  const warnings: string[] = []
  const started = performance.now()
  const pubEp = o.fromCloud?.endpoint ?? o.local
  const pubTopic = o.fromCloud?.topic ?? o.localTopic
  let subscriber: MqttClient | undefined
  let publisher: MqttClient | undefined
  let failure: VerifyFailure | undefined
  let metrics: MetricsDelta | undefined
  let reconnects = 0
  let lastSent = started

  const rate = o.intervalMs > 0 ? 1000 / o.intervalMs : Number.POSITIVE_INFINITY
  if (rate > EVENT_GRID_SESSION_RATE_LIMIT) {
    warnings.push(
      `Publishing at ${Number.isFinite(rate) ? `${Math.round(rate)} msg/s` : 'full speed'}: above Event Grid's ${EVENT_GRID_SESSION_RATE_LIMIT} msg/s per session; the dataflow's session may be throttled and messages dropped.`,
    )
  }

  // A connection the broker dropped is only a failure if it is not restored (or messages are lost, which the
  // counts show): mqtt.js reconnects and resubscribes, so a DISCONNECT alone is a warning.
  const down = new Map<MqttClient, {ep: MqttEndpoint; reasonCode?: number; refused?: number}>()
  const watchConnection = (client: MqttClient, ep: MqttEndpoint) => {
    client.on('reconnect', () => {
      reconnects++
      o.trace?.(`${ep.hop.name}: reconnecting`)
    })
    client.on('disconnect', (packet) => {
      const code = packet.reasonCode
      o.trace?.(`${ep.hop.name}: DISCONNECT ${code === undefined ? '' : reasonText(code)}`)
      if (code !== undefined && code >= 0x80) down.set(client, {ep, reasonCode: code})
    })
    client.on('offline', () => {
      if (!down.has(client)) down.set(client, {ep})
    })
    client.on('connect', () => {
      const code = down.get(client)?.reasonCode
      if (code !== undefined)
        warnings.push(`${ep.hop.name} dropped the connection (DISCONNECT ${reasonText(code)}); verify reconnected.`)
      down.delete(client)
    })
    client.on('error', (err: Error & {code?: unknown}) => {
      o.trace?.(`${ep.hop.name}: ${err.message}`)
      // A CONNACK refusal on reconnect: mqtt.js stops trying, and this is why the connection stays lost.
      const d = down.get(client)
      if (d && typeof err.code === 'number' && err.code >= 0x80) d.refused = err.code
    })
  }

  /**
   * Publishing waits while either connection is down: mqtt.js sends what was queued offline before it resubscribes,
   * so a message published then would reach the broker ahead of the subscription and be counted lost.
   */
  const whenConnected = async () => {
    for (const [client, clientEp] of [
      [subscriber, o.local],
      [publisher, pubEp],
    ] as const) {
      if (!client || client.connected) continue
      o.trace?.(`${clientEp.hop.name}: waiting for the connection to come back before publishing`)
      await waitFor(
        new Promise<void>((resolve, reject) => {
          const onConnect = () => {
            client.removeListener('error', onError)
            resolve()
          }
          const onError = (err: Error & {code?: unknown}) => {
            if (typeof err.code !== 'number' || err.code < 0x80) return
            client.removeListener('connect', onConnect)
            reject(connackError(err.code, clientEp.hop, clientEp.credentials.describe))
          }
          client.once('connect', onConnect)
          client.on('error', onError)
        }),
        deadline.remaining(),
        () => timeoutError('waiting for the connection to come back', clientEp.hop, o.timeoutMs),
      )
    }
  }

  try {
    o.progress?.(
      `Connecting to ${o.local.hop.name} at ${o.local.hop.host}:${o.local.hop.port} (${o.local.credentials.describe})`,
    )
    subscriber = await connectMqtt(o.local, {timeoutMs: deadline.remaining(), signal: o.signal, trace: o.trace})
    watchConnection(subscriber, o.local)
    let watchingEcho = false
    subscriber.on('message', (topic, payload) => {
      const now = performance.now()
      const kind = tracker.recordMessage(payload, topic === o.cloudTopic, now)
      if (kind === 'counted') o.trace?.(`${topic}: message back`)
      // One echo proves the first hop; watching every one would put each echo ahead of the message coming back on
      // the same connection and add its handling to every measured round trip.
      if (kind === 'echo' && watchingEcho && subscriber) {
        watchingEcho = false
        subscriber.unsubscribe(o.localTopic)
      }
    })

    const subTimeout = () => timeoutError(`subscribing to ${o.cloudTopic}`, o.local.hop, o.timeoutMs)
    const granted = await waitFor(subscribe(subscriber, o.cloudTopic, o.qos), deadline.remaining(), subTimeout)
    if (granted >= 0x80) throw subackError(granted, o.local.hop, o.cloudTopic)
    o.trace?.(`subscribed to ${o.cloudTopic} (granted ${granted})`)
    if (!o.fromCloud) {
      // Seeing our own message on the publish topic proves the first hop; refusal here is only a lost diagnostic.
      const echo = await waitFor(subscribe(subscriber, o.localTopic, 0), deadline.remaining(), () =>
        timeoutError(`subscribing to ${o.localTopic} (to watch for the local echo)`, o.local.hop, o.timeoutMs),
      )
      if (echo >= 0x80)
        warnings.push(`Not allowed to watch ${o.localTopic} for the local echo (SUBACK ${reasonText(echo)}).`)
      else watchingEcho = true
    }

    if (o.fromCloud) {
      const ep = o.fromCloud.endpoint
      o.progress?.(`Connecting to ${ep.hop.name} at ${ep.hop.host}:${ep.hop.port} (${ep.credentials.describe})`)
      publisher = await connectMqtt(ep, {
        timeoutMs: deadline.remaining(),
        signal: o.signal,
        trace: o.trace,
        remedies: EVENT_GRID_REMEDIES,
      })
      watchConnection(publisher, ep)
    } else {
      publisher = subscriber
    }

    await o.metrics?.begin()

    o.progress?.(
      `Publishing ${o.count} message${o.count === 1 ? '' : 's'} to ${pubTopic}${o.intervalMs > 0 ? ` every ${o.intervalMs} ms` : ''}, expecting them on ${o.cloudTopic}`,
    )
    const pubacks: Promise<void>[] = []
    let pubackFailure: AioBridgeError | undefined
    const t0 = performance.now()
    for (let seq = 0; seq < o.count; seq++) {
      if (o.signal?.aborted) throw abortError()
      if (pubackFailure) throw pubackFailure
      if (deadline.remaining() === 0)
        throw timeoutError(`publishing (message ${seq + 1} of ${o.count})`, pubEp.hop, o.timeoutMs)
      const due = t0 + seq * o.intervalMs
      const wait = due - performance.now()
      if (wait > 1) await new Promise((r) => setTimeout(r, wait))
      else if (seq % 200 === 199) await new Promise((r) => setImmediate(r)) // let acks and messages in
      if (!subscriber.connected || !publisher.connected) await whenConnected()
      const payload = encodePayload(runId, seq, o.payloadBytes)
      tracker.recordSent(seq, performance.now())
      lastSent = performance.now()
      const p = publisher.publishAsync(pubTopic, payload, {qos: o.qos}).then(
        () => undefined,
        (err: Error & {code?: unknown}) => {
          if (typeof err.code === 'number' && err.code >= 0x80)
            pubackFailure ??= pubackError(err.code, pubEp.hop, pubTopic)
          else
            pubackFailure ??= new VerifyError(
              'VERIFY_PUBLISH_FAILED',
              `Publishing to ${pubTopic} failed: ${err.message}`,
              {
                exitCode: ExitCode.verifyConnect,
                remedy: 'Check the broker connection and run verify again.',
                details: {hop: pubEp.hop.name},
              },
            )
        },
      )
      pubacks.push(p)
    }
    if (o.qos > 0) {
      await waitFor(Promise.all(pubacks), deadline.remaining(), () =>
        timeoutError('waiting for PUBACKs', pubEp.hop, o.timeoutMs),
      )
      if (pubackFailure) throw pubackFailure
    }

    o.progress?.(`Waiting up to ${Math.round(o.waitMs / 100) / 10} s for the messages to come back`)
    await new Promise<void>((resolve) => {
      const check = () => {
        const waited = performance.now() - lastSent
        if (tracker.complete || waited >= o.waitMs || deadline.remaining() === 0 || o.signal?.aborted) {
          clearInterval(timer)
          subscriber?.removeListener('message', onMsg)
          resolve()
        }
      }
      const onMsg = () => {
        if (tracker.complete) check()
      }
      const timer = setInterval(check, 20)
      subscriber?.on('message', onMsg)
      check()
    })
    if (o.signal?.aborted) throw abortError()
  } catch (err) {
    if (!isAioBridgeError(err)) {
      // An interrupt or a bug: still close the connections, or the process would stay alive on their sockets.
      await Promise.all([endMqtt(subscriber, 500), publisher === subscriber ? undefined : endMqtt(publisher, 500)])
      throw err
    }
    failure ??= failureOf(err)
  }
  // Judged before closing (ending a client takes it offline too), after giving a reconnect in progress its chance.
  const reconnectBound = Date.now() + Math.min(deadline.remaining(), RECONNECT_GRACE_MS)
  const retrying = () => [...down.values()].some((d) => d.refused === undefined)
  while (retrying() && Date.now() < reconnectBound && !o.signal?.aborted) await new Promise((r) => setTimeout(r, 50))
  for (const {ep, reasonCode, refused} of down.values()) {
    failure ??= failureOf(
      refused === undefined
        ? disconnectedError(reasonCode, ep.hop)
        : connackError(refused, ep.hop, ep.credentials.describe),
    )
  }
  await Promise.all([endMqtt(subscriber), publisher === subscriber ? undefined : endMqtt(publisher)])

  const c = tracker.counts()
  if (!failure && c.sent > 0) {
    if (c.received === 0) failure = failureOf(nothingBack(o, c.localEcho))
    else if (c.lost > 0) failure = failureOf(someLost(o, c.received, c.sent))
  }
  if (o.metrics && c.sent > 0 && !o.signal?.aborted) {
    try {
      o.progress?.('Reading Event Grid metrics (they lag by a few minutes)')
      metrics = await o.metrics.finish(c.sent)
      if (!metrics.settled) {
        warnings.push(
          `Event Grid counted ${metrics.delta} of ${metrics.expected} published messages within ${Math.round(metrics.waitedMs / 1000)} s (metrics lag; check again later).`,
        )
      }
    } catch (err) {
      warnings.push(`Could not read Event Grid metrics: ${(err as Error).message.split('\n')[0]}`)
    }
  }

  const durationMs = performance.now() - started
  const span = (tracker.lastReceiveAt ?? lastSent) - (tracker.firstSendAt ?? started)
  const perSecond = (n: number) => (span > 0 ? Math.round((n / span) * 1000 * 10) / 10 : 0)
  const expectEp = o.local
  return {
    ok: !failure,
    runId,
    direction: o.fromCloud ? 'from-cloud' : 'round-trip',
    publish: {hop: pubEp.hop.name, host: pubEp.hop.host, port: pubEp.hop.port, topic: pubTopic},
    expect: {hop: expectEp.hop.name, host: expectEp.hop.host, port: expectEp.hop.port, topic: o.cloudTopic},
    qos: o.qos,
    ...c,
    missing: tracker.missing().slice(0, 50),
    latencyMs: tracker.latency(),
    durationMs: Math.round(durationMs),
    throughput: {sentPerSecond: perSecond(c.sent), receivedPerSecond: perSecond(c.received)},
    reconnects,
    ...(metrics ? {metrics} : {}),
    warnings,
    ...(failure ? {failure} : {}),
  }
}

function nothingBack(o: VerifyRunOptions, echo: number): VerifyError {
  const first = o.fromCloud ? `${o.fromCloud.endpoint.hop.name} ${o.fromCloud.topic}` : o.localTopic
  const echoNote =
    !o.fromCloud && echo > 0
      ? ` The local broker did take them (${echo} seen on ${o.localTopic}), so the bridge is where they stop.`
      : ''
  return new VerifyError(
    'VERIFY_NOTHING_BACK',
    `Nothing came back: 0 of the messages published to ${first} arrived on ${o.cloudTopic}.${echoNote}`,
    {
      exitCode: ExitCode.verifyNothingBack,
      remedy:
        'Check the dataflows (kubectl get dataflow -n azure-iot-operations; aio-bridge status) and the IoT Operations identity’s EventGrid TopicSpaces Publisher/Subscriber roles on the topic space (aio-bridge setup).',
      details: {hop: 'bridge'},
    },
  )
}

function someLost(o: VerifyRunOptions, received: number, sent: number): VerifyError {
  return new VerifyError(
    'VERIFY_LOSS',
    `Some messages were lost: ${received} of ${sent} came back on ${o.cloudTopic}.`,
    {
      exitCode: ExitCode.verifyLoss,
      remedy:
        'Use --qos 1, lower --rate (Event Grid takes 100 msg/s per session), or a longer --wait; check the dataflow pods’ logs for throttling.',
      details: {hop: 'bridge'},
    },
  )
}

function abortError(): Error {
  const e = new Error('The operation was aborted.')
  e.name = 'AbortError'
  return e
}
