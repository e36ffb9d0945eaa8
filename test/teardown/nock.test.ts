import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'
import type nock from 'nock'
import {roleAssignmentName} from '../../src/azure/ids.js'
import {AioBridgeError, ExitCode} from '../../src/errors.js'
import {deploymentRecordTags} from '../../src/model/bridge-record.js'
import type {TeardownPlan} from '../../src/plan/teardown-plan.js'
import {RecordingReporter} from '../../src/setup/reporter.js'
import {runTeardown} from '../../src/teardown/run-teardown.js'
import {armError, armScope, isolateNetwork, RequestLog, testArmClient} from '../helpers/nock.js'
import {
  API_AIO,
  assignment,
  DATAFLOW_IDS,
  DEPLOYMENT_NAME,
  dataflow,
  ENDPOINT_ID,
  endpoint,
  HOSTNAME,
  INSTANCE,
  INSTANCE_ID,
  model,
  NS_ID,
  namespace,
  RG,
  SUB,
  TS_ID,
  teardownConfig,
  topicSpace,
} from './fixtures.js'

isolateNetwork({before, afterEach, after})

const EG = {'api-version': '2025-02-15'}
const AIO = {'api-version': API_AIO}
const DEP = {'api-version': '2025-04-01'}
const AUTH = '2022-04-01'
const DEPLOYMENT_PATH = `/subscriptions/${SUB}/resourcegroups/${RG}/providers/Microsoft.Resources/deployments/${DEPLOYMENT_NAME}`
const INSTANCES_PATH = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.IoTOperations/instances`
const ROLES_PATH = `${TS_ID}/providers/Microsoft.Authorization/roleAssignments`
const OP =
  'https://management.azure.com/subscriptions/x/providers/Microsoft.EventGrid/locations/westus2/operationsStatus/op1'

const config = teardownConfig

const recording = () => {
  const rec = new RecordingReporter()
  return {rec, factory: async () => Object.assign(rec, {finish: async () => {}})}
}

/** GETs of the state setup leaves (each piece present or 404). */
function reads(
  scope: nock.Scope,
  present: {
    ns?: boolean
    ts?: boolean
    /** The namespace's topic spaces (default: the one setup made, when `ts`). */
    topicSpaces?: unknown[]
    /** false: the test answers the topic space list itself. */
    listed?: boolean
    roles?: unknown[]
    deployment?: boolean
    resources?: boolean
    outputResources?: string[]
    /** The deployment's tags (default: the record setup writes for this namespace; null: none, an older aio-bridge). */
    tags?: Record<string, string> | null
    /** Bodies of the endpoint and dataflows by id (default: as setup leaves them). */
    bodies?: Record<string, unknown>
  } = {},
): nock.Scope {
  const p = {ns: true, ts: true, deployment: true, resources: true, ...present}
  scope
    .get(NS_ID)
    .query(EG)
    .reply(p.ns ? 200 : 404, p.ns ? namespace() : armError('ResourceNotFound', 'gone'))
  scope
    .get(TS_ID)
    .query(EG)
    .reply(p.ts ? 200 : 404, p.ts ? topicSpace() : armError('ResourceNotFound', 'gone'))
  if (p.ns && p.listed !== false) {
    scope
      .get(`${NS_ID}/topicSpaces`)
      .query(EG)
      .reply(200, {value: p.topicSpaces ?? (p.ts ? [topicSpace()] : [])})
  }
  if (p.ts) {
    scope
      .get(ROLES_PATH)
      .query({'api-version': AUTH, $filter: 'atScope()'})
      .reply(200, {value: p.roles ?? [assignment('publisher'), assignment('subscriber')]})
  }
  scope
    .get(INSTANCES_PATH)
    .query(AIO)
    .reply(200, {value: [{id: INSTANCE_ID, name: INSTANCE, extendedLocation: {name: 'cl', type: 'CustomLocation'}}]})
  scope
    .get(DEPLOYMENT_PATH)
    .query(DEP)
    .reply(
      p.deployment ? 200 : 404,
      p.deployment
        ? {
            id: DEPLOYMENT_PATH,
            name: DEPLOYMENT_NAME,
            ...(p.tags === null ? {} : {tags: p.tags ?? deploymentRecordTags(NS_ID, `${HOSTNAME}:8883`)}),
            properties: {
              provisioningState: 'Succeeded',
              outputResources: (p.outputResources ?? []).map((id) => ({id})),
            },
          }
        : armError('DeploymentNotFound', 'not found'),
    )
  const ids = p.outputResources ?? [ENDPOINT_ID, DATAFLOW_IDS['local-to-remote'], DATAFLOW_IDS['remote-to-local']]
  for (const id of ids.filter((i) => /\/(dataflowEndpoints|dataflows)\/[^/]+$/.test(i))) {
    const body =
      p.bodies?.[id] ??
      (id.includes('/dataflowEndpoints/')
        ? {...endpoint(), id}
        : id.endsWith('local-to-remote')
          ? dataflow('local-to-remote')
          : dataflow('remote-to-local'))
    scope
      .get(id)
      .query(AIO)
      .reply(p.resources ? 200 : 404, p.resources ? body : armError('ResourceNotFound', 'gone'))
  }
  return scope
}

describe('teardown against ARM (nock)', () => {
  it('after setup: reads, then deletes in reverse dependency order, waiting on each long-running delete', async () => {
    const log = new RequestLog()
    const scope = log.watch(reads(armScope()))
    const deletes: string[] = []
    const del = (path: string, query: Record<string, string>, status: number, headers?: Record<string, string>) =>
      scope
        .delete(path)
        .query(query)
        .reply(() => {
          deletes.push(path)
          return [status, undefined, headers]
        })
    del(DATAFLOW_IDS['local-to-remote'], AIO, 202, {location: `${OP}/a`, 'retry-after': '0'})
    del(DATAFLOW_IDS['remote-to-local'], AIO, 202, {location: `${OP}/b`, 'retry-after': '0'})
    scope.get('/subscriptions/x/providers/Microsoft.EventGrid/locations/westus2/operationsStatus/op1/a').reply(200, {})
    scope.get('/subscriptions/x/providers/Microsoft.EventGrid/locations/westus2/operationsStatus/op1/b').reply(200, {})
    del(ENDPOINT_ID, AIO, 200)
    del(DEPLOYMENT_PATH, DEP, 204)
    del(`${ROLES_PATH}/${assignment('publisher').name}`, {'api-version': AUTH}, 200)
    del(`${ROLES_PATH}/${assignment('subscriber').name}`, {'api-version': AUTH}, 200)
    del(TS_ID, EG, 202, {'azure-asyncoperation': `${OP}/ts`, 'retry-after': '0'})
    scope
      .get('/subscriptions/x/providers/Microsoft.EventGrid/locations/westus2/operationsStatus/op1/ts')
      .reply(200, {status: 'Succeeded'})
    del(NS_ID, EG, 202, {'azure-asyncoperation': `${OP}/ns`, 'retry-after': '0'})
    scope
      .get('/subscriptions/x/providers/Microsoft.EventGrid/locations/westus2/operationsStatus/op1/ns')
      .reply(200, {status: 'Succeeded'})

    const {rec, factory} = recording()
    let confirmed: TeardownPlan | undefined
    const r = await runTeardown(testArmClient(), config(), {
      model: model(),
      reporter: factory,
      confirm: async (plan) => {
        confirmed = plan
        return true
      },
    })
    scope.done()
    log.stop()
    assert.deepEqual(log.unmatched, [])
    assert.equal(confirmed?.deletions.length, 8)
    // The two dataflows go together; everything else strictly after what depends on it.
    assert.deepEqual(
      deletes.slice(0, 2).sort(),
      [DATAFLOW_IDS['local-to-remote'], DATAFLOW_IDS['remote-to-local']].sort(),
    )
    assert.deepEqual(deletes.slice(2), [
      ENDPOINT_ID,
      DEPLOYMENT_PATH,
      ...[`${ROLES_PATH}/${assignment('publisher').name}`, `${ROLES_PATH}/${assignment('subscriber').name}`].sort(
        (a, b) => deletes.indexOf(a) - deletes.indexOf(b),
      ),
      TS_ID,
      NS_ID,
    ])
    assert.ok(deletes.indexOf(`${ROLES_PATH}/${assignment('publisher').name}`) < deletes.indexOf(TS_ID))
    assert.equal(r.confirmed, true)
    assert.equal(r.dryRun, false)
    assert.deepEqual(
      r.deletions.map((d) => d.outcome),
      ['deleted', 'deleted', 'deleted', 'already-gone', 'deleted', 'deleted', 'deleted', 'deleted'],
    )
    assert.equal(rec.events.filter((e) => e.kind === 'end').length, 8)
    assert.equal(rec.events.filter((e) => e.kind === 'fail').length, 0)
  })

  it('a second teardown reads, finds nothing, and sends no DELETE (and does not ask)', async () => {
    const scope = reads(armScope(), {ns: false, ts: false, deployment: false, resources: false})
    let asked = false
    const r = await runTeardown(testArmClient(), config(), {
      model: model(),
      confirm: async () => {
        asked = true
        return true
      },
    })
    scope.done()
    assert.equal(asked, false)
    assert.deepEqual(r.deletions, [])
    assert.equal(r.confirmed, true)
  })

  it('uses the deployment’s own output resources when it lists them (names setup used, not today’s flags)', async () => {
    const customEp = `${INSTANCE_ID}/dataflowEndpoints/eg-custom`
    // Made by setup --endpoint-name eg-custom: the dataflow uses that endpoint.
    const l2r = dataflow('local-to-remote')
    const ops = (l2r.properties as {operations: Array<{destinationSettings?: {endpointRef: string}}>}).operations
    for (const op of ops) if (op.destinationSettings) op.destinationSettings.endpointRef = 'eg-custom'
    const scope = reads(armScope(), {
      ns: false,
      ts: false,
      outputResources: [customEp, DATAFLOW_IDS['local-to-remote'], `${INSTANCE_ID}/dataflowProfiles/default`],
      bodies: {[DATAFLOW_IDS['local-to-remote']]: l2r},
    })
    const r = await runTeardown(testArmClient(), config(), {model: model(), dryRun: true})
    scope.done()
    assert.deepEqual(
      r.deletions.map((d) => `${d.kind}:${d.name}:${d.outcome}`),
      [
        'dataflow:local-to-remote:would-delete',
        'dataflowEndpoint:eg-custom:would-delete',
        `deployment:${DEPLOYMENT_NAME}:would-delete`,
      ],
    )
  })

  it('--dry-run reads and sends no DELETE', async () => {
    const scope = reads(armScope())
    const r = await runTeardown(testArmClient(), config(), {
      model: model(),
      dryRun: true,
      confirm: async () => assert.fail('no prompt in a dry run'),
    })
    scope.done()
    assert.equal(r.dryRun, true)
    assert.equal(r.deletions.length, 8)
    assert.ok(r.deletions.every((d) => d.outcome === 'would-delete'))
  })

  it('answered no: nothing is deleted, and the result says so', async () => {
    const scope = reads(armScope())
    const r = await runTeardown(testArmClient(), config(), {model: model(), confirm: async () => false})
    scope.done()
    assert.equal(r.confirmed, false)
    assert.ok(r.deletions.every((d) => d.outcome === 'not-run'))
  })

  it('a confirmation that throws (no terminal, no --yes) stops before any DELETE', async () => {
    const scope = reads(armScope())
    await assert.rejects(
      runTeardown(testArmClient(), config(), {
        model: model(),
        confirm: async () => {
          throw new AioBridgeError('TEARDOWN_CONFIRM_REQUIRED', 'needs --yes', {exitCode: ExitCode.usage})
        },
      }),
      (e: AioBridgeError) => e.code === 'TEARDOWN_CONFIRM_REQUIRED',
    )
    scope.done()
  })

  it('the user’s namespace and a hand-made assignment are read and kept: no DELETE for them', async () => {
    const byHand = assignment('publisher', {name: '0b7c5d1e-0000-4000-8000-000000000001'})
    const scope = armScope()
    scope
      .get(NS_ID)
      .query(EG)
      .reply(200, namespace({managed: false}))
    scope
      .get(TS_ID)
      .query(EG)
      .reply(200, topicSpace({managed: false}))
    scope
      .get(ROLES_PATH)
      .query({'api-version': AUTH, $filter: 'atScope()'})
      .reply(200, {value: [byHand, assignment('subscriber')]})
    scope.get(INSTANCES_PATH).query(AIO).reply(200, {value: []})
    scope
      .delete(`${ROLES_PATH}/${assignment('subscriber').name}`)
      .query({'api-version': AUTH})
      .reply(204)
    const r = await runTeardown(testArmClient(), config(), {model: model()})
    scope.done()
    assert.deepEqual(
      r.deletions.map((d) => [d.kind, d.outcome]),
      [['roleAssignment', 'already-gone']],
    )
    assert.deepEqual(r.kept.map((k) => k.kind).sort(), ['namespace', 'roleAssignment', 'topicSpace'])
  })

  it('a failure half way is typed, names what was deleted, and stops before the next phase', async () => {
    const scope = reads(armScope(), {deployment: false, resources: false})
    scope
      .delete(`${ROLES_PATH}/${assignment('publisher').name}`)
      .query({'api-version': AUTH})
      .reply(200)
    scope
      .delete(`${ROLES_PATH}/${assignment('subscriber').name}`)
      .query({'api-version': AUTH})
      .reply(
        403,
        armError(
          'AuthorizationFailed',
          'The client does not have authorization to perform action Microsoft.Authorization/roleAssignments/delete',
        ),
      )
    const {rec, factory} = recording()
    await assert.rejects(
      runTeardown(testArmClient(), config(), {model: model(), reporter: factory}),
      (e: AioBridgeError) => {
        assert.equal(e.code, 'FORBIDDEN')
        assert.equal(e.exitCode, ExitCode.forbidden)
        assert.match(e.remedy ?? '', /Role Based Access Control Administrator/)
        assert.match(e.progress ?? '', /Role EventGrid TopicSpaces Publisher .*: deleted/)
        assert.match(e.progress ?? '', /teardown' again/)
        return true
      },
    )
    scope.done() // no DELETE of the topic space or the namespace was made (nock would refuse it)
    assert.deepEqual(
      rec.events
        .filter((e) => e.kind !== 'begin')
        .map((e) => `${e.kind}:${e.step.split(':')[0]}`)
        .sort(),
      ['end:roleAssignment', 'fail:roleAssignment', 'skip:namespace', 'skip:topicSpace'],
    )
  })

  it('a failed long-running delete reports the ARM error code', async () => {
    const scope = reads(armScope(), {ts: false, deployment: false, resources: false})
    scope
      .delete(NS_ID)
      .query(EG)
      .reply(202, undefined, {'azure-asyncoperation': `${OP}/f`, 'retry-after': '0'})
    scope
      .get('/subscriptions/x/providers/Microsoft.EventGrid/locations/westus2/operationsStatus/op1/f')
      .reply(200, {status: 'Failed', error: {code: 'NamespaceDeleteBlocked', message: 'blocked'}})
    await assert.rejects(runTeardown(testArmClient(), config(), {model: model()}), (e: AioBridgeError) => {
      assert.equal(e.code, 'OPERATION_FAILED')
      assert.match(e.message, /NamespaceDeleteBlocked/)
      assert.equal(e.progress, 'Nothing was deleted.')
      return true
    })
    scope.done()
  })

  it('an abort between phases stops with INTERRUPTED after the phase in flight', async () => {
    const ac = new AbortController()
    const scope = reads(armScope(), {deployment: false, resources: false})
    scope
      .delete(`${ROLES_PATH}/${assignment('publisher').name}`)
      .query({'api-version': AUTH})
      .reply(() => {
        ac.abort()
        return [200]
      })
    scope
      .delete(`${ROLES_PATH}/${assignment('subscriber').name}`)
      .query({'api-version': AUTH})
      .reply(200)
    await assert.rejects(
      runTeardown(testArmClient(), config(), {model: model(), signal: ac.signal}),
      (e: AioBridgeError) => {
        assert.equal(e.code, 'INTERRUPTED')
        assert.equal(e.exitCode, ExitCode.interrupted)
        return true
      },
    )
    scope.done()
  })

  it('the topic space gone: no assignment list at its scope (it would 404), the namespace still goes', async () => {
    const scope = reads(armScope(), {ts: false, deployment: false, resources: false})
    scope.delete(NS_ID).query(EG).reply(200)
    const r = await runTeardown(testArmClient(), config(), {model: model()})
    scope.done()
    assert.deepEqual(
      r.deletions.map((d) => d.kind),
      ['namespace'],
    )
  })

  it('reads every page of the namespace’s topic spaces: one someone else made, on page 2, keeps the namespace', async () => {
    const scope = reads(armScope(), {ts: false, deployment: false, resources: false, listed: false})
    const theirs = {...topicSpace({managed: false}), id: `${NS_ID}/topicSpaces/factory`, name: 'factory'}
    scope
      .get(`${NS_ID}/topicSpaces`)
      .query(EG)
      .reply(200, {value: [], nextLink: `https://management.azure.com${NS_ID}/topicSpaces?page=2`})
    scope
      .get(`${NS_ID}/topicSpaces`)
      .query({page: '2'})
      .reply(200, {value: [theirs]})
    const r = await runTeardown(testArmClient(), config(), {model: model()})
    scope.done()
    assert.deepEqual(r.deletions, [])
    assert.match(r.kept.find((k) => k.kind === 'namespace')?.reason ?? '', /holds topic space 'factory'/)
  })

  it('assignment names are the ones setup derives (a sanity link to ids.ts)', () => {
    assert.equal(
      assignment('publisher').name,
      roleAssignmentName(TS_ID, 'a12b0b94-b317-4dcd-84a8-502ce99884c6', assignment('publisher').properties.principalId),
    )
  })
})
