import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'
import {ArmRequestError, pollDelayInMs} from '../../src/azure/arm-client.js'
import {fromAzureError} from '../../src/azure/arm-errors.js'
import {AioBridgeError} from '../../src/errors.js'
import {ARM, armError, armScope, exampleBody, isolateNetwork, testArmClient} from '../helpers/nock.js'

isolateNetwork({before, afterEach, after})

const NS_GET = 'eventgrid/2025-02-15/Namespaces_Get.json'
const SUB = '8f6b6269-84f2-4d09-9e31-1127efcd1e40'
const NS_PATH = `/subscriptions/${SUB}/resourceGroups/examplerg/providers/Microsoft.EventGrid/namespaces/exampleNamespaceName1`
const API = {'api-version': '2025-02-15'}

describe('ArmClient: URLs', () => {
  it('never produces //subscriptions from a leading-slash id, nor from an endpoint with a trailing slash', async () => {
    const arm = testArmClient({endpoint: `${ARM}/`})
    const scope = armScope().get(NS_PATH).query(API).times(2).reply(200, exampleBody(NS_GET))
    const a = await arm.get<{name: string}>(NS_PATH, '2025-02-15')
    const b = await arm.get<{name: string}>(`//${NS_PATH.slice(1)}`, '2025-02-15')
    assert.equal(a?.name, 'exampleNamespaceName1')
    assert.equal(b?.name, 'exampleNamespaceName1')
    assert.equal(arm.endpoint, ARM)
    scope.done()
  })

  it('accepts an id without a leading slash and encodes $filter spaces as %20', async () => {
    const scope = armScope()
      .get('/subscriptions/x/providers/Microsoft.Authorization/roleAssignments')
      .query((q) => q['api-version'] === '2022-04-01' && q.$filter === "principalId eq 'p1'")
      .reply(200, {value: []})
    const traced: string[] = []
    const arm2 = testArmClient({trace: (l) => traced.push(l)})
    const items = await arm2.listAll(
      'subscriptions/x/providers/Microsoft.Authorization/roleAssignments',
      '2022-04-01',
      {
        $filter: "principalId eq 'p1'",
      },
    )
    assert.deepEqual(items, [])
    assert.equal(traced.length, 1)
    assert.match(
      traced[0] ?? '',
      /^GET https:\/\/management\.azure\.com\/subscriptions\/x\/providers\/Microsoft\.Authorization\/roleAssignments → 200 \(\d+ ms\)$/,
    )
    scope.done()
  })

  it('waits as the service says: retry-after-ms, else Retry-After seconds, capped; else the default', () => {
    assert.equal(pollDelayInMs({'retry-after-ms': '250'}, 2000, 30_000), 250)
    assert.equal(pollDelayInMs({'retry-after': '10'}, 2000, 30_000), 10_000)
    assert.equal(pollDelayInMs({'retry-after': '120'}, 2000, 30_000), 30_000)
    assert.equal(pollDelayInMs({'retry-after-ms': '5', 'retry-after': '10'}, 2000, 30_000), 5)
    assert.equal(pollDelayInMs({'retry-after': 'soon'}, 2000, 30_000), 2000)
    assert.equal(pollDelayInMs({}, 2000, 30_000), 2000)
  })
})

describe('ArmClient: request timeout', () => {
  it('a request with no answer in time fails as REQUEST_TIMEOUT (mapped to AZURE_UNREACHABLE, exit 7), not a hang', async () => {
    const scope = armScope().get(NS_PATH).query(API).delay(500).reply(200, {}).persist()
    const err = await testArmClient({requestTimeoutInMs: 50, maxRetries: 0})
      .get(NS_PATH, '2025-02-15')
      .catch((e: unknown) => e)
    assert.ok(err instanceof ArmRequestError)
    assert.equal(err.code, 'REQUEST_TIMEOUT')
    assert.equal(fromAzureError(err).exitCode, 7)
    scope.persist(false)
  })
})

