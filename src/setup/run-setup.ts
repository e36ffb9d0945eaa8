import type {ArmClient} from '../azure/arm-client.js'
import {
  type AzureErrorContext,
  armCodeOf,
  fromAzureError,
  isNotFound,
  looksLikeAzureError,
} from '../azure/arm-errors.js'
import {AuthorizationGateway, type RoleAssignment} from '../azure/authorization-gateway.js'
import {EventGridGateway, type EventGridNamespace, isProvisioning} from '../azure/eventgrid-gateway.js'
import {type ClusterExtension, ExtensionsGateway} from '../azure/extensions-gateway.js'
import {resourceGroupId} from '../azure/ids.js'
import {ResourcesGateway} from '../azure/resources-gateway.js'
import type {BridgeConfig} from '../config/bridge-config.js'
import {AioBridgeError, AzureError, ExitCode, interruptedError} from '../errors.js'
import {
  type Action,
  type CallerPrincipal,
  type ObservedState,
  planSetup,
  type RoleStep,
  resolvePrincipal,
  type SetupPlan,
} from '../plan/setup-plan.js'
import type {StepReporter} from './reporter.js'

export interface SetupOptions {
  dryRun?: boolean
  signal?: AbortSignal
  /** First delay when a new identity is still replicating; doubles. */
  principalRetryDelayInMs?: number
  principalWaitInMs?: number
  pollIntervalInMs?: number
  /** Also give the signed-in identity the two roles (setup --grant-caller), for verify --from-cloud. */
  caller?: CallerPrincipal
  /** The last step (the dataflow endpoint and dataflows), given the hostname; omitted = Event Grid side only. */
  dataflows?: DataflowsStep
}

/**
 * The dataflows step, given the hostname. `prepare`, when present, starts the reads that need no hostname (instance,
 * custom location, existing endpoint and dataflows); setup runs it with its own reads, so a missing or ambiguous
 * instance stops it before any write.
 */
export type DataflowsStep = ((hostname: string, ctx: StepContext & {dryRun: boolean}) => Promise<DataflowsOutcome>) & {
  prepare?: () => Promise<unknown>
  /** Loads what applying will need (an SDK client) while an earlier step waits on Azure. */
  warm?: () => void
}

/** What a step's work is given: where its progress goes, and how it says its write was accepted. */
export interface StepContext {
  update: (text: string) => void
  /** The step's write was accepted by Azure: a failure or an interrupt after this leaves it there. */
  submitted: () => void
}

/** What the dataflows step reports: a title for the progress and a result for --json. */
export interface DataflowsOutcome {
  title: string
  result: Record<string, unknown>
  /** Whether the step changed anything (for the progress of a later failure). */
  changed: boolean
}

export interface SetupResult {
  dryRun: boolean
  subscriptionId: string
  resourceGroup: string
  location: string
  namespace: {name: string; id: string; action: StepOutcome; managed: boolean; changes: string[]}
  topicSpace: {name: string; id: string; action: StepOutcome; managed: boolean; changes: string[]; templates: string[]}
  principalId: string
  extension: string
  roleAssignments: Array<{
    role: string
    roleName: string
    assignee: RoleStep['assignee']
    principalId: string
    name: string
    id: string
    scope: string
    action: StepOutcome
    existingName?: string
  }>
  hostname: string | null
  warnings: string[]
  dataflows?: Record<string, unknown>
}

export const SETUP_STEPS = {
  read: 'Read the current state (subscription, group, provider, namespace, topic space, extensions, roles)',
  namespace: 'Event Grid namespace',
  topicSpace: 'Topic space',
  publisher: 'Role EventGrid TopicSpaces Publisher',
  subscriber: 'Role EventGrid TopicSpaces Subscriber',
  caller: 'Roles for the signed-in identity (--grant-caller)',
  hostname: 'MQTT hostname',
  dataflows: 'Dataflow endpoint and dataflows',
} as const

export type SetupStepId = keyof typeof SETUP_STEPS

/** The steps a run will show: the caller's roles only with --grant-caller, the dataflows only when applied. */
export function setupSteps(opts: Pick<SetupOptions, 'caller' | 'dataflows'>): Partial<Record<SetupStepId, string>> {
  const steps: Partial<Record<SetupStepId, string>> = {...SETUP_STEPS}
  if (!opts.caller) delete steps.caller
  if (!opts.dataflows) delete steps.dataflows
  return steps
}

