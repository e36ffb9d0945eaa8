import type {ArmClient} from '../azure/arm-client.js'
import {isNotFound, resourceGroupNotFound} from '../azure/arm-errors.js'
import {AuthorizationGateway, type RoleAssignment} from '../azure/authorization-gateway.js'
import {EventGridGateway} from '../azure/eventgrid-gateway.js'
import {ExtensionsGateway} from '../azure/extensions-gateway.js'
import {topicSpaceId} from '../azure/ids.js'
import {IotOpsGateway, type IotOpsResource} from '../azure/iotops-gateway.js'
import {emptyIfParentMissing} from '../azure/not-found.js'
import {ResourcesGateway} from '../azure/resources-gateway.js'
import {isAioBridgeError} from '../errors.js'
import {resolvePrincipal} from '../plan/setup-plan.js'
import type {LookupProblem, StatusConfig, StatusObserved} from '../plan/status.js'
import {pickInstance} from '../setup/apply-dataflows.js'
import type {ReadClusterOptions} from './kubectl.js'

/**
 * Reads every piece status checks, read-only, in one round of independent GETs (the assignments once the principal
 * and the topic space are known; the endpoint and dataflows once the instance is). A missing piece is a finding, not
 * an error; an error (not logged in, no permission, Azure down) still stops status with its own exit code. With
 * --target kubernetes the endpoint and dataflows are read from the cluster with kubectl (`opts`: its PATH, timeout);
 * kubectl failing (cluster unreachable, CRDs missing) stops status with the kubectl error, kubectl missing does not.
 */
export async function observeStatus(
  arm: ArmClient,
  config: StatusConfig,
  opts: ReadClusterOptions = {},
): Promise<StatusObserved> {
  const sub = config.subscriptionId
  const rg = config.resourceGroup
  const eventGrid = new EventGridGateway(arm)
  const namespace = eventGrid.getNamespace(sub, rg, config.namespace)
  const topicSpace = eventGrid.getTopicSpace(sub, rg, config.namespace, config.topicSpace)
  const principal = observePrincipal(arm, config)
  const roles = (async (): Promise<RoleAssignment[]> => {
    const [p, ts] = await Promise.all([principal, topicSpace])
    if (!p || 'problem' in p || !ts) return []
    return new AuthorizationGateway(arm).listRoleAssignmentsForPrincipal(
      topicSpaceId(sub, rg, config.namespace, config.topicSpace),
      p.principalId,
    )
  })()
  const iotOps = observeIotOps(arm, config, opts)
  const group = new ResourcesGateway(arm).getResourceGroup(sub, rg)
  const settled = await Promise.allSettled([group, namespace, topicSpace, principal, roles, iotOps])
  // A missing group explains every other gap: name it instead of fourteen symptoms.
  if (settled[0].status === 'fulfilled' && settled[0].value === undefined) {
    throw resourceGroupNotFound(sub, rg)
  }
  for (const r of settled) if (r.status === 'rejected') throw r.reason
  const [, n, t, p, r, i] = await Promise.all([group, namespace, topicSpace, principal, roles, iotOps])
  return {
    ...(n ? {namespace: n} : {}),
    ...(t ? {topicSpace: t} : {}),
    ...(p ? {principal: p} : {}),
    roleAssignments: r,
    iotOps: i,
  }
}

function problemOf(err: unknown): LookupProblem | undefined {
  if (isAioBridgeError(err)) return {code: err.code, message: err.message, ...(err.remedy ? {remedy: err.remedy} : {})}
  return undefined
}

async function observePrincipal(arm: ArmClient, config: StatusConfig): Promise<StatusObserved['principal']> {
  const cluster = config.cluster
  if (!cluster) return undefined
  try {
    const extensions = await new ExtensionsGateway(arm).listClusterExtensions(
      config.subscriptionId,
      config.resourceGroup,
      cluster,
    )
    return resolvePrincipal(cluster, extensions)
  } catch (err) {
    if (isNotFound(err)) {
      return {
        problem: {
          code: 'CLUSTER_NOT_FOUND',
          message: `Arc-enabled cluster '${cluster}' was not found in resource group '${config.resourceGroup}'.`,
          remedy: `Fix --cluster (az connectedk8s list -g ${config.resourceGroup} -o table lists the clusters).`,
        },
      }
    }
    const problem = problemOf(err)
    if (problem) return {problem}
    throw err
  }
}

async function observeIotOps(
  arm: ArmClient,
  config: StatusConfig,
  opts: ReadClusterOptions,
): Promise<StatusObserved['iotOps']> {
  const sub = config.subscriptionId
  const rg = config.resourceGroup
  const gw = new IotOpsGateway(arm, config.model.apiVersion)
  const instances = await emptyIfParentMissing(gw.listInstances(sub, rg))
  let instance: IotOpsResource
  try {
    instance = pickInstance(instances, config.instance, rg)
  } catch (err) {
    const problem = problemOf(err)
    if (!problem) throw err
    return {problem, dataflows: {}}
  }
  // Applied with kubectl, they are not ARM resources: the cluster holds them.
  if (config.target === 'kubernetes') {
    const {readClusterIotOps} = await import('./kubectl.js')
    return {instance: instance.name, ...(await readClusterIotOps(config.model, opts))}
  }
  const [endpoint, ...dataflows] = await Promise.all([
    gw.get(gw.endpointId(sub, rg, instance.name, config.model.endpoint.name)),
    ...config.model.dataflows.map((df) => gw.get(gw.dataflowId(sub, rg, instance.name, config.model.profile, df.name))),
  ])
  return {
    instance: instance.name,
    ...(endpoint ? {endpoint} : {}),
    dataflows: Object.fromEntries(config.model.dataflows.map((df, i) => [df.name, dataflows[i]])),
  }
}
