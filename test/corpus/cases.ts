import {randomBytes} from 'node:crypto'
import {join} from 'node:path'
import type {ArmScenarioName} from '../../src/emulator/arm/index.js'
import {makeFakeJwt} from '../../src/emulator/az-stub.js'
import {ExitCode} from '../../src/errors.js'
import type {FakeArmOptions} from '../helpers/arm-harness.js'

/**
 * The bad-input corpus: every command, fed a wrong name, template, topic, file, token, world or flag, with the code and
 * exit it must give (test/corpus/bad-input.test.ts runs them; test/errors/remedies.test.ts counts on them for the
 * codes whose remedy is computed at run time).
 */

export interface Ctx {
  dir: string
  /** A loopback port nothing listens on. */
  closedPort: number
  /** A real PEM certificate (the fake ARM's CA). */
  caFile: string
  /** A plain file (where a folder is wanted). */
  plainFile: string
}

export interface Case {
  name: string
  args: string[] | ((ctx: Ctx) => string[])
  code: string
  exit: number
  /** A world other than the shared default one (a fake ARM of its own). */
  scenario?: ArmScenarioName
  /** Options of the stub az (expired, malformed, logged out). */
  az?: FakeArmOptions['az']
  env?: Record<string, string | undefined> | ((ctx: Ctx) => Record<string, string | undefined>)
  /** Run setup first (in a fake ARM of its own), so there is something to act on. */
  afterSetup?: boolean
  /** Secrets the case hands the CLI (password, SAT), searched for in its output. */
  secrets?: string[]
}

export const PASSWORD = `pw-${randomBytes(12).toString('hex')}`
export const SAT = makeFakeJwt({aud: 'aio-internal', sub: 'system:serviceaccount:azure-iot-operations:mqtt-client'})
const MALFORMED_TOKEN = `malformed-${randomBytes(16).toString('hex')}`
const USAGE = ExitCode.usage
// A literal `${client.nope}`: an Event Grid topic-template variable that does not exist.
const UNKNOWN_VARIABLE_TEMPLATE = ['telemetry/$', '{client.nope}/#'].join('')

const ns51 = `n${'a'.repeat(50)}`
const elevenTemplates = Array.from({length: 11}, (_, i) => ['--topic-template', `t${i}/#`]).flat()
const verifyOffline = (ctx: Ctx) => ['verify', '--host', '127.0.0.1', '--port', String(ctx.closedPort)]

