import {createServer as createNetServer, type Server, type Socket} from 'node:net'
import {createServer as createTlsServer} from 'node:tls'
import mqttPacket, {type IConnectPacket, type IPublishPacket, type ISubscribePacket, type Packet} from 'mqtt-packet'
import {topicMatches} from '../../config/rules.js'
import {checkJwt, decodeJwt} from './jwt.js'
import {freePort} from './ports.js'

/**
 * A small MQTT v5 broker that plays the two handshakes plain mosquitto cannot (it answers CONNACK 0x8C):
 * - the IoT Operations broker's K8S-SAT enhanced authentication (CONNECT method `K8S-SAT`, data = the
 *   service-account token; a wrong token gets CONNACK 0x87 Not authorized), and
 * - Event Grid's Microsoft Entra authentication (method `OAUTH2-JWT`, data = a JWT whose aud is
 *   https://eventgrid.azure.net/; a wrong or expired token gets 0x87 too).
 * It refuses SUBSCRIBE and PUBLISH outside its allow lists with reason 0x87 (SUBACK / PUBACK), and otherwise
 * forwards messages like a broker (QoS 0/1, no retain, no persistence). Used by tests and `aio-bridge demo`.
 */

export type PeerAuth =
  | {method: 'none'}
  | {method: 'K8S-SAT'; acceptToken: (token: string) => boolean}
  | {method: 'OAUTH2-JWT'; audience?: string; secret?: string}

export interface AuthPeerOptions {
  auth: PeerAuth
  /** TLS (PEM contents); omitted = plain TCP. */
  tls?: {cert: string; key: string}
  /** Topic filters a client may subscribe to (a requested filter must fall under one); undefined = any. */
  allowSubscribe?: string[]
  /** Topic filters a client may publish to; undefined = any. */
  allowPublish?: string[]
  port?: number
  /**
   * Decides each SUBSCRIBE filter and PUBLISH topic after the allow lists (the sandbox's Event Grid stand-in reads its
   * role assignments and topic templates here); false = reason code 0x87. `claims` are the OAUTH2-JWT token's.
   */
  authorize?: (req: PeerAuthorizeRequest) => boolean
  /** Called for every PUBLISH the peer accepted (the sandbox feeds the emulator's published-messages metric). */
  onPublish?: (info: {clientId: string; topic: string; claims?: Record<string, unknown>}) => void
  /** Called for every refusal (SUBACK/PUBACK 0x87), for logs. */
  onRefuse?: (req: PeerAuthorizeRequest) => void
}

export interface PeerAuthorizeRequest {
  clientId: string
  action: 'publish' | 'subscribe'
  topic: string
  claims?: Record<string, unknown>
}

export interface PeerConnectRecord {
  clientId: string
  method?: string
  /** The authentication data presented (tests check token re-reads); never logged. */
  data?: string
  reasonCode: number
}

export interface AuthPeer {
  host: string
  port: number
  readonly connects: PeerConnectRecord[]
  /**
   * Closes client connections (to test reconnects): every one, or those whose client id `only` accepts; with a
   * `reasonCode`, a server DISCONNECT carrying it is sent first, as a broker shedding a client does.
   */
  dropClients(opts?: {reasonCode?: number; only?: (clientId: string) => boolean}): void
  stop(): Promise<void>
}

interface Conn {
  socket: Socket
  clientId: string
  subs: Array<{filter: string; qos: 0 | 1}>
  nextId: number
  connected: boolean
  claims?: Record<string, unknown>
}

const NOT_AUTHORIZED = 0x87
const BAD_AUTH_METHOD = 0x8c
const GEN = {protocolVersion: 5}

/** True when every topic the filter can match is also matched by `allowed` (wildcards taken literally). */
function covers(allowed: string, filter: string): boolean {
  return allowed === filter || topicMatches(allowed, filter)
}

