import {AzureError, ExitCode} from '../errors.js'
import type {CallerPrincipal} from '../plan/setup-plan.js'

/**
 * Who is signed in, from the claims of the Resource Manager token the credential already holds (no Graph call):
 * `oid` is the object id role assignments need; `idtyp` (or, without it, a delegated `scp`) tells a user from an app
 * (service principal, managed identity).
 * The token is only decoded, never printed or verified here: ARM verifies it.
 */
export function callerFromToken(token: string): CallerPrincipal {
  const payload = token.split('.')[1]
  let claims: {oid?: string; idtyp?: string; scp?: string; upn?: string; unique_name?: string}
  try {
    claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'))
  } catch {
    claims = {}
  }
  if (!claims.oid) {
    throw new AzureError(
      'CALLER_UNKNOWN',
      'Cannot tell who is signed in: the access token has no object id (oid) claim.',
      {
        exitCode: ExitCode.notLoggedIn,
        remedy:
          'Sign in as a user, service principal or managed identity (az login / azure/login), or drop --grant-caller and assign the roles yourself.',
      },
    )
  }
  // Delegated (user) tokens carry `scp`; app-only tokens (service principals, managed identities) do not.
  const app = claims.idtyp === 'app' || (claims.idtyp !== 'user' && !claims.scp && !claims.upn && !claims.unique_name)
  return {principalId: claims.oid, principalType: app ? 'ServicePrincipal' : 'User'}
}

/**
 * The caller for `setup --grant-caller`, from the credential's Resource Manager token, and a warning when it is a
 * user: Event Grid's Microsoft Entra (OAUTH2-JWT) sign-in takes only service principals and managed identities.
 */
export async function resolveCaller(arm: {
  armToken(): Promise<string>
}): Promise<{caller: CallerPrincipal; warning?: string}> {
  const caller = callerFromToken(await arm.armToken())
  const warning =
    caller.principalType === 'User'
      ? "you are signed in as a user. --grant-caller assigns the roles, but Event Grid's Microsoft Entra (OAUTH2-JWT) sign-in accepts only service principals and managed identities: for verify --from-cloud, sign in as one (az login --service-principal …, or workload identity in CI) and run setup --grant-caller as it."
      : undefined
  return {caller, warning}
}