export const CASES: Case[] = [
  // names
  {name: 'setup: namespace too short', args: ['setup', '-n', 'ab'], code: 'CONFIG_INVALID', exit: USAGE},
  {name: 'setup: namespace too long', args: ['setup', '-n', ns51], code: 'CONFIG_INVALID', exit: USAGE},
  {name: 'setup: namespace bad characters', args: ['setup', '-n', 'my_ns!'], code: 'CONFIG_INVALID', exit: USAGE},
  {name: 'setup: resource group bad characters', args: ['setup', '-g', 'rg/evil'], code: 'CONFIG_INVALID', exit: USAGE},
  {name: 'setup: cluster bad characters', args: ['setup', '-c', 'my cluster'], code: 'CONFIG_INVALID', exit: USAGE},
  {name: 'setup: topic space bad name', args: ['setup', '--topic-space', 'a b'], code: 'CONFIG_INVALID', exit: USAGE},
  {
    name: 'render: namespace bad characters',
    args: ['render', '-f', 'bicep', '-n', 'my_ns!'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {name: 'status: namespace too short', args: ['status', '-n', 'ab'], code: 'CONFIG_INVALID', exit: USAGE},
  {
    name: 'teardown: namespace bad characters',
    args: ['teardown', '--yes', '-n', 'a.b'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  // names as Azure and DNS take them (issue 10: these passed and made the namespace, topic space and roles first)
  {
    name: 'setup: namespace starting with a hyphen (-n=-egns2)',
    args: ['setup', '-n=-egns2'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {name: 'setup: namespace ending with a hyphen', args: ['setup', '-n', 'egns3-'], code: 'CONFIG_INVALID', exit: USAGE},
  {
    name: 'setup: topic space ending with a hyphen',
    args: ['setup', '--topic-space', 'tutorial-'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {name: 'setup: namespace with underscores', args: ['setup', '-n', 'my_eg_ns'], code: 'CONFIG_INVALID', exit: USAGE},
  {
    name: 'setup: namespace from EVENT_GRID_NAMESPACE with underscores',
    args: ['setup'],
    env: {EVENT_GRID_NAMESPACE: 'my_eg_ns'},
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {
    name: 'setup: subscription given by name',
    args: ['setup', '--subscription', 'my-sub'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {
    name: "setup: the tutorial's placeholder left in SUBSCRIPTION_ID",
    args: ['setup'],
    env: {SUBSCRIPTION_ID: '<SUBSCRIPTION_ID>'},
    code: 'CONFIG_MISSING',
    exit: USAGE,
  },
  {
    name: 'setup: four tutorial variables unset',
    args: ['setup'],
    env: {
      SUBSCRIPTION_ID: undefined,
      RESOURCE_GROUP: undefined,
      EVENT_GRID_NAMESPACE: undefined,
      CLUSTER_NAME: undefined,
    },
    code: 'CONFIG_MISSING',
    exit: USAGE,
  },
  {name: 'setup: location with hyphens', args: ['setup', '-l', 'west-us-2'], code: 'CONFIG_INVALID', exit: USAGE},
  {
    name: 'render: hostname given as a URL',
    args: ['render', '-f', 'bicep', '--hostname', 'https://ns.x/'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {
    name: 'render: endpoint name with capitals',
    args: ['render', '-f', 'bicep', '--endpoint-name', 'My_EP'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {
    name: 'status: --kubeconfig that does not exist',
    args: (c) => ['status', '--kubeconfig', join(c.dir, 'nope.kubeconfig')],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  // topic templates
  {
    name: 'setup: # not last',
    args: ['setup', '--topic-template', 'telemetry/#/x'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {
    name: 'setup: + inside a segment',
    args: ['setup', '--topic-template', 'tele+/x'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {name: 'setup: 11 templates', args: ['setup', ...elevenTemplates], code: 'CONFIG_INVALID', exit: USAGE},
  {
    name: 'setup: a shared-subscription filter as a template ($share/…)',
    args: ['setup', '--topic-template', '$share/g/telemetry/#'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {
    name: 'setup: a $-prefixed template',
    args: ['setup', '--topic-template', '$SYS/#'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {
    name: 'render: template with an unknown variable',
    args: ['render', '-f', 'kubernetes', '--topic-template', UNKNOWN_VARIABLE_TEMPLATE],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  // topics and maps
  {
    name: 'render: wildcard in a destination',
    args: ['render', '-f', 'arm', '--remote-destination', 'telemetry/+'],
    code: 'MAP_DESTINATION_WILDCARD',
    exit: USAGE,
  },
  {
    name: 'setup: loop map (cloud topic fed back to the source)',
    args: ['setup', '--local-destination', 'tutorial/local'],
    code: 'MAP_LOOP',
    exit: USAGE,
  },
  {
    name: 'verify: wildcard in the local topic',
    args: ['verify', '--local-topic', 'a/#'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  // values
  {
    name: 'render: preview api-version',
    args: ['render', '-f', 'bicep', '--aio-api-version', '2025-07-01-preview'],
    code: 'CONFIG_PREVIEW_API_VERSION',
    exit: USAGE,
  },
  {
    name: 'setup: --max-client-sessions 0',
    args: ['setup', '--max-client-sessions', '0'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {
    name: 'setup: --max-client-sessions 101',
    args: ['setup', '--max-client-sessions', '101'],
    code: 'CONFIG_INVALID',
    exit: USAGE,
  },
  {name: 'setup: bad --cloud', args: ['setup', '--cloud', 'Mars'], code: 'CONFIG_INVALID', exit: USAGE},
  {
    name: 'setup: http ARM endpoint',
    args: ['setup'],
    env: {AIO_BRIDGE_ARM_ENDPOINT: 'http://127.0.0.1:9'},
    code: 'CONFIG_INSECURE_ENDPOINT',
    exit: USAGE,
  },
  {
    name: 'status: no subscription',
    args: ['status'],
    env: {SUBSCRIPTION_ID: undefined},
    code: 'CONFIG_MISSING',
    exit: USAGE,
  },
  // flags
  {name: 'setup: unknown flag', args: ['setup', '--bogus'], code: 'USAGE_UNKNOWN_FLAG', exit: USAGE},
  {name: 'render: unknown format', args: ['render', '-f', 'yaml'], code: 'USAGE_INVALID_FLAG', exit: USAGE},
  {name: 'render: --format missing', args: ['render'], code: 'USAGE_INVALID_FLAG', exit: USAGE},
  {name: 'verify: --qos 2', args: ['verify', '--qos', '2'], code: 'USAGE_INVALID_FLAG', exit: USAGE},
  {
    name: 'setup: --max-client-sessions not a number',
    args: ['setup', '--max-client-sessions', 'x'],
    code: 'USAGE_INVALID_FLAG',
    exit: USAGE,
  },
  {name: 'verify: --interval abc', args: ['verify', '--interval', 'abc'], code: 'USAGE_INVALID_FLAG', exit: USAGE},
  {name: 'verify: --rate fast', args: ['verify', '--rate', 'fast'], code: 'USAGE_INVALID_FLAG', exit: USAGE},
  {name: 'verify: --wait x', args: ['verify', '--wait', 'x'], code: 'USAGE_INVALID_FLAG', exit: USAGE},
  {
    name: 'verify: --timeout 1m (a duration, not seconds)',
    args: ['verify', '--timeout', '1m'],
    code: 'USAGE_INVALID_FLAG',
    exit: USAGE,
  },
  {
    name: 'verify: --metrics-wait soon',
    args: ['verify', '--metrics-wait', 'soon'],
    code: 'USAGE_INVALID_FLAG',
    exit: USAGE,
  },
  {name: 'verify: --count 0', args: ['verify', '--count', '0'], code: 'USAGE_INVALID_FLAG', exit: USAGE},
  {name: 'setup: --target typo', args: ['setup', '--target', 'kubernets'], code: 'USAGE_INVALID_FLAG', exit: USAGE},
  {
    name: "setup: az's --namespace-name",
    args: ['setup', '--namespace-name', 'x'],
    code: 'USAGE_UNKNOWN_FLAG',
    exit: USAGE,
  },
  {
    name: "setup: az's --topic-templates",
    args: ['setup', '--topic-templates', 'a/#'],
    code: 'USAGE_UNKNOWN_FLAG',
    exit: USAGE,
  },
  {name: 'setup: a misspelt flag', args: ['setup', '--nmaespace', 'x'], code: 'USAGE_UNKNOWN_FLAG', exit: USAGE},
  {
    name: "verify: mosquitto's --cafile",
    args: ['verify', '--cafile', 'ca.crt'],
    code: 'USAGE_UNKNOWN_FLAG',
    exit: USAGE,
  },
  {name: "verify: mosquitto's -t", args: ['verify', '-t', 'tutorial/local'], code: 'USAGE_UNKNOWN_FLAG', exit: USAGE},
  {
    name: "verify: mosquitto's --password (the value is a secret)",
    args: ['verify', '--password', PASSWORD],
    secrets: [PASSWORD],
    code: 'USAGE_UNKNOWN_FLAG',
    exit: USAGE,
  },
  {name: "status: kubectl's --context", args: ['status', '--context', 'edge'], code: 'USAGE_UNKNOWN_FLAG', exit: USAGE},
  {name: 'a misspelt command (stup)', args: ['stup'], code: 'USAGE_UNKNOWN_COMMAND', exit: USAGE},
  {name: 'unknown command', args: ['sandbox-of-doom'], code: 'USAGE_UNKNOWN_COMMAND', exit: USAGE},
  {
    name: 'teardown: unexpected argument',
    args: ['teardown', 'everything'],
    code: 'USAGE_UNEXPECTED_ARGUMENT',
    exit: USAGE,
  },
  {
    name: 'sandbox env: unexpected argument after a two-word command',
    args: ['sandbox', 'env', 'extra'],
    code: 'USAGE_UNEXPECTED_ARGUMENT',
    exit: USAGE,
  },
  {name: 'sandbox: unknown subcommand', args: ['sandbox', 'nosuch'], code: 'USAGE_UNKNOWN_COMMAND', exit: USAGE},
  {
    name: 'teardown: not on a TTY without --yes, after setup',
    args: ['teardown'],
    afterSetup: true,
    code: 'TEARDOWN_CONFIRM_REQUIRED',
    exit: USAGE,
  },
  // files
  {
    name: 'verify: --ca-file that does not exist',
    args: (c) => [...verifyOffline(c), '--ca-file', join(c.dir, 'nope.crt')],
    code: 'VERIFY_FILE_UNREADABLE',
    exit: USAGE,
  },
  {
    name: 'verify: --ca-file that is not a certificate',
    args: (c) => [...verifyOffline(c), '--auth', 'anonymous', '--ca-file', join(c.dir, 'not-a-cert.pem')],
    code: 'VERIFY_FILE_INVALID',
    exit: USAGE,
  },
  {
    name: 'verify: --cert/--key that do not exist',
    args: (c) => [...verifyOffline(c), '--ca-file', c.caFile, '--cert', join(c.dir, 'nope.crt'), '--key', c.caFile],
    code: 'VERIFY_FILE_UNREADABLE',
    exit: USAGE,
  },
  {
    name: 'verify: --cert/--key that are not a certificate and key',
    args: (c) => [
      ...verifyOffline(c),
      '--ca-file',
      c.caFile,
      '--cert',
      join(c.dir, 'not-a-cert.pem'),
      '--key',
      c.caFile,
    ],
    code: 'VERIFY_FILE_INVALID',
    exit: USAGE,
  },
  {
    name: 'verify: --key that is a certificate, not a key',
    args: (c) => [...verifyOffline(c), '--ca-file', c.caFile, '--cert', c.caFile, '--key', c.caFile],
    code: 'VERIFY_FILE_INVALID',
    exit: USAGE,
  },
  {
    name: 'verify: --sat-file that does not exist',
    args: (c) => [...verifyOffline(c), '--no-tls', '--sat-file', join(c.dir, 'nope.sat')],
    code: 'VERIFY_FILE_UNREADABLE',
    exit: USAGE,
  },
  // output paths: checked before anything runs
  {
    name: 'render: --out-dir that is a file',
    args: (c) => ['render', '-f', 'bicep', '--out-dir', c.plainFile],
    code: 'OUTPUT_PATH_INVALID',
    exit: USAGE,
  },
  {
    name: 'render: --out-dir that cannot be made (under a file)',
    args: (c) => ['render', '-f', 'bicep', '--out-dir', join(c.plainFile, 'deploy')],
    code: 'OUTPUT_PATH_INVALID',
    exit: USAGE,
  },
  {
    name: 'setup: --no-apply --out-dir that is a file',
    args: (c) => ['setup', '--no-apply', '--out-dir', c.plainFile],
    code: 'OUTPUT_PATH_INVALID',
    exit: USAGE,
  },
  {
    name: 'setup: --target kubernetes --out-dir that is a file',
    args: (c) => ['setup', '--target', 'kubernetes', '--out-dir', c.plainFile],
    code: 'OUTPUT_PATH_INVALID',
    exit: USAGE,
  },
  {
    name: 'verify: --junit that is a folder',
    args: (c) => [...verifyOffline(c), '--no-tls', '--junit', c.dir],
    code: 'OUTPUT_PATH_INVALID',
    exit: USAGE,
  },
  {
    name: 'verify: --junit under a file',
    args: (c) => [...verifyOffline(c), '--no-tls', '--junit', join(c.plainFile, 'v.xml')],
    code: 'OUTPUT_PATH_INVALID',
    exit: USAGE,
  },
  // an unreachable broker, with a password and a SAT that must not be printed
  {
    name: 'verify: unreachable broker (password)',
    args: (c) => [...verifyOffline(c), '--no-tls', '--username', 'tester', '--timeout', '20'],
    env: {AIO_BRIDGE_MQTT_PASSWORD: PASSWORD},
    secrets: [PASSWORD],
    code: 'VERIFY_TCP',
    exit: ExitCode.verifyConnect,
  },
  {
    name: 'verify: unreachable broker (K8S-SAT)',
    args: (c) => [...verifyOffline(c), '--no-tls', '--sat-file', join(c.dir, 'broker-sat'), '--timeout', '20'],
    secrets: [SAT],
    code: 'VERIFY_TCP',
    exit: ExitCode.verifyConnect,
  },
  // tokens
  {name: 'setup: expired token', args: ['setup'], az: {expiresInSeconds: -60}, code: 'NOT_LOGGED_IN', exit: 3},
  {name: 'status: expired token', args: ['status'], az: {expiresInSeconds: -60}, code: 'NOT_LOGGED_IN', exit: 3},
  {name: 'setup: malformed token', args: ['setup'], az: {token: MALFORMED_TOKEN}, code: 'NOT_LOGGED_IN', exit: 3},
  {name: 'teardown: logged out', args: ['teardown', '--yes'], az: {loggedOut: true}, code: 'NOT_LOGGED_IN', exit: 3},
  {name: 'setup: logged out', args: ['setup'], az: {loggedOut: true}, code: 'NOT_LOGGED_IN', exit: 3},
  // the Azure world
  {
    name: 'setup: no IoT Operations extension',
    args: ['setup'],
    scenario: 'no-iot-extension',
    code: 'IOT_OPERATIONS_EXTENSION_NOT_FOUND',
    exit: ExitCode.prerequisite,
  },
  {
    name: 'setup: two IoT Operations extensions',
    args: ['setup'],
    scenario: 'two-iot-extensions',
    code: 'IOT_OPERATIONS_EXTENSION_AMBIGUOUS',
    exit: ExitCode.prerequisite,
  },
  {
    name: 'setup: extension without an identity',
    args: ['setup'],
    scenario: 'extension-without-identity',
    code: 'IOT_OPERATIONS_IDENTITY_MISSING',
    exit: ExitCode.prerequisite,
  },
  {
    name: 'setup: no permission to assign roles',
    args: ['setup'],
    scenario: 'forbidden-role-assignments',
    code: 'FORBIDDEN',
    exit: ExitCode.forbidden,
  },
  {
    name: 'setup: provider not registered',
    args: ['setup'],
    scenario: 'provider-not-registered',
    code: 'PROVIDER_NOT_REGISTERED',
    exit: ExitCode.prerequisite,
  },
  {
    name: 'setup: resource group missing',
    args: ['setup', '-g', 'aio-bridge-rg', '-l', 'eastus'],
    scenario: 'no-resource-group',
    code: 'RESOURCE_GROUP_NOT_FOUND',
    exit: ExitCode.prerequisite,
  },
  {name: 'status: malformed token', args: ['status'], az: {token: MALFORMED_TOKEN}, code: 'NOT_LOGGED_IN', exit: 3},
  {
    name: 'status: resource group missing',
    args: ['status', '-g', 'aio-bridge-rg'],
    scenario: 'no-resource-group',
    code: 'RESOURCE_GROUP_NOT_FOUND',
    exit: ExitCode.prerequisite,
  },
  {
    name: 'setup: namespace name taken',
    args: ['setup'],
    scenario: 'namespace-name-taken',
    code: 'NAME_TAKEN',
    exit: ExitCode.conflict,
  },
  {
    name: 'setup: cluster not found',
    args: ['setup', '-c', 'no-such-cluster'],
    code: 'CLUSTER_NOT_FOUND',
    exit: ExitCode.prerequisite,
  },
  {
    name: 'setup: subscription not found',
    args: ['setup', '--subscription', '00000000-0000-4000-8000-000000000000'],
    code: 'SUBSCRIPTION_NOT_FOUND',
    exit: ExitCode.prerequisite,
  },
]
