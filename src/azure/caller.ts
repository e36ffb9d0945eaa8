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
