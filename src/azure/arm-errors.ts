import {AioBridgeError, AzureError, ExitCode} from '../errors.js'

/**
 * Maps what Azure (or the credential) reports onto typed errors with the fix. Pure and import-free, so the
 * error path never loads the SDK. Recognition is by HTTP status and ARM error code, never by message text.
 */

/** What the caller was doing, so a 403 can name the role that is missing. */
export interface AzureErrorContext {
  /** e.g. "create the role assignment" */
  action?: string
  /** The built-in role that grants it, e.g. "Role Based Access Control Administrator". */
  role?: string
  scope?: string
}

/** The shape of @azure/core-rest-pipeline's RestError (what both SDK client generations and ArmClient.send throw). */
export interface AzureErrorLike {
  name: string
  message: string
  statusCode?: number
  code?: string
  details?: unknown
  /** The request, when known: its resource path is the scope of a 403. */
  request?: {url: string}
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
  'AggregateAuthenticationError',
  'AuthenticationError',
])

export function looksLikeAzureError(err: unknown): err is AzureErrorLike {
  if (!(err instanceof Error)) return false
  return err.name === 'RestError' || CREDENTIAL_ERRORS.has(err.name)
}

/** The HTTP status Azure answered with, when the error is an HTTP answer. */
export function httpStatusOf(err: unknown): number | undefined {
  return err instanceof Error && err.name === 'RestError' ? (err as AzureErrorLike).statusCode : undefined
}

/** A 404 from Resource Manager (the SDKs throw it; the gateways turn it into `undefined` or `false`). */
export function isNotFound(err: unknown): boolean {
  return httpStatusOf(err) === 404
}

/** The ARM error code of an HTTP answer (e.g. RoleAssignmentExists, DeploymentActive). */
export function armCodeOf(err: unknown): string | undefined {
  return err instanceof Error && err.name === 'RestError' ? (err as AzureErrorLike).code : undefined
}

export function fromAzureError(err: AzureErrorLike, context: AzureErrorContext = {}): AzureError {
  const ctx = {...context, scope: context.scope ?? scopeOf(err.request?.url)}
  const status = err.statusCode
  const code = err.code ?? ''
  const armMessage = firstLine(err.message)
  const details = {statusCode: status, armCode: code || undefined, ...(ctx.scope ? {scope: ctx.scope} : {})}
  const make = (c: string, message: string, remedy: string, exitCode: (typeof ExitCode)[keyof typeof ExitCode]) =>
    new AzureError(c, message, {remedy, exitCode, cause: err, details})

  if (
    CREDENTIAL_ERRORS.has(err.name) ||
    status === 401 ||
    code === 'InvalidAuthenticationToken' ||
    code === 'ExpiredAuthenticationToken'
  ) {
    return make(
      'NOT_LOGGED_IN',
      `Not logged in to Azure: ${armMessage}`,
      "Run 'az login' (or, in CI, azure/login with OIDC), or set AZURE_TOKEN_CREDENTIALS to the credential to use, e.g. AzureCliCredential.",
      ExitCode.notLoggedIn,
    )
  }
  if (status === 403 || code === 'AuthorizationFailed' || code === 'LinkedAuthorizationFailed') {
    const role = ctx.role ?? 'Contributor'
    const what = ctx.action ? ` to ${ctx.action}` : ''
    return make(
      'FORBIDDEN',
      `Permission denied${what}${ctx.scope ? ` at ${ctx.scope}` : ''}: ${armMessage}`,
      `Ask an owner to grant you '${role}'${ctx.scope ? ` on ${ctx.scope}` : ''}: az role assignment create --assignee <you> --role "${role}" --scope ${ctx.scope ?? '<scope>'}`,
      ExitCode.forbidden,
    )
  }
  if (code === 'MissingSubscriptionRegistration' || code === 'NoRegisteredProviderFound') {
    const ns = /namespace '([^']+)'/i.exec(err.message)?.[1] ?? 'Microsoft.EventGrid'
    return make(
      'PROVIDER_NOT_REGISTERED',
      `The resource provider ${ns} is not registered in this subscription.`,
      `az provider register --namespace ${ns} --wait`,
      ExitCode.prerequisite,
    )
  }
  if (code === 'ResourceGroupNotFound') {
    return make(
      'RESOURCE_GROUP_NOT_FOUND',
      armMessage,
      'Create it (az group create --name <group> --location <region>) or fix --resource-group.',
      ExitCode.prerequisite,
    )
  }
  if (code === 'SubscriptionNotFound' || code === 'InvalidSubscriptionId') {
    return make(
      'SUBSCRIPTION_NOT_FOUND',
      armMessage,
      'Fix --subscription (az account list -o table shows the ones you can use).',
      ExitCode.prerequisite,
    )
  }
  if (/QuotaExceeded|LimitExceeded/i.test(code)) {
    return make(
      'QUOTA_EXCEEDED',
      `Azure quota reached: ${armMessage}`,
      'Delete unused namespaces or request a quota increase (az quota / the portal).',
      ExitCode.conflict,
    )
  }
  if (/NameNotAvailable|AlreadyExists|NameAlreadyInUse|NameUnavailable/i.test(code)) {
    return make(
      'NAME_TAKEN',
      `The name is taken: ${armMessage}`,
      'Choose another name (--namespace) or use the existing resource’s resource group.',
      ExitCode.conflict,
    )
  }
  if (code === 'RoleAssignmentUpdateNotPermitted') {
    return make(
      'ROLE_ASSIGNMENT_CONFLICT',
      `A role assignment with the name setup uses exists for another role or principal: ${armMessage}`,
      `See who holds it (az role assignment list --scope ${ctx.scope ?? '<scope>'} -o table); delete it if it is stale (az role assignment delete --ids <id>), then run the command again.`,
      ExitCode.conflict,
    )
  }
  if (status === 409) {
    return make(
      'CONFLICT',
      `Azure reported a conflict: ${armMessage}`,
      'Wait for the operation in progress to finish, then run the command again.',
      ExitCode.conflict,
    )
  }
  if (status === 429) {
    return make(
      'THROTTLED',
      `Azure kept throttling the requests: ${armMessage}`,
      'Wait a minute and run the command again; it continues from what exists.',
      ExitCode.azureService,
    )
  }
  if (status !== undefined && status >= 500) {
    return make(
      'AZURE_UNAVAILABLE',
      `Azure kept failing (HTTP ${status}): ${armMessage}`,
      'Run the command again later; it continues from what exists.',
      ExitCode.azureService,
    )
  }
  if (status === undefined) {
    return make(
      'AZURE_UNREACHABLE',
      `Cannot reach Azure Resource Manager: ${armMessage}`,
      'Check the network, a proxy (HTTPS_PROXY) and AIO_BRIDGE_ARM_ENDPOINT.',
      ExitCode.azureService,
    )
  }
  return make(
    'AZURE_REQUEST_REJECTED',
    `Azure rejected the request (HTTP ${status}${code ? `, ${code}` : ''}): ${armMessage}`,
    'Fix the input the message names and run the command again.',
    ExitCode.azureService,
  )
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').trim()
}

