import type {RoleAssignment} from '../azure/authorization-gateway.js'
import type {EventGridNamespace, TopicSpace} from '../azure/eventgrid-gateway.js'
import {
  namespaceId,
  ROLES,
  type RoleKey,
  resourceGroupId,
  roleGuidOf,
  sameId,
  subscriptionId,
  topicSpaceId,
} from '../azure/ids.js'
import type {IotOpsResource} from '../azure/iotops-gateway.js'
import {DEFAULTS} from '../config/bridge-config.js'
import {AIO_NAMESPACE, type BridgeModel} from '../model/bridge-model.js'
import {bridgeHost, endpointHostOf, namespaceOfHost, sameHost} from '../model/bridge-record.js'
import {modelFlagArgs, shellQuote} from '../model/command-line.js'
import {MANAGED_BY_LABEL} from '../render/kubernetes.js'
import {containsDesired} from '../setup/apply-dataflows.js'

/**
 * status's assessor: pure, (config, what Azure holds) → one check per piece of the bridge, each saying whether it
 * matches what setup would make, what was found, and the command that closes the gap.
 */

export interface StatusConfig {
  subscriptionId: string
  resourceGroup: string
  namespace: string
  topicSpace: string
  topicTemplates: string[]
  maxClientSessions: number
  cluster?: string
  /** Names and desired properties of the endpoint and dataflows (the hostname is taken from the namespace). */
  model: BridgeModel
  /** --instance, when given (for the fix commands). */
  instance?: string
  /**
   * How setup applied the endpoint and dataflows. `kubernetes`: they live in the cluster, not in ARM: they are read
   * with kubectl (their `spec`), and the fixes carry `--target kubernetes` (never a setup that would deploy ARM
   * copies). Default arm.
   */
  target?: 'arm' | 'kubernetes'
}

/** A problem met while looking (a missing extension, no instance): shown as the check's detail and fix. */
export interface LookupProblem {
  code: string
  message: string
  remedy?: string
}

/** An endpoint or dataflow as read: from ARM, or from the cluster (then `properties` is the CR's `spec`). */
export type ObservedIotOpsResource = IotOpsResource & {
  /** The custom resource's `metadata.labels` (cluster only). */
  labels?: Record<string, string>
}

export interface StatusObserved {
  namespace?: EventGridNamespace
  topicSpace?: TopicSpace
  /** undefined: no --cluster, not looked up. */
  principal?: {principalId: string; extension: string} | {problem: LookupProblem}
  /** The principal's assignments that apply at the topic space (made at it or above it). */
  roleAssignments: RoleAssignment[]
  /** The IoT Operations instance (found like setup finds it) and the resources on it. */
  iotOps: {
    instance?: string
    problem?: LookupProblem
    endpoint?: ObservedIotOpsResource
    dataflows: Record<string, ObservedIotOpsResource | undefined>
    /**
     * --target kubernetes: the kubectl that read the endpoint and dataflows from the cluster. Absent: kubectl is not
     * on PATH, they were not read and are not checked.
     */
    kubectl?: string
  }
}

export type StatusCheckId =
  | 'namespace.exists'
  | 'namespace.mqtt'
  | 'namespace.sessions'
  | 'namespace.hostname'
  | 'topicSpace.exists'
  | 'topicSpace.templates'
  | 'principal'
  | 'role.publisher'
  | 'role.subscriber'
  | 'instance'
  | 'endpoint.exists'
  | 'endpoint.host'
  | `dataflow.${string}`

export interface StatusCheck {
  id: StatusCheckId
  /** A short name of the piece, for the table. */
  title: string
  /** true only when the piece was checked and matches. */
  ok: boolean
  /** Not checked (an input is missing, or a check it depends on failed): not a gap by itself. */
  skipped?: boolean
  detail: string
  /** The command that closes the gap (gaps only). */
  fix?: string
}

