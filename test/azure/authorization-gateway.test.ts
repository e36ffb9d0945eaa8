import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'
import {RestError} from '@azure/core-rest-pipeline'
import {fromAzureError} from '../../src/azure/arm-errors.js'
import {
  AuthorizationGateway,
  findEquivalentAssignment,
  type RoleAssignment,
} from '../../src/azure/authorization-gateway.js'
import {ROLES, roleAssignmentName, roleDefinitionId, topicSpaceId} from '../../src/azure/ids.js'
import {AioBridgeError} from '../../src/errors.js'
import {armError, armScope, example, exampleBody, isolateNetwork, testArmClient} from '../helpers/nock.js'

isolateNetwork({before, afterEach, after})

const CREATE = 'authorization/2022-04-01/RoleAssignments_CreateForResource.json'
const LIST = 'authorization/2022-04-01/RoleAssignments_ListForScope.json'
const DELETE = 'authorization/2022-04-01/RoleAssignments_Delete.json'
const API = {'api-version': '2022-04-01'}

// The official create example's own scope (no leading slash, as in the spec), name and principal.
const ex = example(CREATE).parameters as {
  scope: string
  roleAssignmentName: string
  parameters: {properties: {roleDefinitionId: string; principalId: string}}
}
const SCOPE = ex.scope
const NAME = ex.roleAssignmentName
const ROLE_DEF = ex.parameters.properties.roleDefinitionId
const PRINCIPAL = ex.parameters.properties.principalId
const PATH = `/${SCOPE}/providers/Microsoft.Authorization/roleAssignments/${NAME}`
const BODY = {properties: {roleDefinitionId: ROLE_DEF, principalId: PRINCIPAL, principalType: 'ServicePrincipal'}}

