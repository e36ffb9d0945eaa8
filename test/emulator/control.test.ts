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
