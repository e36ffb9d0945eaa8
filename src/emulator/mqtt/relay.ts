import type {MqttClient} from 'mqtt'
import {topicMatches} from '../../config/rules.js'
import {connectMqtt, endMqtt, type MqttEndpoint} from '../../verify/transport.js'

/**
 * Stands in for the tutorial's two dataflows between two brokers: `local-to-remote` (tutorial/local on the IoT
 * Operations broker → telemetry/aio on Event Grid) and `remote-to-local` (telemetry/# on Event Grid → tutorial/cloud
 * on the local broker). Payloads pass through untouched (the PassThrough map). `aio-bridge demo` grows this into its
 * dataflow runner.
 */
export interface RelayRoute {
  /** Which broker the dataflow reads from. */
  from: 'local' | 'cloud'
  /** Source topic filter. */
  filter: string
  /** Destination topic; `${inputTopic}` is replaced by the source topic, like a dataflow destination. */
  to: string
}

/** The dataflow destination placeholder for the source topic. */
const INPUT_TOPIC = '$' + '{inputTopic}'

const TUTORIAL_ROUTES: RelayRoute[] = [
  {from: 'local', filter: 'tutorial/local', to: 'telemetry/aio'},
  {from: 'cloud', filter: 'telemetry/#', to: 'tutorial/cloud'},
]

export interface RelayOptions {
  local: MqttEndpoint
  cloud: MqttEndpoint
  routes?: RelayRoute[]
  /** QoS of the dataflow sessions (the dataflow endpoint default is 1). */
  qos?: 0 | 1
  timeoutMs?: number
}

export interface Relay {
  /** Messages forwarded so far, per route index. */
  readonly forwarded: number[]
  stop(): Promise<void>
}

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const routes = opts.routes ?? TUTORIAL_ROUTES
  const qos = opts.qos ?? 1
  const timeoutMs = opts.timeoutMs ?? 10_000
  const local = await connectMqtt(opts.local, {timeoutMs})
  let cloud: MqttClient
  try {
    cloud = await connectMqtt(opts.cloud, {timeoutMs})
  } catch (err) {
    await endMqtt(local)
    throw err
  }
  const sides = {local, cloud}
  // A dataflow keeps running through broker restarts: errors are logged by the broker side, never thrown here.
  local.on('error', () => {})
  cloud.on('error', () => {})
  const forwarded = routes.map(() => 0)
  for (const side of ['local', 'cloud'] as const) {
    const mine = routes.map((r, i) => ({r, i})).filter(({r}) => r.from === side)
    if (mine.length === 0) continue
    const source = sides[side]
    const target = side === 'local' ? cloud : local
    await source.subscribeAsync(
      mine.map(({r}) => r.filter),
      {qos},
    )
    source.on('message', (topic, payload) => {
      for (const {r, i} of mine) {
        if (!topicMatches(r.filter, topic)) continue
        if (target.disconnecting) return
        forwarded[i] = (forwarded[i] ?? 0) + 1
        target.publish(r.to.replaceAll(INPUT_TOPIC, topic), payload, {qos}, () => {})
      }
    })
  }
  return {
    forwarded,
    async stop() {
      await Promise.all([endMqtt(local, 500), endMqtt(cloud, 500)])
    },
  }
}
