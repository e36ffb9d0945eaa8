/**
 * Where `render` gets the Event Grid hostname. Today: --hostname, else the tutorial's placeholder (with a warning).
 * This is the one seam for a later "from the namespace when logged in" source: add it here, the command and the model
 * stay as they are.
 */
export type HostnameSource = 'flag' | 'placeholder'

export interface HostnameResolution {
  /** undefined = unknown: the model writes HOSTNAME_PLACEHOLDER. */
  hostname?: string
  source: HostnameSource
}

export interface ResolveHostnameOptions {
  hostname?: string
  abortSignal?: AbortSignal
}

export async function resolveRenderHostname(options: ResolveHostnameOptions): Promise<HostnameResolution> {
  const given = options.hostname?.trim()
  if (given) return {hostname: given, source: 'flag'}
  return {source: 'placeholder'}
}
