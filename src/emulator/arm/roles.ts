import {ArmHttpError, armErrors} from './arm-error.js'
import {type ArmCall, type ArmReply, bodyObject, methodNotAllowed, ok, requireApiVersion} from './http.js'
import {API_VERSIONS} from './resource-types.js'
import {ROLE_IDS} from './seed.js'
import {type ArmState, key} from './state.js'
import type {ArmResource} from './types.js'

/** Microsoft.Authorization/roleAssignments at any scope, as api-version 2022-04-01 answers. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const KNOWN_ROLES = new Set<string>(Object.values(ROLE_IDS))
const TYPE = 'Microsoft.Authorization/roleAssignments'

export function roleAssignmentId(scope: string, name: string): string {
  return `${scope}/providers/${TYPE}/${name}`
}

export function roleView(r: ArmResource): Record<string, unknown> {
  return {properties: {...r.properties}, id: r.id, type: TYPE, name: r.name}
}

/** Assignments visible from `scope`: at it, above it (inherited) and, unless `atScope()`, below it. */
function visible(state: ArmState, scope: string, filter: string | null): ArmResource[] {
  const s = key(scope)
  const clauses = (filter ?? '')
    .split(/\s+and\s+/i)
    .map((c) => c.trim())
    .filter(Boolean)
  let atScope = false
  let principal: string | undefined
  for (const c of clauses) {
    if (/^atScope\(\)$/i.test(c)) atScope = true
    else {
      const m = /^(?:principalId\s+eq\s+'([^']*)'|assignedTo\('([^']*)'\))$/i.exec(c)
      if (!m) {
        throw new ArmHttpError(
          400,
          'UnsupportedQuery',
          `The filter '${filter}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{value}' or assignedTo('{value}')'.`,
        )
      }
      principal = (m[1] ?? m[2] ?? '').toLowerCase()
    }
  }
  return state.list(TYPE).filter((r) => {
    const a = key(String(r.properties.scope))
    const atOrAbove = s === a || s.startsWith(`${a}/`)
    const below = a.startsWith(`${s}/`)
    if (!(atOrAbove || (!atScope && below))) return false
    return principal === undefined || String(r.properties.principalId).toLowerCase() === principal
  })
}

export function handleRoleAssignments(
  call: ArmCall,
  state: ArmState,
  scope: string,
  name: string | undefined,
  page: (items: unknown[]) => unknown,
): ArmReply {
  requireApiVersion(call, API_VERSIONS.authorization, TYPE)
  if (!state.scopeExists(scope)) throw armErrors.scopeNotFound(scope)
  if (name === undefined) {
    if (call.method !== 'GET') throw methodNotAllowed(call)
    return ok(page(visible(state, scope, call.query.get('$filter')).map(roleView)))
  }
  const id = roleAssignmentId(scope, name)
  const existing = state.get(id)
  if (call.method === 'GET') {
    if (!existing) throw new ArmHttpError(404, 'RoleAssignmentNotFound', `The role assignment '${name}' is not found.`)
    return ok(roleView(existing))
  }
  if (call.method === 'DELETE') {
    if (!existing) return {status: 204}
    state.deleteTree(existing.id)
    return ok(roleView(existing))
  }
  if (call.method !== 'PUT') throw methodNotAllowed(call)
  if (!GUID.test(name)) {
    throw new ArmHttpError(
      400,
      'InvalidRoleAssignmentId',
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    )
  }
  const props = bodyObject(call).properties as Record<string, unknown> | undefined
  const roleDefinitionId = props?.roleDefinitionId
  const principalId = props?.principalId
  if (typeof roleDefinitionId !== 'string' || typeof principalId !== 'string') {
    throw new ArmHttpError(
      400,
      'InvalidRoleAssignmentRequest',
      'The role assignment request is missing roleDefinitionId or principalId.',
    )
  }
  const m = /^(?:\/subscriptions\/[^/]+)?\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$/i.exec(
    roleDefinitionId,
  )
  const roleGuid = m?.[1]?.toLowerCase()
  if (!roleGuid || !KNOWN_ROLES.has(roleGuid)) {
    throw new ArmHttpError(
      400,
      'RoleDefinitionDoesNotExist',
      `The specified role definition with ID '${roleGuid ?? roleDefinitionId}' does not exist.`,
    )
  }
  const pKey = principalId.toLowerCase()
  const pending = state.replicating.get(pKey) ?? 0
  const principal = state.principals.get(pKey)
  if (pending > 0 || !principal) {
    if (pending > 0) state.replicating.set(pKey, pending - 1)
    throw new ArmHttpError(
      400,
      'PrincipalNotFound',
      `Principal ${principalId.replace(/-/g, '')} does not exist in the directory ${state.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group. See https://aka.ms/docs-principaltype`,
    )
  }
  const principalType = (props?.principalType as string | undefined) ?? principal.type
  if (principalType.toLowerCase() !== principal.type.toLowerCase()) {
    throw new ArmHttpError(
      400,
      'UnmatchedPrincipalType',
      `The PrincipalId '${principalId.replace(/-/g, '')}' has type '${principal.type}' , which is different from specified PrincipalType '${principalType}'.`,
    )
  }
  const tenantRoleId = `/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`
  const same = (r: ArmResource) =>
    String(r.properties.principalId).toLowerCase() === pKey &&
    String(r.properties.roleDefinitionId).toLowerCase().endsWith(`/${roleGuid}`)
  if (existing) {
    if (!same(existing)) {
      throw new ArmHttpError(
        409,
        'RoleAssignmentUpdateNotPermitted',
        'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
      )
    }
    return ok(roleView(existing), 200)
  }
  const duplicate = state.list(TYPE).find((r) => key(String(r.properties.scope)) === key(scope) && same(r))
  if (duplicate) {
    throw new ArmHttpError(
      409,
      'RoleAssignmentExists',
      `The role assignment already exists. The ID of the existing role assignment is ${duplicate.name.replace(/-/g, '')}.`,
    )
  }
  const created: ArmResource = {
    id: roleAssignmentId(scope, name),
    name,
    type: TYPE,
    properties: {
      roleDefinitionId: tenantRoleId,
      principalId,
      principalType: principal.type,
      scope,
      ...(typeof props?.description === 'string' ? {description: props.description} : {}),
      createdOn: new Date(state.now()).toISOString(),
      updatedOn: new Date(state.now()).toISOString(),
      createdBy: call.caller,
      updatedBy: call.caller,
    },
  }
  state.set(created)
  return ok(roleView(created), 201)
}