/** Reads everything setup decides on, all at once: one round of independent GETs. */
export async function observeSetupState(
  arm: ArmClient,
  config: BridgeConfig,
  caller?: CallerPrincipal,
): Promise<ObservedState> {
  const sub = config.subscriptionId
  const rg = config.resourceGroup
  const resources = new ResourcesGateway(arm)
  const eventGrid = new EventGridGateway(arm)
  const extensionsGw = new ExtensionsGateway(arm)
  const authorization = new AuthorizationGateway(arm)
  const cluster = config.cluster ?? ''
  const topicSpace = eventGrid.getTopicSpace(sub, rg, config.namespace, config.topicSpace)

  const callerRoles = (async (): Promise<RoleAssignment[]> => {
    const ts = await topicSpace
    return ts && caller ? authorization.listRoleAssignmentsForPrincipal(ts.id, caller.principalId) : []
  })()
  const extensionsAndRoles = (async (): Promise<{extensions: ClusterExtension[]; roles: RoleAssignment[]}> => {
    const extensions = await extensionsGw.listClusterExtensions(sub, rg, cluster).catch((err: unknown) => {
      if (isNotFound(err) && armCodeOf(err) !== 'ResourceGroupNotFound') {
        throw new AzureError(
          'CLUSTER_NOT_FOUND',
          `Arc-enabled cluster '${cluster}' was not found in resource group '${rg}'.`,
          {
            exitCode: ExitCode.prerequisite,
            remedy: `Fix --cluster (az connectedk8s list -g ${rg} -o table lists the clusters).`,
            cause: err,
          },
        )
      }
      throw err
    })
    // The assignments can be listed only once the principal is known and the topic space exists.
    const ts = await topicSpace
    if (!ts) return {extensions, roles: []}
    const principal = resolvePrincipal(cluster, extensions)
    const roles = await authorization.listRoleAssignmentsForPrincipal(ts.id, principal.principalId)
    return {extensions, roles}
  })()
  const subscription = resources.getSubscription(sub)
  const resourceGroup = resources.getResourceGroup(sub, rg)
  const provider = resources.getProviderRegistration(sub, 'Microsoft.EventGrid')
  const namespace = eventGrid.getNamespace(sub, rg, config.namespace)

  const [s, g, p, n, t, er, cr] = await Promise.allSettled([
    subscription,
    resourceGroup,
    provider,
    namespace,
    topicSpace,
    extensionsAndRoles,
    callerRoles,
  ])
  // Report the most basic problem first: a missing subscription or group explains the other failures.
  if (s.status === 'rejected') throw s.reason
  if (g.status === 'rejected') throw g.reason
  const partial = {subscriptionExists: s.value !== undefined, resourceGroup: g.value}
  if (!partial.subscriptionExists || !partial.resourceGroup) {
    return {...partial, extensions: [], roleAssignments: []}
  }
  for (const r of [p, n, t, er, cr]) if (r.status === 'rejected') throw r.reason
  const ok = <T>(r: PromiseSettledResult<T>) => (r as PromiseFulfilledResult<T>).value
  return {
    ...partial,
    providerRegistration: ok(p),
    namespace: ok(n),
    topicSpace: ok(t),
    extensions: ok(er).extensions,
    roleAssignments: ok(er).roles,
    callerRoleAssignments: ok(cr),
  }
}

/**
 * setup: observe → plan (pure) → apply, with independent work overlapped (all reads at once, the dataflow discovery
 * among them; the hostname beside the topic space and the roles; the two role assignments together). Safe to re-run:
 * every step converges, and a second run sends no write.
 */
