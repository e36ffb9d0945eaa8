import {AzureError, ExitCode} from '../errors.js'
import {type ArmClient, ArmRequestError, sleep} from './arm-client.js'
import {API, roleGuidOf, sameId} from './ids.js'

export interface RoleAssignment {
  id: string
  name: string
  properties: {
    roleDefinitionId: string
    principalId: string
    principalType?: string
    scope?: string
    description?: string
  }
}

export type PrincipalType = 'ServicePrincipal' | 'User' | 'Group'

export interface CreateRoleAssignmentOptions {
  principalType?: PrincipalType
  description?: string
  /** Total time to keep retrying PrincipalNotFound (a new identity replicating in Entra ID). */
  principalWaitInMs?: number
  /** First backoff delay; doubles up to 30 s. */
  principalRetryDelayInMs?: number
  /** Told about each wait so the progress can say "waiting for the identity to replicate". */
  onPrincipalRetry?: (attempt: number, delayInMs: number) => void
  signal?: AbortSignal
}

export type CreateRoleAssignmentResult =
  | {outcome: 'created'; assignment: RoleAssignment}
  | {outcome: 'exists'; assignment?: RoleAssignment; existingName?: string}

/** Role assignments (Microsoft.Authorization 2022-04-01) at any scope. */
export class AuthorizationGateway {
  constructor(private readonly arm: ArmClient) {}

  /** Assignments for one principal that apply at the scope (at it, above it, or below it). */
  listRoleAssignmentsForPrincipal(scope: string, principalId: string): Promise<RoleAssignment[]> {
    return this.arm.listAll<RoleAssignment>(
      `${scope}/providers/Microsoft.Authorization/roleAssignments`,
      API.authorization,
      {
        $filter: `principalId eq '${principalId}'`,
      },
    )
  }

  /** Assignments made exactly at the scope or inherited from above it (`$filter=atScope()`), any principal. */
  listRoleAssignmentsAtScope(scope: string): Promise<RoleAssignment[]> {
    return this.arm.listAll<RoleAssignment>(
      `${scope}/providers/Microsoft.Authorization/roleAssignments`,
      API.authorization,
      {
        $filter: 'atScope()',
      },
    )
  }

  /**
   * Creates the assignment under a deterministic name. An equivalent assignment (409 RoleAssignmentExists) is success;
   * PrincipalNotFound (replication delay after the identity was made) is retried with backoff for a bounded time.
   */
  async createRoleAssignment(
    scope: string,
    name: string,
    roleDefinitionId: string,
    principalId: string,
    opts: CreateRoleAssignmentOptions = {},
  ): Promise<CreateRoleAssignmentResult> {
    const body = {
      properties: {
        roleDefinitionId,
        principalId,
        principalType: opts.principalType ?? 'ServicePrincipal',
        ...(opts.description ? {description: opts.description} : {}),
      },
    }
    const deadline = Date.now() + (opts.principalWaitInMs ?? 5 * 60_000)
    let delay = opts.principalRetryDelayInMs ?? 2000
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.arm.send<RoleAssignment>(
          'PUT',
          `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
          {apiVersion: API.authorization, body, signal: opts.signal},
        )
        return res.status === 201
          ? {outcome: 'created', assignment: res.body}
          : {outcome: 'exists', assignment: res.body}
      } catch (err) {
        if (err instanceof ArmRequestError && err.statusCode === 409 && err.code === 'RoleAssignmentExists') {
          const hex = /existing role assignment is ([0-9a-f]{32})/i.exec(err.message)?.[1]
          // ARM gives the existing name as 32 hex digits; role assignment names are GUIDs with dashes. Older answers
          // leave it out: then the equivalent assignment is looked up, so the result never names one that is not there.
          const existingName = hex
            ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toLowerCase()
            : findEquivalentAssignment(
                await this.listRoleAssignmentsForPrincipal(scope, principalId),
                scope,
                roleGuidOf(roleDefinitionId),
                principalId,
              )?.name
          return {outcome: 'exists', existingName}
        }
        if (err instanceof ArmRequestError && err.code === 'PrincipalNotFound') {
          if (Date.now() + delay >= deadline) {
            throw new AzureError(
              'PRINCIPAL_NOT_FOUND',
              `Principal ${principalId} is still unknown to Microsoft Entra ID after ${attempt} attempts: ${err.message.split('.')[0]}.`,
              {
                exitCode: ExitCode.prerequisite,
                remedy:
                  'If the identity was just created, wait a few minutes and run setup again; otherwise check the IoT Operations extension identity (az k8s-extension show).',
                cause: err,
              },
            )
          }
          opts.onPrincipalRetry?.(attempt, delay)
          await sleep(delay, opts.signal)
          delay = Math.min(delay * 2, 30_000)
          continue
        }
        throw err
      }
    }
  }

  deleteRoleAssignment(scope: string, name: string): Promise<boolean> {
    return this.arm.deleteAndWait(
      `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      API.authorization,
    )
  }
}

/** Does any assignment give this role to this principal exactly at this scope? */
export function findEquivalentAssignment(
  assignments: RoleAssignment[],
  scope: string,
  roleGuid: string,
  principalId: string,
): RoleAssignment | undefined {
  return assignments.find(
    (a) =>
      sameId(a.properties.scope, scope) &&
      roleGuidOf(a.properties.roleDefinitionId) === roleGuid.toLowerCase() &&
      a.properties.principalId.toLowerCase() === principalId.toLowerCase(),
  )
}