describe('ArmClient: status codes', () => {
  it('GET 404 is undefined, not an error', async () => {
    const scope = armScope().get(NS_PATH).query(API).reply(404, armError('ResourceNotFound', 'not found'))
    assert.equal(await testArmClient().get(NS_PATH, '2025-02-15'), undefined)
    scope.done()
  })

  it('any other status ≥ 400 is an ArmRequestError carrying status, ARM code and method', async () => {
    const scope = armScope().get(NS_PATH).query(API).reply(400, armError('InvalidResourceName', 'bad name'))
    await assert.rejects(testArmClient().get(NS_PATH, '2025-02-15'), (err: unknown) => {
      assert.ok(err instanceof ArmRequestError)
      assert.equal(err.statusCode, 400)
      assert.equal(err.code, 'InvalidResourceName')
      assert.equal(err.message, 'bad name')
      assert.equal(err.method, 'GET')
      return true
    })
    scope.done()
  })

  it('retries a 429 with Retry-After: 0 inside the pipeline, then returns the 200', async () => {
    const scope = armScope()
      .get(NS_PATH)
      .query(API)
      .reply(429, armError('TooManyRequests', 'slow down'), {'Retry-After': '0'})
      .get(NS_PATH)
      .query(API)
      .reply(200, exampleBody(NS_GET))
    const ns = await testArmClient().get<{properties: {topicSpacesConfiguration: {hostname: string}}}>(
      NS_PATH,
      '2025-02-15',
    )
    assert.equal(
      ns?.properties.topicSpacesConfiguration.hostname,
      'exampleNamespaceName1.westus-1.mqtt.eventgrid-int.azure.net',
    )
    scope.done()
  })

  it('retries 500 four times, then returns the 200', async () => {
    const scope = armScope()
      .get(NS_PATH)
      .query(API)
      .times(4)
      .reply(500, armError('InternalServerError', 'oops'))
      .get(NS_PATH)
      .query(API)
      .reply(200, exampleBody(NS_GET))
    const ns = await testArmClient().get<{name: string}>(NS_PATH, '2025-02-15')
    assert.equal(ns?.name, 'exampleNamespaceName1')
    scope.done()
  })

  it('gives up after maxRetries 500s: AZURE_UNAVAILABLE, exit 7', async () => {
    const scope = armScope().get(NS_PATH).query(API).times(3).reply(500, armError('InternalServerError', 'oops'))
    const err = await testArmClient({maxRetries: 2})
      .get(NS_PATH, '2025-02-15')
      .then(
        () => assert.fail('expected a rejection'),
        (e: unknown) => e,
      )
    assert.ok(err instanceof ArmRequestError)
    assert.equal(err.statusCode, 500)
    const mapped = fromAzureError(err)
    assert.equal(mapped.code, 'AZURE_UNAVAILABLE')
    assert.equal(mapped.exitCode, 7)
    scope.done()
  })

  it('a throttle that outlasts the retries maps to THROTTLED, exit 7', async () => {
    const scope = armScope()
      .get(NS_PATH)
      .query(API)
      .times(2)
      .reply(429, armError('TooManyRequests', 'slow down'), {'Retry-After': '0'})
    const err = await testArmClient({maxRetries: 1})
      .get(NS_PATH, '2025-02-15')
      .catch((e: unknown) => e)
    assert.ok(err instanceof ArmRequestError)
    assert.equal(err.statusCode, 429)
    const mapped = fromAzureError(err)
    assert.equal(mapped.code, 'THROTTLED')
    assert.equal(mapped.exitCode, 7)
    scope.done()
  })
})

describe('ArmClient: long-running operations', () => {
  const OP = `/subscriptions/${SUB}/providers/Microsoft.EventGrid/locations/westus/operationsStatus/11111111-2222-3333-4444-555555555555`

  it('a failed Azure-AsyncOperation ending in a quota error is QUOTA_EXCEEDED (exit 6), as when ARM says it at once', async () => {
    const created = exampleBody('eventgrid/2025-04-01-preview/Namespaces_CreateOrUpdate.json', '201')
    const scope = armScope()
      .put(NS_PATH, {location: 'westus'})
      .query(API)
      .reply(201, created, {'Azure-AsyncOperation': `${ARM}${OP}?api-version=2025-02-15`})
      .get(OP)
      .query(API)
      .reply(200, {
        id: OP,
        name: '11111111-2222-3333-4444-555555555555',
        status: 'Failed',
        error: {code: 'NamespaceQuotaExceeded', message: 'Namespace quota exceeded.'},
      })
    const err = await testArmClient()
      .putAndWait('PUT', NS_PATH, '2025-02-15', {location: 'westus'})
      .catch((e: unknown) => e)
    assert.ok(err instanceof AioBridgeError)
    assert.equal(err.code, 'QUOTA_EXCEEDED')
    assert.equal(err.exitCode, 6)
    assert.equal(err.details?.armCode, 'NamespaceQuotaExceeded')
    assert.equal(err.details?.operation, `${ARM}${OP}`)
    scope.done()
  })

  it('polls the resource itself when a PUT answers with a provisioningState in progress and no header', async () => {
    const creating = exampleBody('eventgrid/2025-04-01-preview/Namespaces_CreateOrUpdate.json', '200')
    const scope = armScope()
      .put(NS_PATH, {location: 'westus'})
      .query(API)
      .reply(200, creating)
      .get(NS_PATH)
      .query(API)
      .reply(200, creating)
      .get(NS_PATH)
      .query(API)
      .times(2)
      .reply(200, exampleBody(NS_GET))
    const ns = await testArmClient().putAndWait<{properties: {provisioningState: string}}>(
      'PUT',
      NS_PATH,
      '2025-02-15',
      {location: 'westus'},
    )
    assert.equal(ns.properties.provisioningState, 'Succeeded')
    scope.done()
  })
})
