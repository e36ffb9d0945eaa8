import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ROLES, roleAssignmentName} from '../../src/azure/ids.js'
import {DEFAULTS} from '../../src/emulator/arm/seed.js'
import {type FakeArm, type FakeArmOptions, startFakeArm} from '../helpers/arm-harness.js'
import {runCli, type SpawnedCli, spawnCli} from '../helpers/cli.js'

/**
 * The execution engine's rules, each through the built CLI against the ARM emulator:
 *   (a) a real failure is reported as itself, never as the abort the runner made of a sibling step;
 *   (b) a run that finds its own operation still running waits for it and continues;
 *   (c) the bearer token goes only to the Resource Manager endpoint's origin;
 *   (d) one pipeline and one token per audience per process.
 */

interface ErrorJson {
  error: {code: string; exitCode: number; progress?: string}
}

async function withFakeArm<T>(opts: FakeArmOptions, fn: (fake: FakeArm) => Promise<T>): Promise<T> {
  const fake = await startFakeArm(opts)
  try {
    return await fn(fake)
  } finally {
    await fake.stop()
  }
}

const roleName = (fake: FakeArm, role: keyof typeof ROLES) =>
  roleAssignmentName(fake.emulator.ids.topicSpace(), ROLES[role].id, DEFAULTS.extensionPrincipalId)

/** The publisher's identity keeps replicating (its step backs off and retries) while the subscriber's name is taken. */
function roleFaults(fake: FakeArm) {
  return {
    rules: [
      {method: 'PUT', pathIncludes: roleName(fake, 'publisher'), status: 400, code: 'PrincipalNotFound', times: 1000},
      {
        method: 'PUT',
        pathIncludes: roleName(fake, 'subscriber'),
        status: 409,
        code: 'RoleAssignmentUpdateNotPermitted',
        message: 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
      },
    ],
  }
}

