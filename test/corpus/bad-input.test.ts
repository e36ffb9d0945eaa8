import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {ExitCode, exitCodeMeaning} from '../../src/errors.js'
import {type FakeArm, startFakeArm} from '../helpers/arm-harness.js'
import {type CliResult, REPO_ROOT, runCli} from '../helpers/cli.js'
import {remedyOnlyNamesFlag} from '../helpers/remedy.js'
import {CASES, type Ctx, SAT} from './cases.js'

/**
 * The bad-input corpus (test/corpus/cases.ts). Each case runs twice (human output and --json) against the built CLI
 * and must give its stable error code and documented exit code in both, a remedy that says more than the flag's
 * name, no stack trace, and never a secret: every token the stub az issued and every password or SAT the case used is
 * searched for in everything printed. Exit 2 means nothing was changed: each exit-2 case runs against a Resource
 * Manager emulator of its own, whose request log must hold no write.
 */

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

interface JsonError {
  code?: string
  exitCode?: number
  message?: string
  remedy?: string
  details?: Record<string, unknown>
}

function jsonError(r: CliResult): JsonError {
  try {
    return (JSON.parse(r.stdout) as {error?: JsonError}).error ?? {}
  } catch {
    assert.fail(`--json output is not JSON:\n${r.stdout}\n${r.stderr}`)
  }
}

describe('bad-input corpus: every case gives its code and exit, no stack, no secret', {concurrency: 4}, () => {
  const ctx: Ctx = {dir: '', closedPort: 0, caFile: '', plainFile: ''}
  let shared: FakeArm
  let docs = ''

  before(async () => {
    ctx.dir = await mkdtemp(join(tmpdir(), 'aio-corpus-'))
    await writeFile(join(ctx.dir, 'not-a-cert.pem'), 'this is not a certificate\n')
    await writeFile(join(ctx.dir, 'broker-sat'), SAT, {mode: 0o600})
    ctx.plainFile = join(ctx.dir, 'a-file')
    await writeFile(ctx.plainFile, 'not a folder\n')
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

  it('four unset tutorial variables are named in one error, with an export line for all of them', async () => {
    const env = {...shared.env, SUBSCRIPTION_ID: '<SUBSCRIPTION_ID>', RESOURCE_GROUP: undefined, CLUSTER_NAME: ''}
    const err = jsonError(
      await runCli(['setup', '-n', 'x', '--json'], {env: {...env, EVENT_GRID_NAMESPACE: undefined}}),
    )
    assert.equal(err.code, 'CONFIG_MISSING')
    assert.deepEqual(err.details?.missing, ['--subscription', '--resource-group', '--cluster'])
    assert.match(String(err.message), /placeholder '<SUBSCRIPTION_ID>'/)
    assert.match(String(err.remedy), /export SUBSCRIPTION_ID=.* RESOURCE_GROUP=my-rg CLUSTER_NAME=my-cluster/)
  })

  it('suggestions: the nearest command, the aio-bridge name of an az flag, the corrected value', async () => {
    const remedyOf = async (args: string[]) =>
      String(jsonError(await runCli([...args, '--json'], {env: shared.env})).remedy)
    const [stup, nsName, cafile, password, timeout, namespace, template, hostname] = await Promise.all([
      remedyOf(['stup']),
      remedyOf(['setup', '--namespace-name', 'x']),
      remedyOf(['verify', '--cafile', 'ca.crt']),
      remedyOf(['verify', '--password', 'x']),
      remedyOf(['verify', '--timeout', '1m']),
      remedyOf(['setup', '-n', 'my_eg_ns']),
      remedyOf(['setup', '--topic-template', 'telemetry/#/x']),
      remedyOf(['render', '-f', 'bicep', '--hostname', 'https://ns.x/']),
    ])
    assert.match(stup, /Did you mean 'aio-bridge setup'\?/)
    assert.match(nsName, /use --namespace\b/)
    assert.match(cafile, /use --ca-file\b/)
    assert.match(password, /--password-file or --password-env \(no flag takes the password itself/)
    assert.match(timeout, /--timeout 60\b/)
    assert.match(namespace, /--namespace my-eg-ns\b/)
    assert.match(template, /--topic-template 'telemetry\/x\/#'/)
    assert.match(hostname, /--hostname ns\.x\.$/)
  })

  it('docs/robustness.md lists every code of the corpus with its exit code', () => {
    for (const c of CASES) assert.match(docs, new RegExp(`\\|\\s*\`${c.code}\`\\s*\\|\\s*${c.exit}\\s*\\|`), c.code)
  })

  for (const c of CASES) {
    it(`${c.name} → ${c.code}, exit ${c.exit}`, async () => {
      // Exit 2 promises that nothing was changed: such a case gets a world of its own, so its writes can be counted.
      const ownWorld = c.scenario || c.az || c.afterSetup || c.exit === ExitCode.usage
      const own = ownWorld ? await startFakeArm({scenario: c.scenario, az: c.az}) : undefined
      const fake = own ?? shared
      try {
        if (c.afterSetup) {
          const setup = await runCli(['setup', '--json'], {env: fake.env})
          assert.equal(setup.code, 0, setup.stdout + setup.stderr)
          fake.emulator.clearRequests()
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
        assert.ok(
          err.remedy && !remedyOnlyNamesFlag(err.remedy),
          `a remedy that fixes it, not just the flag: ${err.remedy}`,
        )
        if (c.exit === ExitCode.usage) {
          const writes = fake.emulator.writes().map((w) => `${w.method} ${w.path}`)
          assert.deepEqual(writes, [], 'exit 2 means nothing was changed: no write may reach Azure')
        }
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