/** The resource a request addressed, as an ARM scope: the URL's path without a trailing collection or provider list. */
function scopeOf(url: string | undefined): string | undefined {
  if (!url) return undefined
  let path: string
  try {
    path = new URL(url).pathname
  } catch {
    path = url.split('?')[0] ?? url
  }
  const parts = path.split('/').filter(Boolean)
  // A list (…/roleAssignments, …/extensions) addresses its parent; so does …/providers/X in front of it.
  if (parts.length % 2 === 1) parts.pop()
  if (parts.at(-2)?.toLowerCase() === 'providers') parts.splice(-2, 2)
  return parts.length ? `/${parts.join('/')}` : undefined
}

/** An ARM error body (an operation's `error`, or a response's). */
export interface ArmErrorBody {
  code?: string
  message?: string
  details?: ArmErrorBody[]
}

/** The innermost ARM errors say what actually failed (a deployment wraps them in DeploymentFailed). */
function innermost(error: ArmErrorBody | undefined): ArmErrorBody[] {
  if (!error?.details?.length) return error ? [error] : []
  return error.details.flatMap((d) => innermost(d))
}

/**
 * A long-running operation that ended Failed or Canceled, from the error its last poll carried. A quota or a taken
 * name reported at the end of an operation is the same problem as when reported at once.
 */
export function operationFailed(operation: string, error?: ArmErrorBody, status?: string): AioBridgeError {
  const causes = innermost(error).filter((e) => e !== error)
  const why = causes.length > 0 ? ` — ${causes.map((c) => `${c.code ?? '?'}: ${c.message ?? ''}`).join('; ')}` : ''
  const message = `An Azure operation ended ${status ?? 'Failed'}${error?.code ? ` with ${error.code}` : ''}: ${error?.message ?? 'no message'}${why}`
  const details = {
    armCode: error?.code,
    causes: causes.map((c) => ({code: c.code, message: c.message})),
    operation,
  }
  const inner = [error, ...causes]
    .map((c) => c?.code ?? '')
    .find((c) => /QuotaExceeded|LimitExceeded|NameNotAvailable|AlreadyExists|NameAlreadyInUse|NameUnavailable/i.test(c))
  if (inner) {
    const mapped = fromAzureError({name: 'RestError', message, code: inner, statusCode: 409})
    return new AioBridgeError(mapped.code, message, {exitCode: mapped.exitCode, remedy: mapped.remedy, details})
  }
  return new AioBridgeError('OPERATION_FAILED', message, {
    exitCode: ExitCode.azureService,
    remedy: 'Fix what the message names, then run the command again; it continues from what exists.',
    details,
  })
}

/** A missing resource group, found by a read: one message and fix for setup and status. */
export function resourceGroupNotFound(subscriptionId: string, resourceGroup: string): AzureError {
  return new AzureError(
    'RESOURCE_GROUP_NOT_FOUND',
    `Resource group '${resourceGroup}' was not found in subscription ${subscriptionId}.`,
    {
      exitCode: ExitCode.prerequisite,
      remedy: `Create it (az group create --name ${resourceGroup} --location <region>) or fix --resource-group (az group list -o table lists yours).`,
    },
  )
}