describe('engine rules (spawned CLI, ARM emulator)', () => {
  it('(a) one role step failing while the other waits out PrincipalNotFound is reported as that failure, not as an interrupt', async () => {
    await withFakeArm({}, async (fake) => {
      fake.emulator.setFaults(roleFaults(fake))
      // A backoff long enough that the publisher is waiting, not sending, when the subscriber fails.
      const env = {...fake.env, AIO_BRIDGE_RETRY_DELAY_MS: '300'}
      const r = await runCli(['setup', '--json', '--no-apply', '--out-dir', `${fake.az.dir}/out`], {env})
      const out = JSON.parse(r.stdout) as ErrorJson
      assert.equal(out.error.code, 'ROLE_ASSIGNMENT_CONFLICT', r.stdout)
      assert.equal(r.code, 6)
      assert.notEqual(r.code, 130)
      assert.match(out.error.progress ?? '', /Namespace aio-bridge-ns: created/)
      // The waiting step was stopped at once: no publisher PUT after the subscriber's failure.
      const requests = fake.emulator.requests
      const failedAt = requests.findIndex((q) => q.errorCode === 'RoleAssignmentUpdateNotPermitted')
      const after = requests.slice(failedAt + 1).filter((q) => q.method === 'PUT')
      assert.deepEqual(after, [])

      // Without --json the same run says what stopped the other step, and never "interrupted".
      fake.emulator.reset()
      fake.emulator.setFaults(roleFaults(fake))
      const human = await runCli(['setup', '--no-apply', '--out-dir', `${fake.az.dir}/out`], {env})
      assert.equal(human.code, 6, human.stderr)
      assert.match(human.stdout + human.stderr, /Role EventGrid TopicSpaces Publisher: stopped: another step failed/)
      assert.doesNotMatch(human.stdout + human.stderr, /INTERRUPTED|interrupted/)
    })
  })

  it('(b) a run that finds its own deployment still running (interrupted run) waits for it and continues', async () => {
    // Operations nobody polls never end by themselves here: the deployment the first run leaves runs until the test
    // settles it, once the second run has met it running (no wall-clock race on a loaded machine).
    await withFakeArm({lroPolls: 3, lroSettleMs: 3_600_000}, async (fake) => {
      let cli: SpawnedCli | undefined
      let sent = false
      const watch = setInterval(() => {
        if (!sent && fake.emulator.writes({pathIncludes: 'Microsoft.Resources/deployments/'}).length > 0) {
          sent = true
          cli?.child.kill('SIGINT')
        }
      }, 5)
      cli = spawnCli(['setup'], {env: fake.env})
      const first = await cli.result.finally(() => clearInterval(watch))
      assert.equal(first.code, 130, first.stdout + first.stderr)
      assert.match(first.stderr, /Dataflows: deployment requested \(Azure finishes it\)/)

      // ARM refuses a new PUT of a deployment that is still running (409 DeploymentActive).
      fake.emulator.setFaults({
        rules: [
          {
            method: 'PUT',
            pathIncludes: 'Microsoft.Resources/deployments/',
            status: 409,
            code: 'DeploymentActive',
            message:
              "Unable to edit or replace deployment 'aio-bridge-aio-instance': previous deployment from '12/4/2026 8:00:00 PM' is still active (expiration time is '12/11/2026 8:00:00 PM'). Please see https://aka.ms/arm-deploy for usage details.",
            whileRunning: true,
            times: 1000,
          },
        ],
      })
      fake.emulator.clearRequests()
      // The first run's deployment ends while the second run waits for it (after ARM refused its PUT).
      const settler = setInterval(() => {
        if (fake.emulator.requests.some((q) => q.errorCode === 'DeploymentActive')) {
          clearInterval(settler)
          fake.emulator.settle()
        }
      }, 20)
      const again = await runCli(['setup', '--json'], {env: fake.env}).finally(() => clearInterval(settler))
      assert.equal(again.code, 0, again.stdout + again.stderr)
      const out = JSON.parse(again.stdout) as {dataflows: {action: string}}
      assert.equal(out.dataflows.action, 'created')
      const deploymentPuts = fake.emulator.requests.filter(
        (q) => q.method === 'PUT' && q.path.includes('Microsoft.Resources/deployments/'),
      )
      // Refused while the first run's deployment ran, then deployed once it had ended.
      assert.deepEqual(
        deploymentPuts.map((q) => q.errorCode ?? (q.status < 300 ? 'accepted' : q.status)),
        ['DeploymentActive', 'accepted'],
      )
      const inst = fake.emulator.ids.instance()
      assert.ok(fake.emulator.getResource(`${inst}/dataflowEndpoints/eventgrid`))
      assert.ok(fake.emulator.getResource(`${inst}/dataflowProfiles/default/dataflows/local-to-remote`))
    })
  })

  describe('(c) an operation or paging URL naming another host is refused, never followed with the token', () => {
    const cases: Array<{name: string; args: string[]; opts: FakeArmOptions; wrote: boolean}> = [
      {
        name: 'nextLink (cluster extensions, read before any write)',
        args: ['setup', '--json', '--dry-run'],
        opts: {scenario: 'two-iot-extensions', pageSize: 1},
        wrote: false,
      },
      {name: 'Azure-AsyncOperation (the namespace PUT)', args: ['setup', '--json'], opts: {pageSize: 0}, wrote: true},
    ]
    for (const c of cases) {
      it(c.name, async () => {
        const foreign = await startFakeArm()
        try {
          await withFakeArm(c.opts, async (fake) => {
            fake.emulator.setFaults({linkOrigin: foreign.emulator.url})
            const r = await runCli(c.args, {env: fake.env})
            const out = JSON.parse(r.stdout) as ErrorJson
            assert.equal(out.error.code, 'ARM_URL_UNTRUSTED', r.stdout + r.stderr)
            assert.equal(r.code, 7)
            assert.deepEqual(foreign.emulator.requests, [], 'nothing reached the other host')
            assert.equal(fake.emulator.writes().length > 0, c.wrote)
            if (c.wrote) assert.match(out.error.progress ?? '', /Namespace aio-bridge-ns: create requested/)
          })
        } finally {
          await foreign.stop()
        }
      })
    }

    it('Location (the what-if of a dry run)', async () => {
      const foreign = await startFakeArm()
      try {
        await withFakeArm({pageSize: 0}, async (fake) => {
          const ready = await runCli(['setup', '--no-apply', '--out-dir', `${fake.az.dir}/out`], {env: fake.env})
          assert.equal(ready.code, 0, ready.stderr)
          fake.emulator.setFaults({linkOrigin: foreign.emulator.url})
          const r = await runCli(['setup', '--json', '--dry-run'], {env: fake.env})
          const out = JSON.parse(r.stdout) as ErrorJson
          assert.equal(out.error.code, 'ARM_URL_UNTRUSTED', r.stdout)
          assert.ok(fake.emulator.requests.some((q) => q.path.endsWith('/whatIf')))
          assert.deepEqual(foreign.emulator.requests, [])
        })
      } finally {
        await foreign.stop()
      }
    })
  })

  it('(d) one pipeline and one token per audience per process: one az run, one User-Agent, however many clients', async () => {
    await withFakeArm({}, async (fake) => {
      // --grant-caller reads the caller from the Resource Manager token too; the dataflows add the deployments client.
      const r = await runCli(['setup', '--json', '--grant-caller'], {env: fake.env})
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.deepEqual(await fake.azCalls(), ['https://management.azure.com'])
      const agents = new Set(fake.emulator.requests.map((q) => q.userAgent))
      assert.equal(agents.size, 1, [...agents].join('\n'))
      assert.match([...agents][0] ?? '', /^aio-bridge\/0\.1 /)
      // Four SDK clients (authorization, kubernetesconfiguration, resources, deployments) and the plain GETs.
      assert.ok(fake.emulator.requests.length >= 20)

      const debug = await runCli(['setup', '--debug'], {env: fake.env})
      assert.equal(debug.code, 0, debug.stderr)
      assert.equal(debug.stderr.match(/one pipeline for every Azure client/g)?.length, 1)
    })
  })
})