const PRINCIPAL_NOT_FOUND = armError(
  'PrincipalNotFound',
  `Principal ${PRINCIPAL.replace(/-/g, '')} does not exist in the directory 72f988bf-86f1-41af-91ab-2d7cd011db47. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
)

describe('AuthorizationGateway.createRoleAssignment', () => {
  it('PUT 201 (the official example) is created; the body always says principalType ServicePrincipal', async () => {
    const scope = armScope().put(PATH, BODY).query(API).reply(201, exampleBody(CREATE, '201'))
    const res = await new AuthorizationGateway(testArmClient()).createRoleAssignment(SCOPE, NAME, ROLE_DEF, PRINCIPAL)
    assert.equal(res.outcome, 'created')
    assert.equal(res.assignment?.name, NAME)
    assert.equal(res.assignment?.properties.principalId, PRINCIPAL)
    scope.done()
  })

  it('a leading-slash scope reaches the same URL', async () => {
    const scope = armScope().put(PATH, BODY).query(API).reply(201, exampleBody(CREATE, '201'))
    const res = await new AuthorizationGateway(testArmClient()).createRoleAssignment(
      `/${SCOPE}`,
      NAME,
      ROLE_DEF,
      PRINCIPAL,
    )
    assert.equal(res.outcome, 'created')
    scope.done()
  })

  it('PUT 200 (same name already there) is exists', async () => {
    const scope = armScope().put(PATH, BODY).query(API).reply(200, exampleBody(CREATE, '200'))
    const res = await new AuthorizationGateway(testArmClient()).createRoleAssignment(SCOPE, NAME, ROLE_DEF, PRINCIPAL)
    assert.equal(res.outcome, 'exists')
    scope.done()
  })

  it('409 RoleAssignmentExists is success: outcome exists, with the existing name when ARM gives it', async () => {
    const scope = armScope()
      .put(PATH, BODY)
      .query(API)
      .reply(
        409,
        armError(
          'RoleAssignmentExists',
          'The role assignment already exists. The ID of the existing role assignment is 0c1f4a7e9b2d4e6f8a1b3c5d7e9f0a2b.',
        ),
      )
      .put(PATH, BODY)
      .query(API)
      .reply(409, armError('RoleAssignmentExists', 'The role assignment already exists.'))
      // Without the id in the message, the equivalent assignment is looked up by principal at the scope.
      .get(`/${SCOPE.replace(/^\//, '')}/providers/Microsoft.Authorization/roleAssignments`)
      .query({...API, $filter: `principalId eq '${PRINCIPAL}'`})
      .reply(200, {
        value: [
          {
            id: `/${SCOPE.replace(/^\//, '')}/providers/Microsoft.Authorization/roleAssignments/11111111-2222-3333-4444-555555555555`,
            name: '11111111-2222-3333-4444-555555555555',
            properties: {roleDefinitionId: ROLE_DEF, principalId: PRINCIPAL, scope: `/${SCOPE.replace(/^\//, '')}`},
          },
        ],
      })
    const gw = new AuthorizationGateway(testArmClient())
    assert.deepEqual(await gw.createRoleAssignment(SCOPE, NAME, ROLE_DEF, PRINCIPAL), {
      outcome: 'exists',
      existingName: '0c1f4a7e-9b2d-4e6f-8a1b-3c5d7e9f0a2b',
    })
    assert.deepEqual(await gw.createRoleAssignment(SCOPE, NAME, ROLE_DEF, PRINCIPAL), {
      outcome: 'exists',
      existingName: '11111111-2222-3333-4444-555555555555',
    })
    scope.done()
  })

  it('400 PrincipalNotFound twice then 201: retried with doubling backoff, onPrincipalRetry called twice', async () => {
    const scope = armScope()
      .put(PATH, BODY)
      .query(API)
      .times(2)
      .reply(400, PRINCIPAL_NOT_FOUND)
      .put(PATH, BODY)
      .query(API)
      .reply(201, exampleBody(CREATE, '201'))
    const retries: Array<[number, number]> = []
    const res = await new AuthorizationGateway(testArmClient()).createRoleAssignment(SCOPE, NAME, ROLE_DEF, PRINCIPAL, {
      principalRetryDelayInMs: 1,
      principalWaitInMs: 60_000,
      onPrincipalRetry: (attempt, delay) => retries.push([attempt, delay]),
    })
    assert.equal(res.outcome, 'created')
    assert.deepEqual(retries, [
      [1, 1],
      [2, 2],
    ])
    scope.done()
  })

  it('PrincipalNotFound that outlasts the wait throws PRINCIPAL_NOT_FOUND (exit 5) with a remedy', async () => {
    let calls = 0
    const scope = armScope()
      .put(PATH, BODY)
      .query(API)
      .reply(() => {
        calls++
        return [400, PRINCIPAL_NOT_FOUND]
      })
      .persist()
    const retries: number[] = []
    const err = await new AuthorizationGateway(testArmClient())
      .createRoleAssignment(SCOPE, NAME, ROLE_DEF, PRINCIPAL, {
        principalRetryDelayInMs: 1,
        principalWaitInMs: 100,
        onPrincipalRetry: (_attempt, delay) => retries.push(delay),
      })
      .catch((e: unknown) => e)
    assert.ok(err instanceof AioBridgeError)
    assert.equal(err.code, 'PRINCIPAL_NOT_FOUND')
    assert.equal(err.exitCode, 5)
    assert.ok(err.remedy)
    // One request per retry plus the first; backoff doubles from the first delay and stays within the wait bound.
    assert.ok(retries.length >= 1)
    assert.equal(calls, retries.length + 1)
    assert.deepEqual(
      retries,
      retries.map((_, i) => 2 ** i),
    )
    assert.ok((retries.at(-1) ?? 0) < 100)
    scope.done()
  })

  it('PrincipalNotFound with no wait allowed throws at once', async () => {
    const scope = armScope().put(PATH, BODY).query(API).reply(400, PRINCIPAL_NOT_FOUND)
    let called = 0
    await assert.rejects(
      new AuthorizationGateway(testArmClient()).createRoleAssignment(SCOPE, NAME, ROLE_DEF, PRINCIPAL, {
        principalWaitInMs: 0,
        onPrincipalRetry: () => called++,
      }),
      (e: unknown) => e instanceof AioBridgeError && e.code === 'PRINCIPAL_NOT_FOUND',
    )
    assert.equal(called, 0)
    scope.done()
  })

  it('403 AuthorizationFailed maps to FORBIDDEN, exit 4, naming the role given in the context', async () => {
    const scope = armScope()
      .put(PATH, BODY)
      .query(API)
      .reply(
        403,
        armError(
          'AuthorizationFailed',
          `The client 'someone@example.com' with object id '00000000-0000-0000-0000-000000000001' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '/${SCOPE}/providers/Microsoft.Authorization/roleAssignments/${NAME}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        ),
      )
    const err = await new AuthorizationGateway(testArmClient())
      .createRoleAssignment(SCOPE, NAME, ROLE_DEF, PRINCIPAL)
      .catch((e: unknown) => e)
    assert.ok(err instanceof RestError)
    const mapped = fromAzureError(err, {
      action: 'create the role assignment',
      role: 'Role Based Access Control Administrator',
      scope: `/${SCOPE}`,
    })
    assert.equal(mapped.code, 'FORBIDDEN')
    assert.equal(mapped.exitCode, 4)
    assert.match(mapped.message, /^Permission denied to create the role assignment at \/subscriptions\//)
    assert.equal(
      mapped.remedy,
      `Ask an owner to grant you 'Role Based Access Control Administrator' on /${SCOPE}: az role assignment create --assignee <you> --role "Role Based Access Control Administrator" --scope /${SCOPE}`,
    )
    assert.deepEqual(mapped.details, {statusCode: 403, armCode: 'AuthorizationFailed', scope: `/${SCOPE}`})
    assert.equal(mapped.cause, err)
    scope.done()
  })
})

describe('AuthorizationGateway: list, get, delete', () => {
  it('lists a principal’s assignments at a scope with the principalId filter (the official list example)', async () => {
    const scope = armScope()
      .get(`/${SCOPE}/providers/Microsoft.Authorization/roleAssignments`)
      .query({...API, $filter: `principalId eq '${PRINCIPAL}'`})
      .reply(200, exampleBody(LIST))
    const list = await new AuthorizationGateway(testArmClient()).listRoleAssignmentsForPrincipal(`/${SCOPE}`, PRINCIPAL)
    assert.deepEqual(
      list.map((a) => a.name),
      ['b0f43c54-e787-4862-89b1-a653fa9cf747'],
    )
    scope.done()
  })

  it('DELETE 200 (the official example) is true, 204 is false (already gone)', async () => {
    const del = example(DELETE).parameters as {scope: string; roleAssignmentName: string}
    const path = `/${del.scope}/providers/Microsoft.Authorization/roleAssignments/${del.roleAssignmentName}`
    const scope = armScope().delete(path).query(API).reply(200, exampleBody(DELETE)).delete(path).query(API).reply(204)
    const gw = new AuthorizationGateway(testArmClient())
    assert.equal(await gw.deleteRoleAssignment(del.scope, del.roleAssignmentName), true)
    assert.equal(await gw.deleteRoleAssignment(del.scope, del.roleAssignmentName), false)
    scope.done()
  })
})

describe('findEquivalentAssignment', () => {
  const tsId = topicSpaceId('8f6b6269-84f2-4d09-9e31-1127efcd1e40', 'examplerg', 'ns1', 'tutorial')
  const principal = 'aaaaaaaa-1111-2222-3333-444444444444'
  function assignment(over: Partial<RoleAssignment['properties']>, name = 'x'): RoleAssignment {
    const a = exampleBody(LIST).value[0] as RoleAssignment
    a.name = name
    a.properties = {
      ...a.properties,
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLES.publisher.id}`,
      principalId: principal,
      principalType: 'ServicePrincipal',
      scope: tsId,
      ...over,
    }
    return a
  }

  it('matches role (tenant or subscription form), principal and scope without regard to case', () => {
    const a = assignment({principalId: principal.toUpperCase(), scope: tsId.toLowerCase()}, 'by-hand')
    assert.equal(findEquivalentAssignment([a], tsId, ROLES.publisher.id, principal)?.name, 'by-hand')
    const b = assignment(
      {roleDefinitionId: roleDefinitionId('8f6b6269-84f2-4d09-9e31-1127efcd1e40', 'publisher')},
      'sub-form',
    )
    assert.equal(findEquivalentAssignment([b], tsId, ROLES.publisher.id, principal)?.name, 'sub-form')
  })

  it('ignores another role, another principal and another scope (even a parent one)', () => {
    const list = [
      assignment({roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLES.subscriber.id}`}),
      assignment({principalId: 'bbbbbbbb-1111-2222-3333-444444444444'}),
      assignment({scope: tsId.replace(/\/topicSpaces\/tutorial$/, '')}),
    ]
    assert.equal(findEquivalentAssignment(list, tsId, ROLES.publisher.id, principal), undefined)
  })

  it('deterministic names: same inputs, same GUID; the scope case does not matter', () => {
    const n = roleAssignmentName(tsId, ROLES.publisher.id, principal)
    assert.match(n, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(roleAssignmentName(tsId.toUpperCase(), ROLES.publisher.id, principal), n)
    assert.notEqual(roleAssignmentName(tsId, ROLES.subscriber.id, principal), n)
  })
})
