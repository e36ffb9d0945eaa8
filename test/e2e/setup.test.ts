import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import type {SetupResult} from '../../src/setup/run-setup.js'
import {type FakeArm, startFakeArm} from '../helpers/arm-harness.js'
import {runCli} from '../helpers/cli.js'

/** The built CLI, spawned as a user runs it, against the ARM emulator over HTTPS (stub az, custom endpoint). */

const isWrite = (r: {method: string; poll?: boolean}) => r.method !== 'GET' && !r.poll
type SetupJson = SetupResult & {
  dataflows: {action: string; instance: string; target: string}
  error: {code: string; remedy?: string}
}
const json = (stdout: string) => JSON.parse(stdout) as SetupJson

describe('setup against the fake ARM (spawned CLI)', () => {
  let arm: FakeArm
  before(async () => {
    arm = await startFakeArm()
  })
  after(async () => {
    await arm.stop()
  })

  it('a first run creates everything, in order, with exactly the expected writes', async () => {
    const r = await runCli(['setup', '--json'], {env: arm.env})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    const out = json(r.stdout)
    assert.equal(out.namespace.action, 'created')
    assert.equal(out.topicSpace.action, 'created')
    assert.deepEqual(
      out.roleAssignments.map((a: {roleName: string; action: string}) => [a.roleName, a.action]),
      [
        ['EventGrid TopicSpaces Publisher', 'created'],
        ['EventGrid TopicSpaces Subscriber', 'created'],
      ],
    )
    assert.equal(out.hostname, `${arm.env.EVENT_GRID_NAMESPACE}.${arm.env.LOCATION}-1.ts.eventgrid.azure.net`)
    assert.equal(out.dataflows.action, 'created')
    assert.equal(out.dataflows.instance, 'aio-instance')

    const writes = arm.emulator.requests
      .filter(isWrite)
      .map((q) => `${q.method} ${q.path.split('/').slice(-2).join('/')}`)
    const ns = arm.env.EVENT_GRID_NAMESPACE
    assert.deepEqual(writes.slice(0, 2), [`PUT namespaces/${ns}`, 'PUT topicSpaces/tutorial'])
    assert.deepEqual(writes.slice(2, 4).sort(), writes.filter((w) => w.startsWith('PUT roleAssignments/')).sort())
    assert.equal(writes.length, 5, writes.join('\n'))
    assert.match(writes[4] ?? '', /^PUT deployments\/aio-bridge-aio-instance$/)
    // Reads of what does not exist yet answer 404; no write failed.
    for (const q of arm.emulator.requests.filter(isWrite))
      assert.ok(q.status < 400, `${q.method} ${q.path} → ${q.status}`)

    // The deployment made the endpoint and both dataflows, pointing at the namespace's hostname.
    const inst = arm.emulator.ids.instance()
    const endpoint = arm.emulator.getResource(`${inst}/dataflowEndpoints/eventgrid`) as unknown as {
      properties: {mqttSettings: {host: string}}
    }
    assert.equal(endpoint.properties.mqttSettings.host, `${out.hostname}:8883`)
    assert.ok(arm.emulator.getResource(`${inst}/dataflowProfiles/default/dataflows/local-to-remote`))
    assert.ok(arm.emulator.getResource(`${inst}/dataflowProfiles/default/dataflows/remote-to-local`))
  })

  it('a second run with the same inputs sends no PUT, PATCH or DELETE and reports every step unchanged', async () => {
    arm.emulator.clearRequests()
    const r = await runCli(['setup', '--json'], {env: arm.env})
    assert.equal(r.code, 0, r.stderr + r.stdout)
    const out = json(r.stdout)
    assert.deepEqual(
      [
        out.namespace.action,
        out.topicSpace.action,
        ...out.roleAssignments.map((a: {action: string}) => a.action),
        out.dataflows.action,
      ],
      ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'],
    )
    assert.deepEqual(
      arm.emulator.requests
        .filter((q) => ['PUT', 'PATCH', 'DELETE', 'POST'].includes(q.method))
        .map((q) => `${q.method} ${q.path}`),
      [],
    )
  })

  it('human output in CI shows the task list and the summary, without colour codes', async () => {
    const r = await runCli(['setup'], {env: arm.env})
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /The bridge is in place: Event Grid side and dataflows\./)
    assert.match(r.stdout, /hostname\s+\S+\.ts\.eventgrid\.azure\.net/)
    assert.ok(!(r.stdout + r.stderr).includes(`${String.fromCharCode(27)}[`), 'no ANSI escape codes')
  })

  it('--dry-run on a fresh world reads only and says what it would do', async () => {
    const fresh = await startFakeArm()
    try {
      const r = await runCli(['setup', '--dry-run', '--json'], {env: fresh.env})
      assert.equal(r.code, 0, r.stderr + r.stdout)
      const out = json(r.stdout)
      assert.equal(out.dryRun, true)
      assert.equal(out.namespace.action, 'create')
      assert.equal(out.hostname, null)
      assert.deepEqual(fresh.emulator.requests.filter(isWrite), [])
    } finally {
      await fresh.stop()
    }
  })
})

