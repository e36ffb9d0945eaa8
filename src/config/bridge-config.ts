import {ConfigError} from '../errors.js'
import {CLOUD_NAMES, CLOUDS, type CloudName} from './clouds.js'
import {type InvalidValue, invalidValue} from './invalid.js'
import {
  checkClusterName,
  checkEventGridName,
  checkLocation,
  checkResourceGroupName,
  checkSubscriptionId,
  checkTopicTemplate,
  EVENT_GRID_NAME_RULE,
  isPlaceholder,
  MAX_TOPIC_TEMPLATES,
  normalizeLocation,
  suggestClusterName,
  suggestEventGridName,
  suggestLocation,
  suggestResourceGroupName,
  suggestSubscriptionId,
  suggestTopicTemplate,
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

/** A value that is required: its flag, the variables it can come from, and how the remedy shows an example of it. */
interface Required {
  flag: string
  /** The short flag, for the remedy's example command line. */
  short?: string
  env: string[]
  /** An example value for `export VAR=…` / `--flag …` in the remedy. */
  example: string
}

const REQUIRED = {
  subscription: {
    flag: '--subscription',
    env: ['SUBSCRIPTION_ID', 'AZURE_SUBSCRIPTION_ID'],
    example: '"$(az account show --query id -o tsv)"',
  },
  resourceGroup: {flag: '--resource-group', short: '-g', env: ['RESOURCE_GROUP'], example: 'my-rg'},
  namespace: {flag: '--namespace', short: '-n', env: ['EVENT_GRID_NAMESPACE'], example: 'my-eg-ns'},
  cluster: {flag: '--cluster', short: '-c', env: ['CLUSTER_NAME'], example: 'my-cluster'},
} satisfies Record<string, Required>

/**
 * Collects what a resolution found wrong, so one run names every missing value (four unset variables are one error,
 * not four runs) and the first bad one.
 */
class Problems {
  readonly missing: Array<Required & {placeholder?: {env?: string; value: string}}> = []
  invalid?: ConfigError

  bad(err: ConfigError): void {
    this.invalid ??= err
  }

  /** Throws the missing values (all of them, placeholders named as such) first, else the first invalid value. */
  throwIfAny(): void {
    if (this.missing.length > 0) throw missingError(this.missing)
    if (this.invalid) throw this.invalid
  }
}

function missingError(missing: Problems['missing']): ConfigError {
  const described = missing.map((m) =>
    m.placeholder
      ? `${m.flag} (${m.placeholder.env ?? m.flag} is still the tutorial's placeholder '${m.placeholder.value}')`
      : `${m.flag} (or ${m.env.join(' / ')})`,
  )
  const exports = missing.map((m) => `${m.env[0]}=${m.example}`).join(' ')
  const flags = missing.map((m) => `${m.short ?? m.flag} ${m.example}`).join(' ')
  return new ConfigError(
    'CONFIG_MISSING',
    `${missing.length === 1 ? 'A required value is' : `${missing.length} required values are`} not given: ${described.join(', ')}.`,
    `Set the tutorial's variables (export ${exports}) or pass the flags (${flags}).`,
    {flag: missing[0]?.flag, missing: missing.map((m) => m.flag)},
  )
}

/** The value of a flag, else of the first variable set; a tutorial placeholder counts as not given. */
function pick(
  flagValue: string | undefined,
  env: Env,
  names: string[],
  key: string,
  sources: Record<string, Source>,
): {value: string; env?: string} | {placeholder: {env?: string; value: string}} | undefined {
  const found: {value: string; env?: string} | undefined =
    flagValue !== undefined && flagValue.trim() !== ''
      ? {value: flagValue.trim()}
      : names.map((n) => ({env: n, value: env[n]?.trim() ?? ''})).find((v) => v.value !== '')
  if (!found) return undefined
  if (isPlaceholder(found.value)) return {placeholder: found}
  sources[key] = found.env ? 'env' : 'flag'
  return found
}

/** The value, or undefined with the requirement recorded as missing. */
function required(
  found: ReturnType<typeof pick>,
  req: Required,
  problems: Problems,
): {value: string; env?: string} | undefined {
  if (found && 'value' in found) return found
  problems.missing.push({...req, ...(found ? {placeholder: found.placeholder} : {})})
  return undefined
}

function checked(
  found: {value: string; env?: string} | undefined,
  problems: Problems,
  check: (v: string) => string | undefined,
  describe: Omit<InvalidValue, 'value' | 'problem' | 'corrected' | 'env'> & {
    suggest?: (v: string) => string | undefined
  },
): string | undefined {
  if (!found) return undefined
  const problem = check(found.value)
  if (problem) {
    const {suggest, ...rest} = describe
    problems.bad(
      invalidValue({...rest, value: found.value, problem, corrected: suggest?.(found.value), env: found.env}),
    )
  }
  return found.value
}

/** Resolves the Azure target alone (subscription, resource group, cloud, endpoint): enough for status and teardown. */
export function resolveAzureTarget(flags: BridgeFlags, env: Env, sources: Record<string, Source> = {}): AzureTarget {
  const problems = new Problems()
  const target = collectAzureTarget(flags, env, sources, problems)
  problems.throwIfAny()
  return target as AzureTarget
}

function collectAzureTarget(
  flags: BridgeFlags,
  env: Env,
  sources: Record<string, Source>,
  problems: Problems,
): AzureTarget | undefined {
  const req = REQUIRED.subscription
  const subscriptionId = checked(
    required(pick(flags.subscription, env, req.env, 'subscription', sources), req, problems),
    problems,
    checkSubscriptionId,
    {
      flag: '--subscription',
      what: 'Subscription',
      suggest: suggestSubscriptionId,
      rule: 'give the subscription\'s id, not its name (az account list --query "[].{name:name, id:id}" -o table lists them)',
      example: '00000000-0000-0000-0000-000000000000',
    },
  )
  const rgReq = REQUIRED.resourceGroup
  const resourceGroup = checked(
    required(pick(flags['resource-group'], env, rgReq.env, 'resourceGroup', sources), rgReq, problems),
    problems,
    checkResourceGroupName,
    {
      flag: '--resource-group',
      what: 'Resource group name',
      suggest: suggestResourceGroupName,
      rule: 'use 1 to 90 letters, digits, underscores, parentheses, hyphens and periods, not ending with a period',
      example: 'my-rg',
    },
  )

  const cloudValue = pick(flags.cloud, env, ['AZURE_CLOUD'], 'cloud', sources)
  const cloudName = cloudValue && 'value' in cloudValue ? cloudValue.value : DEFAULTS.cloud
  const cloud = CLOUD_NAMES.find((c) => c.toLowerCase() === cloudName.toLowerCase())
  if (!cloud) {
    problems.bad(
      invalidValue({
        flag: '--cloud',
        what: 'Cloud',
        value: cloudName,
        problem: `is not one of ${CLOUD_NAMES.join(', ')}`,
        corrected: closestCloud(cloudName),
        rule: `use one of ${CLOUD_NAMES.join(', ')}`,
        example: 'AzureCloud',
        env: cloudValue && 'env' in cloudValue ? cloudValue.env : undefined,
      }),
    )
  }
  let armEndpoint = ''
  try {
    armEndpoint = resolveArmEndpoint(env.AIO_BRIDGE_ARM_ENDPOINT, CLOUDS[cloud ?? DEFAULTS.cloud].resourceManager)
  } catch (err) {
    problems.bad(err as ConfigError)
  }
  if (subscriptionId === undefined || resourceGroup === undefined || !cloud) return undefined
  return {subscriptionId, resourceGroup, cloud, armEndpoint, armAudience: CLOUDS[cloud].audience}
}

/** `azurecloud`, `AzureGov` → the cloud meant, when the typed name starts one or differs only in case. */
function closestCloud(value: string): string | undefined {
  const v = value.toLowerCase().replace(/[^a-z]/g, '')
  return CLOUD_NAMES.find((c) => c.toLowerCase().startsWith(v) && v.length >= 5)
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
  const problems = new Problems()
  const target = collectAzureTarget(flags, env, sources, problems)
  const nameRule = {rule: EVENT_GRID_NAME_RULE, suggest: suggestEventGridName}

  const namespace = checked(
    required(pick(flags.namespace, env, REQUIRED.namespace.env, 'namespace', sources), REQUIRED.namespace, problems),
    problems,
    checkEventGridName,
    {flag: '--namespace', what: 'Event Grid namespace name', example: 'my-eg-ns', ...nameRule},
  )

  const locationFound = pick(flags.location, env, ['LOCATION'], 'location', sources)
  const locationRaw = locationFound && 'value' in locationFound ? locationFound : undefined
  const location = locationRaw === undefined ? undefined : normalizeLocation(locationRaw.value)
  if (locationRaw && location !== undefined)
    checked({...locationRaw, value: location}, problems, checkLocation, {
      flag: '--location',
      what: 'Location',
      suggest: suggestLocation,
      rule: 'use a region name (az account list-locations -o table lists them)',
      example: 'westus2',
    })

  const clusterFound = pick(flags.cluster, env, REQUIRED.cluster.env, 'cluster', sources)
  const cluster = checked(
    opts.requireCluster === false
      ? clusterFound && 'value' in clusterFound
        ? clusterFound
        : undefined
      : required(clusterFound, REQUIRED.cluster, problems),
    problems,
    checkClusterName,
    {
      flag: '--cluster',
      what: 'Cluster name',
      suggest: suggestClusterName,
      rule: 'use 1 to 63 letters, digits, hyphens, underscores and periods, starting and ending with a letter or digit',
      example: 'my-cluster',
    },
  )

  const topicSpace = flags['topic-space'] ?? DEFAULTS.topicSpace
  sources.topicSpace = flags['topic-space'] === undefined ? 'default' : 'flag'
  checked({value: topicSpace}, problems, checkEventGridName, {
    flag: '--topic-space',
    what: 'Topic space name',
    example: 'tutorial',
    ...nameRule,
  })

  let topicTemplates: string[] = []
  try {
    topicTemplates = resolveTopicTemplates(flags['topic-template'])
  } catch (err) {
    problems.bad(err as ConfigError)
  }
  sources.topicTemplates = flags['topic-template']?.length ? 'flag' : 'default'

  const maxClientSessions = flags['max-client-sessions'] ?? DEFAULTS.maxClientSessions
  sources.maxClientSessions = flags['max-client-sessions'] === undefined ? 'default' : 'flag'
  if (!Number.isInteger(maxClientSessions) || maxClientSessions < 1 || maxClientSessions > 100) {
    problems.bad(
      invalidValue({
        flag: '--max-client-sessions',
        what: 'Sessions per authentication name',
        value: String(maxClientSessions),
        problem: 'is outside 1–100',
        corrected: String(Math.min(100, Math.max(1, Math.round(maxClientSessions) || 1))),
        rule: 'use a whole number from 1 to 100 (the tutorial uses 3)',
        example: '3',
      }),
    )
  }

  problems.throwIfAny()
  return {
    ...(target as AzureTarget),
    location,
    namespace: namespace as string,
    cluster,
    topicSpace,
    topicTemplates,
    maxClientSessions,
    sources,
  }
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
  for (const t of templates) {
    const problem = checkTopicTemplate(t)
    if (problem) {
      throw invalidValue({
        flag: '--topic-template',
        what: 'Topic template',
        value: t,
        problem,
        corrected: suggestTopicTemplate(t),
        rule: "use topic levels joined by '/', '+' for a whole level and '#' only as the whole last level",
        example: 'telemetry/#',
      })
    }
  }
  return templates
}
