import {isIP, connect as netConnect, type Socket} from 'node:net'
import {type TLSSocket, connect as tlsConnect} from 'node:tls'
import type {IClientOptions, MqttClient} from 'mqtt'
import type {VerifyError} from '../errors.js'
import {
  classifyConnectError,
  connackError,
  type Hop,
  type HopRemedies,
  LOCAL_BROKER_REMEDIES,
  timeoutError,
} from './failures.js'

/**
 * One MQTT v5 connection, made the way verify needs it: TCP no-delay on the socket (otherwise Nagle's algorithm,
 * not the bridge, dominates a small-message round trip), TLS verification always on, credentials read again at every
 * (re)connect (a projected SAT file is rotated by the kubelet), and every failure classified by phase and code.
 * The emulator's relay uses it too, so both ends of a local round trip are built the same way.
 */

export interface MqttCredentials {
  username?: string
  /** Read at every (re)connect. */
  password?: () => string
  /** MQTT v5 enhanced authentication method, e.g. K8S-SAT or OAUTH2-JWT. */
  authMethod?: string
  /** Authentication data, read at every (re)connect. */
  authData?: () => string
  /** For messages: what was presented, never the secret itself ("K8S-SAT token from /var/run/…"). */
  describe: string
}

export interface TlsSettings {
  /** PEM of the CA(s) to trust; undefined = the system's (and NODE_EXTRA_CA_CERTS). */
  ca?: string
  /** Name expected in the broker certificate when it differs from the host (port-forward: aio-broker). */
  serverName?: string
  /** PEM client certificate and key (X.509 authentication). */
  cert?: string
  key?: string
}

export interface MqttEndpoint {
  hop: Hop
  /** undefined = plain TCP; only ever chosen explicitly (--no-tls) or by the emulator. */
  tls?: TlsSettings
  credentials: MqttCredentials
  clientId: string
  keepaliveSeconds?: number
}

export interface ConnectMqttOptions {
  timeoutMs: number
  signal?: AbortSignal
  /** What the connection failures' remedies say (default: the IoT Operations broker's flags). */
  remedies?: HopRemedies
  /** Wait between reconnect attempts after the first CONNACK (0 = never reconnect). */
  reconnectPeriodMs?: number
  /** Called with a one-line trace (for --debug); never given a secret. */
  trace?: (line: string) => void
}

/** Builds the socket for each (re)connect: TCP with no-delay, then TLS over it. Tracks how far it got. */
function streamBuilder(ep: MqttEndpoint, state: {phase: 'tcp' | 'tls' | 'mqtt'}) {
  return (client: MqttClient): Socket | TLSSocket => {
    refreshCredentials(client, ep.credentials)
    state.phase = 'tcp'
    const raw = netConnect({host: ep.hop.host, port: ep.hop.port, noDelay: true})
    raw.once('connect', () => {
      state.phase = ep.tls ? 'tls' : 'mqtt'
    })
    if (!ep.tls) return raw
    const name = ep.tls.serverName ?? ep.hop.host
    const secure = tlsConnect({
      socket: raw,
      // SNI must be a DNS name; the identity check below uses `host` either way.
      servername: isIP(name) ? undefined : name,
      host: name,
      ca: ep.tls.ca,
      cert: ep.tls.cert,
      key: ep.tls.key,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    })
    // Errors of the TCP socket under TLS are reported on the TLS socket by Node; keep the raw one from throwing.
    raw.on('error', (err) => secure.destroy(err))
    secure.once('secureConnect', () => {
      state.phase = 'mqtt'
    })
    return secure
  }
}

function refreshCredentials(client: MqttClient, c: MqttCredentials): void {
  const o = client.options
  try {
    if (c.password) o.password = Buffer.from(c.password())
    if (c.authMethod) {
      o.properties = {...o.properties, authenticationMethod: c.authMethod}
      if (c.authData) o.properties.authenticationData = Buffer.from(c.authData())
    }
  } catch {
    // A token file briefly missing during rotation: keep the previous value and let the broker judge it.
  }
}

/** Connects and resolves once CONNACK accepts; rejects with a classified VerifyError. */
export async function connectMqtt(ep: MqttEndpoint, opts: ConnectMqttOptions): Promise<MqttClient> {
  const {MqttClient: Client} = await import('mqtt')
  const state = {phase: 'tcp' as 'tcp' | 'tls' | 'mqtt'}
  const remedies = opts.remedies ?? LOCAL_BROKER_REMEDIES
  const options: IClientOptions = {
    protocolVersion: 5,
    clientId: ep.clientId,
    clean: true,
    keepalive: ep.keepaliveSeconds ?? 30,
    reconnectPeriod: 0,
    // Our own timer below names the step; mqtt.js's would only close the socket.
    connectTimeout: opts.timeoutMs + 60_000,
    username: ep.credentials.username,
    resubscribe: true,
  }
  const client = new Client(streamBuilder(ep, state), options)
  opts.trace?.(
    `connecting to ${ep.hop.name} ${ep.hop.host}:${ep.hop.port} as ${ep.clientId} (${ep.credentials.describe})`,
  )
  return new Promise<MqttClient>((resolve, reject) => {
    let settled = false
    const finish = (err?: VerifyError) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      client.removeListener('connect', onConnect)
      client.removeListener('error', onError)
      client.removeListener('close', onClose)
      if (err) {
        client.end(true)
        reject(err)
      } else {
        // Reconnect during the run from now on (verify resumes counting after a dropped connection).
        client.options.reconnectPeriod = opts.reconnectPeriodMs ?? 1000
        resolve(client)
      }
    }
    const onConnect = () => {
      opts.trace?.(`${ep.hop.name}: CONNACK 0x00`)
      finish()
    }
    const onError = (err: Error & {code?: string | number}) => {
      if (typeof err.code === 'number') finish(connackError(err.code, ep.hop, ep.credentials.describe))
      else finish(classifyConnectError(err as NodeJS.ErrnoException, ep.hop, state.phase, remedies))
    }
    const onClose = () => {
      // A close with no error: refused at TCP level is reported as an error first, so this is a broker hanging up.
      const e = Object.assign(new Error('connection closed'), {code: state.phase === 'tls' ? 'ECONNRESET' : ''})
      finish(classifyConnectError(e, ep.hop, state.phase === 'tcp' ? 'tcp' : state.phase, remedies))
    }
    const onAbort = () => {
      const e = new Error('The operation was aborted.')
      e.name = 'AbortError'
      settled = true
      clearTimeout(timer)
      client.end(true)
      reject(e)
    }
    const timer = setTimeout(
      () =>
        finish(
          timeoutError(
            state.phase === 'mqtt' ? 'waiting for CONNACK' : `connecting (${state.phase})`,
            ep.hop,
            opts.timeoutMs,
          ),
        ),
      opts.timeoutMs,
    )
    client.on('connect', onConnect)
    client.on('error', onError)
    client.on('close', onClose)
    opts.signal?.addEventListener('abort', onAbort, {once: true})
  })
}

/** Ends a client, waiting at most `ms` for a clean DISCONNECT. */
export function endMqtt(client: MqttClient | undefined, ms = 2000): Promise<void> {
  if (!client) return Promise.resolve()
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      client.end(true)
      resolve()
    }, ms)
    client.end(false, {}, () => {
      clearTimeout(t)
      resolve()
    })
  })
}
