import assert from 'node:assert/strict'
import {after, before, beforeEach, describe, it} from 'node:test'
import {RestError} from '@azure/core-rest-pipeline'
import {type ArmEmulator, startArmEmulator} from '../../src/emulator/arm/index.js'
import {createPki} from '../../src/emulator/pki.js'
import {clientFor, rawRequest} from './util.js'

const EG = '2025-02-15'

async function rejectsWith(p: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RestError, `expected RestError, got ${String(err)}`)
    assert.equal(err.statusCode, status)
    assert.equal(err.code, code)
    return true
  })
}

describe('ARM emulator: Event Grid namespaces and topic spaces through the real ArmClient', () => {
  let emu: ArmEmulator
  let tls: {caCertPath: string; certPath: string; keyPath: string}

  before(async () => {
    const {mkdtemp} = await import('node:fs/promises')
    const {tmpdir} = await import('node:os')
    const {join} = await import('node:path')
    const pki = await createPki(await mkdtemp(join(tmpdir(), 'aio-eg-test-')))
    const leaf = await pki.issue('arm', {ips: ['127.0.0.1'], dnsNames: ['localhost']})
    tls = {caCertPath: pki.caCert, certPath: leaf.cert, keyPath: leaf.key}
    emu = await startArmEmulator({tls})
  })
  after(async () => emu.stop())
  beforeEach(() => emu.reset())

  it('serves the subscription, the resource group and the provider registration', async () => {
    const arm = clientFor(emu)
    const sub = await arm.get<{subscriptionId: string; state: string}>(emu.ids.subscription, '2022-12-01')
    assert.equal(sub?.subscriptionId, emu.seed.subscriptionId)
    assert.equal(sub?.state, 'Enabled')
    // Fixed segments are case-insensitive, as in ARM (deployments use lower-case resourcegroups).
    const rg = await arm.get<{location: string; name: string}>(
      `/subscriptions/${emu.seed.subscriptionId}/resourcegroups/AIO-BRIDGE-RG`,
      '2021-04-01',
    )
    assert.equal(rg?.location, 'eastus')
    assert.equal(rg?.name, 'aio-bridge-rg')
    assert.equal(await arm.get(`${emu.ids.subscription}/resourceGroups/nope`, '2021-04-01'), undefined)
    await rejectsWith(
      arm.send('GET', `${emu.ids.subscription}/resourceGroups/nope`, {apiVersion: '2021-04-01'}),
      404,
      'ResourceGroupNotFound',
    )
    await rejectsWith(
      arm.send('GET', '/subscriptions/00000000-0000-0000-0000-000000000000', {apiVersion: '2022-12-01'}),
      404,
      'SubscriptionNotFound',
    )
    const provider = await arm.get<{registrationState: string}>(
      `${emu.ids.subscription}/providers/Microsoft.EventGrid`,
      '2021-04-01',
    )
    assert.equal(provider?.registrationState, 'Registered')
  })

  it('creates a namespace as a long-running operation: Creating with a null hostname, then Succeeded', async () => {
    const arm = clientFor(emu)
    const id = emu.ids.namespace()
    const body = {
      location: 'eastus',
      tags: {'managed-by': 'aio-bridge'},
      properties: {topicSpacesConfiguration: {state: 'Enabled', maximumClientSessionsPerAuthenticationName: 3}},
    }
    const first = await arm.send<{
      properties: {provisioningState: string; topicSpacesConfiguration: {hostname: unknown}}
    }>('PUT', id, {apiVersion: EG, body})
    assert.equal(first.status, 201)
    const op = first.headers['azure-asyncoperation'] as string
    assert.match(
      op,
      /\/subscriptions\/[^/]+\/providers\/Microsoft\.EventGrid\/locations\/eastus\/operationsStatus\/[0-9a-f-]{36}\?api-version=2025-02-15$/,
    )
    assert.equal(first.body.properties.provisioningState, 'Creating')
    assert.equal(first.body.properties.topicSpacesConfiguration.hostname, null)
    const during = await arm.get<{properties: {provisioningState: string}}>(id, EG)
    assert.equal(during?.properties.provisioningState, 'Creating')

    assert.equal((await arm.send<{status: string}>('GET', op)).body.status, 'InProgress')
    const done = await arm.send<{status: string; name: string; id: string}>('GET', op)
    assert.equal(done.body.status, 'Succeeded')
    const ns = await arm.get<{
      name: string
      type: string
      tags: Record<string, string>
      properties: {provisioningState: string; topicSpacesConfiguration: Record<string, unknown>}
    }>(id, EG)
    assert.equal(ns?.type, 'Microsoft.EventGrid/namespaces')
    assert.equal(ns?.properties.provisioningState, 'Succeeded')
    assert.equal(ns?.properties.topicSpacesConfiguration.hostname, 'aio-bridge-ns.eastus-1.ts.eventgrid.azure.net')
    assert.equal(ns?.properties.topicSpacesConfiguration.maximumClientSessionsPerAuthenticationName, 3)
    assert.deepEqual(ns?.tags, {'managed-by': 'aio-bridge'})
  })

  it('putAndWait polls the operation and returns the provisioned namespace; the log shows each request', async () => {
    const arm = clientFor(emu)
    const ns = await arm.putAndWait<{properties: {topicSpacesConfiguration: {hostname: string}}}>(
      'PUT',
      emu.ids.namespace(),
      EG,
      {
        location: 'eastus',
        properties: {topicSpacesConfiguration: {state: 'Enabled'}},
      },
    )
    assert.equal(ns.properties.topicSpacesConfiguration.hostname, 'aio-bridge-ns.eastus-1.ts.eventgrid.azure.net')
    assert.deepEqual(
      emu.requests.map((r) => [r.method, r.status, r.poll ?? false]),
      [
        ['PUT', 201, false],
        ['GET', 200, true],
        ['GET', 200, true],
        ['GET', 200, false],
      ],
    )
    assert.equal(emu.requests[0]?.apiVersion, EG)
    assert.deepEqual(emu.requests[0]?.body, {
      location: 'eastus',
      properties: {topicSpacesConfiguration: {state: 'Enabled'}},
    })
  })

  it('PUT replaces properties and tags; PATCH merges and keeps tags', async () => {
    const arm = clientFor(emu)
    const id = emu.ids.namespace()
    await arm.putAndWait('PUT', id, EG, {
      location: 'eastus',
      tags: {a: '1'},
      properties: {
        topicSpacesConfiguration: {
          state: 'Enabled',
          maximumClientSessionsPerAuthenticationName: 5,
          maximumSessionExpiryInHours: 4,
        },
      },
    })
    const patched = await arm.putAndWait<{
      tags: Record<string, string>
      properties: {topicSpacesConfiguration: Record<string, unknown>}
    }>('PATCH', id, EG, {properties: {topicSpacesConfiguration: {maximumClientSessionsPerAuthenticationName: 7}}})
    assert.deepEqual(patched.tags, {a: '1'})
    assert.equal(patched.properties.topicSpacesConfiguration.maximumClientSessionsPerAuthenticationName, 7)
    assert.equal(patched.properties.topicSpacesConfiguration.maximumSessionExpiryInHours, 4)
    const replaced = await arm.putAndWait<{
      tags?: Record<string, string>
      properties: {topicSpacesConfiguration: Record<string, unknown>}
    }>('PUT', id, EG, {location: 'eastus', properties: {topicSpacesConfiguration: {state: 'Enabled'}}})
    assert.equal(replaced.tags, undefined)
    assert.equal(replaced.properties.topicSpacesConfiguration.maximumClientSessionsPerAuthenticationName, 1)
    assert.equal(replaced.properties.topicSpacesConfiguration.maximumSessionExpiryInHours, 1)
  })

  it('creates topic spaces with validated templates; refuses bad names, bad templates and a missing parent', async () => {
    const arm = clientFor(emu)
    const ts = emu.ids.topicSpace()
    await rejectsWith(
      arm.send('PUT', ts, {apiVersion: EG, body: {properties: {topicTemplates: ['telemetry/#']}}}),
      404,
      'ParentResourceNotFound',
    )
    await arm.putAndWait('PUT', emu.ids.namespace(), EG, {
      location: 'eastus',
      properties: {topicSpacesConfiguration: {state: 'Enabled'}},
    })
    const created = await arm.putAndWait<{
      type: string
      properties: {topicTemplates: string[]; provisioningState: string}
    }>('PUT', ts, EG, {
      properties: {topicTemplates: ['telemetry/#']},
    })
    assert.equal(created.type, 'Microsoft.EventGrid/namespaces/topicSpaces')
    assert.deepEqual(created.properties.topicTemplates, ['telemetry/#'])
    assert.equal(created.properties.provisioningState, 'Succeeded')
    await rejectsWith(
      arm.send('PUT', ts, {apiVersion: EG, body: {properties: {topicTemplates: ['a/#/b']}}}),
      400,
      'InvalidRequest',
    )
    await rejectsWith(
      arm.send('PUT', emu.ids.topicSpace('no_underscores'), {
        apiVersion: EG,
        body: {properties: {topicTemplates: ['x']}},
      }),
      400,
      'InvalidResourceName',
    )
    await rejectsWith(
      arm.send('PUT', emu.ids.namespace('ab'), {apiVersion: EG, body: {location: 'eastus'}}),
      400,
      'InvalidResourceName',
    )
    await rejectsWith(
      arm.send('PUT', emu.ids.namespace('has-no-location'), {apiVersion: EG, body: {properties: {}}}),
      400,
      'LocationRequired',
    )
  })

  it('refuses other api-versions, an unregistered provider, and a name someone else holds', async () => {
    const arm = clientFor(emu)
    await rejectsWith(
      arm.send('GET', emu.ids.namespace(), {apiVersion: '2022-06-15'}),
      400,
      'InvalidApiVersionParameter',
    )
    emu.reset('provider-not-registered')
    const provider = await arm.get<{registrationState: string}>(
      `${emu.ids.subscription}/providers/Microsoft.EventGrid`,
      '2021-04-01',
    )
    assert.equal(provider?.registrationState, 'NotRegistered')
    await rejectsWith(
      arm.send('PUT', emu.ids.namespace(), {apiVersion: EG, body: {location: 'eastus'}}),
      409,
      'MissingSubscriptionRegistration',
    )
    emu.reset('namespace-name-taken')
    await rejectsWith(
      arm.send('PUT', emu.ids.namespace(), {apiVersion: EG, body: {location: 'eastus'}}),
      409,
      'NamespaceNameUnavailable',
    )
  })

  it('deletes a namespace with a Location poll and takes its topic spaces and role assignments with it', async () => {
    const arm = clientFor(emu)
    await arm.putAndWait('PUT', emu.ids.namespace(), EG, {
      location: 'eastus',
      properties: {topicSpacesConfiguration: {state: 'Enabled'}},
    })
    await arm.putAndWait('PUT', emu.ids.topicSpace(), EG, {properties: {topicTemplates: ['telemetry/#']}})
    const raId = `${emu.ids.topicSpace()}/providers/Microsoft.Authorization/roleAssignments/11111111-2222-4333-8444-555555555555`
    await arm.send('PUT', raId, {
      apiVersion: '2022-04-01',
      body: {
        properties: {
          roleDefinitionId: `${emu.ids.subscription}/providers/Microsoft.Authorization/roleDefinitions/a12b0b94-b317-4dcd-84a8-502ce99884c6`,
          principalId: emu.seed.callerPrincipalId,
          principalType: 'User',
        },
      },
    })
    emu.clearRequests()
    const first = await arm.send('DELETE', emu.ids.namespace(), {apiVersion: EG})
    assert.equal(first.status, 202)
    assert.match(first.headers.location as string, /\/operationResults\//)
    assert.equal(
      (await arm.get<{properties: {provisioningState: string}}>(emu.ids.namespace(), EG))?.properties.provisioningState,
      'Deleting',
    )
    assert.equal((await arm.send('GET', first.headers.location as string)).status, 202)
    assert.equal((await arm.send('GET', first.headers.location as string)).status, 204)
    assert.equal(emu.getResource(emu.ids.namespace()), undefined)
    assert.equal(emu.getResource(emu.ids.topicSpace()), undefined)
    assert.equal(emu.getResource(raId), undefined)
    // Already gone: 204, and the client's deleteAndWait reports false.
    assert.equal(await arm.deleteAndWait(emu.ids.namespace(), EG), false)
  })

  it('asks for a bearer token and refuses expired ones and tokens for another audience', async () => {
    const none = await rawRequest(emu, 'GET', `${emu.ids.subscription}?api-version=2022-12-01`)
    assert.equal(none.status, 401)
    assert.equal((none.body as {error: {code: string}}).error.code, 'AuthenticationFailed')
    await rejectsWith(
      clientFor(emu, {exp: Math.floor(Date.now() / 1000) - 60}).send('GET', emu.ids.subscription, {
        apiVersion: '2022-12-01',
      }),
      401,
      'ExpiredAuthenticationToken',
    )
    await rejectsWith(
      clientFor(emu, {aud: 'https://eventgrid.azure.net/'}).send('GET', emu.ids.subscription, {
        apiVersion: '2022-12-01',
      }),
      401,
      'InvalidAuthenticationTokenAudience',
    )
    // No token ever reaches the request log.
    assert.ok(!JSON.stringify(emu.requests).includes('eyJ'))
  })

  it('injects 429/500/503 before state is touched; the client retries and converges', async () => {
    const arm = clientFor(emu)
    emu.setFaults({
      rules: [
        {method: 'PUT', pathIncludes: '/namespaces/', status: 429, times: 2},
        {method: 'GET', pathIncludes: 'operationsStatus', status: 503},
        {method: 'GET', pathIncludes: '/namespaces/', status: 500},
      ],
    })
    const ns = await arm.putAndWait<{properties: {provisioningState: string}}>('PUT', emu.ids.namespace(), EG, {
      location: 'eastus',
      properties: {topicSpacesConfiguration: {state: 'Enabled'}},
    })
    assert.equal(ns.properties.provisioningState, 'Succeeded')
    const puts = emu.requests.filter((r) => r.method === 'PUT')
    assert.deepEqual(
      puts.map((r) => r.status),
      [429, 429, 201],
    )
    assert.deepEqual(
      puts.map((r) => r.fault ?? false),
      [true, true, false],
    )
    assert.ok(emu.requests.some((r) => r.status === 503 && r.poll === undefined && r.fault))
    assert.ok(emu.requests.some((r) => r.status === 500 && r.fault))
  })

  it('draws random faults from a seeded PRNG: the same seed replays the same faults', async () => {
    const run = async () => {
      emu.reset()
      emu.setFaults({rate: 0.3, seed: 42, statuses: [429, 500, 503]})
      const arm = clientFor(emu)
      for (let i = 0; i < 8; i++) await arm.get(emu.ids.subscription, '2022-12-01')
      return emu.requests.map((r) => r.status)
    }
    const a = await run()
    const b = await run()
    assert.deepEqual(a, b)
    assert.ok(
      a.some((s) => s !== 200),
      `expected some faults in ${a.join(',')}`,
    )
    assert.equal(a.filter((s) => s === 200).length, 8)
  })

  it('answers 429 with retry-after-ms by default and Retry-After seconds when asked', async () => {
    emu.setFaults({rules: [{status: 429}]})
    const r = await rawRequest(emu, 'GET', `${emu.ids.subscription}?api-version=2022-12-01`, {auth: true})
    assert.equal(r.status, 429)
    assert.equal(r.headers['retry-after-ms'], '5')
    emu.setFaults({rules: [{status: 429}], retryAfterSeconds: 1})
    const s = await rawRequest(emu, 'GET', `${emu.ids.subscription}?api-version=2022-12-01`, {auth: true})
    assert.equal(s.headers['retry-after'], '1')
  })
})
