import assert from 'node:assert/strict'
import {after, before, beforeEach, describe, it} from 'node:test'
import {RestError} from '@azure/core-rest-pipeline'
import {type ArmEmulator, EMULATOR_DEFAULTS, ROLE_IDS, startArmEmulator} from '../../src/emulator/arm/index.js'
import {clientFor} from './util.js'

const AUTHZ = '2022-04-01'
const EG = '2025-02-15'
const NAME_A = '0a1b2c3d-0000-4000-8000-00000000000a'
const NAME_B = '0a1b2c3d-0000-4000-8000-00000000000b'

function code(err: unknown): string | undefined {
  return err instanceof RestError ? `${err.statusCode} ${err.code}` : String(err)
}

describe('ARM emulator: role assignments through the real ArmClient', () => {
  let emu: ArmEmulator
  const body = (role: string, principalId: string = EMULATOR_DEFAULTS.extensionPrincipalId) => ({
    properties: {
      roleDefinitionId: `/subscriptions/${EMULATOR_DEFAULTS.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
      principalId,
      principalType: 'ServicePrincipal',
    },
  })
  const ra = (name: string) => `${emu.ids.topicSpace()}/providers/Microsoft.Authorization/roleAssignments/${name}`

  before(async () => {
    emu = await startArmEmulator()
  })
  after(async () => emu.stop())
  beforeEach(async () => {
    emu.reset()
    const arm = clientFor(emu)
    await arm.putAndWait('PUT', emu.ids.namespace(), EG, {
      location: 'eastus',
      properties: {topicSpacesConfiguration: {state: 'Enabled'}},
    })
    await arm.putAndWait('PUT', emu.ids.topicSpace(), EG, {properties: {topicTemplates: ['telemetry/#']}})
    emu.clearRequests()
  })

  it('creates with 201, answers the same PUT again with 200, in the example shape', async () => {
    const arm = clientFor(emu)
    const first = await arm.send<{id: string; name: string; type: string; properties: Record<string, string>}>(
      'PUT',
      ra(NAME_A),
      {
        apiVersion: AUTHZ,
        body: body(ROLE_IDS.topicSpacesPublisher),
      },
    )
    assert.equal(first.status, 201)
    assert.equal(first.body.name, NAME_A)
    assert.equal(first.body.type, 'Microsoft.Authorization/roleAssignments')
    assert.equal(first.body.id, ra(NAME_A))
    assert.equal(
      first.body.properties.roleDefinitionId,
      `/providers/Microsoft.Authorization/roleDefinitions/${ROLE_IDS.topicSpacesPublisher}`,
    )
    assert.equal(first.body.properties.scope, emu.ids.topicSpace())
    assert.equal(first.body.properties.principalType, 'ServicePrincipal')
    const again = await arm.send('PUT', ra(NAME_A), {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesPublisher)})
    assert.equal(again.status, 200)
  })

  it('answers 409 RoleAssignmentExists for the same role and principal under another name', async () => {
    const arm = clientFor(emu)
    await arm.send('PUT', ra(NAME_A), {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesPublisher)})
    const err = await arm
      .send('PUT', ra(NAME_B), {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesPublisher)})
      .catch((e) => e)
    assert.equal(code(err), '409 RoleAssignmentExists')
    assert.match((err as Error).message, /The ID of the existing role assignment is 0a1b2c3d00004000800000000000000a\./)
    // Another role for the same principal is fine; changing the role under the same name is not.
    assert.equal(
      (await arm.send('PUT', ra(NAME_B), {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesSubscriber)})).status,
      201,
    )
    const upd = await arm
      .send('PUT', ra(NAME_A), {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesSubscriber)})
      .catch((e) => e)
    assert.equal(code(upd), '409 RoleAssignmentUpdateNotPermitted')
  })

  it('answers 400 PrincipalNotFound for an unknown principal, and for a replicating one until it has replicated', async () => {
    const arm = clientFor(emu)
    const unknown = await arm
      .send('PUT', ra(NAME_A), {
        apiVersion: AUTHZ,
        body: body(ROLE_IDS.topicSpacesPublisher, '99999999-9999-4999-8999-999999999999'),
      })
      .catch((e) => e)
    assert.equal(code(unknown), '400 PrincipalNotFound')
    assert.match(
      (unknown as Error).message,
      /does not exist in the directory a3c6e2f1-5b4d-4e8a-9c7b-1d2e3f4a5b6c\..*replication delay/,
    )

    emu.reset('replicating-principal')
    await arm.putAndWait('PUT', emu.ids.namespace(), EG, {
      location: 'eastus',
      properties: {topicSpacesConfiguration: {state: 'Enabled'}},
    })
    await arm.putAndWait('PUT', emu.ids.topicSpace(), EG, {properties: {topicTemplates: ['telemetry/#']}})
    const results: string[] = []
    for (let i = 0; i < 3; i++) {
      results.push(
        await arm
          .send('PUT', ra(NAME_A), {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesPublisher)})
          .then((r) => String(r.status))
          .catch((e) => code(e) as string),
      )
    }
    assert.deepEqual(results, ['400 PrincipalNotFound', '400 PrincipalNotFound', '201'])
  })

  it('answers 403 AuthorizationFailed naming the action and scope when the caller lacks rights', async () => {
    emu.reset('forbidden-role-assignments')
    const arm = clientFor(emu)
    await arm.putAndWait('PUT', emu.ids.namespace(), EG, {
      location: 'eastus',
      properties: {topicSpacesConfiguration: {state: 'Enabled'}},
    })
    await arm.putAndWait('PUT', emu.ids.topicSpace(), EG, {properties: {topicTemplates: ['telemetry/#']}})
    const err = await arm
      .send('PUT', ra(NAME_A), {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesPublisher)})
      .catch((e) => e)
    assert.equal(code(err), '403 AuthorizationFailed')
    assert.match(
      (err as Error).message,
      /perform action 'Microsoft\.Authorization\/roleAssignments\/write' over scope '.*\/topicSpaces\/tutorial\/providers\/Microsoft\.Authorization\/roleAssignments\//,
    )
    assert.equal(emu.getResource(ra(NAME_A)), undefined)
  })

  it('answers 404 when the scope does not exist, 400 for a non-GUID name or an unknown role', async () => {
    const arm = clientFor(emu)
    const missing = `${emu.ids.topicSpace('nope')}/providers/Microsoft.Authorization/roleAssignments/${NAME_A}`
    assert.equal(
      code(
        await arm.send('PUT', missing, {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesPublisher)}).catch((e) => e),
      ),
      '404 ResourceNotFound',
    )
    assert.equal(
      code(
        await arm
          .send('PUT', ra('not-a-guid'), {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesPublisher)})
          .catch((e) => e),
      ),
      '400 InvalidRoleAssignmentId',
    )
    assert.equal(
      code(
        await arm
          .send('PUT', ra(NAME_A), {apiVersion: AUTHZ, body: body('00000000-1111-4111-8111-000000000000')})
          .catch((e) => e),
      ),
      '400 RoleDefinitionDoesNotExist',
    )
  })

  it('lists at scope (atScope() includes inherited ones) and by principal, and deletes with 200 then 204', async () => {
    const arm = clientFor(emu)
    await arm.send('PUT', ra(NAME_A), {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesPublisher)})
    await arm.send('PUT', ra(NAME_B), {apiVersion: AUTHZ, body: body(ROLE_IDS.topicSpacesSubscriber)})
    const rgLevel = `${emu.ids.resourceGroup}/providers/Microsoft.Authorization/roleAssignments/0a1b2c3d-0000-4000-8000-00000000000c`
    await arm.send('PUT', rgLevel, {
      apiVersion: AUTHZ,
      body: {
        properties: {
          ...body(ROLE_IDS.reader).properties,
          principalId: EMULATOR_DEFAULTS.callerPrincipalId,
          principalType: 'User',
        },
      },
    })
    const scope = `${emu.ids.topicSpace()}/providers/Microsoft.Authorization/roleAssignments`
    const atScope = await arm.listAll<{name: string}>(scope, AUTHZ, {$filter: 'atScope()'})
    assert.deepEqual(atScope.map((r) => r.name).sort(), [NAME_A, NAME_B, '0a1b2c3d-0000-4000-8000-00000000000c'].sort())
    const atRg = await arm.listAll<{name: string}>(
      `${emu.ids.resourceGroup}/providers/Microsoft.Authorization/roleAssignments`,
      AUTHZ,
      {$filter: 'atScope()'},
    )
    assert.deepEqual(
      atRg.map((r) => r.name),
      ['0a1b2c3d-0000-4000-8000-00000000000c'],
    )
    const byPrincipal = await arm.listAll<{name: string}>(
      `${emu.ids.resourceGroup}/providers/Microsoft.Authorization/roleAssignments`,
      AUTHZ,
      {
        $filter: `principalId eq '${EMULATOR_DEFAULTS.extensionPrincipalId}'`,
      },
    )
    assert.deepEqual(byPrincipal.map((r) => r.name).sort(), [NAME_A, NAME_B])
    assert.match(emu.requests.at(-1)?.query.$filter ?? '', /^principalId eq '/)

    const del = await arm.send<{name: string}>('DELETE', ra(NAME_A), {apiVersion: AUTHZ})
    assert.equal(del.status, 200)
    assert.equal(del.body.name, NAME_A)
    assert.equal((await arm.send('DELETE', ra(NAME_A), {apiVersion: AUTHZ})).status, 204)
    assert.equal(await arm.get(ra(NAME_A), AUTHZ), undefined)
  })
})
