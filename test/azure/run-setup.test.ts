import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'
import type nock from 'nock'
import type {RoleAssignment} from '../../src/azure/authorization-gateway.js'
import type {ClusterExtension} from '../../src/azure/extensions-gateway.js'
import {MANAGED_DESCRIPTION, MANAGED_TAG, ROLES, roleAssignmentName} from '../../src/azure/ids.js'
import {type BridgeFlags, resolveBridgeConfig} from '../../src/config/bridge-config.js'
import {AioBridgeError} from '../../src/errors.js'
import {RecordingReporter} from '../../src/setup/reporter.js'
import {runSetup} from '../../src/setup/run-setup.js'
import {ARM, armError, armScope, exampleBody, isolateNetwork, RequestLog, testArmClient} from '../helpers/nock.js'

isolateNetwork({before, afterEach, after})

const NS_GET = 'eventgrid/2025-02-15/Namespaces_Get.json'
const NS_PUT = 'eventgrid/2025-04-01-preview/Namespaces_CreateOrUpdate.json'
const TS_PUT = 'eventgrid/2025-02-15/TopicSpaces_CreateOrUpdate.json'
const TS_GET = 'eventgrid/2025-02-15/TopicSpaces_Get.json'
const EXTENSIONS = 'kubernetesconfiguration/2024-11-01/ListExtensions.json'
const RA_CREATE = 'authorization/2022-04-01/RoleAssignments_CreateForResource.json'
const RA_LIST = 'authorization/2022-04-01/RoleAssignments_ListForScope.json'

// The Event Grid examples' own subscription, group and namespace; the tutorial's topic space.
const SUB = '8f6b6269-84f2-4d09-9e31-1127efcd1e40'
const RG = 'examplerg'
const NS = 'exampleNamespaceName1'
const CLUSTER = 'clusterName1'
const PRINCIPAL = 'aaaaaaaa-1111-2222-3333-444444444444'
const HOSTNAME = 'exampleNamespaceName1.westus-1.mqtt.eventgrid-int.azure.net'
const NS_PATH = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.EventGrid/namespaces/${NS}`
const TS_PATH = `${NS_PATH}/topicSpaces/tutorial`
const EXT_PATH = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Kubernetes/connectedClusters/${CLUSTER}/providers/Microsoft.KubernetesConfiguration/extensions`
const OP_PATH = `/subscriptions/${SUB}/providers/Microsoft.EventGrid/locations/westus/operationsStatus/6f1b1e51-0a57-4c4b-9a4d-6c3d1a1f0b2e`
const PUBLISHER_NAME = roleAssignmentName(TS_PATH, ROLES.publisher.id, PRINCIPAL)
const SUBSCRIBER_NAME = roleAssignmentName(TS_PATH, ROLES.subscriber.id, PRINCIPAL)
const raPath = (name: string) => `${TS_PATH}/providers/Microsoft.Authorization/roleAssignments/${name}`
const EG = {'api-version': '2025-02-15'}
const AUTHZ = {'api-version': '2022-04-01'}
const OPTS = {principalRetryDelayInMs: 1, pollIntervalInMs: 1}

function config(flags: BridgeFlags = {}) {
  return resolveBridgeConfig(flags, {
    SUBSCRIPTION_ID: SUB,
    RESOURCE_GROUP: RG,
    EVENT_GRID_NAMESPACE: NS,
    CLUSTER_NAME: CLUSTER,
  })
}

/** The official namespace example as setup leaves it: tagged, MQTT enabled with 3 sessions, provisioned. */
function namespaceDone() {
  const ns = exampleBody(NS_GET)
  ns.location = 'westus'
  ns.tags = {[MANAGED_TAG.key]: MANAGED_TAG.value}
  ns.properties.topicSpacesConfiguration.maximumClientSessionsPerAuthenticationName = 3
  return ns
}

/** The official topic space example renamed to the tutorial's, with setup's template and description. */
function topicSpaceDone(status: '200' | '201' = '200', path = TS_GET) {
  const ts = exampleBody(path, status)
  ts.id = TS_PATH
  ts.name = 'tutorial'
  ts.properties.topicTemplates = ['telemetry/#']
  ts.properties.description = MANAGED_DESCRIPTION
  return ts
}

