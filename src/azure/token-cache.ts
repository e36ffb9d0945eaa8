import type {AccessToken, GetTokenOptions, TokenCredential} from '@azure/core-auth'

/** A token is reused while it has at least this long to live (the bearer policy refreshes 2 minutes ahead). */
const REFRESH_MARGIN_MS = 5 * 60_000

const cachedOnes = new WeakSet<TokenCredential>()

/**
 * One credential for the whole process, with a token cache per scope in front of it: AzureCliCredential spawns
 * `az` on every getToken, and the Event Grid, caller and Monitor tokens are asked for outside the bearer policy's
 * own cache. Concurrent first requests share one pending promise, so one token per audience is fetched however many
 * clients ask at once. A failed fetch is not kept: the next request tries again. Claims challenges (CAE) and other
 * tenants bypass the cache.
 */
export function cachedCredential(inner: TokenCredential, now: () => number = Date.now): TokenCredential {
  if (cachedOnes.has(inner)) return inner
  const cache = new Map<string, Promise<AccessToken | null>>()
  const settled = new Map<string, AccessToken>()
  const cached: TokenCredential = {
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      if (options?.claims || options?.tenantId) return inner.getToken(scopes, options)
      const key = [scopes].flat().sort().join(' ')
      const known = settled.get(key)
      if (known && known.expiresOnTimestamp - now() > REFRESH_MARGIN_MS) return Promise.resolve(known)
      const pending = cache.get(key)
      if (pending) return pending
      // Shared by every caller, so no one caller's signal may cancel it.
      const fetching = inner.getToken(scopes, {...options, abortSignal: undefined}).then(
        (token) => {
          if (token) settled.set(key, token)
          if (cache.get(key) === fetching) cache.delete(key)
          return token
        },
        (err: unknown) => {
          if (cache.get(key) === fetching) cache.delete(key)
          throw err
        },
      )
      cache.set(key, fetching)
      return fetching
    },
  }
  cachedOnes.add(cached)
  return cached
}