export async function startAuthPeer(opts: AuthPeerOptions): Promise<AuthPeer> {
  const conns = new Set<Conn>()
  const connects: PeerConnectRecord[] = []
  const audience = opts.auth.method === 'OAUTH2-JWT' ? (opts.auth.audience ?? 'https://eventgrid.azure.net/') : ''

  const send = (c: Conn, p: Packet) => {
    if (!c.socket.destroyed) c.socket.write(mqttPacket.generate(p, GEN))
  }

  const authenticate = (p: IConnectPacket): number => {
    const method = p.properties?.authenticationMethod
    const data = p.properties?.authenticationData?.toString('utf8') ?? ''
    const auth = opts.auth
    if (auth.method === 'none') return method ? BAD_AUTH_METHOD : 0
    if (method !== auth.method) return method ? BAD_AUTH_METHOD : NOT_AUTHORIZED
    if (auth.method === 'K8S-SAT') return auth.acceptToken(data) ? 0 : NOT_AUTHORIZED
    return checkJwt(data, {audience, secret: auth.secret}) ? NOT_AUTHORIZED : 0
  }

  const decide = (c: Conn, action: 'publish' | 'subscribe', topic: string): boolean => {
    if (!opts.authorize) return true
    const req = {clientId: c.clientId, action, topic, claims: c.claims}
    const ok = opts.authorize(req)
    if (!ok) opts.onRefuse?.(req)
    return ok
  }

  const deliver = (from: IPublishPacket) => {
    for (const c of conns) {
      if (!c.connected) continue
      const sub = c.subs.find((s) => topicMatches(s.filter, from.topic))
      if (!sub) continue
      const qos = Math.min(sub.qos, from.qos) as 0 | 1
      const out: IPublishPacket = {
        cmd: 'publish',
        topic: from.topic,
        payload: from.payload,
        qos,
        retain: false,
        dup: false,
      }
      if (qos > 0) {
        out.messageId = c.nextId
        c.nextId = c.nextId >= 65535 ? 1 : c.nextId + 1
      }
      send(c, out)
    }
  }

  const onPacket = (c: Conn, p: Packet) => {
    switch (p.cmd) {
      case 'connect': {
        const reasonCode = p.protocolVersion === 5 ? authenticate(p) : 0x84
        connects.push({
          clientId: p.clientId,
          method: p.properties?.authenticationMethod,
          data: p.properties?.authenticationData?.toString('utf8'),
          reasonCode,
        })
        c.clientId = p.clientId
        if (reasonCode === 0 && p.properties?.authenticationMethod === 'OAUTH2-JWT') {
          c.claims = decodeJwt(p.properties.authenticationData?.toString('utf8') ?? '')
        }
        send(c, {cmd: 'connack', sessionPresent: false, reasonCode})
        if (reasonCode !== 0) c.socket.end()
        else c.connected = true
        return
      }
      case 'subscribe': {
        const sp = p as ISubscribePacket
        const granted = sp.subscriptions.map((s) => {
          if (opts.allowSubscribe && !opts.allowSubscribe.some((a) => covers(a, s.topic))) return NOT_AUTHORIZED
          if (!decide(c, 'subscribe', s.topic)) return NOT_AUTHORIZED
          const qos = Math.min(s.qos, 1) as 0 | 1
          c.subs = c.subs.filter((x) => x.filter !== s.topic)
          c.subs.push({filter: s.topic, qos})
          return qos
        })
        send(c, {cmd: 'suback', messageId: sp.messageId, granted})
        return
      }
      case 'unsubscribe':
        c.subs = c.subs.filter((s) => !p.unsubscriptions.includes(s.filter))
        send(c, {cmd: 'unsuback', messageId: p.messageId, granted: p.unsubscriptions.map(() => 0)})
        return
      case 'publish': {
        const allowed =
          (!opts.allowPublish || opts.allowPublish.some((a) => topicMatches(a, p.topic))) &&
          decide(c, 'publish', p.topic)
        if (p.qos > 0) send(c, {cmd: 'puback', messageId: p.messageId, reasonCode: allowed ? 0 : NOT_AUTHORIZED})
        if (allowed) {
          opts.onPublish?.({clientId: c.clientId, topic: p.topic, claims: c.claims})
          deliver(p)
        }
        return
      }
      case 'pingreq':
        send(c, {cmd: 'pingresp'})
        return
      case 'disconnect':
        c.socket.end()
        return
      default:
        // puback from subscribers and anything else: nothing to do for QoS ≤ 1 without persistence.
        return
    }
  }

  const onSocket = (socket: Socket) => {
    socket.setNoDelay(true)
    const c: Conn = {socket, clientId: '', subs: [], nextId: 1, connected: false}
    conns.add(c)
    const parser = mqttPacket.parser(GEN)
    parser.on('packet', (p: Packet) => {
      if (!c.connected && p.cmd !== 'connect') return socket.destroy()
      onPacket(c, p)
    })
    parser.on('error', () => socket.destroy())
    socket.on('data', (d: Buffer) => parser.parse(d))
    socket.on('error', () => socket.destroy())
    socket.on('close', () => conns.delete(c))
  }

  const server: Server = opts.tls
    ? createTlsServer({cert: opts.tls.cert, key: opts.tls.key}, onSocket)
    : createNetServer(onSocket)
  const port = opts.port ?? (await freePort())
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    host: '127.0.0.1',
    port,
    connects,
    dropClients(o = {}) {
      for (const c of conns) {
        if (o.only && !o.only(c.clientId)) continue
        if (o.reasonCode === undefined || !c.connected) c.socket.destroy()
        else {
          send(c, {cmd: 'disconnect', reasonCode: o.reasonCode})
          c.socket.end()
        }
      }
    },
    stop() {
      for (const c of conns) c.socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
