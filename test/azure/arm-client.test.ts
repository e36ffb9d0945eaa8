import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'
import type {AccessToken, TokenCredential} from '@azure/core-auth'
import {RestError} from '@azure/core-rest-pipeline'
import nock from 'nock'
import {fromAzureError} from '../../src/azure/arm-errors.js'
import {AuthorizationGateway} from '../../src/azure/authorization-gateway.js'
import {EventGridGateway} from '../../src/azure/eventgrid-gateway.js'
import {ExtensionsGateway} from '../../src/azure/extensions-gateway.js'
import {ResourcesGateway} from '../../src/azure/resources-gateway.js'
import {cachedCredential} from '../../src/azure/token-cache.js'
import {AioBridgeError} from '../../src/errors.js'
import {ARM, armError, armScope, exampleBody, isolateNetwork, testArmClient} from '../helpers/nock.js'

isolateNetwork({before, afterEach, after})

const NS_GET = 'eventgrid/2025-02-15/Namespaces_Get.json'
const NS_PUT = 'eventgrid/2025-04-01-preview/Namespaces_CreateOrUpdate.json'
const SUB = '8f6b6269-84f2-4d09-9e31-1127efcd1e40'
const RG = 'examplerg'
const NS = 'exampleNamespaceName1'
const NS_PATH = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.EventGrid/namespaces/${NS}`
const API = {'api-version': '2025-02-15'}
const OP = `/subscriptions/${SUB}/providers/Microsoft.EventGrid/locations/westus/operationsStatus/11111111-2222-3333-4444-555555555555`
const createBody = {
  location: 'westus',
  tags: {'managed-by': 'aio-bridge'},
  sku: {name: 'Standard' as const, capacity: 1},
  properties: {topicSpacesConfiguration: {state: 'Enabled' as const, maximumClientSessionsPerAuthenticationName: 3}},
}

/** A credential that counts its calls, like AzureCliCredential's `az` spawns. */
function countingCredential(lifetimeMs = 3.6e6): TokenCredential & {calls: string[]} {
  const calls: string[] = []
  return {
    calls,
    getToken: async (scopes) => {
      calls.push([scopes].flat().join(' '))
      await new Promise((r) => setTimeout(r, 5))
      return {token: 't', expiresOnTimestamp: Date.now() + lifetimeMs}
    },
  }
}

describe('ArmClient: URLs', () => {
  it('never sends //subscriptions, from a leading-slash id nor from an endpoint with a trailing slash', async () => {
    const arm = testArmClient({endpoint: `${ARM}/`})
    const scope = armScope().get(NS_PATH).query(API).times(3).reply(200, exampleBody(NS_GET))
    const viaSdk = await new EventGridGateway(arm).getNamespace(SUB, RG, NS)
    const a = await arm.get<{name: string}>(NS_PATH, '2025-02-15')
    const b = await arm.get<{name: string}>(`//${NS_PATH.slice(1)}`, '2025-02-15')
    assert.equal(viaSdk?.name, NS)
    assert.equal(a?.name, NS)
    assert.equal(b?.name, NS)
    assert.equal(arm.endpoint, ARM)
    scope.done()
  })

  it('role assignment scopes reach the SDK without their leading slash, and $filter is encoded with %20', async () => {
    const scope = armScope()
      .get(`${NS_PATH}/providers/Microsoft.Authorization/roleAssignments`)
      .query((q) => q['api-version'] === '2022-04-01' && q.$filter === "principalId eq 'p1'")
      .reply(200, {value: []})
    const traced: string[] = []
    const arm = testArmClient({trace: (l) => traced.push(l)})
    assert.deepEqual(await new AuthorizationGateway(arm).listRoleAssignmentsForPrincipal(NS_PATH, 'p1'), [])
    const request = traced.filter((l) => l.startsWith('GET '))
    assert.equal(request.length, 1)
    assert.match(
      request[0] ?? '',
      new RegExp(
        `^GET https://management\\.azure\\.com${NS_PATH}/providers/Microsoft\\.Authorization/roleAssignments → 200 \\(\\d+ ms\\)$`,
      ),
    )
    scope.done()
  })
})

