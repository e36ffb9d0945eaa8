import {createPrivateKey, X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {invalidValue} from '../config/invalid.js'
import {checkTopicName} from '../config/rules.js'
import {ConfigError} from '../errors.js'
import {registerSecret} from '../ui/redact.js'
import type {KubectlSession} from './kubectl.js'
import type {MqttCredentials, MqttEndpoint} from './transport.js'

/** The tutorial's values: what the mqtt-client pod mounts and what the dataflows read and write. */
export const VERIFY_DEFAULTS = {
  host: 'aio-broker',
  port: 18883,
  caFile: '/var/run/certs/ca.crt',
  satFile: '/var/run/secrets/tokens/broker-sat',
  localTopic: 'tutorial/local',
  cloudTopic: 'tutorial/cloud',
  fromCloudTopic: 'telemetry/aio-bridge-verify',
  count: 5,
  intervalSeconds: 1,
  timeoutSeconds: 60,
  waitSeconds: 10,
  qos: 1 as 0 | 1,
  eventGridPort: 8883,
  kubeNamespace: 'azure-iot-operations',
  serviceAccount: 'mqtt-client',
  satAudience: 'aio-internal',
  tokenDuration: '10m',
  brokerService: 'aio-broker',
  caConfigMap: 'azure-iot-operations-aio-ca-trust-bundle',
  passwordEnv: 'AIO_BRIDGE_MQTT_PASSWORD',
} as const

export type LocalAuth = 'k8s-sat' | 'x509' | 'password' | 'anonymous'

/** The verify flags as oclif parses them. */
export interface VerifyFlags {
  host?: string
  port?: number
  tls: boolean
  'ca-file'?: string
  'tls-server-name'?: string
  auth?: string
  'sat-file'?: string
  cert?: string
  key?: string
  username?: string
  'password-file'?: string
  'password-env'?: string
  'client-id'?: string
  'local-topic'?: string
  'cloud-topic'?: string
  /** --from-cloud publishes on Event Grid: the local publish topic is not used. */
  'from-cloud'?: boolean
  count?: number
  interval?: number
  rate?: number
  qos?: number
  timeout?: number
  wait?: number
  size?: number
}

function readText(path: string, flag: string, what: string, remedy: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError(
      'VERIFY_FILE_UNREADABLE',
      `Cannot read the ${what} ${path} (${code ?? 'error'}).`,
      `${remedy} (${flag}).`,
      {flag, path},
    )
  }
}

/** A file read for TLS must hold what it claims (PEM certificate or private key), or the TLS error later is opaque. */
function checkPem(pem: string, kind: 'certificate' | 'key', path: string, flag: string): string {
  try {
    if (kind === 'certificate') new X509Certificate(pem)
    else createPrivateKey(pem)
    return pem
  } catch {
    throw new ConfigError(
      'VERIFY_FILE_INVALID',
      `${path} is not a PEM ${kind === 'certificate' ? 'certificate' : 'private key (unencrypted)'}.`,
      `Pass a PEM ${kind === 'certificate' ? 'certificate (-----BEGIN CERTIFICATE-----)' : 'private key (-----BEGIN PRIVATE KEY-----)'} (${flag}).`,
      {flag, path},
    )
  }
}

function topic(value: string, flag: '--local-topic' | '--cloud-topic'): string {
  const problem = checkTopicName(value)
  if (problem) {
    throw invalidValue({
      flag,
      what: 'Topic',
      value,
      problem,
      rule: 'use a topic name without + or # (verify publishes to one topic and expects the messages on another)',
      example: flag === '--local-topic' ? VERIFY_DEFAULTS.localTopic : VERIFY_DEFAULTS.cloudTopic,
    })
  }
  return value
}

/** Chooses the authentication from what was given: --auth wins; else a user name, a client certificate, then SAT. */
export function chooseAuth(f: VerifyFlags): LocalAuth {
  if (f.auth) {
    const a = f.auth.toLowerCase() as LocalAuth
    if (!['k8s-sat', 'x509', 'password', 'anonymous'].includes(a)) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `Unknown --auth '${f.auth}'.`,
        'Pass --auth k8s-sat, x509, password or anonymous.',
      )
    }
    return a
  }
  if (f.username) return 'password'
  if (f.cert) return 'x509'
  return 'k8s-sat'
}

export interface ResolvedLocal {
  endpoint: MqttEndpoint
  auth: LocalAuth
}