export async function runSetup(
  arm: ArmClient,
  config: BridgeConfig,
  reporter: StepReporter,
  opts: SetupOptions = {},
): Promise<SetupResult> {
  // Stops the waits (never a write in flight) on Ctrl-C, and a sibling step's waits when one step fails.
  const run = new AbortController()
  const onAbort = () => run.abort()
  opts.signal?.addEventListener('abort', onAbort, {once: true})
  const changed: string[] = []
  const step: StepFn = async (id, fn, title, more = {}) => {
    if (opts.signal?.aborted) throw stoppedAfterStep()
    reporter.begin(id, SETUP_STEPS[id])
    let submitted = false
    try {
      const v = await fn({update: (t) => reporter.update(id, t), submitted: () => (submitted = true)})
      const t = title(v)
      reporter.end(id, t)
      // Only what changed Azure goes in the progress of a failure.
      if (more.changed?.(v)) changed.push(t)
      return v
    } catch (err) {
      const aborted = isAbort(err)
      // Waits stop on Ctrl-C (or when a sibling step failed), writes never: a step stopped after its write was
      // accepted leaves it to Azure.
      if (submitted && more.pending) changed.push(more.pending)
      // What the step was doing lets a 403 name the role and scope that are missing.
      const typed = looksLikeAzureError(err) ? fromAzureError(err, more.errorContext) : err
      if (!aborted) reporter.fail(id, SETUP_STEPS[id], typed)
      else
        reporter.fail(
          id,
          `${SETUP_STEPS[id]}: ${
            opts.signal?.aborted
              ? 'interrupted while waiting (Azure finishes the operation by itself)'
              : 'stopped: another step failed'
          }`,
        )
      throw typed
    }
  }

  try {
    // The dataflow discovery (instance, custom location, existing endpoint and dataflows) is part of the reads, so a
    // missing or ambiguous instance stops setup before anything is written, and a dry run sees it too.
    const discovery = opts.dataflows?.prepare?.()
    const observed = await step(
      'read',
      async () => {
        const [state, found] = await Promise.allSettled([
          observeSetupState(arm, config, opts.caller),
          discovery ?? Promise.resolve(),
        ])
        if (state.status === 'rejected') throw state.reason
        // A missing subscription or group explains a failed discovery: the planner names it.
        if (found.status === 'rejected' && state.value.subscriptionExists && state.value.resourceGroup)
          throw found.reason
        return state.value
      },
      () => 'Read the current state',
      {errorContext: {action: 'read the current state', role: 'Reader'}},
    )
    const plan = planSetup(config, observed, opts.caller)
    if (opts.dryRun) return await dryRun(config, plan, observed, reporter, step, opts)
    const result = await applySetupPlan(arm, config, plan, observed, step, opts, run)
    if (opts.dataflows && result.hostname) {
      const dataflows = opts.dataflows
      const hostname = result.hostname
      const out = await step(
        'dataflows',
        (ctx) => dataflows(hostname, {...ctx, dryRun: false}),
        (o) => o.title,
        {changed: (o) => o.changed, pending: 'Dataflows: deployment requested (Azure finishes it)'},
      )
      result.dataflows = out.result
    }
    return result
  } catch (err) {
    throw withProgress(err, changed, config)
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
  }
}

type StepFn = <T>(
  id: SetupStepId,
  fn: (ctx: StepContext) => Promise<T>,
  title: (v: T) => string,
  more?: {
    errorContext?: AzureErrorContext
    /** Did the finished step change Azure? */
    changed?: (v: T) => boolean
    /** What exists when the step fails or is interrupted while waiting for Azure after its write was accepted. */
    pending?: string
  },
) => Promise<T>

async function dryRun(
  config: BridgeConfig,
  plan: SetupPlan,
  observed: ObservedState,
  reporter: StepReporter,
  step: StepFn,
  opts: SetupOptions,
): Promise<SetupResult> {
  for (const id of ['namespace', 'topicSpace', 'publisher', 'subscriber', 'hostname'] as const) {
    reporter.skip(id, `${SETUP_STEPS[id]}: ${describePlanned(plan, id)}`)
  }
  if (opts.caller) reporter.skip('caller', `${SETUP_STEPS.caller}: ${describeCaller(plan)}`)
  const hostname = observed.namespace?.properties.topicSpacesConfiguration?.hostname ?? null
  const result = toResult(config, plan, hostname, true, new Map())
  if (opts.dataflows && hostname) {
    const dataflows = opts.dataflows
    const out = await step(
      'dataflows',
      (ctx) => dataflows(hostname, {...ctx, dryRun: true}),
      (o) => o.title,
    )
    result.dataflows = out.result
  } else if (opts.dataflows) {
    reporter.skip(
      'dataflows',
      `${SETUP_STEPS.dataflows}: would be deployed once the namespace (and its hostname) exists`,
    )
  }
  return result
}

