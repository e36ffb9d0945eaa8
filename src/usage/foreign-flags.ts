/**
 * Flag names people bring from the tools the tutorial uses by hand (`az eventgrid`, `az role assignment`, kubectl,
 * mosquitto_pub/sub), with what aio-bridge takes instead. Only entries whose aio-bridge flag the command has are
 * offered; `why` says what differs when it is not a plain rename.
 */
export interface ForeignFlag {
  /** The aio-bridge flag(s) to use, e.g. ['--namespace']; empty when there is none and `why` says what to do. */
  use: string[]
  why?: string
  /** Where the name comes from, shown as "(az's name)". */
  from: string
}

const ASSIGNEE: ForeignFlag = {
  use: ['--cluster', '--grant-caller'],
  why: 'setup assigns the roles to the IoT Operations identity of --cluster; --grant-caller adds the signed-in identity',
  from: 'az role assignment',
}
const PASSWORD: ForeignFlag = {
  use: ['--password-file', '--password-env'],
  why: 'no flag takes the password itself: a command line is visible in ps and in the shell history',
  from: 'mosquitto',
}
const TOPIC: ForeignFlag = {
  use: ['--local-topic', '--cloud-topic'],
  why: 'verify publishes to --local-topic and expects the messages back on --cloud-topic',
  from: 'mosquitto',
}
const MESSAGE: ForeignFlag = {
  use: ['--size'],
  why: 'verify writes its own messages (run id and sequence number, to match each reply); --size pads them',
  from: 'mosquitto',
}
const CLIENT_ID: ForeignFlag = {use: ['--client-id'], from: 'mosquitto'}

export const FOREIGN_FLAGS: Record<string, ForeignFlag> = {
  // az eventgrid namespace / topic-space, az k8s-extension
  '--namespace-name': {use: ['--namespace'], from: 'az eventgrid'},
  '--name': {use: ['--namespace'], from: 'az eventgrid namespace'},
  '--topic-templates': {
    use: ['--topic-template'],
    why: 'repeat it once per template: --topic-template telemetry/# --topic-template alerts/#',
    from: 'az eventgrid',
  },
  '--topic-space-name': {use: ['--topic-space'], from: 'az eventgrid'},
  '--max-client-sessions-per-auth-name': {use: ['--max-client-sessions'], from: 'az eventgrid'},
  '--cluster-name': {use: ['--cluster'], from: 'az k8s-extension'},
  '--cluster-type': {
    use: [],
    why: 'aio-bridge always works with an Arc-enabled cluster (connectedClusters)',
    from: 'az k8s-extension',
  },
  // az role assignment
  '--assignee': ASSIGNEE,
  '--assignee-object-id': ASSIGNEE,
  '--role': {
    use: [],
    why: 'setup always assigns EventGrid TopicSpaces Publisher and EventGrid TopicSpaces Subscriber',
    from: 'az role assignment',
  },
  '--scope': {use: ['--topic-space'], why: 'the roles are assigned on the topic space', from: 'az role assignment'},
  // kubectl
  '--context': {use: ['--kube-context'], from: 'kubectl'},
  // mosquitto_pub / mosquitto_sub
  '--cafile': {use: ['--ca-file'], from: 'mosquitto'},
  '--capath': {use: ['--ca-file'], why: 'give one PEM file holding the CA certificate(s)', from: 'mosquitto'},
  '-p': {use: ['--port'], from: 'mosquitto'},
  '-u': {use: ['--username'], from: 'mosquitto'},
  '-P': PASSWORD,
  '--password': PASSWORD,
  '--pw': PASSWORD,
  '-t': TOPIC,
  '--topic': TOPIC,
  '-m': MESSAGE,
  '--message': MESSAGE,
  '-q': {use: ['--qos'], from: 'mosquitto'},
  '-C': {use: ['--count'], from: 'mosquitto_sub'},
  '-W': {use: ['--timeout'], from: 'mosquitto_sub'},
  '-i': CLIENT_ID,
  '--id': CLIENT_ID,
  '-V': {use: [], why: 'verify always speaks MQTT 5', from: 'mosquitto'},
  '--insecure': {
    use: ['--tls-server-name'],
    why: 'TLS verification cannot be turned off; for a name mismatch (a port-forward) give the name the certificate has',
    from: 'mosquitto',
  },
  '-D': {use: ['--auth'], why: 'K8S-SAT, X.509 and passwords are chosen with --auth', from: 'mosquitto'},
  '-d': {use: ['--debug'], from: 'mosquitto'},
}
