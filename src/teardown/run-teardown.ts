import type {ArmClient} from '../azure/arm-client.js'
import {type AzureErrorContext, fromAzureError, looksLikeAzureError} from '../azure/arm-errors.js'
import {AuthorizationGateway} from '../azure/authorization-gateway.js'
import {DeploymentsGateway} from '../azure/deployments-gateway.js'
import {EventGridGateway} from '../azure/eventgrid-gateway.js'
import {IotOpsGateway} from '../azure/iotops-gateway.js'
import {DEFAULTS} from '../config/bridge-config.js'
import {AioBridgeError, ExitCode} from '../errors.js'
import {AIO_NAMESPACE} from '../model/bridge-model.js'
import {modelFlagArgs, shellQuote} from '../model/command-line.js'
import {
  type KeptItem,
  type NotFoundItem,
  planTeardown,
  scopeOfAssignmentId,
  type TeardownConfig,
  type TeardownDeletion,
  type TeardownKind,
  type TeardownPlan,
  teardownPhases,
} from '../plan/teardown-plan.js'
import {MANAGED_BY_SELECTOR} from '../render/kubernetes.js'
import type {StepReporter} from '../setup/reporter.js'
import {deleteWithKubectl} from './kubectl-delete.js'
import {type ObserveTeardownOptions, observeTeardownState} from './observe.js'

export type DeletionOutcome = 'deleted' | 'already-gone' | 'would-delete' | 'not-run'

export interface TeardownResult {
  dryRun: boolean
  /** false: the user answered no at the prompt; nothing was deleted. */
  confirmed: boolean
  subscriptionId: string
  resourceGroup: string
  namespace: string
  topicSpace: string
  target: TeardownConfig['target']
  deletions: Array<{kind: TeardownKind; name: string; id: string; outcome: DeletionOutcome}>
  /** What the inputs name that does not exist (a mistyped -n, --topic-space, --instance), with what that means. */
  notFound: NotFoundItem[]
  kept: KeptItem[]
  notes: string[]
}

export interface TeardownOptions extends ObserveTeardownOptions {
  dryRun?: boolean
  /** Asked (with the plan) before anything is deleted; false = cancelled. Not called when there is nothing to delete. */
  confirm?: (plan: TeardownPlan) => Promise<boolean>
  /** Makes the progress display for the deletions, once they are known. */
  reporter?: (steps: Record<string, string>) => Promise<StepReporter & {finish(): Promise<void>}>
  /** Told the plan once it is made (the command prints it). */
  onPlan?: (plan: TeardownPlan) => void
}

/** teardown: observe → plan (pure) → confirm → delete phase by phase (each phase's deletions together). */
export async function runTeardown(
  arm: ArmClient,
  config: TeardownConfig,
  opts: TeardownOptions,
): Promise<TeardownResult> {
  const observed = await observeTeardownState(arm, config, opts)
  const plan = planTeardown(config, observed)
  opts.onPlan?.(plan)
  const base = {
    subscriptionId: config.subscriptionId,
    resourceGroup: config.resourceGroup,
    namespace: config.namespace,
    topicSpace: config.topicSpace,
    target: config.target,
    notFound: plan.notFound,
    kept: plan.kept,
    notes: plan.notes,
  }
  const listed = (outcome: DeletionOutcome) =>
    plan.deletions.map((d) => ({kind: d.kind, name: d.name, id: d.id, outcome}))
  if (opts.dryRun) return {...base, dryRun: true, confirmed: false, deletions: listed('would-delete')}
  if (plan.deletions.length === 0) return {...base, dryRun: false, confirmed: true, deletions: []}
  const k = plan.deletions.find((d) => d.kind === 'kubernetesObjects')
  if (k && !k.kubectl) throw kubectlMissing(config, opts)
  if (opts.confirm && !(await opts.confirm(plan)))
    return {...base, dryRun: false, confirmed: false, deletions: listed('not-run')}

  const outcomes = await applyTeardownPlan(arm, config, plan, opts)
  return {
    ...base,
    dryRun: false,
    confirmed: true,
    deletions: plan.deletions.map((d) => ({
      kind: d.kind,
      name: d.name,
      id: d.id,
      outcome: outcomes.get(d.key) ?? 'not-run',
    })),
  }
}

/** Deletes the plan's resources in phase order; already gone is success. A failure says what is gone and how to go on. */
export async function applyTeardownPlan(
  arm: ArmClient,
  config: TeardownConfig,
  plan: TeardownPlan,
  opts: Pick<
    TeardownOptions,
    'reporter' | 'signal' | 'model' | 'env' | 'kubectlTimeoutInMs' | 'crdVersion' | 'instance'
  >,
): Promise<Map<string, DeletionOutcome>> {
  const outcomes = new Map<string, DeletionOutcome>()
  const steps = Object.fromEntries(plan.deletions.map((d) => [d.key, `Delete ${d.title}`]))
  const reporter = opts.reporter ? await opts.reporter(steps) : undefined
  const done: string[] = []
  const started = new Set<string>()
  try {
    for (const phase of teardownPhases(plan)) {
      if (opts.signal?.aborted) throw interrupted()
      const results = await Promise.allSettled(
        phase.map(async (d) => {
          started.add(d.key)
          reporter?.begin(d.key, steps[d.key] as string)
          try {
            const outcome = await deleteOne(arm, config, d, opts)
            outcomes.set(d.key, outcome)
            const text = `${d.title}: ${outcome === 'deleted' ? 'deleted' : 'already gone'}`
            done.push(text)
            reporter?.end(d.key, text)
          } catch (err) {
            reporter?.fail(d.key, d.title, err)
            throw err
          }
        }),
      )
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed) throw failed.reason
    }
  } catch (err) {
    throw withProgress(err, done)
  } finally {
    for (const d of plan.deletions) if (!started.has(d.key)) reporter?.skip(d.key, `${d.title}: not run`)
    await reporter?.finish()
  }
  return outcomes
}