describe('ArmClient: one pipeline, one token per audience', () => {
  it('concurrent first requests through four SDK clients build one pipeline and fetch one token', async () => {
    const credential = countingCredential()
    const traced: string[] = []
    const arm = testArmClient({credential, trace: (l) => traced.push(l)})
    const scope = armScope()
      .get(`/subscriptions/${SUB}`)
      .query(true)
      .reply(200, {subscriptionId: SUB})
      .get(`/subscriptions/${SUB}/resourceGroups/${RG}`)
      .query(true)
      .reply(200, {id: `/subscriptions/${SUB}/resourceGroups/${RG}`, name: RG, location: 'westus'})
      .get(NS_PATH)
      .query(true)
      .reply(200, exampleBody(NS_GET))
      .get(`${NS_PATH}/providers/Microsoft.Authorization/roleAssignments`)
      .query(true)
      .reply(200, {value: []})
      .get(
        `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Kubernetes/connectedClusters/c/providers/Microsoft.KubernetesConfiguration/extensions`,
      )
      .query(true)
      .reply(200, {value: []})
    const resources = new ResourcesGateway(arm)
    await Promise.all([
      resources.getSubscription(SUB),
      resources.getResourceGroup(SUB, RG),
      new EventGridGateway(arm).getNamespace(SUB, RG, NS),
      new AuthorizationGateway(arm).listRoleAssignmentsForPrincipal(NS_PATH, 'p'),
      new ExtensionsGateway(arm).listClusterExtensions(SUB, RG, 'c'),
      arm.armToken(),
    ])
    assert.deepEqual(credential.calls, [`${ARM}/.default`])
    assert.equal(traced.filter((l) => l.startsWith('one pipeline')).length, 1)
    scope.done()
  })

  it('the token cache: concurrent callers share one fetch, a token near its end is fetched again, a failure is not kept', async () => {
    let now = 1_000_000
    let fail = true
    const calls: string[] = []
    const inner: TokenCredential = {
      getToken: async (s) => {
        calls.push(String(s))
        if (fail) {
          fail = false
          throw new Error('az failed once')
        }
        return {token: `t${calls.length}`, expiresOnTimestamp: now + 3_600_000} satisfies AccessToken
      },
    }
    const c = cachedCredential(inner, () => now)
    await assert.rejects(c.getToken('a/.default'), /az failed once/)
    const [x, y] = await Promise.all([c.getToken('a/.default'), c.getToken('a/.default')])
    assert.equal(x?.token, 't2')
    assert.equal(y?.token, 't2')
    assert.equal((await c.getToken('b/.default'))?.token, 't3')
    now += 3_600_000 - 60_000
    assert.equal((await c.getToken('a/.default'))?.token, 't4')
    assert.deepEqual(calls, ['a/.default', 'a/.default', 'b/.default', 'a/.default'])
    assert.equal(cachedCredential(c), c, 'wrapping a cached credential again adds no second cache')
  })
})