/** The official extensions list plus the IoT Operations extension (its first item, retyped, with an identity). */
function extensionsList() {
  const list = exampleBody(EXTENSIONS)
  const iot: ClusterExtension & Record<string, unknown> = structuredClone(list.value[0])
  iot.id = `${EXT_PATH}/azure-iot-operations-x1`
  iot.name = 'azure-iot-operations-x1'
  iot.identity = {type: 'SystemAssigned', principalId: PRINCIPAL, tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47'}
  ;(iot.properties as {extensionType: string}).extensionType = 'microsoft.iotoperations'
  list.value.push(iot)
  return list
}

/** The official role assignment create response for one of setup's assignments. */
function roleAssignmentCreated(role: keyof typeof ROLES, name: string): RoleAssignment {
  const ra = exampleBody(RA_CREATE, '201')
  ra.id = raPath(name)
  ra.name = name
  ra.properties = {
    ...ra.properties,
    roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLES[role].id}`,
    principalId: PRINCIPAL,
    principalType: 'ServicePrincipal',
    scope: TS_PATH,
  }
  return ra
}

function roleAssignmentBody(role: keyof typeof ROLES) {
  return {
    properties: {
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[role].id}`,
      principalId: PRINCIPAL,
      principalType: 'ServicePrincipal',
    },
  }
}

const namespaceCreateBody = {
  location: 'westus',
  tags: {[MANAGED_TAG.key]: MANAGED_TAG.value},
  sku: {name: 'Standard', capacity: 1},
  properties: {topicSpacesConfiguration: {state: 'Enabled', maximumClientSessionsPerAuthenticationName: 3}},
}
const topicSpaceCreateBody = {properties: {topicTemplates: ['telemetry/#'], description: MANAGED_DESCRIPTION}}

/** The preflight reads every run makes. */
function preflight(scope: nock.Scope): nock.Scope {
  return scope
    .get(`/subscriptions/${SUB}`)
    .query({'api-version': '2022-12-01'})
    .reply(200, {id: `/subscriptions/${SUB}`, subscriptionId: SUB, displayName: 'example', state: 'Enabled'})
    .get(`/subscriptions/${SUB}/resourceGroups/${RG}`)
    .query({'api-version': '2021-04-01'})
    .reply(200, {id: `/subscriptions/${SUB}/resourceGroups/${RG}`, name: RG, location: 'westus'})
    .get(`/subscriptions/${SUB}/providers/Microsoft.EventGrid`)
    .query({'api-version': '2021-04-01'})
    .reply(200, {namespace: 'Microsoft.EventGrid', registrationState: 'Registered'})
    .get(EXT_PATH)
    .query({'api-version': '2023-05-01'})
    .reply(200, extensionsList())
}

/** Reads against a subscription where the namespace and topic space exist and no role is assigned yet. */
function eventGridReadsNoRoles(scope: nock.Scope): nock.Scope {
  return preflight(scope)
    .get(NS_PATH)
    .query(EG)
    .reply(200, namespaceDone())
    .get(TS_PATH)
    .query(EG)
    .reply(200, topicSpaceDone())
    .get(`${TS_PATH}/providers/Microsoft.Authorization/roleAssignments`)
    .query({...AUTHZ, $filter: `principalId eq '${PRINCIPAL}'`})
    .reply(200, {value: []})
}

/** Reads against a subscription where nothing of setup's exists yet. */
function freshReads(scope: nock.Scope): nock.Scope {
  return preflight(scope)
    .get(NS_PATH)
    .query(EG)
    .reply(
      404,
      armError(
        'ResourceNotFound',
        `The Resource 'Microsoft.EventGrid/namespaces/${NS}' under resource group '${RG}' was not found.`,
      ),
    )
    .get(TS_PATH)
    .query(EG)
    .reply(
      404,
      armError(
        'ParentResourceNotFound',
        `Can not perform requested operation on nested resource. Parent resource '${NS}' not found.`,
      ),
    )
}