const FORBIDDEN_CONTEXT: Record<TeardownKind, AzureErrorContext> = {
  dataflow: {action: 'delete the dataflow', role: 'Contributor'},
  dataflowEndpoint: {action: 'delete the dataflow endpoint', role: 'Contributor'},
  deployment: {action: 'delete the deployment record', role: 'Contributor'},
  kubernetesObjects: {},
  roleAssignment: {action: 'delete the role assignment', role: 'Role Based Access Control Administrator'},
  topicSpace: {action: 'delete the topic space', role: 'EventGrid Contributor'},
  namespace: {action: 'delete the namespace', role: 'EventGrid Contributor'},
}

async function deleteOne(
  arm: ArmClient,
  config: TeardownConfig,
  d: TeardownDeletion,
  opts: Pick<TeardownOptions, 'signal' | 'model' | 'env' | 'kubectlTimeoutInMs' | 'crdVersion' | 'instance'>,
): Promise<DeletionOutcome> {
  const sub = config.subscriptionId
  const rg = config.resourceGroup
  const gone = (deleted: boolean): DeletionOutcome => (deleted ? 'deleted' : 'already-gone')
  try {
    switch (d.kind) {
      case 'dataflow':
      case 'dataflowEndpoint':
        return gone(await new IotOpsGateway(arm, opts.model.apiVersion).delete(d.id))
      case 'deployment':
        return gone(await new DeploymentsGateway(arm).deleteDeployment(sub, rg, d.name, {abortSignal: opts.signal}))
      case 'roleAssignment':
        return gone(await new AuthorizationGateway(arm).deleteRoleAssignment(scopeOfAssignmentId(d.id), d.name))
      case 'topicSpace':
        return gone(await new EventGridGateway(arm).deleteTopicSpace(sub, rg, config.namespace, d.name))
      case 'namespace':
        return gone(await new EventGridGateway(arm).deleteNamespace(sub, rg, d.name))
      case 'kubernetesObjects': {
        if (!d.kubectl) throw kubectlMissing(config, opts)
        const r = await deleteWithKubectl({
          kubectl: d.kubectl,
          refs: (d.objects ?? []).map((o) => o.ref),
          env: opts.env,
          signal: opts.signal,
          timeoutInMs: opts.kubectlTimeoutInMs,
        })
        return r.deleted.length > 0 ? 'deleted' : 'already-gone'
      }
    }
  } catch (err) {
    if (looksLikeAzureError(err)) throw fromAzureError(err, {...FORBIDDEN_CONTEXT[d.kind], scope: d.id})
    throw err
  }
}

/** The teardown command that addresses the same resources (non-default inputs only), for remedies. */
function teardownCommand(config: TeardownConfig, opts: Pick<TeardownOptions, 'model' | 'instance'>): string {
  return [
    'aio-bridge teardown',
    `--subscription ${config.subscriptionId}`,
    `-g ${shellQuote(config.resourceGroup)}`,
    `-n ${config.namespace}`,
    ...(config.topicSpace === DEFAULTS.topicSpace ? [] : [`--topic-space ${config.topicSpace}`]),
    ...(config.target === 'arm' ? [] : [`--target ${config.target}`]),
    ...modelFlagArgs(opts.model),
    ...(opts.instance ? [`--instance ${shellQuote(opts.instance)}`] : []),
  ].join(' ')
}

function kubectlMissing(
  config: TeardownConfig,
  opts: Pick<TeardownOptions, 'model' | 'instance' | 'crdVersion'>,
): AioBridgeError {
  const render = [
    'aio-bridge render -f kubernetes',
    ...(opts.crdVersion && opts.crdVersion !== 'v1' ? [`--crd-version ${opts.crdVersion}`] : []),
    ...modelFlagArgs(opts.model),
  ].join(' ')
  return new AioBridgeError(
    'KUBECTL_NOT_FOUND',
    'kubectl is not on PATH: the dataflows and the endpoint cannot be deleted.',
    {
      exitCode: ExitCode.prerequisite,
      remedy: `Install kubectl, point it at the cluster and re-run: ${teardownCommand(config, opts)} --yes. Or, once kubectl get -n ${AIO_NAMESPACE} -l ${MANAGED_BY_SELECTOR} -o name shows they are aio-bridge's, delete them yourself: ${render} | kubectl delete --ignore-not-found -f -`,
    },
  )
}

function interrupted(): AioBridgeError {
  return new AioBridgeError('INTERRUPTED', 'Interrupted: stopped after the deletions in flight.', {
    exitCode: ExitCode.interrupted,
    remedy: "Run 'aio-bridge teardown' again with the same inputs to finish.",
  })
}

function withProgress(err: unknown, done: string[]): unknown {
  const e = err instanceof AioBridgeError ? err : looksLikeAzureError(err) ? fromAzureError(err) : undefined
  if (!e) return err
  e.progress =
    done.length > 0
      ? [
          'Done before the failure:',
          ...done.map((d) => `  ✔ ${d}`),
          "Run 'aio-bridge teardown' again with the same inputs to finish.",
        ].join('\n')
      : 'Nothing was deleted.'
  return e
}