/** What a role step found: made now, or already there (under setup's name or, `existingName`, another one). */
interface RoleOutcome {
  created: boolean
  existingName?: string
}

async function applySetupPlan(
  arm: ArmClient,
  config: BridgeConfig,
  plan: SetupPlan,
  observed: ObservedState,
  step: StepFn,
  opts: SetupOptions,
  run: AbortController,
): Promise<SetupResult> {
  const signal = run.signal
  const sub = config.subscriptionId
  const rg = config.resourceGroup
  const eventGrid = new EventGridGateway(arm)
  const authorization = new AuthorizationGateway(arm)
  const written = (a: Action) => () => a !== 'unchanged'

  // The namespace step ends once the namespace is provisioned (the topic space needs no more); its resource as it
  // ended (the SDK poller's read-back, which carries the hostname) is awaited by the hostname step beside the next.
  let nsReady: Promise<EventGridNamespace | undefined> = Promise.resolve(observed.namespace)
  await step(
    'namespace',
    async ({submitted}) => {
      const p = plan.namespace
      if (p.action === 'unchanged') {
        // Found still provisioning (an earlier run's operation, say): waited for by the hostname and by a topic
        // space write (Event Grid refuses a child of a namespace that is not provisioned).
        if (isProvisioning(observed.namespace))
          nsReady = eventGrid.waitForNamespace(sub, rg, config.namespace, {abortSignal: signal})
        return
      }
      const provisioned = signalled()
      const write = {
        onSubmitted: () => {
          submitted()
          arm.preload(sub, 'authorization')
        },
        onSucceeded: provisioned.resolve,
        abortSignal: signal,
      }
      nsReady =
        p.action === 'create'
          ? eventGrid.createOrUpdateNamespace(sub, rg, config.namespace, p.body, write)
          : eventGrid.updateNamespace(sub, rg, config.namespace, p.body, write)
      await Promise.race([provisioned.promise, nsReady])
    },
    () => `Namespace ${config.namespace}: ${actionText(plan.namespace.action, plan.namespace.changes)}`,
    {
      errorContext: {
        action: 'create or update the Event Grid namespace',
        role: 'EventGrid Contributor',
        scope: resourceGroupId(sub, rg),
      },
      changed: written(plan.namespace.action),
      pending:
        plan.namespace.action === 'unchanged'
          ? undefined
          : `Namespace ${config.namespace}: ${plan.namespace.action} requested (Azure finishes it)`,
    },
  )
  nsReady.catch(() => undefined)
  const hostnameRead = step(
    'hostname',
    async ({update}) => {
      if (plan.namespace.action === 'unchanged' && isProvisioning(observed.namespace))
        update('waiting for the namespace to finish provisioning')
      const done = await nsReady
      const h = done?.properties.topicSpacesConfiguration?.hostname
      if (!h) {
        throw new AzureError(
          'HOSTNAME_UNAVAILABLE',
          `Namespace '${config.namespace}' has no MQTT hostname (provisioning state ${done?.properties.provisioningState ?? 'unknown'}).`,
          {
            exitCode: ExitCode.azureService,
            remedy: `Check the namespace (az eventgrid namespace show -g ${rg} -n ${config.namespace}) and run setup again.`,
          },
        )
      }
      return h
    },
    (h) => `MQTT hostname: ${h}`,
  )
  // Awaited below; handled now so a failure while the topic space is in flight is not an unhandled rejection.
  hostnameRead.catch(() => undefined)
  const outcomes = new Map<RoleStep, RoleOutcome>()
  try {
    await step(
      'topicSpace',
      async ({submitted}) => {
        const p = plan.topicSpace
        // Found still provisioning: the roles wait for it, as they would for this run's own write.
        if (p.action === 'unchanged' || !p.body) {
          return isProvisioning(observed.topicSpace)
            ? eventGrid.waitForTopicSpace(sub, rg, config.namespace, config.topicSpace, {abortSignal: signal})
            : observed.topicSpace
        }
        if (plan.namespace.action === 'unchanged') await nsReady
        // Ends once provisioned: the roles need no more, and the poller's read-back goes on beside them.
        const provisioned = signalled()
        const done = eventGrid.createOrUpdateTopicSpace(sub, rg, config.namespace, config.topicSpace, p.body, {
          onSubmitted: submitted,
          onSucceeded: provisioned.resolve,
          abortSignal: signal,
        })
        done.catch(() => undefined)
        await Promise.race([provisioned.promise, done])
      },
      () => `Topic space ${config.topicSpace}: ${actionText(plan.topicSpace.action, plan.topicSpace.changes)}`,
      {
        errorContext: {
          action: 'create or update the topic space',
          role: 'EventGrid Contributor',
          scope: plan.namespace.id,
        },
        changed: written(plan.topicSpace.action),
        pending:
          plan.topicSpace.action === 'unchanged'
            ? undefined
            : `Topic space ${config.topicSpace}: ${plan.topicSpace.action} requested (Azure finishes it)`,
      },
    )

    const assign = async (r: RoleStep, update: (text: string) => void): Promise<RoleOutcome> => {
      if (r.action === 'unchanged') return {created: false, existingName: r.existingName}
      const res = await authorization.createRoleAssignment(r.scope, r.name, r.roleDefinitionId, r.principalId, {
        principalType: r.principalType,
        principalRetryDelayInMs: opts.principalRetryDelayInMs,
        principalWaitInMs: opts.principalWaitInMs,
        onPrincipalRetry: (attempt, delay) =>
          update(`identity not replicated yet (PrincipalNotFound): retry ${attempt} in ${Math.round(delay / 1000)} s`),
        abortSignal: signal,
      })
      const o: RoleOutcome =
        res.outcome === 'created'
          ? {created: true}
          : {created: false, existingName: res.existingName ?? res.assignment?.name}
      outcomes.set(r, o)
      return o
    }
    const roleTitle = (r: RoleStep, o: RoleOutcome) =>
      `${r.roleName}: ${o.created ? 'created' : 'unchanged'}${o.existingName && o.existingName !== r.name ? ' (an equivalent assignment exists)' : ''}`
    const callerRoles = plan.roles.filter((r) => r.assignee === 'caller')
    const steps = [
      ...plan.roles
        .filter((r) => r.assignee === 'iot-operations')
        .map((r) =>
          step(
            r.role,
            ({update}) => assign(r, update),
            (o) => roleTitle(r, o),
            {errorContext: rbacContext(r), changed: (o) => o.created},
          ),
        ),
      ...(callerRoles.length > 0
        ? [
            step(
              'caller',
              ({update}) => Promise.all(callerRoles.map((r) => assign(r, update))),
              (os) =>
                `Roles for you (${callerRoles[0]?.principalId}): ${os.map((o, i) => roleTitle(callerRoles[i] as RoleStep, o)).join('; ')}`,
              {errorContext: callerRoles[0] && rbacContext(callerRoles[0]), changed: (os) => os.some((o) => o.created)},
            ),
          ]
        : []),
    ]
    opts.dataflows?.warm?.()
    // On the first failure, stop the other role's waiting (a PrincipalNotFound backoff) and let it settle: no step
    // may report, or write, after the failure is reported.
    for (const p of steps) p.catch(() => run.abort())
    const failure = firstFailure(await Promise.allSettled(steps), opts.signal)
    if (failure) throw failure.error
  } catch (err) {
    await hostnameRead.catch(() => undefined)
    throw err
  }
  const hostname = await hostnameRead
  return toResult(config, plan, hostname, false, outcomes)
}