describe('ArmClient: the token goes only to the Resource Manager origin', () => {
  const FOREIGN = 'https://attacker.example'

  it('an Azure-AsyncOperation URL on another host is refused before it is sent (ARM_URL_UNTRUSTED, exit 7)', async () => {
    const foreign = nock(FOREIGN).get(/.*/).reply(200, {status: 'Succeeded'})
    const scope = armScope()
      .put(NS_PATH, createBody)
      .query(API)
      .reply(201, exampleBody(NS_PUT, '201'), {'Azure-AsyncOperation': `${FOREIGN}${OP}?api-version=2025-02-15`})
    const err = await new EventGridGateway(testArmClient())
      .createOrUpdateNamespace(SUB, RG, NS, createBody)
      .catch((e: unknown) => e)
    assert.ok(err instanceof AioBridgeError)
    assert.equal(err.code, 'ARM_URL_UNTRUSTED')
    assert.equal(err.exitCode, 7)
    assert.equal(foreign.isDone(), false, 'nothing was sent to the other host')
    scope.done()
  })

  it('a Location URL on another host is refused too', async () => {
    const foreign = nock(FOREIGN).get(/.*/).reply(200)
    const scope = armScope()
      .delete(NS_PATH)
      .query(API)
      .reply(202, undefined, {Location: `${FOREIGN}/operationResults/x`})
    const err = await new EventGridGateway(testArmClient()).deleteNamespace(SUB, RG, NS).catch((e: unknown) => e)
    assert.equal((err as AioBridgeError).code, 'ARM_URL_UNTRUSTED')
    assert.equal(foreign.isDone(), false)
    scope.done()
  })

  it('a nextLink on another host is refused, by the SDK pagers and by the plain list helper alike', async () => {
    const foreign = nock(FOREIGN).get(/.*/).times(2).reply(200, {value: []})
    const scope = armScope()
      .get(`${NS_PATH}/providers/Microsoft.Authorization/roleAssignments`)
      .query(true)
      .reply(200, {value: [], nextLink: `${FOREIGN}/next?page=2`})
      .get(`${NS_PATH}/topicSpaces`)
      .query(true)
      .reply(200, {value: [], nextLink: `${FOREIGN}/next?page=2`})
    const arm = testArmClient()
    const viaSdk = await new AuthorizationGateway(arm).listRoleAssignmentsAtScope(NS_PATH).catch((e: unknown) => e)
    const viaHelper = await new EventGridGateway(arm).listTopicSpaces(SUB, RG, NS).catch((e: unknown) => e)
    assert.equal((viaSdk as AioBridgeError).code, 'ARM_URL_UNTRUSTED')
    assert.equal((viaHelper as AioBridgeError).code, 'ARM_URL_UNTRUSTED')
    assert.equal(foreign.isDone(), false)
    assert.equal(foreign.pendingMocks().length, 1)
    scope.done()
    nock.cleanAll()
  })
})

describe('ArmClient: timeouts and retries', () => {
  it('a try with no answer in time fails as REQUEST_TIMEOUT (AZURE_UNREACHABLE, exit 7), not a hang', async () => {
    const scope = armScope().get(NS_PATH).query(API).delay(500).reply(200, {}).persist()
    const err = await testArmClient({requestTimeoutInMs: 50, maxRetries: 0})
      .get(NS_PATH, '2025-02-15')
      .catch((e: unknown) => e)
    assert.ok(err instanceof RestError)
    assert.equal(err.code, 'REQUEST_TIMEOUT')
    assert.equal(fromAzureError(err).exitCode, 7)
    assert.equal(fromAzureError(err).code, 'AZURE_UNREACHABLE')
    scope.persist(false)
  })

  it('the timeout bounds each try, not the retries: throttling longer than it ends in the answer, or as THROTTLED', async () => {
    const throttled = () =>
      armScope()
        .get(NS_PATH)
        .query(API)
        .times(3)
        .reply(429, armError('TooManyRequests', 'slow down'), {'retry-after-ms': '400'})
    const a = throttled().get(NS_PATH).query(API).reply(200, exampleBody(NS_GET))
    // Three waits of 400 ms outlast a 1 s bound that a single signal over all retries would have cut off.
    const ns = await testArmClient({requestTimeoutInMs: 1000, maxRetries: 3}).get<{name: string}>(NS_PATH, '2025-02-15')
    assert.equal(ns?.name, NS)
    a.done()
    throttled()
    const err = await testArmClient({requestTimeoutInMs: 1000, maxRetries: 2})
      .get(NS_PATH, '2025-02-15')
      .catch((e: unknown) => e)
    assert.ok(err instanceof RestError)
    assert.equal(fromAzureError(err).code, 'THROTTLED')
    assert.equal(fromAzureError(err).exitCode, 7)
  })
})

