import type {BridgeFlags} from '../config/bridge-config.js'

/**
 * Where `render` gets the Event Grid hostname: --hostname; else, when the namespace is named (flags or the tutorial's
 * variables) and a sign-in works, the namespace's own `topicSpacesConfiguration.hostname`; else the tutorial's
 * placeholder (with a warning). Without a namespace no Azure call is made at all.
 */
export type HostnameSource = 'flag' | 'namespace' | 'placeholder'

export interface HostnameResolution {
  /** undefined = unknown: the model writes HOSTNAME_PLACEHOLDER. */
  hostname?: string
  source: HostnameSource
  /** Why the namespace could not be read, when it was tried. */
  lookupError?: string
}

export interface ResolveHostnameOptions {
  hostname?: string
  /** The Azure target, when known: flags as parsed plus the environment. */
  azure?: {flags: BridgeFlags; env: Record<string, string | undefined>}
  abortSignal?: AbortSignal
}

export async function resolveRenderHostname(options: ResolveHostnameOptions): Promise<HostnameResolution> {
  const given = options.hostname?.trim()
  if (given) return {hostname: given, source: 'flag'}
  const azure = options.azure
  const namespace = azure?.flags.namespace ?? azure?.env.EVENT_GRID_NAMESPACE
  if (!azure || !namespace) return {source: 'placeholder'}
  try {
    const {resolveAzureTarget} = await import('../config/bridge-config.js')
    const target = resolveAzureTarget(azure.flags, azure.env)
    const {createArmClient} = await import('../azure/arm-client.js')
    const {EventGridGateway} = await import('../azure/eventgrid-gateway.js')
    const arm = await createArmClient(target)
    const ns = await new EventGridGateway(arm).getNamespace(target.subscriptionId, target.resourceGroup, namespace)
    const hostname = ns?.properties.topicSpacesConfiguration?.hostname ?? undefined
    if (hostname) return {hostname, source: 'namespace'}
    return {
      source: 'placeholder',
      lookupError: ns ? `namespace '${namespace}' has no MQTT hostname yet` : `namespace '${namespace}' was not found`,
    }
  } catch (err) {
    return {source: 'placeholder', lookupError: (err as Error).message.split('\n')[0]}
  }
}
