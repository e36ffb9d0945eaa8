import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'
import {DeploymentsGateway} from '../../src/azure/deployments-gateway.js'
import {AioBridgeError} from '../../src/errors.js'
import {buildBridgeModel} from '../../src/model/bridge-model.js'
import {renderArmTemplate} from '../../src/render/arm.js'
import {containsDesired, deploymentName, pickInstance} from '../../src/setup/apply-dataflows.js'
import {ARM, armError, armScope, isolateNetwork, RequestLog, testArmClient} from '../helpers/nock.js'

isolateNetwork({before, afterEach, after})

const SUB = '00000000-0000-0000-0000-000000000001'
const RG = 'aio-rg'
const NAME = 'aio-bridge-aio-instance'
// ARM spells the group segment in lower case in deployment paths (azure-api.md §6).
const PATH = `/subscriptions/${SUB}/resourcegroups/${RG}/providers/Microsoft.Resources/deployments/${NAME}`
const API = {'api-version': '2025-04-01'}
const OP = `/subscriptions/${SUB}/resourcegroups/${RG}/providers/Microsoft.Resources/deployments/${NAME}/operationStatuses/08584`

function body() {
  const model = buildBridgeModel({
    hostname: 'ns.westus2-1.ts.eventgrid.azure.net',
    instance: 'aio-instance',
    'custom-location': 'aio-cl',
  })
  const {template, parameters} = renderArmTemplate(model)
  return {properties: {mode: 'Incremental' as const, template, parameters}}
}

describe('DeploymentsGateway against nock', () => {
  it('PUT → 201 + Azure-AsyncOperation → Running → Succeeded, with the rendered template and parameters as the body', async () => {
    const log = new RequestLog()
    const scope = log.watch(armScope())
    scope
      .put(PATH, JSON.parse(JSON.stringify(body())))
      .query(API)
      .reply(
        201,
        {id: PATH, name: NAME, properties: {provisioningState: 'Accepted'}},
        {'Azure-AsyncOperation': `${ARM}${OP}?api-version=2025-04-01`},
      )
      .get(OP)
      .query(API)
      .reply(200, {status: 'Running'})
      .get(OP)
      .query(API)
      .reply(200, {status: 'Succeeded'})
      // The SDK poller's read-back of the deployment (the old client skipped it: nothing uses the record).
      .get(PATH)
      .query(API)
      .reply(200, {id: PATH, name: NAME, properties: {provisioningState: 'Succeeded'}})
    await new DeploymentsGateway(testArmClient()).createOrUpdateDeployment(SUB, RG, NAME, body())
    scope.done()
    log.stop()
    assert.deepEqual(log.unmatched, [])
    assert.equal(log.requests.filter((r) => r.startsWith('PUT')).length, 1)
  })

  it('a failed deployment is DEPLOYMENT_FAILED (exit 8) and carries the inner ARM errors', async () => {
    const scope = armScope()
      .put(PATH)
      .query(API)
      .reply(
        201,
        {id: PATH, name: NAME, properties: {provisioningState: 'Accepted'}},
        {'Azure-AsyncOperation': `${ARM}${OP}?api-version=2025-04-01`},
      )
      .get(OP)
      .query(API)
      .reply(200, {
        status: 'Failed',
        error: {
          code: 'DeploymentFailed',
          message: 'At least one resource deployment operation failed.',
          details: [
            {code: 'InvalidExtendedLocation', message: "Custom location 'wrong-cl' does not match the instance's."},
          ],
        },
      })
    const err = await new DeploymentsGateway(testArmClient())
      .createOrUpdateDeployment(SUB, RG, NAME, body())
      .catch((e: unknown) => e)
    scope.done()
    assert.ok(err instanceof AioBridgeError)
    assert.equal(err.code, 'DEPLOYMENT_FAILED')
    assert.equal(err.exitCode, 8)
    assert.match(err.message, /InvalidExtendedLocation/)
    assert.match(err.remedy ?? '', /az deployment operation group list -g aio-rg -n aio-bridge-aio-instance/)
  })

  it('what-if: POST → 202 + Location → 202 → 200 with properties.changes (the REST shape)', async () => {
    const loc = `${ARM}/subscriptions/${SUB}/operationresults/abc?api-version=2025-04-01`
    const scope = armScope()
      .post(
        `${PATH}/whatIf`,
        (b) =>
          b.properties?.whatIfSettings?.resultFormat === 'FullResourcePayloads' && b.properties.mode === 'Incremental',
      )
      .query(API)
      .reply(202, '', {Location: loc})
      .get(`/subscriptions/${SUB}/operationresults/abc`)
      .query(API)
      .reply(202, '', {Location: loc})
      .get(`/subscriptions/${SUB}/operationresults/abc`)
      .query(API)
      .reply(200, {
        status: 'Succeeded',
        properties: {changes: [{resourceId: '/x/dataflowEndpoints/eventgrid', changeType: 'Create'}]},
      })
    const changes = await new DeploymentsGateway(testArmClient()).whatIf(SUB, RG, NAME, body())
    scope.done()
    assert.deepEqual(changes, [{resourceId: '/x/dataflowEndpoints/eventgrid', changeType: 'Create'}])
  })

  it('what-if that reports an error is WHATIF_FAILED (exit 8)', async () => {
    const scope = armScope()
      .post(`${PATH}/whatIf`)
      .query(API)
      .reply(200, {status: 'Failed', error: armError('InvalidTemplate', 'bad').error})
    const err = await new DeploymentsGateway(testArmClient()).whatIf(SUB, RG, NAME, body()).catch((e: unknown) => e)
    scope.done()
    assert.equal((err as AioBridgeError).code, 'WHATIF_FAILED')
    assert.equal((err as AioBridgeError).exitCode, 8)
  })
})

