import {ConfigError} from '../errors.js'
import {CLOUD_NAMES, CLOUDS, type CloudName} from './clouds.js'
import {
  checkClusterName,
  checkEventGridName,
  checkLocation,
  checkResourceGroupName,
  checkSubscriptionId,
  checkTopicTemplate,
  MAX_TOPIC_TEMPLATES,
  normalizeLocation,
} from './rules.js'

/** Where a value came from: shown by --dry-run and --debug so a surprising value can be traced. */
export type Source = 'flag' | 'env' | 'default'

/** The Azure side of the bridge, resolved once and validated before any Azure call. */
export interface AzureTarget {
  subscriptionId: string
  resourceGroup: string
  cloud: CloudName
  /** Resource Manager endpoint (AIO_BRIDGE_ARM_ENDPOINT or the cloud's). */
  armEndpoint: string
  /** Token audience: always the cloud's, also with a custom endpoint. */
  armAudience: string
}

export interface BridgeConfig extends AzureTarget {
  location?: string
  namespace: string
  cluster?: string
  topicSpace: string
  topicTemplates: string[]
  maxClientSessions: number
  sources: Record<string, Source>
}

/** Raw inputs as oclif parses them (undefined = not given). */
export interface BridgeFlags {
  subscription?: string
  'resource-group'?: string
  location?: string
  namespace?: string
  cluster?: string
  cloud?: string
  'topic-space'?: string
  'topic-template'?: string[]
  'max-client-sessions'?: number
}

export const DEFAULTS = {
  topicSpace: 'tutorial',
  topicTemplates: ['telemetry/#'],
  maxClientSessions: 3,
  cloud: 'AzureCloud' as CloudName,
}

type Env = Record<string, string | undefined>

function pick(
  flagValue: string | undefined,
  env: Env,
  names: string[],
  key: string,
  sources: Record<string, Source>,
): string | undefined {
  if (flagValue !== undefined && flagValue !== '') {
    sources[key] = 'flag'
    return flagValue.trim()
  }
  for (const name of names) {
    const v = env[name]
    if (v !== undefined && v.trim() !== '') {
      sources[key] = 'env'
      return v.trim()
    }
  }
  return undefined
}

function required(value: string | undefined, flag: string, envNames: string[]): string {
  if (value !== undefined) return value
  const envHint = envNames.length > 0 ? ` or set ${envNames.join(' / ')}` : ''
  throw new ConfigError('CONFIG_MISSING', `${flag} is required.`, `Pass ${flag} <value>${envHint}.`, {flag})
}

function check(problem: string | undefined, what: string, value: string, flag: string): void {
  if (problem) {
    throw new ConfigError('CONFIG_INVALID', `${what} '${value}' ${problem}.`, `Fix ${flag}.`, {flag, value})
  }
}

/** Resolves the Azure target alone (subscription, resource group, cloud, endpoint): enough for status and teardown. */
export function resolveAzureTarget(flags: BridgeFlags, env: Env, sources: Record<string, Source> = {}): AzureTarget {
  const subscriptionId = required(
    pick(flags.subscription, env, ['SUBSCRIPTION_ID', 'AZURE_SUBSCRIPTION_ID'], 'subscription', sources),
    '--subscription',
    ['SUBSCRIPTION_ID', 'AZURE_SUBSCRIPTION_ID'],
  )
  check(checkSubscriptionId(subscriptionId), 'Subscription id', subscriptionId, '--subscription')
  const resourceGroup = required(
    pick(flags['resource-group'], env, ['RESOURCE_GROUP'], 'resourceGroup', sources),
    '--resource-group',
    ['RESOURCE_GROUP'],
  )
  check(checkResourceGroupName(resourceGroup), 'Resource group name', resourceGroup, '--resource-group')

  const cloudValue = pick(flags.cloud, env, ['AZURE_CLOUD'], 'cloud', sources) ?? DEFAULTS.cloud
  const cloud = CLOUD_NAMES.find((c) => c.toLowerCase() === cloudValue.toLowerCase())
  if (!cloud) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `Unknown cloud '${cloudValue}'.`,
      `Pass --cloud with one of ${CLOUD_NAMES.join(', ')}.`,
      {flag: '--cloud', value: cloudValue},
    )
  }
  const armEndpoint = resolveArmEndpoint(env.AIO_BRIDGE_ARM_ENDPOINT, CLOUDS[cloud].resourceManager)
  return {subscriptionId, resourceGroup, cloud, armEndpoint, armAudience: CLOUDS[cloud].audience}
}