/** The namespace PUT as a long-running operation, ending with the GET that carries the hostname. */
function namespaceCreated(scope: nock.Scope): nock.Scope {
  return scope
    .put(NS_PATH, namespaceCreateBody)
    .query(EG)
    .reply(201, exampleBody(NS_PUT, '201'), {'Azure-AsyncOperation': `${ARM}${OP_PATH}?api-version=2025-02-15`})
    .get(OP_PATH)
    .query(EG)
    .reply(200, {id: OP_PATH, name: 'op', status: 'InProgress'}, {'Retry-After': '0'})
    .get(OP_PATH)
    .query(EG)
    .reply(200, {id: OP_PATH, name: 'op', status: 'Succeeded'})
    .get(NS_PATH)
    .query(EG)
    .reply(200, namespaceDone())
}

const FRESH_READS = [
  `GET /subscriptions/${SUB}`,
  `GET /subscriptions/${SUB}/resourceGroups/${RG}`,
  `GET /subscriptions/${SUB}/providers/Microsoft.EventGrid`,
  `GET ${NS_PATH}`,
  `GET ${TS_PATH}`,
  `GET ${EXT_PATH}`,
]

function ends(reporter: RecordingReporter): Record<string, string> {
  return Object.fromEntries(reporter.events.filter((e) => e.kind === 'end').map((e) => [e.step, e.text]))
}

function writes(log: RequestLog): string[] {
  return log.requests.filter((r) => !r.startsWith('GET '))
}

