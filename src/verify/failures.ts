import {ExitCode, VerifyError} from '../errors.js'

/**
 * Every way a round trip fails, named by hop and cause, with its documented exit code. Recognised by error codes
 * (Node's, OpenSSL's, MQTT reason codes), never by message text.
 */

/** Where in the path a failure happened: shown to the user and kept in --json / JUnit output. */
export interface Hop {
  /** e.g. 'IoT Operations broker' or 'Event Grid'. */
  name: string
  host: string
  port: number
}

const MQTT_REASON: Record<number, string> = {
  128: 'Unspecified error',
  129: 'Malformed packet',
  130: 'Protocol error',
  131: 'Implementation specific error',
  132: 'Unsupported protocol version',
  133: 'Client identifier not valid',
  134: 'Bad user name or password',
  135: 'Not authorized',
  136: 'Server unavailable',
  137: 'Server busy',
  138: 'Banned',
  140: 'Bad authentication method',
  142: 'Session taken over',
  143: 'Topic filter invalid',
  144: 'Topic name invalid',
  151: 'Quota exceeded',
  153: 'Payload format invalid',
  157: 'Server moved',
  159: 'Connection rate exceeded',
  162: 'Wildcard subscriptions not supported',
}

export function reasonText(code: number): string {
  return `0x${code.toString(16).padStart(2, '0')} ${MQTT_REASON[code] ?? 'Unknown reason'}`
}

function where(hop: Hop): string {
  return `${hop.name} (${hop.host}:${hop.port})`
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
])
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'])
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME'])
const TCP = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL', 'EPIPE'])

export type TlsProblem = 'untrusted-ca' | 'name-mismatch' | 'expired' | 'client-certificate' | 'handshake'

/** What fixes each connection failure, per hop: the flags that point at the IoT Operations broker and at Event Grid differ. */
export interface HopRemedies {
  dns: string
  tcp: string
  untrustedCa: string
  nameMismatch: string
  expired: string
  clientCertificate: string
  handshake: string
  closed: string
}

/** The IoT Operations broker (verify's local-broker flags; the emulator's relay too). */
export const LOCAL_BROKER_REMEDIES: HopRemedies = {
  dns: 'Check --host (inside the cluster the broker is aio-broker; from a workstation use --kubectl).',
  tcp: 'Check --host/--port and that the broker is running (kubectl get pods -n azure-iot-operations), or use --kubectl to port-forward.',
  untrustedCa:
    "Pass the broker's CA with --ca-file (IoT Operations: the azure-iot-operations-aio-ca-trust-bundle config map, or use --kubectl).",
  nameMismatch:
    'Pass the name the certificate carries with --tls-server-name (for the IoT Operations broker: aio-broker).',
  expired: 'Renew the broker certificate (cert-manager for IoT Operations), or fix this machine’s clock.',
  clientCertificate: 'Pass a client certificate the broker trusts with --cert/--key.',
  handshake: "Check that --port is the broker's TLS port; use --no-tls only for a listener without TLS.",
  closed: 'Check that the port is an MQTT v5 listener and that --tls / client certificate settings match it.',
}

/** Event Grid (verify --from-cloud): a public endpoint with a public certificate, reached with Microsoft Entra. */
export const EVENT_GRID_REMEDIES: HopRemedies = {
  dns: "Check --event-grid-host: it must be the namespace's MQTT hostname (…ts.eventgrid.azure.net); leave it out to read it from the namespace (-g, -n).",
  tcp: 'Check that this machine reaches Event Grid on port 8883 (outbound MQTT over TLS: firewall, proxy) and that the namespace has MQTT enabled (aio-bridge setup).',
  untrustedCa:
    'Event Grid presents a publicly trusted certificate: if a proxy intercepts TLS here, trust its CA with NODE_EXTRA_CA_CERTS; otherwise update the system CA store.',
  nameMismatch:
    "Check --event-grid-host is the namespace's MQTT hostname (…ts.eventgrid.azure.net), not an alias; a TLS-intercepting proxy also causes this.",
  expired:
    'Fix this machine’s clock (Event Grid’s certificate is managed by Azure), or check for a TLS-intercepting proxy.',
  clientCertificate:
    'verify authenticates to Event Grid with Microsoft Entra (OAUTH2-JWT), not a client certificate: check that the namespace accepts Entra ID clients.',
  handshake:
    "Check that the Event Grid endpoint is the namespace's MQTT hostname on port 8883 (TLS 1.2 or later) and that no proxy interferes.",
  closed:
    'Check that the namespace has MQTT enabled (aio-bridge setup) and accepts Microsoft Entra ID (OAUTH2-JWT) clients.',
}

