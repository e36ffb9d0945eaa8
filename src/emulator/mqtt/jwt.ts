import {createHmac, timingSafeEqual} from 'node:crypto'

/**
 * Minimal HS256 JWTs for the local emulation: the emulated Kubernetes API and Entra ID sign tokens with a shared
 * secret, and the emulated brokers check them. Never used against a real service (those tokens are RS256 and are
 * checked by the service, not by aio-bridge).
 */
function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({alg: 'HS256', typ: 'JWT'}))
  const body = b64url(JSON.stringify(claims))
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')
  return `${head}.${body}.${sig}`
}

/** The claims of a token without checking its signature (what the broker needs to read aud/exp first). */
export function decodeJwt(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    return JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

export type JwtProblem = 'malformed' | 'signature' | 'audience' | 'expired'

/** Checks signature (when a secret is given), audience and expiry; returns the problem or undefined when valid. */
export function checkJwt(
  token: string,
  opts: {audience: string; secret?: string; nowSeconds?: number},
): JwtProblem | undefined {
  const claims = decodeJwt(token)
  if (!claims) return 'malformed'
  if (opts.secret) {
    const [head, body, sig] = token.split('.') as [string, string, string]
    const expected = createHmac('sha256', opts.secret).update(`${head}.${body}`).digest()
    const got = Buffer.from(sig, 'base64url')
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return 'signature'
  }
  const aud = claims.aud
  const auds = Array.isArray(aud) ? aud : [aud]
  if (!auds.includes(opts.audience)) return 'audience'
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000)
  if (typeof claims.exp === 'number' && claims.exp < now) return 'expired'
  return undefined
}