describe('the dataflows step: pure parts', () => {
  const inst = (name: string) => ({
    id: `/i/${name}`,
    name,
    extendedLocation: {name: `/cl/${name}-cl`, type: 'CustomLocation'},
  })

  it('pickInstance: the only one; the named one (any case); several without --instance → INSTANCE_REQUIRED listing them', () => {
    assert.equal(pickInstance([inst('a')], undefined, RG).name, 'a')
    assert.equal(pickInstance([inst('a'), inst('b')], 'B', RG).name, 'b')
    assert.throws(
      () => pickInstance([inst('a'), inst('b')], undefined, RG),
      (e: AioBridgeError) => e.code === 'INSTANCE_REQUIRED' && e.exitCode === 2 && /a, b/.test(e.remedy ?? ''),
    )
    assert.throws(
      () => pickInstance([], undefined, RG),
      (e: AioBridgeError) => e.code === 'IOT_OPERATIONS_INSTANCE_NOT_FOUND',
    )
    assert.throws(
      () => pickInstance([inst('a')], 'zz', RG),
      (e: AioBridgeError) => e.code === 'IOT_OPERATIONS_INSTANCE_NOT_FOUND',
    )
  })

  it('containsDesired: extra service-added properties are ignored; any differing or missing value is a change', () => {
    const desired = {endpointType: 'Mqtt', mqttSettings: {host: 'h:8883', tls: {mode: 'Enabled'}}}
    assert.equal(
      containsDesired(
        {...desired, provisioningState: 'Succeeded', mqttSettings: {...desired.mqttSettings, qos: 1}},
        desired,
      ),
      true,
    )
    assert.equal(
      containsDesired({...desired, mqttSettings: {host: 'other:8883', tls: {mode: 'Enabled'}}}, desired),
      false,
    )
    assert.equal(containsDesired({endpointType: 'Mqtt'}, desired), false)
    assert.equal(containsDesired({ops: [1, 2, 3]}, {ops: [1, 2]}), false)
    // An empty object we send may come back absent: still the same.
    assert.equal(
      containsDesired(
        {auth: {method: 'SystemAssignedManagedIdentity'}},
        {auth: {method: 'SystemAssignedManagedIdentity', settings: {}}},
      ),
      true,
    )
  })

  it('deploymentName is deterministic and within ARM’s 64 characters', () => {
    assert.equal(deploymentName('aio-instance'), 'aio-bridge-aio-instance')
    assert.equal(deploymentName('x'.repeat(80)).length, 64)
  })
})