/**
 * Turns a socket/TLS error met while connecting into the failure a user can act on.
 * `phase` is how far the connection got: 'tcp' (not yet connected), 'tls' (TCP up, handshake running), 'mqtt'.
 */
export function classifyConnectError(
  err: NodeJS.ErrnoException & {reason?: string},
  hop: Hop,
  phase: 'tcp' | 'tls' | 'mqtt',
  remedies: HopRemedies,
): VerifyError {
  const code = String(err.code ?? '')
  const details = {hop: hop.name, host: hop.host, port: hop.port, errorCode: code || undefined, phase}
  if (DNS.has(code)) {
    return new VerifyError('VERIFY_DNS', `Cannot resolve ${hop.host}: the ${hop.name} host name is unknown here.`, {
      exitCode: ExitCode.verifyConnect,
      remedy: remedies.dns,
      details,
    })
  }
  if (UNTRUSTED.has(code)) {
    return tlsError('untrusted-ca', `the certificate of ${where(hop)} is not signed by a trusted CA (${code})`, {
      remedy: remedies.untrustedCa,
      details,
    })
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return tlsError('name-mismatch', `the certificate of ${where(hop)} does not name ${hop.host} (${code})`, {
      remedy: remedies.nameMismatch,
      details,
    })
  }
  if (EXPIRED.has(code)) {
    return tlsError('expired', `the certificate of ${where(hop)} is expired or not yet valid (${code})`, {
      remedy: remedies.expired,
      details,
    })
  }
  if (/CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED/.test(code)) {
    return tlsError('client-certificate', `${where(hop)} refused the client certificate (${code})`, {
      remedy: remedies.clientCertificate,
      details,
    })
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO' || phase === 'tls') {
    return tlsError('handshake', `the TLS handshake with ${where(hop)} failed (${code || err.message})`, {
      remedy: remedies.handshake,
      details,
    })
  }
  if (TCP.has(code) || code === 'ECONNRESET' || phase === 'tcp') {
    return new VerifyError(
      'VERIFY_TCP',
      `Cannot connect to ${where(hop)}: ${code === 'ECONNREFUSED' ? 'connection refused' : code || err.message}.`,
      {exitCode: ExitCode.verifyConnect, remedy: remedies.tcp, details},
    )
  }
  return new VerifyError(
    'VERIFY_CONNECTION_CLOSED',
    `${where(hop)} closed the connection before answering CONNECT (${code || err.message}).`,
    {exitCode: ExitCode.verifyConnect, remedy: remedies.closed, details},
  )
}

function tlsError(
  problem: TlsProblem,
  what: string,
  o: {remedy: string; details: Record<string, unknown>},
): VerifyError {
  return new VerifyError('VERIFY_TLS', `TLS failed: ${what}.`, {
    exitCode: ExitCode.verifyTls,
    remedy: o.remedy,
    details: {...o.details, tlsProblem: problem},
  })
}

