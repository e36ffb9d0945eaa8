import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {type ArmEmulator, startArmEmulator} from '../../src/emulator/arm/index.js'
import {clientFor, rawRequest} from './util.js'

describe('ARM emulator control API (/_emulator/)', () => {
  let emu: ArmEmulator
  const key = {'x-emulator-key': 'k-123'}
  before(async () => {
    emu = await startArmEmulator({controlKey: 'k-123', lroPolls: 0})
  })
  after(async () => emu.stop())

  it('needs its key, and exposes state, the request log, faults, by-hand deletion, metrics and reset', async () => {
    assert.equal((await rawRequest(emu, 'GET', '/_emulator/state')).status, 401)
    const arm = clientFor(emu)
    await arm.putAndWait('PUT', emu.ids.namespace(), '2025-02-15', {
      location: 'eastus',
      properties: {topicSpacesConfiguration: {state: 'Enabled'}},
    })

    const log = (await rawRequest(emu, 'GET', '/_emulator/requests', {headers: key})).body as {
      requests: Array<{method: string; apiVersion: string}>
    }
    assert.deepEqual(
      log.requests.map((r) => r.method),
      ['PUT', 'GET', 'GET'],
    )
    assert.ok(!JSON.stringify(log).toLowerCase().includes('bearer'))

    const state = (await rawRequest(emu, 'GET', '/_emulator/state', {headers: key})).body as {
      resources: Array<{id: string}>
    }
    assert.ok(state.resources.some((r) => r.id === emu.ids.namespace()))

    assert.equal(
      (await rawRequest(emu, 'PUT', '/_emulator/faults', {headers: key, body: {rules: [{status: 503, times: 1}]}}))
        .status,
      204,
    )
    const faulted = await rawRequest(emu, 'GET', `${emu.ids.subscription}?api-version=2022-12-01`, {auth: true})
    assert.equal(faulted.status, 503)
    assert.equal((faulted.body as {error: {code: string}}).error.code, 'ServiceUnavailable')

    const del = await rawRequest(emu, 'DELETE', `/_emulator/resources?id=${encodeURIComponent(emu.ids.namespace())}`, {
      headers: key,
    })
    assert.equal(del.status, 200)
    assert.equal(await arm.get(emu.ids.namespace(), '2025-02-15'), undefined)

    await rawRequest(emu, 'POST', '/_emulator/metrics', {headers: key, body: {count: 4}})
    assert.equal(
      emu.state.metrics.reduce((a, m) => a + m.count, 0),
      4,
    )

    assert.equal(
      (await rawRequest(emu, 'POST', '/_emulator/reset', {headers: key, body: {scenario: 'two-instances'}})).status,
      204,
    )
    assert.equal(emu.requests.length, 0)
    assert.equal(emu.state.list('Microsoft.IoTOperations/instances').length, 2)
    await rawRequest(emu, 'POST', '/_emulator/seed', {headers: key, body: {namespaces: [{name: 'users-own-ns'}]}})
    assert.ok(emu.getResource(emu.ids.namespace('users-own-ns')))
    assert.equal(emu.state.list('Microsoft.IoTOperations/instances').length, 2, 'seeding adds, it does not reset')
  })

  it('is neither logged nor faulted; reads the fault settings, stores and settles by hand, and answers bad calls', async () => {
    emu.reset()
    const sub = `${emu.ids.subscription}?api-version=2022-12-01`
    const faults = {rate: 1, statuses: [503], seed: 4}
    assert.equal((await rawRequest(emu, 'PUT', '/_emulator/faults', {headers: key, body: faults})).status, 204)
    assert.equal((await rawRequest(emu, 'GET', sub, {auth: true})).status, 503, 'ARM calls are faulted')
    const read = await rawRequest(emu, 'GET', '/_emulator/faults', {headers: key})
    assert.equal(read.status, 200, 'the control API is not')
    assert.deepEqual(read.body, {faults, latencyMs: 0})
    assert.equal((await rawRequest(emu, 'PUT', '/_emulator/faults', {headers: key, body: {}})).status, 204)
    assert.deepEqual((await rawRequest(emu, 'GET', '/_emulator/faults', {headers: key})).body, {
      faults: null,
      latencyMs: 0,
    })
    assert.deepEqual(
      emu.requests.map((r) => [r.method, r.status]),
      [['GET', 503]],
      'only the ARM call is in the request log',
    )

    // A resource stored by hand is what ARM then answers; one that does not exist is a 404.
    const id = emu.ids.namespace('by-hand')
    const stored = {id, name: 'by-hand', type: 'Microsoft.EventGrid/namespaces', location: 'eastus', properties: {}}
    assert.equal((await rawRequest(emu, 'PUT', '/_emulator/resources', {headers: key, body: stored})).status, 204)
    const got = await rawRequest(emu, 'GET', `${id}?api-version=2025-02-15`, {auth: true})
    assert.deepEqual([got.status, (got.body as {name: string}).name], [200, 'by-hand'])
    const byId = (x: string) => `/_emulator/resources?id=${encodeURIComponent(x)}`
    assert.equal((await rawRequest(emu, 'GET', byId(id), {headers: key})).status, 200)
    const missing = await rawRequest(emu, 'GET', byId(`${id}-gone`), {headers: key})
    assert.deepEqual([missing.status, (missing.body as {error: {code: string}}).error.code], [404, 'ResourceNotFound'])
    assert.equal((await rawRequest(emu, 'DELETE', byId(`${id}-gone`), {headers: key})).status, 404)

    // settle finishes a running operation: the namespace is provisioned without a single poll.
    const put = await rawRequest(emu, 'PUT', `${emu.ids.namespace()}?api-version=2025-02-15`, {
      auth: true,
      body: {location: 'eastus', properties: {topicSpacesConfiguration: {state: 'Enabled'}}},
    })
    assert.equal(put.status, 201)
    assert.ok(put.headers['azure-asyncoperation'])
    assert.equal(emu.getResource(emu.ids.namespace())?.properties.provisioningState, 'Creating')
    assert.equal((await rawRequest(emu, 'POST', '/_emulator/settle', {headers: key})).status, 204)
    const ns = emu.getResource(emu.ids.namespace())
    assert.equal(ns?.properties.provisioningState, 'Succeeded')
    const tsc = ns?.properties.topicSpacesConfiguration as {hostname?: string} | undefined
    assert.match(String(tsc?.hostname), /\.ts\.eventgrid\./)

    const code = (r: {body: unknown}) => (r.body as {error: {code: string}}).error.code
    const wrongKey = await rawRequest(emu, 'GET', '/_emulator/faults', {headers: {'x-emulator-key': 'nope'}})
    assert.deepEqual([wrongKey.status, code(wrongKey)], [401, 'AuthenticationFailed'])
    const unknown = await rawRequest(emu, 'POST', '/_emulator/nothing', {headers: key})
    assert.deepEqual([unknown.status, code(unknown)], [404, 'NotFound'])
    const notJson = await rawRequest(emu, 'POST', '/_emulator/seed', {headers: key, raw: '{not json'})
    assert.deepEqual([notJson.status, code(notJson)], [400, 'InvalidRequestContent'])

    // reset empties everything, what was stored by hand and the metric samples included.
    emu.addPublished(3)
    assert.equal((await rawRequest(emu, 'POST', '/_emulator/reset', {headers: key})).status, 204)
    assert.equal(emu.getResource(id), undefined)
    assert.equal(emu.getResource(emu.ids.namespace()), undefined)
    assert.deepEqual([emu.state.metrics.length, emu.state.operations.size, emu.requests.length], [0, 0, 0])
    assert.ok(emu.getResource(emu.ids.instance()), 'and seeds the world anew')
  })

  it('adds a fixed latency to every ARM response when asked', async () => {
    emu.reset()
    await rawRequest(emu, 'PUT', '/_emulator/latency', {headers: key, body: {ms: 60}})
    const started = process.hrtime.bigint()
    await rawRequest(emu, 'GET', `${emu.ids.subscription}?api-version=2022-12-01`, {auth: true})
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    emu.setLatency(0)
    assert.ok(ms >= 55, `took ${ms} ms`)
  })
})
