import type {RoleAssignment as SdkRoleAssignment} from '@azure/arm-authorization'
import {AzureError, ExitCode} from '../errors.js'
import type {ArmClient} from './arm-client.js'
import {sdkId} from './arm-client.js'
import {armCodeOf, httpStatusOf} from './arm-errors.js'
import {roleGuidOf, sameId, subscriptionOfId} from './ids.js'
import {sleep} from './wait.js'

/** A role assignment as ARM returns it (2022-04-01), `properties` nested as on the wire. */
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
  /** Stops the waiting between attempts; a PUT already sent is never cut off. */
  abortSignal?: AbortSignal
}

export interface ListOptions {
  abortSignal?: AbortSignal
}

export type CreateRoleAssignmentResult =
  | {outcome: 'created'; assignment: RoleAssignment}
  | {outcome: 'exists'; assignment?: RoleAssignment; existingName?: string}

/** Role assignments at any scope, through @azure/arm-authorization (roleAssignments at 2022-04-01). */
export class AuthorizationGateway {
  constructor(private readonly arm: ArmClient) {}

  /** The SDK client is per subscription: the one the scope names. */
  private client(scope: string) {
    return this.arm.authorization(subscriptionOfId(scope))
  }

  /** Assignments for one principal that apply at the scope (at it, above it, or below it). */
  listRoleAssignmentsForPrincipal(
    scope: string,
    principalId: string,
    options: ListOptions = {},
  ): Promise<RoleAssignment[]> {
    return this.list(scope, `principalId eq '${principalId}'`, options)
  }

  /** Assignments made exactly at the scope or inherited from above it (`$filter=atScope()`), any principal. */
  listRoleAssignmentsAtScope(scope: string, options: ListOptions = {}): Promise<RoleAssignment[]> {
    return this.list(scope, 'atScope()', options)
  }

  private async list(scope: string, filter: string, options: ListOptions): Promise<RoleAssignment[]> {
    const client = await this.client(scope)
    const out: RoleAssignment[] = []
    for await (const a of client.roleAssignments.listForScope(sdkId(scope), {
      filter,
      abortSignal: options.abortSignal,
    })) {
      out.push(fromSdk(a))
    }
    return out
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
    options: CreateRoleAssignmentOptions = {},
  ): Promise<CreateRoleAssignmentResult> {
    const client = await this.client(scope)
    const parameters = {
      roleDefinitionId,
      principalId,
      principalType: options.principalType ?? 'ServicePrincipal',
      ...(options.description ? {description: options.description} : {}),
    }
    const deadline = Date.now() + (options.principalWaitInMs ?? 5 * 60_000)
    let delay = options.principalRetryDelayInMs ?? 2000
    for (let attempt = 1; ; attempt++) {
      // Between attempts only: the PUT itself is never cut off.
      options.abortSignal?.throwIfAborted()
      let status: number | undefined
      try {
        const a = await client.roleAssignments.create(sdkId(scope), name, parameters, {
          onResponse: (r) => {
            status = r.status
          },
        })
        return status === 201
          ? {outcome: 'created', assignment: fromSdk(a)}
          : {outcome: 'exists', assignment: fromSdk(a)}
      } catch (err) {
        const code = armCodeOf(err)
        if (httpStatusOf(err) === 409 && code === 'RoleAssignmentExists') {
          const hex = /existing role assignment is ([0-9a-f]{32})/i.exec((err as Error).message)?.[1]
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
        if (code === 'PrincipalNotFound') {
          if (Date.now() + delay >= deadline) {
            throw new AzureError(
              'PRINCIPAL_NOT_FOUND',
              `Principal ${principalId} is still unknown to Microsoft Entra ID after ${attempt} attempts: ${(err as Error).message.split('.')[0]}.`,
              {
                exitCode: ExitCode.prerequisite,
                remedy:
                  'If the identity was just created, wait a few minutes and run setup again; otherwise check the IoT Operations extension identity (az k8s-extension show).',
                cause: err,
              },
            )
          }
          options.onPrincipalRetry?.(attempt, delay)
          await sleep(delay, options.abortSignal)
          delay = Math.min(delay * 2, 30_000)
          continue
        }
        throw err
      }
    }
  }

  /** true once deleted; false when it was already gone (204). */
  async deleteRoleAssignment(scope: string, name: string, options: ListOptions = {}): Promise<boolean> {
    const client = await this.client(scope)
    let status: number | undefined
    try {
      await client.roleAssignments.delete(sdkId(scope), name, {
        abortSignal: options.abortSignal,
        onResponse: (r) => {
          status = r.status
        },
      })
    } catch (err) {
      if (httpStatusOf(err) === 404) return false
      throw err
    }
    return status !== 204
  }
}

/** The SDK flattens `properties`; the planners (and ARM's wire shape) keep them nested. */
function fromSdk(a: SdkRoleAssignment): RoleAssignment {
  return {
    id: a.id ?? '',
    name: a.name ?? '',
    properties: {
      roleDefinitionId: a.roleDefinitionId ?? '',
      principalId: a.principalId ?? '',
      ...(a.principalType ? {principalType: a.principalType} : {}),
      ...(a.scope ? {scope: a.scope} : {}),
      ...(a.description ? {description: a.description} : {}),
    },
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