export interface StatusAssessment {
  /** No gap: every check that ran passed. */
  clean: boolean
  /** Ids of the checks that found a gap. */
  gaps: StatusCheckId[]
  /** Ids of the checks that were skipped. */
  skipped: StatusCheckId[]
  checks: StatusCheck[]
}

/**
 * The setup command that converges everything, with the inputs this status run was given: every non-default input
 * (names, topics, templates, sessions, api-version, instance, target), so it addresses the same resources. `show`
 * spells out a value even when it is the default (the fix of the check about it).
 */
export function setupCommand(config: StatusConfig, show: {templates?: boolean; sessions?: boolean} = {}): string {
  return bridgeCommand('setup', config, show)
}

/** setup's or status's command line for these inputs (status takes the same flags; its --cluster is optional). */
function bridgeCommand(
  verb: 'setup' | 'status',
  config: StatusConfig,
  show: {templates?: boolean; sessions?: boolean} = {},
): string {
  const defaultTemplates =
    config.topicTemplates.length === DEFAULTS.topicTemplates.length &&
    config.topicTemplates.every((t, i) => t === DEFAULTS.topicTemplates[i])
  const parts = [
    `aio-bridge ${verb}`,
    `--subscription ${config.subscriptionId}`,
    `-g ${shellQuote(config.resourceGroup)}`,
    `-n ${config.namespace}`,
    ...(config.cluster || verb === 'setup' ? [`-c ${config.cluster ?? '<cluster>'}`] : []),
    ...(config.topicSpace === DEFAULTS.topicSpace ? [] : [`--topic-space ${config.topicSpace}`]),
    ...(show.templates || !defaultTemplates
      ? config.topicTemplates.map((t) => `--topic-template ${shellQuote(t)}`)
      : []),
    ...(show.sessions || config.maxClientSessions !== DEFAULTS.maxClientSessions
      ? [`--max-client-sessions ${config.maxClientSessions}`]
      : []),
    ...modelFlagArgs(config.model),
    ...(config.instance ? [`--instance ${shellQuote(config.instance)}`] : []),
    ...(config.target === 'kubernetes' ? ['--target kubernetes'] : []),
  ]
  return parts.join(' ')
}

