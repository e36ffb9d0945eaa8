import {Flags} from '@oclif/core'
import {azureFlags, eventGridFlags, kubectlFlags, seconds} from '../flags.js'
import {VERIFY_DEFAULTS as D} from './options.js'

const BROKER = 'BROKER'
const AUTH = 'AUTHENTICATION'
const RUN = 'RUN'
const KUBE = 'KUBECTL'
const CLOUD = 'EVENT GRID'

/** The flags of `aio-bridge verify` (kept here so the command file stays a thin shell). */
export const verifyFlags = {
  host: Flags.string({description: `Broker host [default: ${D.host}]`, helpGroup: BROKER}),
  port: Flags.integer({description: `Broker port [default: ${D.port}]`, min: 1, max: 65535, helpGroup: BROKER}),
  tls: Flags.boolean({
    description: 'TLS to the broker (--no-tls only for a listener without TLS; verification is never turned off)',
    allowNo: true,
    default: true,
    helpGroup: BROKER,
  }),
  'ca-file': Flags.string({description: `CA certificate(s) to trust, PEM [default: ${D.caFile}]`, helpGroup: BROKER}),
  'tls-server-name': Flags.string({
    description: 'Name expected in the broker certificate when --host differs (port-forward: aio-broker)',
    helpGroup: BROKER,
  }),
  auth: Flags.string({
    description: 'Authentication (default: password with --username, x509 with --cert, else k8s-sat)',
    options: ['k8s-sat', 'x509', 'password', 'anonymous'],
    helpGroup: AUTH,
  }),
  'sat-file': Flags.string({
    description: `Service account token file (K8S-SAT) [default: ${D.satFile}]`,
    helpGroup: AUTH,
  }),
  cert: Flags.string({description: 'Client certificate, PEM (X.509 authentication)', helpGroup: AUTH}),
  key: Flags.string({description: 'Client private key, PEM (X.509 authentication)', helpGroup: AUTH}),
  username: Flags.string({description: 'User name (password authentication)', helpGroup: AUTH}),
  'password-file': Flags.string({description: 'File holding the password', helpGroup: AUTH}),
  'password-env': Flags.string({
    description: `Environment variable holding the password [default: ${D.passwordEnv}]`,
    helpGroup: AUTH,
  }),
  'client-id': Flags.string({description: 'MQTT client id [default: aio-bridge-verify-<run id>]', hidden: true}),
  'local-topic': Flags.string({description: `Topic to publish to [default: ${D.localTopic}]`, helpGroup: RUN}),
  'cloud-topic': Flags.string({
    description: `Topic the messages must come back on [default: ${D.cloudTopic}]`,
    helpGroup: RUN,
  }),
  count: Flags.integer({description: `Messages to send [default: ${D.count}]`, min: 1, helpGroup: RUN}),
  interval: seconds({
    description: `Seconds between messages; 0 = full speed [default: ${D.intervalSeconds}]`,
    helpGroup: RUN,
  }),
  rate: seconds({
    helpValue: 'RATE',
    description: 'Messages per second (load mode; overrides --interval; warns above 100)',
    helpGroup: RUN,
  }),
  qos: Flags.integer({description: `QoS 0 or 1 [default: ${D.qos}]`, min: 0, max: 1, helpGroup: RUN}),
  size: Flags.integer({
    description: 'Pad each message to about this many bytes',
    min: 1,
    max: 512 * 1024,
    helpGroup: RUN,
  }),
  wait: seconds({
    description: `Seconds to wait for stragglers after the last message [default: ${D.waitSeconds}]`,
    helpGroup: RUN,
  }),
  timeout: seconds({
    description: `Bound on the whole run, seconds [default: ${D.timeoutSeconds}, longer for long runs]`,
    helpGroup: RUN,
  }),
  junit: Flags.string({description: 'Also write a JUnit XML report to this file (for CI test tabs)', helpGroup: RUN}),
  kubectl: Flags.boolean({
    description: 'From a workstation: mint a token, read the CA and port-forward to the broker with kubectl',
    helpGroup: KUBE,
  }),
  ...kubectlFlags,
  'kube-namespace': Flags.string({
    description: `IoT Operations namespace [default: ${D.kubeNamespace}]`,
    helpGroup: KUBE,
  }),
  'service-account': Flags.string({
    description: `Service account for the token [default: ${D.serviceAccount}]`,
    helpGroup: KUBE,
  }),
  'token-duration': Flags.string({
    description: `Token lifetime, e.g. 10m or 1h (minted again at half of it) [default: ${D.tokenDuration}]`,
    helpGroup: KUBE,
  }),
  service: Flags.string({
    description: `Broker service to port-forward to [default: ${D.brokerService}]`,
    helpGroup: KUBE,
  }),
  'from-cloud': Flags.boolean({
    description:
      'Publish on Event Grid (Microsoft Entra, OAUTH2-JWT: sign in as a service principal or managed identity, not a user) and expect the messages on the local cloud topic',
    helpGroup: CLOUD,
  }),
  'event-grid-host': Flags.string({
    description: 'Event Grid MQTT hostname (default: read from the namespace)',
    helpGroup: CLOUD,
  }),
  'event-grid-port': Flags.integer({description: `Event Grid MQTT port [default: ${D.eventGridPort}]`, hidden: true}),
  'from-cloud-topic': Flags.string({
    description: `Event Grid topic for --from-cloud, under the topic space [default: ${D.fromCloudTopic}]`,
    helpGroup: CLOUD,
  }),
  metrics: Flags.boolean({
    description: 'Report Event Grid’s Mqtt.SuccessfulPublishedMessages before/after (needs --subscription -g -n)',
    helpGroup: CLOUD,
  }),
  'metrics-wait': seconds({
    description: 'Bound on waiting for the metrics to catch up, seconds [default: 300]',
    helpGroup: CLOUD,
  }),
  'metrics-poll': seconds({description: 'Seconds between metric reads [default: 20]', hidden: true}),
  ...azureFlags,
  namespace: eventGridFlags.namespace,
}