describe('runSetup against nock', () => {
  let log: RequestLog
  before(() => {
    log = new RequestLog()
  })
  afterEach(() => {
    log.requests.length = 0
    log.unmatched.length = 0
  })
  after(() => log.stop())

  it('a fresh run makes exactly the expected requests and creates everything', async () => {
    const scope = log.watch(armScope())
    namespaceCreated(freshReads(scope))
      .put(TS_PATH, topicSpaceCreateBody)
      .query(EG)
      .reply(201, topicSpaceDone('201', TS_PUT))
      .put(raPath(PUBLISHER_NAME), roleAssignmentBody('publisher'))
      .query(AUTHZ)
      .reply(201, roleAssignmentCreated('publisher', PUBLISHER_NAME))
      .put(raPath(SUBSCRIBER_NAME), roleAssignmentBody('subscriber'))
      .query(AUTHZ)
      .reply(201, roleAssignmentCreated('subscriber', SUBSCRIBER_NAME))
    const reporter = new RecordingReporter()
    const result = await runSetup(testArmClient(), config(), reporter, OPTS)

    assert.deepEqual(log.unmatched, [])
    assert.deepEqual(
      log.sortedPaths(),
      [
        ...FRESH_READS,
        `PUT ${NS_PATH}`,
        `GET ${OP_PATH}`,
        `GET ${OP_PATH}`,
        `GET ${NS_PATH}`,
        `PUT ${TS_PATH}`,
        `PUT ${raPath(PUBLISHER_NAME)}`,
        `PUT ${raPath(SUBSCRIBER_NAME)}`,
      ].sort(),
    )
    // The namespace exists before the topic space is written, and the topic space before the roles.
    const order = writes(log).map((r) => r.split('?')[0])
    assert.equal(order[0], `PUT ${NS_PATH}`)
    assert.equal(order[1], `PUT ${TS_PATH}`)

    assert.equal(result.dryRun, false)
    assert.equal(result.location, 'westus')
    assert.deepEqual(
      [result.namespace.action, result.topicSpace.action, ...result.roleAssignments.map((r) => r.action)],
      ['created', 'created', 'created', 'created'],
    )
    assert.equal(result.namespace.managed, true)
    assert.equal(result.topicSpace.managed, true)
    assert.equal(result.hostname, HOSTNAME)
    assert.equal(result.principalId, PRINCIPAL)
    assert.equal(result.extension, 'azure-iot-operations-x1')
    assert.deepEqual(
      result.roleAssignments.map((r) => [r.roleName, r.name, r.id]),
      [
        ['EventGrid TopicSpaces Publisher', PUBLISHER_NAME, raPath(PUBLISHER_NAME)],
        ['EventGrid TopicSpaces Subscriber', SUBSCRIBER_NAME, raPath(SUBSCRIBER_NAME)],
      ],
    )
    assert.deepEqual(ends(reporter), {
      read: 'Read the current state',
      namespace: `Namespace ${NS}: created (create in westus with MQTT enabled, 3 sessions per authentication name)`,
      topicSpace: 'Topic space tutorial: created (create with templates telemetry/#)',
      publisher: 'EventGrid TopicSpaces Publisher: created',
      subscriber: 'EventGrid TopicSpaces Subscriber: created',
      hostname: `MQTT hostname: ${HOSTNAME}`,
    })
    assert.deepEqual(
      reporter.events.filter((e) => e.kind === 'fail'),
      [],
    )
    scope.done()
  })

  it('a second run against “everything exists” sends no write and reports every step unchanged', async () => {
    const list = exampleBody(RA_LIST)
    const template = list.value[0]
    list.value = [
      {...structuredClone(template), ...roleAssignmentCreated('publisher', PUBLISHER_NAME)},
      {...structuredClone(template), ...roleAssignmentCreated('subscriber', SUBSCRIBER_NAME)},
    ]
    const scope = log.watch(armScope())
    preflight(scope)
      .get(NS_PATH)
      .query(EG)
      .reply(200, namespaceDone())
      .get(TS_PATH)
      .query(EG)
      .reply(200, topicSpaceDone())
      .get(`${TS_PATH}/providers/Microsoft.Authorization/roleAssignments`)
      .query({...AUTHZ, $filter: `principalId eq '${PRINCIPAL}'`})
      .reply(200, list)
    const reporter = new RecordingReporter()
    const result = await runSetup(testArmClient(), config(), reporter, OPTS)

    assert.deepEqual(log.unmatched, [])
    assert.deepEqual(writes(log), [])
    assert.equal(log.requests.length, 7)
    assert.deepEqual(
      [result.namespace.action, result.topicSpace.action, ...result.roleAssignments.map((r) => r.action)],
      ['unchanged', 'unchanged', 'unchanged', 'unchanged'],
    )
    assert.equal(result.hostname, HOSTNAME)
    assert.deepEqual(ends(reporter), {
      read: 'Read the current state',
      namespace: `Namespace ${NS}: unchanged`,
      topicSpace: 'Topic space tutorial: unchanged',
      publisher: 'EventGrid TopicSpaces Publisher: unchanged',
      subscriber: 'EventGrid TopicSpaces Subscriber: unchanged',
      hostname: `MQTT hostname: ${HOSTNAME}`,
    })
    assert.deepEqual(result.warnings, [])
    scope.done()
  })

  it('a dry run makes only GETs and reports the plan as skipped steps', async () => {
    const scope = log.watch(armScope())
    freshReads(scope)
    const reporter = new RecordingReporter()
    const result = await runSetup(testArmClient(), config(), reporter, {...OPTS, dryRun: true})

    assert.deepEqual(log.unmatched, [])
    assert.deepEqual(log.sortedPaths(), [...FRESH_READS].sort())
    assert.equal(result.dryRun, true)
    assert.equal(result.hostname, null)
    assert.deepEqual(
      [result.namespace.action, result.topicSpace.action, ...result.roleAssignments.map((r) => r.action)],
      ['create', 'create', 'create', 'create'],
    )
    const skipped = Object.fromEntries(reporter.events.filter((e) => e.kind === 'skip').map((e) => [e.step, e.text]))
    assert.equal(
      skipped.namespace,
      'Event Grid namespace: would create in westus with MQTT enabled, 3 sessions per authentication name',
    )
    assert.equal(skipped.topicSpace, 'Topic space: would create with templates telemetry/#')
    assert.equal(skipped.publisher, `Role EventGrid TopicSpaces Publisher: would be assigned to ${PRINCIPAL}`)
    assert.equal(skipped.subscriber, `Role EventGrid TopicSpaces Subscriber: would be assigned to ${PRINCIPAL}`)
    assert.deepEqual(
      reporter.events.filter((e) => e.kind === 'begin').map((e) => e.step),
      ['read'],
    )
    scope.done()
  })

  it('a failure at the topic space step names the namespace as done and says to run setup again', async () => {
    const scope = log.watch(armScope())
    namespaceCreated(freshReads(scope))
      .put(TS_PATH, topicSpaceCreateBody)
      .query(EG)
      .reply(
        403,
        armError(
          'AuthorizationFailed',
          `The client 'someone@example.com' does not have authorization to perform action 'Microsoft.EventGrid/namespaces/topicSpaces/write' over scope '${TS_PATH}'.`,
        ),
      )
    const reporter = new RecordingReporter()
    const err = await runSetup(testArmClient(), config(), reporter, OPTS).catch((e: unknown) => e)

    assert.ok(err instanceof AioBridgeError)
    assert.equal(err.code, 'FORBIDDEN')
    assert.equal(err.exitCode, 4)
    assert.equal(
      err.progress,
      [
        'Done before the failure:',
        `  ✔ Namespace ${NS}: created (create in westus with MQTT enabled, 3 sessions per authentication name)`,
        `Run 'aio-bridge setup' again with the same inputs to continue from here, or 'aio-bridge teardown -g ${RG} -n ${NS} --yes' to remove what setup made.`,
      ].join('\n'),
    )
    assert.deepEqual(
      reporter.events.filter((e) => e.kind === 'fail').map((e) => e.step),
      ['topicSpace'],
    )
    // Nothing after the failed step was attempted.
    assert.deepEqual(
      writes(log).map((r) => r.split('?')[0]),
      [`PUT ${NS_PATH}`, `PUT ${TS_PATH}`],
    )
    scope.done()
  })

  it('a missing resource group stops before any write: RESOURCE_GROUP_NOT_FOUND, nothing changed', async () => {
    const scope = log.watch(armScope())
    scope
      .get(`/subscriptions/${SUB}`)
      .query({'api-version': '2022-12-01'})
      .reply(200, {id: `/subscriptions/${SUB}`, subscriptionId: SUB, state: 'Enabled'})
      .get(`/subscriptions/${SUB}/resourceGroups/${RG}`)
      .query({'api-version': '2021-04-01'})
      .reply(404, armError('ResourceGroupNotFound', `Resource group '${RG}' could not be found.`))
      .get(`/subscriptions/${SUB}/providers/Microsoft.EventGrid`)
      .query({'api-version': '2021-04-01'})
      .reply(200, {namespace: 'Microsoft.EventGrid', registrationState: 'Registered'})
      .get(NS_PATH)
      .query(EG)
      .reply(404, armError('ResourceGroupNotFound', `Resource group '${RG}' could not be found.`))
      .get(TS_PATH)
      .query(EG)
      .reply(404, armError('ResourceGroupNotFound', `Resource group '${RG}' could not be found.`))
      .get(EXT_PATH)
      .query({'api-version': '2023-05-01'})
      .reply(404, armError('ResourceGroupNotFound', `Resource group '${RG}' could not be found.`))
    const err = await runSetup(testArmClient(), config(), new RecordingReporter(), OPTS).catch((e: unknown) => e)
    assert.ok(err instanceof AioBridgeError)
    assert.equal(err.code, 'RESOURCE_GROUP_NOT_FOUND')
    assert.equal(err.exitCode, 5)
    assert.equal(err.progress, 'Nothing was changed in Azure.')
    assert.deepEqual(writes(log), [])
    scope.done()
  })

  it('a cluster that does not exist is CLUSTER_NOT_FOUND (exit 5) before any write', async () => {
    const scope = log.watch(armScope())
    scope
      .get(`/subscriptions/${SUB}`)
      .query({'api-version': '2022-12-01'})
      .reply(200, {id: `/subscriptions/${SUB}`, subscriptionId: SUB, state: 'Enabled'})
      .get(`/subscriptions/${SUB}/resourceGroups/${RG}`)
      .query({'api-version': '2021-04-01'})
      .reply(200, {id: `/subscriptions/${SUB}/resourceGroups/${RG}`, name: RG, location: 'westus'})
      .get(`/subscriptions/${SUB}/providers/Microsoft.EventGrid`)
      .query({'api-version': '2021-04-01'})
      .reply(200, {namespace: 'Microsoft.EventGrid', registrationState: 'Registered'})
      .get(NS_PATH)
      .query(EG)
      .reply(404, armError('ResourceNotFound', 'not found'))
      .get(TS_PATH)
      .query(EG)
      .reply(404, armError('ParentResourceNotFound', 'not found'))
      .get(EXT_PATH)
      .query({'api-version': '2023-05-01'})
      .reply(
        404,
        armError('ResourceNotFound', `The Resource 'Microsoft.Kubernetes/connectedClusters/${CLUSTER}' was not found.`),
      )
    const err = await runSetup(testArmClient(), config(), new RecordingReporter(), OPTS).catch((e: unknown) => e)
    assert.ok(err instanceof AioBridgeError)
    assert.equal(err.code, 'CLUSTER_NOT_FOUND')
    assert.equal(err.exitCode, 5)
    assert.deepEqual(writes(log), [])
    scope.done()
  })

  it('role step: 409 RoleAssignmentExists is unchanged, PrincipalNotFound is retried and shown in the progress', async () => {
    const existingHex = '0c1f4a7e9b2d4e6f8a1b3c5d7e9f0a2b'
    // ARM's message gives the name without dashes; the result gives it as the GUID it is.
    const existing = '0c1f4a7e-9b2d-4e6f-8a1b-3c5d7e9f0a2b'
    const scope = log.watch(armScope())
    eventGridReadsNoRoles(scope)
      .put(raPath(PUBLISHER_NAME), roleAssignmentBody('publisher'))
      .query(AUTHZ)
      .reply(
        409,
        armError(
          'RoleAssignmentExists',
          `The role assignment already exists. The ID of the existing role assignment is ${existingHex}.`,
        ),
      )
      .put(raPath(SUBSCRIBER_NAME), roleAssignmentBody('subscriber'))
      .query(AUTHZ)
      .reply(400, armError('PrincipalNotFound', `Principal ${PRINCIPAL} does not exist in the directory.`))
      .put(raPath(SUBSCRIBER_NAME), roleAssignmentBody('subscriber'))
      .query(AUTHZ)
      .reply(201, roleAssignmentCreated('subscriber', SUBSCRIBER_NAME))
    const reporter = new RecordingReporter()
    const result = await runSetup(testArmClient(), config(), reporter, OPTS)
    assert.deepEqual(log.unmatched, [])
    assert.deepEqual(
      result.roleAssignments.map((r) => [r.role, r.action, r.name, r.existingName]),
      [
        ['publisher', 'unchanged', existing, existing],
        ['subscriber', 'created', SUBSCRIBER_NAME, undefined],
      ],
    )
    assert.deepEqual(
      reporter.events.filter((e) => e.kind === 'update').map((e) => [e.step, e.text]),
      [['subscriber', 'identity not replicated yet (PrincipalNotFound): retry 1 in 0 s']],
    )
    assert.equal(
      ends(reporter).publisher,
      'EventGrid TopicSpaces Publisher: unchanged (an equivalent assignment exists)',
    )
    assert.equal(ends(reporter).subscriber, 'EventGrid TopicSpaces Subscriber: created')
    scope.done()
  })

  it('role step: 403 names the role that can create role assignments, not Contributor', async () => {
    const scope = log.watch(armScope())
    eventGridReadsNoRoles(scope)
      .put(raPath(PUBLISHER_NAME), roleAssignmentBody('publisher'))
      .query(AUTHZ)
      .reply(403, armError('AuthorizationFailed', 'The client does not have authorization to perform action.'))
      .put(raPath(SUBSCRIBER_NAME), roleAssignmentBody('subscriber'))
      .query(AUTHZ)
      .reply(403, armError('AuthorizationFailed', 'The client does not have authorization to perform action.'))
    const err = await runSetup(testArmClient(), config(), new RecordingReporter(), OPTS).catch((e: unknown) => e)
    assert.ok(err instanceof AioBridgeError)
    assert.equal(err.code, 'FORBIDDEN')
    assert.equal(err.exitCode, 4)
    assert.equal(
      err.remedy,
      `Ask an owner to grant you 'Role Based Access Control Administrator' on ${TS_PATH}: az role assignment create --assignee <you> --role "Role Based Access Control Administrator" --scope ${TS_PATH}`,
    )
    assert.match(
      err.message,
      /^Permission denied to assign EventGrid TopicSpaces (Publisher|Subscriber) at \/subscriptions\//,
    )
    assert.equal(err.progress, 'Nothing was changed in Azure.')
    scope.done()
  })

  it('one role failing stops the other role’s PrincipalNotFound waiting: no write after the failure is reported', async () => {
    let subscriberPuts = 0
    const scope = log.watch(armScope())
    eventGridReadsNoRoles(scope)
      .put(raPath(PUBLISHER_NAME), roleAssignmentBody('publisher'))
      .query(AUTHZ)
      .delay(50)
      .reply(403, armError('AuthorizationFailed', 'The client does not have authorization to perform action.'))
    const subscriber = armScope()
      .put(raPath(SUBSCRIBER_NAME), roleAssignmentBody('subscriber'))
      .query(AUTHZ)
      .reply(() => {
        subscriberPuts++
        return [400, armError('PrincipalNotFound', `Principal ${PRINCIPAL} does not exist in the directory.`)]
      })
      .persist()
    const reporter = new RecordingReporter()
    const err = await runSetup(testArmClient(), config(), reporter, {
      ...OPTS,
      // Without the stop, this would keep retrying for a minute after the 403.
      principalRetryDelayInMs: 10,
      principalWaitInMs: 60_000,
    }).catch((e: unknown) => e)
    const putsAtFailure = subscriberPuts
    await new Promise((r) => setTimeout(r, 150))
    subscriber.persist(false)
    scope.done()
    assert.equal((err as AioBridgeError).code, 'FORBIDDEN')
    // Stopped at once: one or two tries, not the dozen a minute of doubling backoff from 10 ms would make.
    assert.ok(putsAtFailure >= 1 && putsAtFailure <= 3, `${putsAtFailure} subscriber PUTs`)
    assert.equal(subscriberPuts, putsAtFailure, 'no role PUT after the failure was reported')
    const last = reporter.events.at(-1)
    assert.equal(last?.kind, 'fail')
  })

  it('an existing namespace still provisioning: the hostname is read once it has finished', async () => {
    const updating = namespaceDone()
    updating.properties.provisioningState = 'Updating'
    updating.properties.topicSpacesConfiguration.hostname = null
    const list = exampleBody(RA_LIST)
    list.value = [
      roleAssignmentCreated('publisher', PUBLISHER_NAME),
      roleAssignmentCreated('subscriber', SUBSCRIBER_NAME),
    ]
    const scope = log.watch(armScope())
    preflight(scope)
      .get(NS_PATH)
      .query(EG)
      .reply(200, updating)
      .get(TS_PATH)
      .query(EG)
      .reply(200, topicSpaceDone())
      .get(`${TS_PATH}/providers/Microsoft.Authorization/roleAssignments`)
      .query({...AUTHZ, $filter: `principalId eq '${PRINCIPAL}'`})
      .reply(200, list)
      .get(NS_PATH)
      .query(EG)
      .reply(200, updating)
      .get(NS_PATH)
      .query(EG)
      .reply(200, namespaceDone())
    const reporter = new RecordingReporter()
    const result = await runSetup(testArmClient(), config(), reporter, OPTS)
    assert.equal(result.hostname, HOSTNAME)
    assert.deepEqual(writes(log), [])
    assert.deepEqual(
      reporter.events.filter((e) => e.kind === 'update').map((e) => [e.step, e.text]),
      [['hostname', 'waiting for the namespace to finish provisioning']],
    )
    scope.done()
  })
})
