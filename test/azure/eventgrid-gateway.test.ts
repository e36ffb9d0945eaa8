import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'
import {RestError} from '@azure/core-rest-pipeline'
import type nock from 'nock'
import {fromAzureError} from '../../src/azure/arm-errors.js'
import {
  EventGridGateway,
  type NamespaceCreateBody,
  type NamespacePatchBody,
  type TopicSpaceBody,
} from '../../src/azure/eventgrid-gateway.js'
import {MANAGED_DESCRIPTION, MANAGED_TAG} from '../../src/azure/ids.js'
import {
  ARM,
  armError,
  armScope,
  example,
  exampleBody,
  exampleHeaders,
  isolateNetwork,
  testArmClient,
} from '../helpers/nock.js'

isolateNetwork({before, afterEach, after})

// The official examples' own parameters, so their response ids match the requests.
const NS_GET = 'eventgrid/2025-02-15/Namespaces_Get.json'
const NS_PUT = 'eventgrid/2025-04-01-preview/Namespaces_CreateOrUpdate.json'
const NS_DELETE = 'eventgrid/2025-04-01-preview/Namespaces_Delete.json'
const TS_PUT = 'eventgrid/2025-02-15/TopicSpaces_CreateOrUpdate.json'
const TS_GET = 'eventgrid/2025-02-15/TopicSpaces_Get.json'
const TS_DELETE = 'eventgrid/2025-04-01-preview/TopicSpaces_Delete.json'
const SUB = '8f6b6269-84f2-4d09-9e31-1127efcd1e40'
const RG = 'examplerg'
const NS = 'exampleNamespaceName1'
const TS = 'exampleTopicSpaceName1'
const NS_PATH = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.EventGrid/namespaces/${NS}`
const TS_PATH = `${NS_PATH}/topicSpaces/${TS}`
const API = {'api-version': '2025-02-15'}
const OP_ID = '6f1b1e51-0a57-4c4b-9a4d-6c3d1a1f0b2e'
const OP_PATH = `/subscriptions/${SUB}/providers/Microsoft.EventGrid/locations/westus/operationsStatus/${OP_ID}`
const HOSTNAME = 'exampleNamespaceName1.westus-1.mqtt.eventgrid-int.azure.net'

/** An Azure-AsyncOperation status body, as Event Grid returns it (reference/azure-api.md §1). */
function operation(status: string): {id: string; name: string; status: string} {
  return {id: OP_PATH, name: OP_ID, status}
}

const createBody = {
  location: 'westus',
  tags: {[MANAGED_TAG.key]: MANAGED_TAG.value},
  sku: {name: 'Standard', capacity: 1},
  properties: {topicSpacesConfiguration: {state: 'Enabled', maximumClientSessionsPerAuthenticationName: 3}},
} satisfies NamespaceCreateBody

describe('EventGridGateway: namespaces', () => {
  it('reads a namespace (the official example)', async () => {
    const scope = armScope().get(NS_PATH).query(API).reply(200, exampleBody(NS_GET))
    const ns = await new EventGridGateway(testArmClient()).getNamespace(SUB, RG, NS)
    assert.equal(ns?.location, 'West US')
    assert.equal(ns?.properties.provisioningState, 'Succeeded')
    assert.equal(ns?.properties.topicSpacesConfiguration?.hostname, HOSTNAME)
    scope.done()
  })

  it('a missing namespace is undefined', async () => {
    const scope = armScope()
      .get(NS_PATH)
      .query(API)
      .reply(404, armError('ResourceNotFound', `The Resource 'Microsoft.EventGrid/namespaces/${NS}' was not found.`))
    assert.equal(await new EventGridGateway(testArmClient()).getNamespace(SUB, RG, NS), undefined)
    scope.done()
  })

  it('PUT → 201 + Azure-AsyncOperation → InProgress → Succeeded → final GET, which carries the hostname', async () => {
    const created = example(NS_PUT).responses['201']?.body as {properties: {provisioningState: string}}
    assert.equal(created.properties.provisioningState, 'Creating')
    const scope = armScope()
      .put(NS_PATH, createBody)
      .query(API)
      .reply(201, created, {'Azure-AsyncOperation': `${ARM}${OP_PATH}?api-version=2025-02-15`, 'Retry-After': '0'})
      .get(OP_PATH)
      .query(API)
      .reply(200, operation('InProgress'), {'Retry-After': '0'})
      .get(OP_PATH)
      .query(API)
      .reply(200, operation('Succeeded'))
      .get(NS_PATH)
      .query(API)
      .reply(200, exampleBody(NS_GET))
    const ns = await new EventGridGateway(testArmClient()).createOrUpdateNamespace(SUB, RG, NS, createBody)
    assert.equal(ns.properties.provisioningState, 'Succeeded')
    assert.equal(ns.properties.topicSpacesConfiguration?.hostname, HOSTNAME)
    scope.done()
  })

  it('PATCH sends only the changed fields and waits for its operation', async () => {
    const patch = {
      properties: {topicSpacesConfiguration: {maximumClientSessionsPerAuthenticationName: 3}},
    } satisfies NamespacePatchBody
    const updated = exampleBody(NS_GET)
    updated.properties.topicSpacesConfiguration.maximumClientSessionsPerAuthenticationName = 3
    const scope = armScope()
      .patch(NS_PATH, patch)
      .query(API)
      .reply(202, undefined, {'Azure-AsyncOperation': `${ARM}${OP_PATH}?api-version=2025-02-15`})
      .get(OP_PATH)
      .query(API)
      .reply(200, operation('Succeeded'))
      .get(NS_PATH)
      .query(API)
      .reply(200, updated)
    const ns = await new EventGridGateway(testArmClient()).updateNamespace(SUB, RG, NS, patch)
    assert.equal(ns.properties.topicSpacesConfiguration?.maximumClientSessionsPerAuthenticationName, 3)
    scope.done()
  })

  it('PATCH answered 200 with a finished resource returns it without polling', async () => {
    const patch = {properties: {topicSpacesConfiguration: {state: 'Enabled'}}} satisfies NamespacePatchBody
    const scope = armScope().patch(NS_PATH, patch).query(API).reply(200, exampleBody(NS_GET))
    const ns = await new EventGridGateway(testArmClient()).updateNamespace(SUB, RG, NS, patch)
    assert.equal(ns.properties.topicSpacesConfiguration?.state, 'Enabled')
    scope.done()
  })

  it('DELETE → 202 with both headers: the SDK polls Azure-AsyncOperation (as ARM prescribes) until it succeeds, then true', async () => {
    const headers = exampleHeaders(NS_DELETE, '202')
    const op = new URL(headers['Azure-AsyncOperation'] ?? '')
    const scope = armScope()
      .delete(NS_PATH)
      .query(API)
      .reply(202, undefined, headers)
      .get(op.pathname)
      .query({'api-version': '2025-04-01-preview'})
      .reply(200, {status: 'Deleting'}, {'Retry-After': '0'})
      .get(op.pathname)
      .query({'api-version': '2025-04-01-preview'})
      .reply(200, {status: 'Succeeded'})
    assert.equal(await new EventGridGateway(testArmClient()).deleteNamespace(SUB, RG, NS), true)
    scope.done()
  })

  it('DELETE 204 or 404 means already gone: false', async () => {
    const scope = armScope()
      .delete(NS_PATH)
      .query(API)
      .reply(204)
      .delete(TS_PATH)
      .query(API)
      .reply(404, armError('ResourceNotFound', 'gone'))
    const gw = new EventGridGateway(testArmClient())
    assert.equal(await gw.deleteNamespace(SUB, RG, NS), false)
    assert.equal(await gw.deleteTopicSpace(SUB, RG, NS, TS), false)
    scope.done()
  })

  it('MissingSubscriptionRegistration on the PUT maps to PROVIDER_NOT_REGISTERED (exit 5) with the register command', async () => {
    const scope = armScope()
      .put(NS_PATH, createBody)
      .query(API)
      .reply(
        409,
        armError(
          'MissingSubscriptionRegistration',
          "The subscription is not registered to use namespace 'Microsoft.EventGrid'. See https://aka.ms/rps-not-found for how to register subscriptions.",
        ),
      )
    const err = await new EventGridGateway(testArmClient())
      .createOrUpdateNamespace(SUB, RG, NS, createBody)
      .catch((e: unknown) => e)
    assert.ok(err instanceof RestError)
    const mapped = fromAzureError(err)
    assert.equal(mapped.code, 'PROVIDER_NOT_REGISTERED')
    assert.equal(mapped.exitCode, 5)
    assert.equal(mapped.remedy, 'az provider register --namespace Microsoft.EventGrid --wait')
    assert.equal(mapped.details?.armCode, 'MissingSubscriptionRegistration')
    scope.done()
  })

  it('ResourceGroupNotFound on the PUT maps to RESOURCE_GROUP_NOT_FOUND (exit 5)', async () => {
    const scope = armScope()
      .put(NS_PATH, createBody)
      .query(API)
      .reply(404, armError('ResourceGroupNotFound', `Resource group '${RG}' could not be found.`))
    const err = await new EventGridGateway(testArmClient())
      .createOrUpdateNamespace(SUB, RG, NS, createBody)
      .catch((e: unknown) => e)
    assert.ok(err instanceof RestError)
    assert.equal(err.statusCode, 404)
    const mapped = fromAzureError(err)
    assert.equal(mapped.code, 'RESOURCE_GROUP_NOT_FOUND')
    assert.equal(mapped.exitCode, 5)
    assert.equal(mapped.message, `Resource group '${RG}' could not be found.`)
    scope.done()
  })
})

describe('EventGridGateway: topic spaces', () => {
  it('reads a topic space (the official example)', async () => {
    const scope = armScope().get(TS_PATH).query(API).reply(200, exampleBody(TS_GET))
    const ts = await new EventGridGateway(testArmClient()).getTopicSpace(SUB, RG, NS, TS)
    assert.deepEqual(ts?.properties.topicTemplates, ['filter1', 'filter2'])
    scope.done()
  })

  it('PUT sends the request body of the official example and returns its 201 body', async () => {
    const ex = example(TS_PUT)
    const body = ex.parameters.topicSpaceInfo
    const scope = armScope()
      .put(TS_PATH, body as nock.RequestBodyMatcher)
      .query(API)
      .reply(201, ex.responses['201']?.body)
    const ts = await new EventGridGateway(testArmClient()).createOrUpdateTopicSpace(
      SUB,
      RG,
      NS,
      TS,
      body as TopicSpaceBody,
    )
    assert.equal(ts.id, TS_PATH)
    assert.deepEqual(ts.properties.topicTemplates, ['filter1', 'filter2'])
    assert.equal(ts.properties.provisioningState, 'Succeeded')
    scope.done()
  })

  it('PUT with the managed description and tutorial template', async () => {
    const body = {properties: {topicTemplates: ['telemetry/#'], description: MANAGED_DESCRIPTION}}
    const reply = exampleBody(TS_PUT, '201')
    reply.properties.topicTemplates = ['telemetry/#']
    reply.properties.description = MANAGED_DESCRIPTION
    const scope = armScope().put(TS_PATH, body).query(API).reply(201, reply)
    const ts = await new EventGridGateway(testArmClient()).createOrUpdateTopicSpace(SUB, RG, NS, TS, body)
    assert.equal(ts.properties.description, MANAGED_DESCRIPTION)
    scope.done()
  })

  it('DELETE → 202 with both headers → the operation succeeds → true', async () => {
    const headers = exampleHeaders(TS_DELETE, '202')
    const op = new URL(headers['Azure-AsyncOperation'] ?? headers.Location ?? '')
    const scope = armScope()
      .delete(TS_PATH)
      .query(API)
      .reply(202, undefined, headers)
      .get(op.pathname)
      .query(true)
      .reply(200, {status: 'Succeeded'})
    assert.equal(await new EventGridGateway(testArmClient()).deleteTopicSpace(SUB, RG, NS, TS), true)
    scope.done()
  })
})

describe('EventGridGateway: waitForNamespace', () => {
  it('polls until the namespace leaves Creating, then returns it', async () => {
    const creating = exampleBody(NS_PUT, '200')
    const scope = armScope()
      .get(NS_PATH)
      .query(API)
      .times(2)
      .reply(200, creating)
      .get(NS_PATH)
      .query(API)
      .reply(200, exampleBody(NS_GET))
    const ns = await new EventGridGateway(testArmClient()).waitForNamespace(SUB, RG, NS)
    assert.equal(ns?.properties.topicSpacesConfiguration?.hostname, HOSTNAME)
    scope.done()
  })
})

describe('EventGridGateway.waitForNamespace ends on any final state', () => {
  it('a namespace that ends CreateFailed is returned at once, not polled for half an hour', async () => {
    const failed = exampleBody(NS_GET)
    failed.properties.provisioningState = 'CreateFailed'
    failed.properties.topicSpacesConfiguration.hostname = null
    const scope = armScope().get(NS_PATH).query(API).reply(200, failed)
    const ns = await new EventGridGateway(testArmClient()).waitForNamespace(SUB, RG, NS)
    assert.equal(ns?.properties.provisioningState, 'CreateFailed')
    scope.done()
  })
})