describe('setup errors against the fake ARM', () => {
  const cases: Array<{
    name: string
    scenario?: string
    az?: Record<string, unknown>
    args?: string[]
    code: string
    exit: number
  }> = [
    {name: 'logged out', az: {loggedOut: true}, code: 'NOT_LOGGED_IN', exit: 3},
    {
      name: 'no IoT Operations extension',
      scenario: 'no-iot-extension',
      code: 'IOT_OPERATIONS_EXTENSION_NOT_FOUND',
      exit: 5,
    },
    {
      name: 'two IoT Operations extensions',
      scenario: 'two-iot-extensions',
      code: 'IOT_OPERATIONS_EXTENSION_AMBIGUOUS',
      exit: 5,
    },
    {
      name: 'extension without identity',
      scenario: 'extension-without-identity',
      code: 'IOT_OPERATIONS_IDENTITY_MISSING',
      exit: 5,
    },
    {name: 'provider not registered', scenario: 'provider-not-registered', code: 'PROVIDER_NOT_REGISTERED', exit: 5},
    {name: 'two instances need --instance', scenario: 'two-instances', code: 'INSTANCE_REQUIRED', exit: 2},
    {name: 'no permission to assign roles', scenario: 'forbidden-role-assignments', code: 'FORBIDDEN', exit: 4},
    {name: 'unknown cluster', args: ['--cluster', 'no-such-cluster'], code: 'CLUSTER_NOT_FOUND', exit: 5},
  ]
  for (const c of cases) {
    it(`${c.name} → ${c.code}, exit ${c.exit}, with a remedy and no stack trace`, async () => {
      const arm = await startFakeArm(c.scenario || c.az ? ({scenario: c.scenario, az: c.az} as never) : undefined)
      try {
        const r = await runCli(['setup', '--json', ...(c.args ?? [])], {env: arm.env})
        assert.equal(r.code, c.exit, r.stdout + r.stderr)
        const out = json(r.stdout)
        assert.equal(out.error.code, c.code)
        assert.ok(out.error.remedy, 'a remedy')
        // Every blocker but a missing permission is found by the reads, before anything is written.
        if (c.code !== 'FORBIDDEN') {
          assert.deepEqual(
            arm.emulator.requests.filter(isWrite).map((q) => `${q.method} ${q.path}`),
            [],
          )
        }
        const human = await runCli(['setup', ...(c.args ?? [])], {env: arm.env})
        assert.equal(human.code, c.exit)
        assert.match(human.stderr, new RegExp(`code ${c.code}, exit ${c.exit}`))
        assert.doesNotMatch(human.stderr, /^\s+at /m)
      } finally {
        await arm.stop()
      }
    })
  }

  it('403 on role assignments names the role that is missing and the scope', async () => {
    const arm = await startFakeArm('forbidden-role-assignments')
    try {
      const r = await runCli(['setup'], {env: arm.env})
      assert.equal(r.code, 4)
      assert.match(r.stderr, /Role Based Access Control Administrator/)
      assert.match(r.stderr, /topicSpaces\/tutorial/)
      // Half way: the namespace and topic space were made; the message says so and how to continue.
      assert.match(r.stderr, /Done before the failure/)
      assert.match(r.stderr, /Run 'aio-bridge setup' again/)
    } finally {
      await arm.stop()
    }
  })

  it('a replicating principal (PrincipalNotFound at first) is waited for, and setup succeeds', async () => {
    const arm = await startFakeArm('replicating-principal')
    try {
      const r = await runCli(['setup', '--json'], {env: arm.env})
      assert.equal(r.code, 0, r.stdout + r.stderr)
      const notFound = arm.emulator.requests.filter((q) => q.errorCode === 'PrincipalNotFound')
      assert.ok(notFound.length >= 1, 'the emulator answered PrincipalNotFound at least once')
      assert.deepEqual(
        json(r.stdout).roleAssignments.map((a: {action: string}) => a.action),
        ['created', 'created'],
      )
    } finally {
      await arm.stop()
    }
  })

  it('--grant-caller gives the signed-in identity both roles too', async () => {
    const arm = await startFakeArm()
    try {
      const r = await runCli(
        ['setup', '--json', '--grant-caller', '--no-apply', '--out-dir', `${arm.env.PATH.split(':')[0]}/out`],
        {env: arm.env},
      )
      assert.equal(r.code, 0, r.stdout + r.stderr)
      const out = json(r.stdout)
      const mine = out.roleAssignments.filter((a: {assignee: string}) => a.assignee === 'caller')
      assert.equal(mine.length, 2)
      assert.ok(mine.every((a: {principalId: string}) => a.principalId === arm.emulator.seed.callerPrincipalId))
      assert.equal(out.dataflows.target, 'arm')
      assert.equal((out.dataflows as unknown as {applied: boolean}).applied, false)
      assert.match(
        (out.dataflows as unknown as {command: string}).command,
        /^az deployment group create --resource-group aio-bridge-rg --template-file \S+aio-bridge\.bicep$/,
      )
      // The instance and custom location were found, so the Bicep file needs no parameters filled in by hand.
      const bicep = await import('node:fs/promises').then((fs) =>
        fs.readFile((out.dataflows as unknown as {files: string[]}).files[0] ?? '', 'utf8'),
      )
      assert.match(bicep, /param aioInstanceName string = 'aio-instance'/)
      assert.match(bicep, /param customLocationName string = 'aio-cl'/)
      // The stub az signs in a user: Event Grid's Entra sign-in takes only apps, so setup says so (human output).
      const human = await runCli(
        ['setup', '--grant-caller', '--no-apply', '--out-dir', `${arm.env.PATH.split(':')[0]}/out`],
        {env: arm.env},
      )
      assert.equal(human.code, 0, human.stderr)
      assert.match(human.stderr, /signed in as a user.*service principals and managed identities/)
    } finally {
      await arm.stop()
    }
  })
})

