import {ArmHttpError} from './arm-error.js'
import {type ArmState, key} from './state.js'

/**
 * Who is calling and may they: the bearer-token checks ARM makes before anything else (authentication, 401) and the
 * seeded forbidden scopes (authorization, 403). Real RBAC is not evaluated: only `forbidden` scopes refuse.
 */

const MANAGEMENT_AUDIENCES = [
  'https://management.azure.com',
  'https://management.core.windows.net',
  'https://management.usgovcloudapi.net',
  'https://management.core.usgovcloudapi.net',
  'https://management.chinacloudapi.cn',
  'https://management.core.chinacloudapi.cn',
]

function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || !parts[1]) return undefined
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Checks the `Authorization` header as ARM does (signature aside); returns the caller's object id. */
export function authenticate(header: string | undefined, state: ArmState): string {
  if (!header) {
    throw new ArmHttpError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.")
  }
  const m = /^Bearer\s+(\S+)$/i.exec(header)
  if (!m) {
    throw new ArmHttpError(
      401,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is not a Bearer token.",
    )
  }
  const claims = decodeJwtPayload(m[1] as string)
  if (!claims) {
    throw new ArmHttpError(401, 'InvalidAuthenticationToken', 'The access token is invalid.')
  }
  const exp = Number(claims.exp)
  if (Number.isFinite(exp) && exp * 1000 <= Date.now()) {
    throw new ArmHttpError(
      401,
      'ExpiredAuthenticationToken',
      `The access token expiry UTC time '${new Date(exp * 1000).toUTCString()}' is earlier than current UTC time '${new Date().toUTCString()}'.`,
    )
  }
  if (typeof claims.aud === 'string') {
    const aud = claims.aud.replace(/\/+$/, '').toLowerCase()
    if (!MANAGEMENT_AUDIENCES.includes(aud)) {
      throw new ArmHttpError(
        401,
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${claims.aud}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.`,
      )
    }
  }
  if (typeof claims.tid === 'string' && state.tenantId && claims.tid.toLowerCase() !== state.tenantId.toLowerCase()) {
    throw new ArmHttpError(
      401,
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer 'https://sts.windows.net/${claims.tid}/'. It must match the tenant 'https://sts.windows.net/${state.tenantId}/' associated with this subscription.`,
    )
  }
  return typeof claims.oid === 'string' ? claims.oid : state.callerPrincipalId
}

/** Throws 403 AuthorizationFailed when a seeded forbidden scope at or above `id` covers `action`. */
export function authorize(state: ArmState, id: string, action: string, caller: string): void {
  const target = key(id)
  for (const f of state.forbidden) {
    const scope = key(f.scope)
    if (target !== scope && !target.startsWith(`${scope}/`)) continue
    const hit = f.actions.some((a) => {
      if (a === '*') return true
      const re = new RegExp(`^${a.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i')
      return re.test(action)
    })
    if (hit) {
      throw new ArmHttpError(
        403,
        'AuthorizationFailed',
        `The client '${caller}' with object id '${caller}' does not have authorization to perform action '${action}' over scope '${id}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      )
    }
  }
}
