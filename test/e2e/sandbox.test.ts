import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {chmod, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {request} from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {freePort} from '../../src/emulator/mqtt/ports.js'
import {expandTemplate, templateCovers} from '../../src/emulator/sandbox/authorization.js'
import {resolveDestination} from '../../src/emulator/sandbox/destinations.js'
import type {SandboxStateFile} from '../../src/emulator/sandbox/state-file.js'
import {findSystemTool} from '../../src/emulator/sandbox/system-deps.js'
import {type CliResult, runCli} from '../helpers/cli.js'
import {assertMatchesSchema} from '../helpers/schema.js'

/**
 * The sandbox as a user drives it: `sandbox up` (a detached process), the CLI pointed at it by `sandbox env`, then
 * setup → verify → status → teardown as child processes, with the emulator's control API breaking the bridge the
 * ways Event Grid would refuse it. The sandbox is stopped (and checked gone) at the end.
 */

const PUBLISHER = 'a12b0b94-b317-4dcd-84a8-502ce99884c6'
/** The IoT Operations extension's identity in the emulator's default world (the dataflows' identity). */
const EXTENSION_PRINCIPAL = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b'
/** `${name}` as IoT Operations and Event Grid write it (built so it never reads as a template literal slip). */
const ph = (name: string) => `$${'{'}${name}}`

describe('sandbox topic semantics (pure)', () => {
  it('template coverage follows Event Grid: a subscribe filter must fall wholly under a template', () => {
    assert.equal(templateCovers('telemetry/#', 'telemetry/aio'), true)
    assert.equal(templateCovers('telemetry/#', 'telemetry/#'), true)
    assert.equal(templateCovers('telemetry/#', 'telemetry/+/x'), true)
    assert.equal(templateCovers('telemetry/+', 'telemetry/#'), false)
    assert.equal(templateCovers('telemetry/+', 'telemetry/a'), true)
    assert.equal(templateCovers('telemetry/+', 'telemetry/+'), true)
    assert.equal(templateCovers('telemetry/a', 'telemetry/+'), false)
    assert.equal(templateCovers('other/#', 'telemetry/aio'), false)
    assert.equal(templateCovers('telemetry', 'telemetry/aio'), false)
  })
  it(`substitutes ${ph('client.authenticationName')} and refuses unknown variables`, () => {
    assert.equal(
      expandTemplate(`devices/${ph('client.authenticationName')}/#`, {authenticationName: 'abc'}),
      'devices/abc/#',
    )
    assert.equal(expandTemplate(`devices/${ph('client.attributes.x')}/#`, {authenticationName: 'abc'}), undefined)
  })
  it(`resolves ${ph('inputTopic')} and ${ph('inputTopic.N')} destinations`, () => {
    assert.equal(resolveDestination('telemetry/aio', 'tutorial/local'), 'telemetry/aio')
    assert.equal(resolveDestination(`copy/${ph('inputTopic')}`, 'a/b/c'), 'copy/a/b/c')
    assert.equal(resolveDestination(`t/${ph('inputTopic.2')}/${ph('inputTopic.1')}`, 'a/b/c'), 't/b/a')
    assert.equal(resolveDestination(`t/${ph('inputTopic.4')}`, 'a/b/c'), undefined)
  })
})

describe('sandbox up → setup → verify → status → teardown → down', {timeout: 240_000}, () => {
  let dir: string
  let state: SandboxStateFile
  let env: Record<string, string>
  const cli = (args: string[], timeoutMs = 60_000) => runCli(args, {env, timeoutMs})
  const verify = (more: string[] = []) =>
    cli(['verify', ...state.verifyArgs, '--count', '3', '--interval', '0.1', '--wait', '2', '--json', ...more])
  const jsonOf = (r: CliResult) => JSON.parse(r.stdout) as Record<string, unknown> & {error?: {code: string}}

  const control = (method: string, path: string, body?: unknown): Promise<{status: number; body: unknown}> =>
    new Promise((resolve, reject) => {
      const u = new URL(`${state.arm.url}/_emulator${path}`)
      const req = request(
        u,
        {
          method,
          ca: caPem,
          headers: {'x-emulator-key': state.arm.controlKey, 'content-type': 'application/json'},
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8').on('data', (d: string) => {
            text += d
          })
          res.on('end', () => resolve({status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined}))
        },
      )
      req.on('error', reject)
      req.end(body === undefined ? undefined : JSON.stringify(body))
    })
  let caPem = ''
  const topicSpaceId = () =>
    `/subscriptions/${env.SUBSCRIPTION_ID}/resourceGroups/${env.RESOURCE_GROUP}/providers/Microsoft.EventGrid/namespaces/${env.EVENT_GRID_NAMESPACE}/topicSpaces/tutorial`

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aio-bridge-sandbox-test-'))
    // A state file left behind whose pid now belongs to an unrelated live process: not a running sandbox.
    const unrelated = spawn('sleep', ['60'], {stdio: 'ignore'})
    try {
      await writeFile(join(dir, 'state.json'), JSON.stringify(staleState(dir, unrelated.pid as number)))
      const up = await runCli(['sandbox', 'up', '--json'], {env: {AIO_BRIDGE_SANDBOX_DIR: dir}})
      assert.equal(up.code, 0, up.stderr + up.stdout)
      assert.equal(
        assertMatchesSchema('sandbox-up', up.stdout).alreadyRunning,
        false,
        'a stale state file is not a running sandbox',
      )
      assert.ok(!/[0-9a-f]{32}/.test(up.stdout) && !up.stdout.includes('controlKey'), 'no control key under --json')
      assert.equal(alive(unrelated.pid), true)
    } finally {
      unrelated.kill()
    }
    // The control key is only in the state file (0600), which is where a client of the control API reads it.
    state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as SandboxStateFile
    caPem = await readFile(state.caFile, 'utf8')
    env = {...state.env, AIO_BRIDGE_SANDBOX_DIR: dir, PATH: `${state.azDir}:${process.env.PATH ?? ''}`}
  })

  after(async () => {
    if (dir) {
      await runCli(['sandbox', 'down'], {env: {AIO_BRIDGE_SANDBOX_DIR: dir}})
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('sandbox up again reports the running one; sandbox env prints every variable and no secret', async () => {
    const again = await runCli(['sandbox', 'up', '--json'], {env: {AIO_BRIDGE_SANDBOX_DIR: dir}})
    assert.equal(again.code, 0)
    assert.equal(assertMatchesSchema('sandbox-up', again.stdout).alreadyRunning, true)
    const envJson = await runCli(['sandbox', 'env', '--json'], {env: {AIO_BRIDGE_SANDBOX_DIR: dir}})
    assert.equal(assertMatchesSchema('sandbox-env', envJson.stdout).status, 0)
    assert.ok(!again.stdout.includes(state.arm.controlKey), 'the control key is never printed')
    const r = await runCli(['sandbox', 'env'], {env: {AIO_BRIDGE_SANDBOX_DIR: dir}})
    assert.equal(r.code, 0, r.stderr)
    for (const name of [
      'NODE_EXTRA_CA_CERTS',
      'AIO_BRIDGE_ARM_ENDPOINT',
      'AZURE_TOKEN_CREDENTIALS',
      'PATH',
      'SUBSCRIPTION_ID',
      'RESOURCE_GROUP',
      'LOCATION',
      'EVENT_GRID_NAMESPACE',
      'CLUSTER_NAME',
      'AIO_BRIDGE_SANDBOX_VERIFY_FLAGS',
    ]) {
      assert.match(r.stdout, new RegExp(`^export ${name}=`, 'm'))
    }
    assert.match(r.stdout, /AZURE_TOKEN_CREDENTIALS='AzureCliCredential'/)
    const password = await readFile(state.local.passwordFile, 'utf8')
    assert.ok(!r.stdout.includes(password), 'the broker password is never printed')
    assert.ok(!r.stdout.includes(state.arm.controlKey), 'the control key is never printed')
  })

  it('setup converges and verify passes through the emulated bridge', async () => {
    const setup = await cli(['setup', '--json'])
    assert.equal(setup.code, 0, setup.stderr + setup.stdout)
    // As on a cluster, the dataflows start a moment after their resources are deployed.
    await waitForLog(state.logFile, /dataflow default\/local-to-remote: running/)
    await waitForLog(state.logFile, /dataflow default\/remote-to-local: running/)
    const v = await verify()
    assert.equal(v.code, 0, v.stderr + v.stdout)
    const report = assertMatchesSchema('verify', v.stdout).report as {received: number; lost: number}
    assert.equal(report.received, 3)
    assert.equal(report.lost, 0)
    // In a shell pointed at the sandbox (eval "$(aio-bridge sandbox env)"), setup's hint is one that works there.
    const again = await runCli(['setup'], {env: {...env, AIO_BRIDGE_SANDBOX_VERIFY_FLAGS: state.verifyArgs.join(' ')}})
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /Next: aio-bridge verify \$AIO_BRIDGE_SANDBOX_VERIFY_FLAGS/)
    assert.doesNotMatch(again.stdout, /--kubectl/)
  })

  it(`runs a dataflow added later with a wildcard source and ${ph('inputTopic.N')} destination`, async () => {
    const l2r = (await control(
      'GET',
      `/resources?id=${encodeURIComponent(`${topicSpaceId().split('/providers/')[0]}/providers/Microsoft.IoTOperations/instances/aio-instance/dataflowProfiles/default/dataflows/local-to-remote`)}`,
    )) as {status: number; body: {id: string; properties: {operations: Array<Record<string, unknown>>}}}
    assert.equal(l2r.status, 200)
    const flow = structuredClone(l2r.body)
    flow.id = flow.id.replace(/local-to-remote$/, 'sensors')
    flow.properties.operations = flow.properties.operations.map((o) =>
      o.operationType === 'Source'
        ? {...o, sourceSettings: {endpointRef: 'default', dataSources: ['sensors/+/temperature']}}
        : o.operationType === 'Destination'
          ? {...o, destinationSettings: {endpointRef: 'eventgrid', dataDestination: `telemetry/${ph('inputTopic.2')}`}}
          : o,
    )
    assert.equal((await control('PUT', '/resources', flow)).status, 204)
    // telemetry/room1 comes back to tutorial/cloud through remote-to-local (telemetry/#); the runner picks the new
    // dataflow up within its poll interval, and verify retries nothing: give it a moment by polling the log.
    await waitForLog(state.logFile, /dataflow default\/sensors: running/)
    const v = await verify(['--local-topic', 'sensors/room1/temperature'])
    assert.equal(v.code, 0, v.stderr + v.stdout)
    assert.equal((await control('DELETE', `/resources?id=${encodeURIComponent(flow.id)}`)).status, 200)
  })

  it('a topic outside the topic space templates: Event Grid refuses the publish (0x87), nothing comes back', async () => {
    const ts = (await control('GET', `/resources?id=${encodeURIComponent(topicSpaceId())}`)) as {
      body: {properties: {topicTemplates: string[]}}
    }
    const original = structuredClone(ts.body)
    const changed = structuredClone(ts.body)
    changed.properties.topicTemplates = ['other/#']
    assert.equal((await control('PUT', '/resources', changed)).status, 204)
    try {
      const v = await verify()
      assert.equal(v.code, 20, v.stdout)
      assert.equal((assertMatchesSchema('verify', v.stdout).error as {code: string}).code, 'VERIFY_NOTHING_BACK')
      // What the dataflow's own log would say on the cluster: Event Grid answered PUBACK 0x87.
      await waitForLog(state.logFile, /PUBACK 0x87 not authorized: publish telemetry\/aio/)
      const status = await cli(['status'])
      assert.equal(status.code, 10, status.stdout + status.stderr)
    } finally {
      assert.equal((await control('PUT', '/resources', original)).status, 204)
    }
    const back = await verify()
    assert.equal(back.code, 0, back.stdout)
  })

  it('removing the Publisher role assignment breaks the bridge; status names it; teardown still cleans up', async () => {
    const dump = (await control('GET', '/state')) as {
      body: {resources: Array<{id: string; type: string; properties: Record<string, unknown>}>}
    }
    const role = dump.body.resources.find(
      (r) =>
        r.type === 'Microsoft.Authorization/roleAssignments' &&
        String(r.properties.roleDefinitionId).endsWith(PUBLISHER) &&
        r.properties.principalId === EXTENSION_PRINCIPAL &&
        String(r.properties.scope).toLowerCase() === topicSpaceId().toLowerCase(),
    )
    assert.ok(role, 'setup made the Publisher assignment on the topic space')
    assert.equal((await control('DELETE', `/resources?id=${encodeURIComponent(role.id)}`)).status, 200)
    const v = await verify()
    assert.equal(v.code, 20, v.stdout)
    assert.equal(jsonOf(v).error?.code, 'VERIFY_NOTHING_BACK')
    await waitForLog(state.logFile, /holds no EventGrid TopicSpaces Publisher role/)
    const status = await cli(['status'])
    assert.equal(status.code, 10, status.stdout + status.stderr)
    assert.match(status.stdout, /Publisher/)
    const td = await cli(['teardown', '--yes', '--json'])
    assert.equal(td.code, 0, td.stderr + td.stdout)
  })

  it('sandbox down stops the process and its mosquitto; env then says nothing is running', async () => {
    const down = await runCli(['sandbox', 'down', '--json'], {env: {AIO_BRIDGE_SANDBOX_DIR: dir}})
    assert.equal(down.code, 0, down.stderr)
    assert.equal(assertMatchesSchema('sandbox-down', down.stdout).wasRunning, true)
    assert.equal(alive(state.pid), false)
    assert.equal(alive(state.local.pid), false)
    const env2 = await runCli(['sandbox', 'env', '--json'], {env: {AIO_BRIDGE_SANDBOX_DIR: dir}})
    assert.equal(env2.code, 5)
    assert.equal((assertMatchesSchema('sandbox-env', env2.stdout).error as {code: string}).code, 'SANDBOX_NOT_RUNNING')
    const again = await runCli(['sandbox', 'down', '--json'], {env: {AIO_BRIDGE_SANDBOX_DIR: dir}})
    assert.equal(again.code, 0)
    assert.equal(JSON.parse(again.stdout).wasRunning, false)
  })
})