describe('render reads the hostname from the namespace when signed in', () => {
  it('after setup, render without --hostname uses the namespace hostname', async () => {
    const arm = await startFakeArm()
    try {
      assert.equal(
        (await runCli(['setup', '--no-apply', '--out-dir', `${arm.env.PATH.split(':')[0]}/o`], {env: arm.env})).code,
        0,
      )
      const r = await runCli(['render', '--format', 'kubernetes'], {env: arm.env})
      assert.equal(r.code, 0, r.stderr)
      assert.match(
        r.stdout,
        new RegExp(`host: ${arm.env.EVENT_GRID_NAMESPACE}\\.${arm.env.LOCATION}-1\\.ts\\.eventgrid\\.azure\\.net:8883`),
      )
    } finally {
      await arm.stop()
    }
  })
})

describe('setup: the dataflow deployment against the fake ARM', () => {
  it('a deployment that fails is DEPLOYMENT_FAILED (exit 8) with the inner ARM error, after the Event Grid side is done', async () => {
    const arm = await startFakeArm()
    try {
      const r = await runCli(['setup', '--custom-location', 'not-the-instances-cl'], {env: arm.env})
      assert.equal(r.code, 8, r.stdout + r.stderr)
      assert.match(r.stderr, /code DEPLOYMENT_FAILED, exit 8/)
      assert.match(r.stderr, /InvalidExtendedLocation/)
      assert.match(r.stderr, /Done before the failure/)
      assert.match(r.stderr, /Namespace aio-bridge-ns: created/)
      // The fix is a re-run with the right input: it converges and deploys.
      const again = await runCli(['setup', '--json'], {env: arm.env})
      assert.equal(again.code, 0, again.stderr)
      assert.equal(json(again.stdout).namespace.action, 'unchanged')
    } finally {
      await arm.stop()
    }
  })

  it('--dry-run with the Event Grid side in place asks ARM what-if for the dataflows and writes nothing', async () => {
    const arm = await startFakeArm()
    try {
      const dir = `${arm.env.PATH.split(':')[0]}/files`
      assert.equal((await runCli(['setup', '--no-apply', '--out-dir', dir], {env: arm.env})).code, 0)
      arm.emulator.clearRequests()
      const r = await runCli(['setup', '--dry-run', '--json'], {env: arm.env})
      assert.equal(r.code, 0, r.stderr)
      const out = json(r.stdout) as SetupJson & {dataflows: {changes: Array<{resourceId: string; changeType: string}>}}
      assert.deepEqual(out.dataflows.changes.map((c) => [c.resourceId.split('/').pop(), c.changeType]).sort(), [
        ['eventgrid', 'Create'],
        ['local-to-remote', 'Create'],
        ['remote-to-local', 'Create'],
      ])
      assert.deepEqual(
        arm.emulator.requests
          .filter((q) => q.method !== 'GET')
          .map((q) => `${q.method} ${q.path.split('/').slice(-1)[0]}`),
        ['POST whatIf'],
      )
    } finally {
      await arm.stop()
    }
  })
})

describe('setup --no-apply writes the target’s files and the command to apply them', () => {
  it('--target kubernetes --no-apply writes the Kubernetes YAML (with --crd-version) and prints kubectl apply', async () => {
    const arm = await startFakeArm()
    try {
      const dir = `${arm.env.PATH.split(':')[0]}/k8s`
      const r = await runCli(
        ['setup', '--target', 'kubernetes', '--no-apply', '--crd-version', 'v1beta1', '--out-dir', dir],
        {env: arm.env},
      )
      assert.equal(r.code, 0, r.stderr)
      const yaml = await import('node:fs/promises').then((fs) => fs.readFile(`${dir}/aio-bridge.yaml`, 'utf8'))
      assert.match(yaml, /apiVersion: connectivity\.iotoperations\.azure\.com\/v1beta1/)
      assert.match(r.stdout, /kubectl apply -f \S+aio-bridge\.yaml/)
      assert.match(r.stdout, /not applied/)
      // No deployment and no kubectl: nothing was applied.
      assert.ok(!arm.emulator.requests.some((q) => q.path.includes('/deployments/')))
    } finally {
      await arm.stop()
    }
  })
})