/** Where an assignment comes from, seen from the topic space: the topic space itself, or a scope above it. */
export function describeScope(scope: string, config: StatusConfig): string {
  const sub = config.subscriptionId
  const rg = config.resourceGroup
  if (sameId(scope, topicSpaceId(sub, rg, config.namespace, config.topicSpace))) return 'at the topic space'
  if (sameId(scope, namespaceId(sub, rg, config.namespace))) return 'inherited from the namespace'
  if (sameId(scope, resourceGroupId(sub, rg))) return `inherited from resource group ${rg}`
  if (sameId(scope, subscriptionId(sub))) return `inherited from subscription ${sub}`
  if (/^\/providers\/Microsoft\.Management\/managementGroups\//i.test(scope))
    return `inherited from management group ${scope.split('/').pop()}`
  return `inherited from ${scope}`
}

/** Does `scope` contain `inner` (equal, or an ancestor of it)? */
function covers(scope: string, inner: string): boolean {
  if (scope.trim() === '') return false
  const s = scope.replace(/\/+$/, '').toLowerCase()
  const i = inner.replace(/\/+$/, '').toLowerCase()
  return s === '' || i === s || i.startsWith(`${s}/`)
}

const SCOPE_RANK = (scope: string, tsId: string): number => scope.split('/').length - (sameId(scope, tsId) ? 1000 : 0)

/** Pure: every check, in the order of the tutorial's steps. */
export function assessStatus(config: StatusConfig, observed: StatusObserved): StatusAssessment {
  const checks: StatusCheck[] = []
  const setup = setupCommand(config)
  const push = (c: StatusCheck) => checks.push(c.ok || c.skipped ? {...c, fix: undefined} : c)
  const skip = (id: StatusCheckId, title: string, because: string) =>
    push({id, title, ok: false, skipped: true, detail: `not checked: ${because}`})

  // Namespace.
  const ns = observed.namespace
  const tsc = ns?.properties.topicSpacesConfiguration
  const hostname = tsc?.hostname ?? undefined
  // The namespace the endpoint's host names, when it is not this one: a mistyped -n is then named as such.
  const epHost = endpointHostOf(observed.iotOps.endpoint?.properties)
  const elsewhere = namespaceOfHost(epHost)
  const other = elsewhere && elsewhere !== config.namespace.toLowerCase() ? elsewhere : undefined
  const meant = other
    ? `If you meant the bridge of namespace ${other}: ${bridgeCommand('status', {...config, namespace: other})}. To make this one's instead: `
    : ''
  if (!ns) {
    push({
      id: 'namespace.exists',
      title: 'Namespace',
      ok: false,
      detail: `${config.namespace} does not exist in ${config.resourceGroup}${
        other
          ? ` (the endpoint ${config.model.endpoint.name} points at namespace ${other}: did you mean -n ${other}?)`
          : ''
      }`,
      fix: `${meant}${setup}`,
    })
    for (const [id, title] of [
      ['namespace.mqtt', 'MQTT broker'],
      ['namespace.sessions', 'Sessions per client'],
      ['namespace.hostname', 'MQTT hostname'],
    ] as const)
      skip(id, title, 'the namespace does not exist')
  } else {
    const state = ns.properties.provisioningState
    push({
      id: 'namespace.exists',
      title: 'Namespace',
      ok: true,
      detail: `${ns.name} (${ns.location}${state ? `, ${state}` : ''})`,
    })
    const enabled = tsc?.state === 'Enabled'
    push({
      id: 'namespace.mqtt',
      title: 'MQTT broker',
      ok: enabled,
      detail: enabled ? 'enabled' : `topicSpacesConfiguration.state is ${tsc?.state ?? 'not set'}`,
      fix: setup,
    })
    const sessions = tsc?.maximumClientSessionsPerAuthenticationName ?? 1
    push({
      id: 'namespace.sessions',
      title: 'Sessions per client',
      ok: sessions >= config.maxClientSessions,
      detail: `${sessions} per authentication name (wanted ≥ ${config.maxClientSessions})`,
      fix: setupCommand(config, {sessions: true}),
    })
    const provisioned = state === undefined || state.toLowerCase() === 'succeeded'
    push({
      id: 'namespace.hostname',
      title: 'MQTT hostname',
      ok: Boolean(hostname) && provisioned,
      detail: hostname
        ? `${hostname}${provisioned ? '' : ` (namespace ${state})`}`
        : `none yet (namespace ${state ?? 'provisioning state unknown'})`,
      fix: enabled
        ? `Wait for the namespace to finish provisioning: az eventgrid namespace show -g ${config.resourceGroup} -n ${config.namespace} --query provisioningState`
        : setup,
    })
  }

  // Topic space.
  const ts = observed.topicSpace
  const tsId = topicSpaceId(config.subscriptionId, config.resourceGroup, config.namespace, config.topicSpace)
  if (!ts) {
    push({
      id: 'topicSpace.exists',
      title: 'Topic space',
      ok: false,
      detail: `${config.topicSpace} does not exist${ns ? '' : ' (no namespace)'}`,
      fix: setup,
    })
    skip('topicSpace.templates', 'Topic templates', 'the topic space does not exist')
  } else {
    push({id: 'topicSpace.exists', title: 'Topic space', ok: true, detail: ts.name})
    const have = ts.properties.topicTemplates ?? []
    const missing = config.topicTemplates.filter((t) => !have.includes(t))
    push({
      id: 'topicSpace.templates',
      title: 'Topic templates',
      ok: missing.length === 0,
      detail:
        missing.length === 0 ? have.join(', ') : `missing ${missing.join(', ')} (has ${have.join(', ') || 'none'})`,
      fix: setupCommand(config, {templates: true}),
    })
  }

  // The IoT Operations identity and its two roles.
  const p = observed.principal
  let principalId: string | undefined
  if (p === undefined) {
    skip('principal', 'IoT Operations identity', '--cluster (or CLUSTER_NAME) not given')
  } else if ('problem' in p) {
    push({
      id: 'principal',
      title: 'IoT Operations identity',
      ok: false,
      detail: p.problem.message,
      fix: p.problem.remedy ?? setup,
    })
  } else {
    principalId = p.principalId
    push({
      id: 'principal',
      title: 'IoT Operations identity',
      ok: true,
      detail: `${p.principalId} (extension ${p.extension})`,
    })
  }
  for (const role of Object.keys(ROLES) as RoleKey[]) {
    const id = `role.${role}` as const
    const title = ROLES[role].name.replace('EventGrid TopicSpaces ', '')
    if (!principalId) {
      skip(
        id,
        title,
        p === undefined ? '--cluster (or CLUSTER_NAME) not given' : 'the IoT Operations identity is unknown',
      )
      continue
    }
    if (!ts) {
      skip(id, title, 'the topic space does not exist')
      continue
    }
    const found = observed.roleAssignments
      .filter(
        (a) =>
          roleGuidOf(a.properties.roleDefinitionId) === ROLES[role].id &&
          a.properties.principalId.toLowerCase() === principalId?.toLowerCase() &&
          covers(a.properties.scope ?? '', tsId),
      )
      .sort((a, b) => SCOPE_RANK(a.properties.scope ?? '', tsId) - SCOPE_RANK(b.properties.scope ?? '', tsId))
    const best = found[0]
    push({
      id,
      title,
      ok: best !== undefined,
      detail: best
        ? `${ROLES[role].name} ${describeScope(best.properties.scope ?? '', config)} (assignment ${best.name})`
        : `${ROLES[role].name} not assigned to ${principalId} at the topic space or above`,
      fix: setup,
    })
  }

  // The endpoint and the dataflows on the instance.
  const io = observed.iotOps
  const modelFix = setupCommand(config)
  const dataflowIds = config.model.dataflows.map((df) => `dataflow.${df.name}` as const)
  if (!io.instance) {
    push({
      id: 'instance',
      title: 'IoT Operations instance',
      ok: false,
      detail: io.problem?.message ?? 'not found',
      fix: io.problem?.remedy ?? modelFix,
    })
    for (const id of ['endpoint.exists', 'endpoint.host', ...dataflowIds] as const)
      skip(id, titleOf(id), 'no IoT Operations instance')
  } else if (config.target === 'kubernetes' && !io.kubectl) {
    push({id: 'instance', title: 'IoT Operations instance', ok: true, detail: io.instance})
    // Applied with kubectl, they are custom resources in the cluster that ARM never sees: without kubectl they cannot
    // be read, and "fixing" them with setup --target arm would deploy a second copy.
    for (const id of ['endpoint.exists', 'endpoint.host', ...dataflowIds] as const)
      skip(
        id,
        titleOf(id),
        `kubectl is not on PATH (--target kubernetes: they live in the cluster, not in Azure); install kubectl, point it at the cluster and re-run, or see kubectl get dataflowendpoints,dataflows -n ${AIO_NAMESPACE}`,
      )
  } else {
    push({id: 'instance', title: 'IoT Operations instance', ok: true, detail: io.instance})
    // The same checks for both targets: a custom resource's spec is the ARM resource's properties, and it has no
    // provisioningState (none counts as provisioned).
    const inCluster = config.target === 'kubernetes'
    const where = inCluster ? `in the cluster (namespace ${AIO_NAMESPACE})` : `on instance ${io.instance}`
    const label = (r: ObservedIotOpsResource): string =>
      inCluster && r.labels?.[MANAGED_BY_LABEL.key] !== MANAGED_BY_LABEL.value
        ? `; without the label ${MANAGED_BY_LABEL.key}=${MANAGED_BY_LABEL.value} (teardown leaves it)`
        : ''
    const ep = io.endpoint
    const epName = config.model.endpoint.name
    if (!ep) {
      push({
        id: 'endpoint.exists',
        title: titleOf('endpoint.exists'),
        ok: false,
        detail: `${epName} does not exist ${where}`,
        fix: modelFix,
      })
      skip('endpoint.host', titleOf('endpoint.host'), 'the endpoint does not exist')
    } else {
      const state = ep.properties?.provisioningState
      const good = provisioned(state)
      push({
        id: 'endpoint.exists',
        title: titleOf('endpoint.exists'),
        ok: good,
        detail: `${ep.name}${state ? ` (${state})` : ''}${label(ep)}`,
        fix: modelFix,
      })
      // The same rule as teardown's: the endpoint is this bridge's only when it points at this namespace's host.
      const at = epHost ?? 'no host'
      const theirs = other ? `namespace ${other}'s, ` : ''
      if (!ns) {
        push({
          id: 'endpoint.host',
          title: titleOf('endpoint.host'),
          ok: false,
          detail: `${at}: points elsewhere (${theirs}not namespace ${config.namespace}'s, which does not exist in ${config.resourceGroup})`,
          fix: `${meant}${modelFix}`,
        })
      } else if (!hostname) {
        skip('endpoint.host', titleOf('endpoint.host'), 'the namespace hostname is unknown')
      } else {
        const want = bridgeHost(hostname)
        const same = sameHost(epHost, want)
        push({
          id: 'endpoint.host',
          title: titleOf('endpoint.host'),
          ok: same,
          detail: same
            ? at
            : `${at}: points elsewhere (${theirs}not ${want}, the MQTT hostname of namespace ${ns.name})`,
          fix: `${meant}${modelFix}`,
        })
      }
    }
    for (const df of config.model.dataflows) {
      const id = `dataflow.${df.name}` as const
      const r = io.dataflows[df.name]
      if (!r) {
        push({
          id,
          title: titleOf(id),
          ok: false,
          detail: `does not exist ${where}`,
          fix: modelFix,
        })
        continue
      }
      const state = r.properties?.provisioningState
      const matches = containsDesired(r.properties, df.properties)
      // A custom resource names its profile (ARM's is in the id, which was addressed by the model's profile).
      const profile = r.properties?.profileRef
      const sameProfile = profile === undefined || profile === config.model.profile
      push({
        id,
        title: titleOf(id),
        ok: provisioned(state) && matches && sameProfile,
        detail: `${state ?? 'exists'}${matches ? '' : '; differs from the model (sources, destinations or mode)'}${
          sameProfile ? '' : `; in profile ${String(profile)}, not ${config.model.profile}`
        }${label(r)}`,
        fix: modelFix,
      })
    }
  }

  const gaps = checks.filter((c) => !c.ok && !c.skipped).map((c) => c.id)
  return {clean: gaps.length === 0, gaps, skipped: checks.filter((c) => c.skipped).map((c) => c.id), checks}
}

/**
 * One rule for every IoT Operations resource: a missing provisioningState counts as provisioned. ARM omits it on
 * resources whose writes are synchronous and on some api-versions, and the resource was returned by a GET, so it
 * exists; a state that is there (Failed, Provisioning, Deleting…) must be Succeeded. The namespace check reads it the
 * same way.
 */
function provisioned(state: string | undefined): boolean {
  return state === undefined || state.toLowerCase() === 'succeeded'
}

function titleOf(id: StatusCheckId): string {
  if (id === 'endpoint.exists') return 'Dataflow endpoint'
  if (id === 'endpoint.host') return 'Endpoint host'
  if (id.startsWith('dataflow.')) return `Dataflow ${id.slice('dataflow.'.length)}`
  return id
}