describe('sandbox down and up with a state file that is not theirs', () => {
  it('down signals nothing but this sandbox: a stale state naming a live unrelated process is removed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aio-bridge-sandbox-stale-'))
    const unrelated = spawn('sleep', ['60'], {stdio: 'ignore'})
    try {
      await writeFile(join(dir, 'state.json'), JSON.stringify(staleState(dir, unrelated.pid as number)))
      const down = await runCli(['sandbox', 'down', '--json'], {env: {AIO_BRIDGE_SANDBOX_DIR: dir}})
      assert.equal(down.code, 0, down.stderr)
      const r = JSON.parse(down.stdout) as {wasRunning: boolean; staleStateRemoved?: boolean}
      assert.equal(r.wasRunning, false)
      assert.equal(r.staleStateRemoved, true)
      await new Promise((res) => setTimeout(res, 200))
      assert.equal(alive(unrelated.pid), true, 'the unrelated process was not signalled')
      assert.equal(existsSync(join(dir, 'state.json')), false, 'the stale state file is gone')
      const env = await runCli(['sandbox', 'env', '--json'], {env: {AIO_BRIDGE_SANDBOX_DIR: dir}})
      assert.equal(JSON.parse(env.stdout).error.code, 'SANDBOX_NOT_RUNNING')
    } finally {
      unrelated.kill()
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('a sandbox stopped while starting stops the mosquitto it had started', {timeout: 60_000}, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aio-bridge-sandbox-abort-'))
    const real = findSystemTool('mosquitto')
    assert.ok(real, 'mosquitto is installed')
    // mosquitto through a wrapper that moves it to another port (so the sandbox keeps waiting for it, as for a slow
    // start) and, once it runs, signals the sandbox process: SIGTERM arrives while the sandbox is still starting, as
    // when `sandbox up` gives up waiting or Ctrl-C reaches it.
    const pidFile = join(dir, 'mosquitto.pid')
    const wrapper = join(dir, 'mosquitto-wrapper')
    const moved = join(dir, 'moved.conf')
    await writeFile(
      wrapper,
      [
        '#!/bin/sh',
        `sed 's/^listener [0-9]*/listener ${await freePort()}/' "$2" > '${moved}'`,
        `echo $$ > '${pidFile}'`,
        'parent=$PPID',
        '(sleep 1; kill -TERM $parent) &',
        `exec '${real}' -c '${moved}'`,
        '',
      ].join('\n'),
    )
    await chmod(wrapper, 0o755)
    try {
      const up = await runCli(['sandbox', 'up', '--json'], {
        env: {AIO_BRIDGE_SANDBOX_DIR: join(dir, 'state'), AIO_BRIDGE_MOSQUITTO: wrapper},
      })
      assert.equal(up.code, 5, up.stdout + up.stderr)
      assert.equal(JSON.parse(up.stdout).error.code, 'SANDBOX_START_FAILED')
      const mosquitto = Number.parseInt(await readFile(pidFile, 'utf8'), 10)
      for (let i = 0; i < 100 && alive(mosquitto); i++) await new Promise((res) => setTimeout(res, 50))
      const leftover = alive(mosquitto)
      if (leftover) process.kill(mosquitto, 'SIGKILL')
      assert.equal(leftover, false, 'the mosquitto started before the signal was stopped')
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

/** A state file as `sandbox up` writes it, naming `pid` for both the sandbox and its mosquitto. */
function staleState(dir: string, pid: number): SandboxStateFile {
  return {
    dir,
    caFile: join(dir, 'pki', 'ca.crt'),
    arm: {url: 'https://127.0.0.1:1', controlKey: 'stale'},
    local: {host: '127.0.0.1', port: 1, serverName: 'aio-broker', username: 'verify', passwordFile: 'x', pid},
    eventGrid: {host: '127.0.0.1', port: 1, serverName: 'localhost'},
    azDir: join(dir, 'az'),
    logFile: join(dir, 'sandbox.log'),
    env: {},
    verifyArgs: [],
    pid,
    startedAt: new Date().toISOString(),
  }
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits (bounded by the test's timeout, not asserted on) until the sandbox log has a line matching `re`. */
async function waitForLog(file: string, re: RegExp): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (re.test(await readFile(file, 'utf8').catch(() => ''))) return
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.fail(`the sandbox log never matched ${re}:\n${await readFile(file, 'utf8').catch(() => '')}`)
}
