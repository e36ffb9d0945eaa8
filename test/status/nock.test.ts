import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'
import {RestError} from '@azure/core-rest-pipeline'
import {assessStatus} from '../../src/plan/status.js'
import {observeStatus} from '../../src/status/observe.js'
import {armError, armScope, isolateNetwork, RequestLog, testArmClient} from '../helpers/nock.js'
import {
  assignment,
  DATAFLOW_IDS,
  dataflow,
  ENDPOINT_ID,
  endpoint,
  INSTANCE,
  NS_ID,
  namespace,
  PRINCIPAL,
  statusConfig,
  TS_ID,
  topicSpace,
} from '../teardown/fixtures.js'
import {AIO, EG, EXTENSIONS, extension, GROUP, INSTANCES, instance, ROLES, withGroup, world} from './world.js'

isolateNetwork({before, afterEach, after})

const config = statusConfig

describe('status against ARM (nock)', () => {
  it('reads each piece once, only with GETs, and finds setup’s world clean', async () => {
    const log = new RequestLog()
    const scope = log.watch(world(armScope()))
    const observed = await observeStatus(testArmClient(), config())
    scope.done()
    log.stop()
    assert.ok(log.requests.every((r) => r.startsWith('GET ')))
    assert.equal(log.requests.length, 9)
    assert.equal(observed.iotOps.instance, INSTANCE)
    const a = assessStatus(config(), observed)
    assert.deepEqual(a.gaps, [])
    assert.equal(a.clean, true)
  })

  it('follows nextLink on the assignment list and sees an inherited assignment', async () => {
    const scope = armScope()
    withGroup(scope)
    scope.get(NS_ID).query(EG).reply(200, namespace())
    scope.get(TS_ID).query(EG).reply(200, topicSpace())
    scope
      .get(EXTENSIONS)
      .query({'api-version': '2023-05-01'})
      .reply(200, {value: [extension]})
    scope
      .get(ROLES)
      .query({'api-version': '2022-04-01', $filter: `principalId eq '${PRINCIPAL}'`})
      .reply(200, {
        value: [assignment('publisher', {scope: NS_ID, name: 'x'})],
        nextLink: `https://management.azure.com${ROLES}?page=2`,
      })
    scope
      .get(ROLES)
      .query({page: '2'})
      .reply(200, {value: [assignment('subscriber')]})
    scope
      .get(INSTANCES)
      .query(AIO)
      .reply(200, {value: [instance()]})
    scope.get(ENDPOINT_ID).query(AIO).reply(200, endpoint())
    scope.get(DATAFLOW_IDS['local-to-remote']).query(AIO).reply(200, dataflow('local-to-remote'))
    scope.get(DATAFLOW_IDS['remote-to-local']).query(AIO).reply(200, dataflow('remote-to-local'))
    const a = assessStatus(config(), await observeStatus(testArmClient(), config()))
    scope.done()
    assert.equal(a.clean, true)
    assert.match(a.checks.find((c) => c.id === 'role.publisher')?.detail ?? '', /inherited from the namespace/)
  })

  it('a cluster that does not exist is a gap (principal), not a crash; the assignments are not listed', async () => {
    const scope = world(armScope(), {extensions: [404, armError('ResourceNotFound', 'no cluster')]})
    const a = assessStatus(config(), await observeStatus(testArmClient(), config()))
    scope.done()
    assert.deepEqual(a.gaps, ['principal'])
    assert.match(a.checks.find((c) => c.id === 'principal')?.fix ?? '', /az connectedk8s list/)
  })

  it('a cluster without IoT Operations is a gap with the extension error’s remedy', async () => {
    const scope = world(armScope(), {extensions: [200, {value: []}], roles: false})
    const a = assessStatus(config(), await observeStatus(testArmClient(), config()))
    scope.done()
    assert.deepEqual(a.gaps, ['principal'])
    assert.match(a.checks.find((c) => c.id === 'principal')?.detail ?? '', /no microsoft\.iotoperations extension/)
  })

  it('two instances and no --instance: the instance check says which to pick; --instance picks one', async () => {
    const scope = world(armScope(), {instances: [instance(), instance('aio-2')], noIotOpsReads: true})
    const a = assessStatus(config(), await observeStatus(testArmClient(), config()))
    scope.done()
    assert.deepEqual(a.gaps, ['instance'])
    assert.match(a.checks.find((c) => c.id === 'instance')?.fix ?? '', /--instance/)

    const scope2 = world(armScope(), {instances: [instance('aio-2'), instance()]})
    const b = assessStatus(
      config({instance: INSTANCE}),
      await observeStatus(testArmClient(), config({instance: INSTANCE})),
    )
    scope2.done()
    assert.equal(b.clean, true)
  })

  it('the IoT Operations provider missing from the group (404 on the list) is "no instance", a gap', async () => {
    const scope = armScope()
    withGroup(scope)
    scope.get(NS_ID).query(EG).reply(200, namespace())
    scope.get(TS_ID).query(EG).reply(200, topicSpace())
    scope.get(INSTANCES).query(AIO).reply(404, armError('ResourceGroupNotFound', 'gone'))
    const a = assessStatus(
      config({cluster: undefined}),
      await observeStatus(testArmClient(), config({cluster: undefined})),
    )
    scope.done()
    assert.deepEqual(a.gaps, ['instance'])
  })

  it('a permission error is not a gap: it propagates (the command maps it to exit 4)', async () => {
    const scope = armScope()
    withGroup(scope)
    scope.get(NS_ID).query(EG).reply(403, armError('AuthorizationFailed', 'no read'))
    scope.get(TS_ID).query(EG).reply(200, topicSpace())
    scope.get(INSTANCES).query(AIO).reply(200, {value: []})
    await assert.rejects(
      observeStatus(testArmClient(), config({cluster: undefined})),
      (e: unknown) => e instanceof RestError && e.statusCode === 403,
    )
    scope.done()
  })
})

describe('status when the resource group is missing', () => {
  it('names the group (RESOURCE_GROUP_NOT_FOUND, exit 5) instead of reporting every piece as a gap', async () => {
    const scope = armScope()
    scope.get(GROUP).query({'api-version': '2021-04-01'}).reply(404, armError('ResourceGroupNotFound', 'no group'))
    scope.get(NS_ID).query(EG).reply(404, armError('ResourceGroupNotFound', 'no group'))
    scope.get(TS_ID).query(EG).reply(404, armError('ResourceGroupNotFound', 'no group'))
    scope.get(INSTANCES).query(AIO).reply(404, armError('ResourceGroupNotFound', 'no group'))
    await assert.rejects(
      observeStatus(testArmClient(), config({cluster: undefined})),
      (e: unknown) =>
        (e as {code?: string; exitCode?: number}).code === 'RESOURCE_GROUP_NOT_FOUND' &&
        (e as {exitCode?: number}).exitCode === 5,
    )
    scope.done()
  })
})