/**
 * The IoT Operations broker endpoint from the flags (and, with --kubectl, the session's token, CA and forwarded
 * port). Every file is read here, so a missing one is exit 2 before any connection is tried.
 */
export function resolveLocalEndpoint(
  f: VerifyFlags,
  env: Record<string, string | undefined>,
  clientId: string,
  kube?: KubectlSession,
): ResolvedLocal {
  const auth = chooseAuth(f)
  const host = kube ? '127.0.0.1' : (f.host ?? VERIFY_DEFAULTS.host)
  const port = kube ? kube.localPort : (f.port ?? VERIFY_DEFAULTS.port)
  let credentials: MqttCredentials
  if (auth === 'k8s-sat') {
    if (kube) {
      credentials = {authMethod: 'K8S-SAT', authData: () => kube.token(), describe: 'K8S-SAT token minted with kubectl'}
    } else {
      const satFile = f['sat-file'] ?? VERIFY_DEFAULTS.satFile
      const read = () => {
        const t = readText(
          satFile,
          '--sat-file',
          'service account token',
          'Run verify inside the tutorial’s mqtt-client pod, pass the projected token file, or use --kubectl',
        ).trim()
        registerSecret(t)
        return t
      }
      read()
      credentials = {authMethod: 'K8S-SAT', authData: read, describe: `K8S-SAT token from ${satFile}`}
    }
  } else if (auth === 'password') {
    if (!f.username)
      throw new ConfigError(
        'CONFIG_MISSING',
        '--username is required for --auth password.',
        'Pass the user name the broker knows, e.g. --username tester, or choose another way in with --auth k8s-sat or --auth x509.',
      )
    let password: string
    if (f['password-file']) {
      password = readText(f['password-file'], '--password-file', 'password file', 'Pass a readable file').replace(
        /\r?\n$/,
        '',
      )
    } else {
      const name = f['password-env'] ?? VERIFY_DEFAULTS.passwordEnv
      const v = env[name]
      if (v === undefined) {
        throw new ConfigError(
          'CONFIG_MISSING',
          `No password for --username ${f.username}: neither --password-file nor the variable ${name} gives one.`,
          `Put the password in a file (--password-file ./broker-password), or in the variable without echoing it (read -rs ${name}; export ${name}); --password-env names another variable.`,
        )
      }
      password = v
    }
    registerSecret(password)
    const file = f['password-file']
    credentials = {
      username: f.username,
      // Re-read on reconnect like a token, so a rotated secret file is picked up.
      password: file ? () => readFileSync(file, 'utf8').replace(/\r?\n$/, '') : () => password,
      describe: `user ${f.username}`,
    }
  } else if (auth === 'x509') {
    credentials = {describe: `client certificate ${f.cert ?? ''}`}
  } else {
    credentials = {describe: 'anonymous'}
  }

  let tls: MqttEndpoint['tls']
  if (f.tls) {
    tls = {serverName: f['tls-server-name'] ?? (kube ? VERIFY_DEFAULTS.brokerService : undefined)}
    if (kube && !f['ca-file']) tls.ca = kube.caPem
    else {
      const caFile = f['ca-file'] ?? VERIFY_DEFAULTS.caFile
      tls.ca = checkPem(
        readText(
          caFile,
          '--ca-file',
          'CA certificate',
          'Pass the broker’s CA file, or use --kubectl to read it from the cluster',
        ),
        'certificate',
        caFile,
        '--ca-file',
      )
    }
    if (auth === 'x509' || f.cert) {
      if (!f.cert || !f.key) {
        throw new ConfigError(
          'CONFIG_MISSING',
          'X.509 authentication needs both --cert and --key.',
          'Pass both PEM files, e.g. --cert client.crt --key client.key.',
        )
      }
      tls.cert = checkPem(
        readText(f.cert, '--cert', 'client certificate', 'Pass a readable PEM file'),
        'certificate',
        f.cert,
        '--cert',
      )
      tls.key = readText(f.key, '--key', 'client key', 'Pass a readable PEM file')
      registerSecret(tls.key)
      checkPem(tls.key, 'key', f.key, '--key')
    }
  } else if (auth === 'x509') {
    throw new ConfigError(
      'CONFIG_INVALID',
      'X.509 authentication needs TLS; --no-tls was given.',
      'Leave out --no-tls (the client certificate is presented in the TLS handshake), or pick --auth password or k8s-sat.',
    )
  }
  return {
    endpoint: {hop: {name: 'IoT Operations broker', host, port}, tls, credentials, clientId},
    auth,
  }
}

