import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import type {ArmScenarioName} from '../../src/emulator/arm/index.js'
import {makeFakeJwt} from '../../src/emulator/az-stub.js'
import {ExitCode, exitCodeMeaning} from '../../src/errors.js'
import {type FakeArm, type FakeArmOptions, startFakeArm} from '../helpers/arm-harness.js'
import {type CliResult, REPO_ROOT, runCli} from '../helpers/cli.js'

/**
 * The bad-input corpus: every command, fed a wrong name, template, topic, file, token, world or flag. Each case runs
 * twice (human output and --json) against the built CLI and must give its stable error code and documented exit code
 * in both, no stack trace, and never a secret: every token the stub az issued and every password or SAT the case
 * used is searched for in everything printed.
 */

interface Ctx {
  dir: string
  /** A loopback port nothing listens on. */
  closedPort: number
  /** A real PEM certificate (the fake ARM's CA). */
  caFile: string
}

interface Case {
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

const PASSWORD = `pw-${randomBytes(12).toString('hex')}`
const SAT = makeFakeJwt({aud: 'aio-internal', sub: 'system:serviceaccount:azure-iot-operations:mqtt-client'})
const MALFORMED_TOKEN = `malformed-${randomBytes(16).toString('hex')}`
const USAGE = ExitCode.usage
// A literal `${client.nope}`: an Event Grid topic-template variable that does not exist.
const UNKNOWN_VARIABLE_TEMPLATE = ['telemetry/$', '{client.nope}/#'].join('')

const ns51 = `n${'a'.repeat(50)}`
const elevenTemplates = Array.from({length: 11}, (_, i) => ['--topic-template', `t${i}/#`]).flat()
const verifyOffline = (ctx: Ctx) => ['verify', '--host', '127.0.0.1', '--port', String(ctx.closedPort)]

const CASES: Case[] = [
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

/**
 * A loopback port nothing listens on, below Linux's ephemeral range (32768–60999) so that no server another test
 * starts on port 0 can take it while the cases run (a port freed from port 0 can be handed out again at once).
 */
async function closedPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000)
    const refused = await new Promise<boolean>((resolve) => {
      const sock = connect({host: '127.0.0.1', port})
      sock.once('connect', () => {
        sock.destroy()
        resolve(false)
      })
      sock.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'))
    })
    if (refused) return port
  }
}

/** The code and exit named by the human output's last line: "code X, exit N". */
function humanCode(r: CliResult): {code?: string; exit?: number} {
  const m = /code ([A-Z0-9_]+), exit (\d+)/.exec(r.stderr)
  return m ? {code: m[1], exit: Number(m[2])} : {}
}

function jsonError(r: CliResult): {code?: string; exitCode?: number; message?: string; remedy?: string} {
  try {
    return (
      (JSON.parse(r.stdout) as {error?: {code?: string; exitCode?: number; message?: string; remedy?: string}}).error ??
      {}
    )
  } catch {
    assert.fail(`--json output is not JSON:\n${r.stdout}\n${r.stderr}`)
  }
}

describe('bad-input corpus: every case gives its code and exit, no stack, no secret', {concurrency: 4}, () => {
  const ctx: Ctx = {dir: '', closedPort: 0, caFile: ''}
  let shared: FakeArm
  let docs = ''

  before(async () => {
    ctx.dir = await mkdtemp(join(tmpdir(), 'aio-corpus-'))
    await writeFile(join(ctx.dir, 'not-a-cert.pem'), 'this is not a certificate\n')
    await writeFile(join(ctx.dir, 'broker-sat'), SAT, {mode: 0o600})
    ctx.closedPort = await closedPort()
    shared = await startFakeArm()
    ctx.caFile = shared.emulator.caCertPath
    docs = await readFile(join(REPO_ROOT, 'docs', 'robustness.md'), 'utf8')
  })

  after(async () => {
    await shared?.stop()
    await rm(ctx.dir, {recursive: true, force: true})
  })

  it(`has at least 30 cases, across setup, render, verify, status and teardown (${CASES.length})`, () => {
    assert.ok(CASES.length >= 30)
    const commands = new Set(CASES.map((c) => (typeof c.args === 'function' ? c.args(ctx) : c.args)[0]))
    for (const c of ['render', 'setup', 'status', 'teardown', 'verify']) assert.ok(commands.has(c), c)
  })

  it('an unexpected argument names the longest command it follows and only the words after it', async () => {
    const r = await runCli(['sandbox', 'env', 'extra', '--json'], {env: shared.env})
    const err = jsonError(r)
    assert.equal(err.code, 'USAGE_UNEXPECTED_ARGUMENT')
    assert.match(String(err.message), /to 'sandbox env': extra$/)
    assert.match(String(err.remedy), /aio-bridge sandbox env --help/)
  })

  it('docs/robustness.md lists every code of the corpus with its exit code', () => {
    for (const c of CASES) assert.match(docs, new RegExp(`\\|\\s*\`${c.code}\`\\s*\\|\\s*${c.exit}\\s*\\|`), c.code)
  })

  for (const c of CASES) {
    it(`${c.name} → ${c.code}, exit ${c.exit}`, async () => {
      const own = c.scenario || c.az || c.afterSetup ? await startFakeArm({scenario: c.scenario, az: c.az}) : undefined
      const fake = own ?? shared
      try {
        if (c.afterSetup) {
          const setup = await runCli(['setup', '--json'], {env: fake.env})
          assert.equal(setup.code, 0, setup.stdout + setup.stderr)
        }
        const args = typeof c.args === 'function' ? c.args(ctx) : c.args
        const env = {...fake.env, ...(typeof c.env === 'function' ? c.env(ctx) : c.env)}
        const [human, json] = await Promise.all([runCli(args, {env}), runCli([...args, '--json'], {env})])
        const printed = `${human.stdout}\n${human.stderr}\n${json.stdout}\n${json.stderr}`

        assert.deepEqual(humanCode(human), {code: c.code, exit: c.exit}, printed)
        assert.equal(human.code, c.exit, printed)
        const err = jsonError(json)
        assert.deepEqual(
          {code: err.code, exit: err.exitCode, status: json.code},
          {code: c.code, exit: c.exit, status: c.exit},
        )

        assert.doesNotMatch(printed, /^\s+at /m, 'no stack trace')
        assert.ok(c.exit in exitCodeMeaning, `exit ${c.exit} is documented`)
        const secrets = [...Object.values(fake.az.tokens), ...(c.secrets ?? [])]
        for (const s of secrets) {
          assert.ok(!printed.includes(s), `a secret was printed (${s.slice(0, 12)}…)`)
          // The signature alone is also secret enough to count.
          const sig = s.split('.')[2]
          if (sig) assert.ok(!printed.includes(sig), 'a token signature was printed')
        }
      } finally {
        await own?.stop()
      }
    })
  }
})