/** CONNACK with a failure reason code. */
export function connackError(code: number, hop: Hop, authDescription: string): VerifyError {
  const eventGrid = hop.name === 'Event Grid'
  const remedy =
    code === 0x86 || code === 0x87
      ? eventGrid
        ? 'Sign in as a service principal or managed identity (Event Grid takes no user accounts) that has "EventGrid TopicSpaces Publisher" on the topic space (aio-bridge setup --grant-caller, run as it), and check the namespace allows Entra ID (OAUTH2-JWT) clients.'
        : `Check the credentials (${authDescription}): a fresh SAT (--sat-file, or --kubectl), the right --username/--password-file, or --cert/--key.`
      : code === 0x8c
        ? eventGrid
          ? 'Check that the namespace accepts Microsoft Entra ID (OAUTH2-JWT) clients.'
          : `${hop.name} does not accept this authentication method: use the method its listener is configured for (--sat-file, --username, --cert).`
        : eventGrid
          ? "Event Grid refused the connection: check the namespace's MQTT settings and its quotas (sessions per authentication name)."
          : 'The broker refused the connection; see its logs (kubectl logs -n azure-iot-operations -l app=aio-broker-frontend).'
  return new VerifyError(
    'VERIFY_AUTH',
    `${where(hop)} refused the connection: CONNACK ${reasonText(code)} (${authDescription}).`,
    {
      exitCode: ExitCode.verifyAuth,
      remedy,
      details: {hop: hop.name, host: hop.host, port: hop.port, reasonCode: code},
    },
  )
}

export function subackError(code: number, hop: Hop, topic: string): VerifyError {
  return new VerifyError(
    'VERIFY_SUBSCRIBE_REFUSED',
    `${where(hop)} refused SUBSCRIBE to ${topic}: SUBACK ${reasonText(code)}.`,
    {
      exitCode: ExitCode.verifyNotAuthorized,
      remedy: `Grant this client subscribe rights on ${topic} (IoT Operations BrokerAuthorization), or pass --cloud-topic.`,
      details: {hop: hop.name, host: hop.host, port: hop.port, reasonCode: code, topic},
    },
  )
}

export function pubackError(code: number, hop: Hop, topic: string): VerifyError {
  return new VerifyError(
    'VERIFY_PUBLISH_REFUSED',
    `${where(hop)} refused PUBLISH to ${topic}: PUBACK ${reasonText(code)}.`,
    {
      exitCode: ExitCode.verifyNotAuthorized,
      remedy:
        hop.name === 'Event Grid'
          ? `Grant the signed-in service principal or managed identity "EventGrid TopicSpaces Publisher" on the topic space (aio-bridge setup --grant-caller, run as it), and publish under a topic template (--from-cloud-topic).`
          : `Grant this client publish rights on ${topic} (IoT Operations BrokerAuthorization), or pass --local-topic.`,
      details: {hop: hop.name, host: hop.host, port: hop.port, reasonCode: code, topic},
    },
  )
}

export function disconnectedError(code: number | undefined, hop: Hop): VerifyError {
  const notAuth = code === 0x87 || code === 0x86
  return new VerifyError(
    notAuth ? 'VERIFY_DISCONNECTED_NOT_AUTHORIZED' : 'VERIFY_DISCONNECTED',
    `${where(hop)} dropped the connection during the run${code === undefined ? '' : ` (DISCONNECT ${reasonText(code)})`} and it could not be restored.`,
    {
      exitCode: notAuth ? ExitCode.verifyNotAuthorized : ExitCode.verifyConnect,
      remedy: notAuth
        ? 'Grant this client the publish/subscribe rights it needs on the verify topics.'
        : 'Check the broker’s health and logs, then run verify again.',
      details: {hop: hop.name, host: hop.host, port: hop.port, reasonCode: code},
    },
  )
}

export function timeoutError(step: string, hop: Hop | undefined, timeoutMs: number): VerifyError {
  return new VerifyError(
    'VERIFY_TIMEOUT',
    `verify ran out of time (--timeout ${timeoutMs / 1000} s) while ${step}${hop ? ` at ${where(hop)}` : ''}.`,
    {
      exitCode: ExitCode.verifyTimeout,
      remedy: 'Pass a larger --timeout, or fewer messages (--count) / a shorter --interval.',
      details: {step, hop: hop?.name},
    },
  )
}