export interface Timing {
  count: number
  intervalMs: number
  timeoutMs: number
  waitMs: number
  qos: 0 | 1
  localTopic: string
  cloudTopic: string
}

export function resolveTiming(f: VerifyFlags): Timing {
  const count = f.count ?? VERIFY_DEFAULTS.count
  if (!Number.isInteger(count) || count < 1)
    throw new ConfigError(
      'CONFIG_INVALID',
      `--count ${count} must be 1 or more.`,
      'Pass a count of 1 or more, e.g. --count 5.',
    )
  let intervalMs = (f.interval ?? VERIFY_DEFAULTS.intervalSeconds) * 1000
  if (f.rate !== undefined) {
    if (!(f.rate > 0))
      throw new ConfigError(
        'CONFIG_INVALID',
        `--rate ${f.rate} must be above 0.`,
        'Pass --rate N messages per second, or --interval 0 for full speed.',
      )
    intervalMs = 1000 / f.rate
  }
  if (!(intervalMs >= 0))
    throw new ConfigError(
      'CONFIG_INVALID',
      '--interval must be 0 or more seconds.',
      'Pass a number of seconds, e.g. --interval 0.5 (0: full speed).',
    )
  const qos = f.qos ?? VERIFY_DEFAULTS.qos
  if (qos !== 0 && qos !== 1) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `--qos ${qos} is not supported: Event Grid takes QoS 0 and 1.`,
      'Pass --qos 0 or --qos 1.',
    )
  }
  const sendMs = (count - 1) * intervalMs
  const waitMs = (f.wait ?? VERIFY_DEFAULTS.waitSeconds) * 1000
  // The default timeout grows with a long run, so `--count 10000 --rate 50` is not cut short by a fixed bound.
  const timeoutMs =
    f.timeout !== undefined
      ? f.timeout * 1000
      : Math.max(VERIFY_DEFAULTS.timeoutSeconds * 1000, sendMs + waitMs + 30_000)
  if (!(timeoutMs > 0))
    throw new ConfigError(
      'CONFIG_INVALID',
      '--timeout must be above 0 seconds.',
      'Pass a bound above 0 seconds, e.g. --timeout 60 (or leave it out: it grows with a long run).',
    )
  const localTopic = topic(f['local-topic'] ?? VERIFY_DEFAULTS.localTopic, '--local-topic')
  const cloudTopic = topic(f['cloud-topic'] ?? VERIFY_DEFAULTS.cloudTopic, '--cloud-topic')
  // The subscriber on the cloud topic would receive every message straight from the local broker, with no bridge in
  // the path: the run would pass with the dataflows dead. (Topic names hold no wildcards, so only equality matches.)
  if (!f['from-cloud'] && localTopic === cloudTopic) {
    throw new ConfigError(
      'VERIFY_TOPICS_SAME',
      `--local-topic and --cloud-topic are both '${localTopic}': every message would come straight back from the local broker, bridge or not.`,
      'Pass a --cloud-topic the dataflows write to and a different --local-topic they read (the tutorial: tutorial/local → tutorial/cloud).',
      {flag: '--cloud-topic', value: cloudTopic},
    )
  }
  return {count, intervalMs, timeoutMs, waitMs, qos, localTopic, cloudTopic}
}

/** A kubectl (Go) duration such as 10m, 1h30m or 90s, in milliseconds; undefined when it is not one. */
export function parseGoDuration(value: string): number | undefined {
  const units: Record<string, number> = {h: 3_600_000, m: 60_000, s: 1000, ms: 1}
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/y
  let total = 0
  let matched = 0
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * (units[m[2] as string] as number)
    matched = re.lastIndex
  }
  return matched === value.length && matched > 0 && total > 0 ? total : undefined
}

/** --token-duration as kubectl takes it; checked here so a typo is exit 2, not a kubectl failure. */
export function resolveTokenDuration(value: string | undefined): {duration: string; durationMs: number} {
  const duration = value ?? VERIFY_DEFAULTS.tokenDuration
  const durationMs = parseGoDuration(duration)
  if (durationMs === undefined) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `--token-duration '${duration}' is not a duration.`,
      'Pass --token-duration like 10m, 1h or 90s.',
      {flag: '--token-duration', value: duration},
    )
  }
  return {duration, durationMs}
}
