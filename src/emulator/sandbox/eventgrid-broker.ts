import type {ArmEmulator} from '../arm/index.js'
import {type AuthPeer, startAuthPeer} from '../mqtt/auth-peer.js'
import {authorizeMqtt} from './authorization.js'

/**
 * The sandbox's Event Grid MQTT broker: TLS, MQTT 5, Microsoft Entra authentication (CONNECT method `OAUTH2-JWT`,
 * audience https://eventgrid.azure.net/), and every SUBSCRIBE / PUBLISH decided by `authorizeMqtt` against the
 * Resource Manager emulator's live state, refusals answered with reason code 0x87 as Event Grid does. Accepted
 * publishes feed the emulator's `Mqtt.SuccessfulPublishedMessages` metric, so `verify --metrics` has figures.
 *
 * Built on the auth peer (mqtt-packet) rather than mosquitto + dynamic security: mosquitto cannot take OAUTH2-JWT
 * without a C plugin, and a dynsec configuration would have to be re-synchronised with the emulator after every
 * role or template change (a race the tests would see); here the decision reads the state in the same process.
 */
export interface EventGridBrokerOptions {
  arm: ArmEmulator
  tls: {cert: string; key: string}
  port?: number
  /** One line per refusal or notable event (the sandbox log). */
  log?: (line: string) => void
}

export interface EventGridBroker {
  host: string
  port: number
  peer: AuthPeer
  /** Refusals so far (for tests and the sandbox status). */
  readonly refusals: Array<{action: string; topic: string; principalId?: string; reason: string}>
  stop(): Promise<void>
}

export async function startEventGridBroker(opts: EventGridBrokerOptions): Promise<EventGridBroker> {
  const refusals: EventGridBroker['refusals'] = []
  const principalOf = (claims?: Record<string, unknown>) => (typeof claims?.oid === 'string' ? claims.oid : undefined)
  const peer = await startAuthPeer({
    auth: {method: 'OAUTH2-JWT'},
    tls: opts.tls,
    port: opts.port,
    authorize: (req) => {
      const principalId = principalOf(req.claims)
      const d = authorizeMqtt(opts.arm.state, {principalId, action: req.action, topic: req.topic})
      if (!d.allowed) {
        refusals.push({action: req.action, topic: req.topic, principalId, reason: d.reason})
        if (refusals.length > 1000) refusals.splice(0, refusals.length - 1000)
        const what = req.action === 'publish' ? 'PUBACK' : 'SUBACK'
        opts.log?.(
          `event grid: ${what} 0x87 not authorized: ${req.action} ${req.topic} by ${req.clientId}: ${d.reason}`,
        )
      }
      return d.allowed
    },
    onPublish: () => opts.arm.addPublished(1),
  })
  return {
    host: peer.host,
    port: peer.port,
    peer,
    refusals,
    stop: () => peer.stop(),
  }
}