function resolveArmEndpoint(custom: string | undefined, fallback: string): string {
  if (custom === undefined || custom === '') return fallback
  let url: URL
  try {
    url = new URL(custom)
  } catch {
    throw new ConfigError(
      'CONFIG_INVALID',
      `AIO_BRIDGE_ARM_ENDPOINT '${custom}' is not a URL.`,
      'Set AIO_BRIDGE_ARM_ENDPOINT to an https URL such as https://management.local.azurestack.external, or unset it.',
    )
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError(
      'CONFIG_INSECURE_ENDPOINT',
      `AIO_BRIDGE_ARM_ENDPOINT '${custom}' is not https: a bearer token is never sent over plain http.`,
      'Use an https:// endpoint, or unset AIO_BRIDGE_ARM_ENDPOINT.',
    )
  }
  return url.origin + url.pathname.replace(/\/+$/, '')
}

/** Resolves and validates everything setup needs. Throws ConfigError (exit 2) before any Azure call. */
export function resolveBridgeConfig(flags: BridgeFlags, env: Env, opts: {requireCluster?: boolean} = {}): BridgeConfig {
  const sources: Record<string, Source> = {}
  const target = resolveAzureTarget(flags, env, sources)

  const namespace = required(
    pick(flags.namespace, env, ['EVENT_GRID_NAMESPACE'], 'namespace', sources),
    '--namespace',
    ['EVENT_GRID_NAMESPACE'],
  )
  check(checkEventGridName(namespace), 'Event Grid namespace name', namespace, '--namespace')

  const locationRaw = pick(flags.location, env, ['LOCATION'], 'location', sources)
  const location = locationRaw === undefined ? undefined : normalizeLocation(locationRaw)
  if (location !== undefined) check(checkLocation(location), 'Location', locationRaw ?? '', '--location')

  const clusterValue = pick(flags.cluster, env, ['CLUSTER_NAME'], 'cluster', sources)
  const cluster = opts.requireCluster === false ? clusterValue : required(clusterValue, '--cluster', ['CLUSTER_NAME'])
  if (cluster !== undefined) check(checkClusterName(cluster), 'Cluster name', cluster, '--cluster')

  const topicSpace = flags['topic-space'] ?? DEFAULTS.topicSpace
  sources.topicSpace = flags['topic-space'] === undefined ? 'default' : 'flag'
  check(checkEventGridName(topicSpace), 'Topic space name', topicSpace, '--topic-space')

  const topicTemplates = resolveTopicTemplates(flags['topic-template'])
  sources.topicTemplates = flags['topic-template']?.length ? 'flag' : 'default'

  const maxClientSessions = flags['max-client-sessions'] ?? DEFAULTS.maxClientSessions
  sources.maxClientSessions = flags['max-client-sessions'] === undefined ? 'default' : 'flag'
  if (!Number.isInteger(maxClientSessions) || maxClientSessions < 1 || maxClientSessions > 100) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `--max-client-sessions ${maxClientSessions} is outside 1–100.`,
      'Pass --max-client-sessions between 1 and 100 (the tutorial uses 3).',
      {flag: '--max-client-sessions'},
    )
  }

  return {...target, location, namespace, cluster, topicSpace, topicTemplates, maxClientSessions, sources}
}

/**
 * `--topic-template` as given (repeats removed) or the tutorial's default, each checked against Event Grid's rules; a
 * bad one is CONFIG_INVALID naming the flag. Used by setup's config and by commands that take only templates (render).
 */
export function resolveTopicTemplates(given: readonly string[] | undefined): string[] {
  const templates = given?.length ? [...new Set(given)] : [...DEFAULTS.topicTemplates]
  if (templates.length > MAX_TOPIC_TEMPLATES) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `${templates.length} topic templates given; a topic space holds at most ${MAX_TOPIC_TEMPLATES}.`,
      `Pass --topic-template at most ${MAX_TOPIC_TEMPLATES} times (use a wildcard such as telemetry/# to cover more topics).`,
      {flag: '--topic-template'},
    )
  }
  for (const t of templates) check(checkTopicTemplate(t), 'Topic template', t, '--topic-template')
  return templates
}