/**
 * The failure a set of concurrent steps reports: a real one before any abort. An abort the runner caused (it stops
 * the siblings of a failed step) never outranks the failure that caused it; only the user's Ctrl-C is an interrupt.
 */
function firstFailure(
  settled: PromiseSettledResult<unknown>[],
  userSignal?: AbortSignal,
): {error: unknown} | undefined {
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))
  if (failures.length === 0) return undefined
  const real = failures.find((e) => !isAbort(e))
  if (real !== undefined) return {error: real}
  return {error: userSignal?.aborted ? failures[0] : stoppedAfterStep()}
}

/** A promise and the function that resolves it. */
function signalled(): {promise: Promise<void>; resolve: () => void} {
  let resolve: () => void = () => undefined
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return {promise, resolve}
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError'
}

function toResult(
  config: BridgeConfig,
  plan: SetupPlan,
  hostname: string | null,
  dryRun: boolean,
  roles: Map<RoleStep, RoleOutcome>,
): SetupResult {
  return {
    dryRun,
    subscriptionId: config.subscriptionId,
    resourceGroup: config.resourceGroup,
    location: plan.location,
    namespace: {
      name: config.namespace,
      id: plan.namespace.id,
      action: outcome(plan.namespace.action, dryRun),
      managed: plan.namespace.managed,
      changes: plan.namespace.changes,
    },
    topicSpace: {
      name: config.topicSpace,
      id: plan.topicSpace.id,
      action: outcome(plan.topicSpace.action, dryRun),
      managed: plan.topicSpace.managed,
      changes: plan.topicSpace.changes,
      templates: config.topicTemplates,
    },
    principalId: plan.principal.principalId,
    extension: plan.principal.extension,
    roleAssignments: plan.roles.map((r) => {
      const done = roles.get(r)
      const name = done?.existingName ?? r.existingName ?? r.name
      const action: Action = done ? (done.created ? 'create' : 'unchanged') : r.action
      return {
        role: r.role,
        roleName: r.roleName,
        assignee: r.assignee,
        principalId: r.principalId,
        name,
        id: `${r.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        scope: r.scope,
        action: outcome(action, dryRun),
        ...(name !== r.name ? {existingName: name} : {}),
      }
    }),
    hostname,
    warnings: plan.warnings,
  }
}

/** Per step in the result: what was done (created / updated / unchanged), or in a dry run what would be (create / update). */
export type StepOutcome = 'created' | 'updated' | 'unchanged' | 'create' | 'update'

function outcome(action: Action, dryRun: boolean): StepOutcome {
  if (action === 'unchanged' || dryRun) return action
  return action === 'create' ? 'created' : 'updated'
}

function actionText(action: Action, changes: string[]): string {
  if (action === 'unchanged') return 'unchanged'
  return `${action === 'create' ? 'created' : 'updated'}${changes.length ? ` (${changes.join('; ')})` : ''}`
}

function describePlanned(plan: SetupPlan, id: SetupStepId): string {
  switch (id) {
    case 'namespace':
      return `would ${plan.namespace.action === 'unchanged' ? 'stay unchanged' : plan.namespace.changes.join('; ')}`
    case 'topicSpace':
      return `would ${plan.topicSpace.action === 'unchanged' ? 'stay unchanged' : plan.topicSpace.changes.join('; ')}`
    case 'publisher':
    case 'subscriber': {
      const r = plan.roles.find((x) => x.role === id && x.assignee === 'iot-operations')
      return r?.action === 'create' ? `would be assigned to ${plan.principal.principalId}` : 'already assigned'
    }
    default:
      return 'read after the namespace is provisioned'
  }
}

/** Contributor (the default in fromAzureError) cannot write role assignments: name a role that can. */
function rbacContext(r: RoleStep): AzureErrorContext {
  return {action: `assign ${r.roleName}`, role: 'Role Based Access Control Administrator', scope: r.scope}
}

function describeCaller(plan: SetupPlan): string {
  const mine = plan.roles.filter((r) => r.assignee === 'caller')
  return mine
    .map((r) => `${r.roleName}: ${r.action === 'create' ? 'would be assigned' : 'already assigned'}`)
    .join('; ')
}

function stoppedAfterStep(): AioBridgeError {
  return interruptedError(
    'Interrupted: stopped after the step in flight.',
    "Run 'aio-bridge setup' again with the same inputs to continue.",
  )
}

/** A failure half way says what setup changed before it and how to continue or undo. */
function withProgress(err: unknown, changed: string[], config: BridgeConfig): AioBridgeError {
  const aborted = err instanceof Error && err.name === 'AbortError'
  const e =
    err instanceof AioBridgeError
      ? err
      : aborted
        ? stoppedAfterStep()
        : looksLikeAzureError(err)
          ? fromAzureError(err)
          : undefined
  if (!e) throw err
  if (changed.length > 0) {
    e.progress = [
      'Done before the failure:',
      ...changed.map((d) => `  ✔ ${d}`),
      `Run 'aio-bridge setup' again with the same inputs to continue from here, or 'aio-bridge teardown -g ${config.resourceGroup} -n ${config.namespace} --yes' to remove what setup made.`,
    ].join('\n')
  } else if (e.code === 'INTERRUPTED') {
    e.progress = "Nothing was changed in Azure. Run 'aio-bridge setup' again to continue."
  } else {
    e.progress = 'Nothing was changed in Azure.'
  }
  return e
}
