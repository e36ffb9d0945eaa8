import {randomBytes} from 'node:crypto'
import {mkdtemp, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {MqttEndpoint} from '../../verify/transport.js'
import {createPki, type Pki} from '../pki.js'
import {type AuthPeer, type PeerAuth, startAuthPeer} from './auth-peer.js'
import {signJwt} from './jwt.js'
import {type MosquittoBroker, startMosquitto} from './mosquitto.js'
import {type Relay, type RelayRoute, startRelay} from './relay.js'

/**
 * The tutorial's MQTT path on loopback: an IoT Operations broker stand-in ("local"), an Event Grid stand-in
 * ("cloud"), each either mosquitto or the auth peer (for K8S-SAT / OAUTH2-JWT), both TLS with certificates from one
 * throw-away CA, and a relay standing in for the two dataflows. Used by the tests, the benchmark and `demo`.
 */
export type BrokerSpec =
  | {
      kind: 'mosquitto'
      /** user → password (a `relay` user is added for the relay). */
      users?: Record<string, string>
      requireCertificate?: boolean
      acl?: string
      tls?: boolean
    }
  | {kind: 'peer'; auth: PeerAuth; allowSubscribe?: string[]; allowPublish?: string[]}

export interface BridgeEmulationOptions {
  dir?: string
  local?: BrokerSpec
  cloud?: BrokerSpec
  /** Start the relay (the dataflows) right away (default true). */
  relay?: boolean
  routes?: RelayRoute[]
}

export interface EmulatedBroker {
  host: string
  port: number
  /** The peer, when the broker is one (connect records, dropClients). */
  peer?: AuthPeer
  mosquitto?: MosquittoBroker
  stop(): Promise<void>
}

export interface BridgeEmulation {
  dir: string
  pki: Pki
  /** CA that signed both brokers' certificates. */
  caFile: string
  caPem: string
  local: EmulatedBroker
  cloud: EmulatedBroker
  /** Secret the emulated Entra ID and Kubernetes sign tokens with (HS256). */
  jwtSecret: string
  /** A token the local peer accepts as a K8S-SAT (aud aio-internal). */
  issueSat(subject?: string): string
  /** A token the cloud peer accepts as Microsoft Entra (aud https://eventgrid.azure.net/). */
  issueEntraToken(claims?: Record<string, unknown>): string
  /** Makes a client certificate signed by the CA. */
  clientCert(name: string): Promise<{cert: string; key: string}>
  relay?: Relay
  startRelay(): Promise<Relay>
  stopRelay(): Promise<void>
  stop(): Promise<void>
}

export async function startBridgeEmulation(opts: BridgeEmulationOptions = {}): Promise<BridgeEmulation> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'aio-bridge-mqtt-')))
  const pki = await createPki(join(dir, 'pki'))
  const caPem = await readFile(pki.caCert, 'utf8')
  const jwtSecret = randomBytes(16).toString('hex')
  const relayPassword = randomBytes(12).toString('hex')
  const issueSat = (subject = 'system:serviceaccount:azure-iot-operations:mqtt-client') =>
    signJwt({aud: ['aio-internal'], sub: subject, exp: Math.floor(Date.now() / 1000) + 3600}, jwtSecret)
  const issueEntraToken = (claims: Record<string, unknown> = {}) =>
    signJwt(
      {aud: 'https://eventgrid.azure.net/', oid: 'emulated', exp: Math.floor(Date.now() / 1000) + 3600, ...claims},
      jwtSecret,
    )
  const relayCert = await pki.issue('relay')
  const relaySat = issueSat('system:serviceaccount:azure-iot-operations:aio-dataflow')

  const startBroker = async (name: string, spec: BrokerSpec): Promise<EmulatedBroker> => {
    const server = await pki.issue(`${name}-server`, {dnsNames: ['aio-broker', 'localhost'], ips: ['127.0.0.1']})
    if (spec.kind === 'mosquitto') {
      const users = spec.users ? {...spec.users, relay: relayPassword} : undefined
      const m = await startMosquitto({
        dir,
        users,
        // The relay's rule goes last: ACL lines before any `user` line are the anonymous clients'.
        acl: spec.acl === undefined ? undefined : `${spec.acl}\n\nuser relay\ntopic readwrite #\n`,
        tls:
          spec.tls === false
            ? undefined
            : {
                certFile: server.cert,
                keyFile: server.key,
                caFile: pki.caCert,
                requireCertificate: spec.requireCertificate,
              },
        useIdentityAsUsername: spec.requireCertificate && !spec.users,
      })
      return {host: m.host, port: m.port, mosquitto: m, stop: () => m.stop()}
    }
    let auth = spec.auth
    if (auth.method === 'K8S-SAT') {
      const accept = auth.acceptToken
      auth = {method: 'K8S-SAT', acceptToken: (t) => t === relaySat || accept(t)}
    }
    const peer = await startAuthPeer({
      auth,
      tls: {cert: await readFile(server.cert, 'utf8'), key: await readFile(server.key, 'utf8')},
      allowSubscribe: spec.allowSubscribe && [
        ...spec.allowSubscribe,
        ...(opts.routes ?? []).map((r) => r.filter),
        'tutorial/local',
        'telemetry/#',
      ],
      allowPublish: spec.allowPublish && [...spec.allowPublish, 'tutorial/cloud', 'telemetry/aio'],
    })
    return {host: peer.host, port: peer.port, peer, stop: () => peer.stop()}
  }

  const localSpec = opts.local ?? {kind: 'mosquitto'}
  const cloudSpec = opts.cloud ?? {kind: 'mosquitto'}
  const local = await startBroker('local', localSpec)
  const cloud = await startBroker('cloud', cloudSpec).catch(async (err) => {
    await local.stop()
    throw err
  })

  const relayEndpoint = async (side: 'local' | 'cloud', spec: BrokerSpec, b: EmulatedBroker): Promise<MqttEndpoint> => {
    const tlsOn = !(spec.kind === 'mosquitto' && spec.tls === false)
    const ep: MqttEndpoint = {
      hop: {name: `${side} broker (relay)`, host: b.host, port: b.port},
      tls: tlsOn ? {ca: caPem, serverName: 'localhost'} : undefined,
      credentials: {describe: 'relay'},
      clientId: `relay-${side}-${randomBytes(3).toString('hex')}`,
    }
    if (spec.kind === 'mosquitto') {
      if (spec.users) ep.credentials = {username: 'relay', password: () => relayPassword, describe: 'relay user'}
      if (spec.requireCertificate && ep.tls) {
        ep.tls.cert = await readFile(relayCert.cert, 'utf8')
        ep.tls.key = await readFile(relayCert.key, 'utf8')
      }
    } else if (spec.auth.method === 'K8S-SAT') {
      ep.credentials = {authMethod: 'K8S-SAT', authData: () => relaySat, describe: 'relay SAT'}
    } else if (spec.auth.method === 'OAUTH2-JWT') {
      const token = issueEntraToken({oid: 'aio-extension-identity'})
      ep.credentials = {authMethod: 'OAUTH2-JWT', authData: () => token, describe: 'relay managed identity'}
    }
    return ep
  }

  const emu: BridgeEmulation = {
    dir,
    pki,
    caFile: pki.caCert,
    caPem,
    local,
    cloud,
    jwtSecret,
    issueSat,
    issueEntraToken,
    clientCert: async (name) => pki.issue(name),
    async startRelay() {
      if (emu.relay) return emu.relay
      emu.relay = await startRelay({
        local: await relayEndpoint('local', localSpec, local),
        cloud: await relayEndpoint('cloud', cloudSpec, cloud),
        routes: opts.routes,
      })
      return emu.relay
    },
    async stopRelay() {
      const r = emu.relay
      emu.relay = undefined
      await r?.stop()
    },
    async stop() {
      await emu.stopRelay()
      await Promise.all([local.stop(), cloud.stop()])
    },
  }
  if (opts.relay !== false) {
    try {
      await emu.startRelay()
    } catch (err) {
      await emu.stop()
      throw err
    }
  }
  return emu
}