describe('ArmClient: status codes', () => {
  it('GET 404 is undefined, not an error', async () => {
    const scope = armScope().get(NS_PATH).query(API).reply(404, armError('ResourceNotFound', 'not found'))
    assert.equal(await testArmClient().get(NS_PATH, '2025-02-15'), undefined)
    scope.done()
  })

  it('any other status ≥ 400 is a RestError carrying status, ARM code and request', async () => {
    const scope = armScope().get(NS_PATH).query(API).reply(400, armError('InvalidResourceName', 'bad name'))
    await assert.rejects(testArmClient().get(NS_PATH, '2025-02-15'), (err: unknown) => {
      assert.ok(err instanceof RestError)
      assert.equal(err.statusCode, 400)
      assert.equal(err.code, 'InvalidResourceName')
      assert.equal(err.message, 'bad name')
      assert.equal(err.request?.method, 'GET')
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
    const ns = await new EventGridGateway(testArmClient()).getNamespace(SUB, RG, NS)
    assert.equal(
      ns?.properties.topicSpacesConfiguration?.hostname,
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
    const ns = await new EventGridGateway(testArmClient()).getNamespace(SUB, RG, NS)
    assert.equal(ns?.name, NS)
    scope.done()
  })

  it('gives up after maxRetries 500s: AZURE_UNAVAILABLE, exit 7', async () => {
    const scope = armScope().get(NS_PATH).query(API).times(3).reply(500, armError('InternalServerError', 'oops'))
    const err = await new EventGridGateway(testArmClient({maxRetries: 2})).getNamespace(SUB, RG, NS).then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    )
    assert.ok(err instanceof RestError)
    assert.equal(err.statusCode, 500)
    const mapped = fromAzureError(err)
    assert.equal(mapped.code, 'AZURE_UNAVAILABLE')
    assert.equal(mapped.exitCode, 7)
    scope.done()
  })
})

describe('ArmClient: long-running operations on the SDK pollers', () => {
  it('a failed Azure-AsyncOperation ending in a quota error is QUOTA_EXCEEDED (exit 6), as when ARM says it at once', async () => {
    const scope = armScope()
      .put(NS_PATH, createBody)
      .query(API)
      .reply(201, exampleBody(NS_PUT, '201'), {'Azure-AsyncOperation': `${ARM}${OP}?api-version=2025-02-15`})
      .get(OP)
      .query(API)
      .reply(200, {
        id: OP,
        name: '11111111-2222-3333-4444-555555555555',
        status: 'Failed',
        error: {code: 'NamespaceQuotaExceeded', message: 'Namespace quota exceeded.'},
      })
    const err = await new EventGridGateway(testArmClient())
      .createOrUpdateNamespace(SUB, RG, NS, createBody)
      .catch((e: unknown) => e)
    assert.ok(err instanceof AioBridgeError)
    assert.equal(err.code, 'QUOTA_EXCEEDED')
    assert.equal(err.exitCode, 6)
    assert.equal(err.details?.armCode, 'NamespaceQuotaExceeded')
    assert.equal(err.details?.operation, `${ARM}${OP}`)
    scope.done()
  })

  it('polls the resource itself when a PUT answers with a provisioningState in progress and no header', async () => {
    const creating = exampleBody(NS_PUT, '200')
    const scope = armScope()
      .put(NS_PATH, createBody)
      .query(API)
      .reply(200, creating)
      .get(NS_PATH)
      .query(API)
      .reply(200, creating)
      .get(NS_PATH)
      .query(API)
      .reply(200, exampleBody(NS_GET))
    const ns = await new EventGridGateway(testArmClient()).createOrUpdateNamespace(SUB, RG, NS, createBody)
    assert.equal(ns.properties.provisioningState, 'Succeeded')
    scope.done()
  })

  it('Ctrl-C stops the wait, never the write: the PUT completes, then the poll is abandoned', async () => {
    const ac = new AbortController()
    let submitted = false
    const scope = armScope()
      .put(NS_PATH, createBody)
      .query(API)
      .reply(() => {
        ac.abort()
        return [201, exampleBody(NS_PUT, '201'), {'Azure-AsyncOperation': `${ARM}${OP}?api-version=2025-02-15`}]
      })
    const poll = armScope().get(OP).query(API).reply(200, {status: 'InProgress'})
    const err = await new EventGridGateway(testArmClient())
      .createOrUpdateNamespace(SUB, RG, NS, createBody, {onSubmitted: () => (submitted = true), abortSignal: ac.signal})
      .catch((e: unknown) => e)
    assert.equal((err as Error).name, 'AbortError')
    assert.equal(submitted, true, 'the write was sent and accepted although the signal fired during it')
    assert.equal(poll.isDone(), false, 'no poll after the interrupt')
    scope.done()
    nock.cleanAll()
  })
})
