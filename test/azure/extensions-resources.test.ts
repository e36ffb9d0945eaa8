import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'
import {RestError} from '@azure/core-rest-pipeline'
import {fromAzureError, looksLikeAzureError} from '../../src/azure/arm-errors.js'
import {type ClusterExtension, ExtensionsGateway, iotOperationsExtensions} from '../../src/azure/extensions-gateway.js'
import {ResourcesGateway} from '../../src/azure/resources-gateway.js'
import {ARM, armError, armScope, exampleBody, isolateNetwork, testArmClient} from '../helpers/nock.js'

isolateNetwork({before, afterEach, after})

const LIST = 'kubernetesconfiguration/2024-11-01/ListExtensions.json'
const SUB = '8f6b6269-84f2-4d09-9e31-1127efcd1e40'
const RG = 'rg1'
const CLUSTER = 'clusterName1'
const EXT_PATH = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Kubernetes/connectedClusters/${CLUSTER}/providers/Microsoft.KubernetesConfiguration/extensions`
const PRINCIPAL = 'aaaaaaaa-1111-2222-3333-444444444444'

/** The official example's first item, turned into an IoT Operations extension with a system identity. */
function iotOpsExtension(extensionType = 'microsoft.iotoperations'): ClusterExtension {
  const item = exampleBody(LIST).value[0]
  item.id = `${EXT_PATH}/azure-iot-operations-x1`
  item.name = 'azure-iot-operations-x1'
  item.properties.extensionType = extensionType
  item.identity = {type: 'SystemAssigned', principalId: PRINCIPAL, tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47'}
  return item
}

describe('ExtensionsGateway.listClusterExtensions', () => {
  it('follows nextLink across two pages', async () => {
    const page1 = exampleBody(LIST)
    const next = `${ARM}${EXT_PATH}?api-version=2023-05-01&$skipToken=page2`
    page1.nextLink = next
    const page2 = {value: [iotOpsExtension('Microsoft.IoTOperations')], nextLink: null}
    const scope = armScope()
      .get(EXT_PATH)
      .query({'api-version': '2023-05-01'})
      .reply(200, page1)
      .get(EXT_PATH)
      .query({'api-version': '2023-05-01', $skipToken: 'page2'})
      .reply(200, page2)
    const all = await new ExtensionsGateway(testArmClient()).listClusterExtensions(SUB, RG, CLUSTER)
    assert.deepEqual(
      all.map((e) => e.name),
      ['ClusterMonitor', 'App1Monitor', 'azureVote', 'azure-iot-operations-x1'],
    )
    assert.deepEqual(
      iotOperationsExtensions(all).map((e) => e.identity?.principalId),
      [PRINCIPAL],
    )
    scope.done()
  })

  it('a missing cluster is a RestError 404 (setup turns it into CLUSTER_NOT_FOUND)', async () => {
    const scope = armScope()
      .get(EXT_PATH)
      .query({'api-version': '2023-05-01'})
      .reply(
        404,
        armError('ResourceNotFound', `The Resource 'Microsoft.Kubernetes/connectedClusters/${CLUSTER}' was not found.`),
      )
    const err = await new ExtensionsGateway(testArmClient())
      .listClusterExtensions(SUB, RG, CLUSTER)
      .catch((e: unknown) => e)
    assert.ok(err instanceof RestError)
    assert.equal(err.statusCode, 404)
    assert.equal(err.code, 'ResourceNotFound')
    scope.done()
  })
})

describe('iotOperationsExtensions', () => {
  it('compares extensionType without regard to case and skips the others', () => {
    const list = [
      ...exampleBody(LIST).value,
      iotOpsExtension('MICROSOFT.IOTOPERATIONS'),
      iotOpsExtension('microsoft.iotoperations.platform'),
    ]
    assert.deepEqual(
      iotOperationsExtensions(list).map((e) => e.properties?.extensionType),
      ['MICROSOFT.IOTOPERATIONS'],
    )
  })
})

describe('ResourcesGateway', () => {
  it('reads subscription, resource group and provider registration; a missing group is undefined', async () => {
    const scope = armScope()
      .get(`/subscriptions/${SUB}`)
      .query({'api-version': '2022-12-01'})
      .reply(200, {id: `/subscriptions/${SUB}`, subscriptionId: SUB, displayName: 'dev', state: 'Enabled'})
      .get(`/subscriptions/${SUB}/resourceGroups/${RG}`)
      .query({'api-version': '2021-04-01'})
      .reply(200, {id: `/subscriptions/${SUB}/resourceGroups/${RG}`, name: RG, location: 'westus2'})
      .get(`/subscriptions/${SUB}/resourceGroups/missing`)
      .query({'api-version': '2021-04-01'})
      .reply(404, armError('ResourceGroupNotFound', "Resource group 'missing' could not be found."))
      .get(`/subscriptions/${SUB}/providers/Microsoft.EventGrid`)
      .query({'api-version': '2021-04-01'})
      .reply(200, {
        id: `/subscriptions/${SUB}/providers/Microsoft.EventGrid`,
        namespace: 'Microsoft.EventGrid',
        registrationState: 'NotRegistered',
      })
    const gw = new ResourcesGateway(testArmClient())
    assert.equal((await gw.getSubscription(SUB))?.state, 'Enabled')
    assert.equal((await gw.getResourceGroup(SUB, RG))?.location, 'westus2')
    assert.equal(await gw.getResourceGroup(SUB, 'missing'), undefined)
    assert.equal(await gw.getProviderRegistration(SUB, 'Microsoft.EventGrid'), 'NotRegistered')
    scope.done()
  })
})

describe('fromAzureError', () => {
  const err = (statusCode: number | undefined, code: string | undefined, message = 'm', name = 'RestError') =>
    Object.assign(new Error(message), {name, statusCode, code})

  it('maps status and ARM code, never the message text, to a code and exit code', () => {
    const cases: Array<[ReturnType<typeof err>, string, number]> = [
      [err(401, 'InvalidAuthenticationToken'), 'NOT_LOGGED_IN', 3],
      [err(undefined, undefined, 'no az', 'CredentialUnavailableError'), 'NOT_LOGGED_IN', 3],
      [err(403, 'AuthorizationFailed'), 'FORBIDDEN', 4],
      [err(409, 'MissingSubscriptionRegistration'), 'PROVIDER_NOT_REGISTERED', 5],
      [err(404, 'ResourceGroupNotFound'), 'RESOURCE_GROUP_NOT_FOUND', 5],
      [err(404, 'SubscriptionNotFound'), 'SUBSCRIPTION_NOT_FOUND', 5],
      [err(409, 'NamespaceQuotaExceeded'), 'QUOTA_EXCEEDED', 6],
      [err(409, 'NamespaceNameNotAvailable'), 'NAME_TAKEN', 6],
      [err(409, 'Conflict'), 'CONFLICT', 6],
      [err(429, 'TooManyRequests'), 'THROTTLED', 7],
      [err(503, 'ServiceUnavailable'), 'AZURE_UNAVAILABLE', 7],
      [err(undefined, 'ECONNREFUSED'), 'AZURE_UNREACHABLE', 7],
      [err(400, 'InvalidRequestContent'), 'AZURE_REQUEST_REJECTED', 7],
    ]
    for (const [e, code, exit] of cases) {
      const mapped = fromAzureError(e)
      assert.equal(mapped.code, code, `${e.name} ${e.statusCode} ${e.code}`)
      assert.equal(mapped.exitCode, exit, code)
      assert.ok(mapped.remedy && mapped.remedy.length > 0, code)
    }
  })

  it('a 403 with no context names Contributor', () => {
    const mapped = fromAzureError(err(403, 'AuthorizationFailed'))
    assert.match(mapped.remedy ?? '', /--role "Contributor" --scope <scope>$/)
  })

  it('recognises Azure errors by name only', () => {
    assert.equal(looksLikeAzureError(err(500, 'x', 'm', 'RestError')), true)
    assert.equal(looksLikeAzureError(err(500, 'x', 'm', 'CredentialUnavailableError')), true)
    assert.equal(looksLikeAzureError(err(500, 'x', 'm', 'ArmRequestError')), false)
    assert.equal(looksLikeAzureError(new Error('Azure said no')), false)
    assert.equal(looksLikeAzureError({name: 'RestError', message: 'not an Error'}), false)
  })
})
