import type {ArmClient} from '../azure/arm-client.js'
import {AuthorizationGateway, type RoleAssignment} from '../azure/authorization-gateway.js'
import {DeploymentsGateway} from '../azure/deployments-gateway.js'
import {EventGridGateway} from '../azure/eventgrid-gateway.js'
import {topicSpaceId} from '../azure/ids.js'
import {IotOpsGateway, type IotOpsResource} from '../azure/iotops-gateway.js'
import {emptyIfParentMissing} from '../azure/not-found.js'
import {AIO_NAMESPACE, type BridgeModel, type CrdVersion} from '../model/bridge-model.js'
import {dataflowEndpointRefsOf, endpointHostOf} from '../model/bridge-record.js'
import {
  type ClusterObject,
  isManagedNamespace,
  type KubernetesObject,
  type ObservedInstance,
  type ObservedIotOpsResource,
  type ObservedKubernetes,
  type TeardownConfig,
  type TeardownObserved,
} from '../plan/teardown-plan.js'
import {MANAGED_BY_LABEL} from '../render/kubernetes.js'
import {deploymentName} from '../setup/apply-dataflows.js'

export interface ObserveTeardownOptions {
  /** The bridge model (names of the endpoint, profile and dataflows; the IoT Operations api-version). */
  model: BridgeModel
  /** --instance: look at this instance only. */
  instance?: string
  /** Only in the remedy when kubectl is missing (teardown's kubectl commands name kinds without a version). */
  crdVersion?: CrdVersion
  /** Where kubectl is looked up (PATH). */
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  /** Timeout of each kubectl call. */
  kubectlTimeoutInMs?: number
}

/** Reads everything teardown decides on: one round of independent GETs (the assignments once the topic space is known). */
export async function observeTeardownState(
  arm: ArmClient,
  config: TeardownConfig,
  opts: ObserveTeardownOptions,
): Promise<TeardownObserved> {
  const sub = config.subscriptionId
  const rg = config.resourceGroup
  const eventGrid = new EventGridGateway(arm)
  const authorization = new AuthorizationGateway(arm)
  const namespace = eventGrid.getNamespace(sub, rg, config.namespace)
  const topicSpace = eventGrid.getTopicSpace(sub, rg, config.namespace, config.topicSpace)
  // Only a namespace teardown may delete needs its contents checked.
  const topicSpaces = (async () =>
    isManagedNamespace(await namespace)
      ? emptyIfParentMissing(eventGrid.listTopicSpaces(sub, rg, config.namespace))
      : [])()
  const roles = (async (): Promise<RoleAssignment[]> => {
    if (!(await topicSpace)) return []
    return emptyIfParentMissing(
      authorization.listRoleAssignmentsAtScope(topicSpaceId(sub, rg, config.namespace, config.topicSpace)),
    )
  })()
  const instances = config.target === 'arm' ? observeInstances(arm, config, opts) : Promise.resolve(undefined)
  const kubernetes = config.target === 'kubernetes' ? observeKubernetes(opts) : Promise.resolve(undefined)
  const [n, t, all, r, i, k] = await Promise.all([namespace, topicSpace, topicSpaces, roles, instances, kubernetes])
  return {
    ...(n ? {namespace: n} : {}),
    ...(t ? {topicSpace: t} : {}),
    topicSpaces: all,
    roleAssignments: r,
    ...(i ? {instances: i.instances, instanceNames: i.names} : {}),
    ...(i && opts.instance && i.instances.length === 0 ? {missingInstance: opts.instance} : {}),
    ...(k ? {kubernetes: k} : {}),
  }
}

const ENDPOINT_ID = /\/providers\/Microsoft\.IoTOperations\/instances\/([^/]+)\/dataflowEndpoints\/([^/]+)$/i
const DATAFLOW_ID =
  /\/providers\/Microsoft\.IoTOperations\/instances\/([^/]+)\/dataflowProfiles\/[^/]+\/dataflows\/([^/]+)$/i

/** Which endpoint/dataflow a resource id names, if it is one under this instance. */
function classifyIotOpsId(id: string, instance: string): Pick<ObservedIotOpsResource, 'kind' | 'name'> | undefined {
  const ep = ENDPOINT_ID.exec(id)
  if (ep && ep[1]?.toLowerCase() === instance.toLowerCase()) return {kind: 'dataflowEndpoint', name: ep[2] as string}
  const df = DATAFLOW_ID.exec(id)
  if (df && df[1]?.toLowerCase() === instance.toLowerCase()) return {kind: 'dataflow', name: df[2] as string}
  return undefined
}

/** What the planner compares: an endpoint's host, a dataflow's endpoints. */
function pointsAt(kind: ObservedIotOpsResource['kind'], properties: unknown): Partial<ObservedIotOpsResource> {
  return kind === 'dataflowEndpoint'
    ? {host: endpointHostOf(properties)}
    : {endpointRefs: dataflowEndpointRefsOf(properties)}
}

async function observeInstances(
  arm: ArmClient,
  config: TeardownConfig,
  opts: ObserveTeardownOptions,
): Promise<{instances: ObservedInstance[]; names: string[]}> {
  const sub = config.subscriptionId
  const rg = config.resourceGroup
  const iotOps = new IotOpsGateway(arm, opts.model.apiVersion)
  const deployments = new DeploymentsGateway(arm)
  const all: IotOpsResource[] = await emptyIfParentMissing(iotOps.listInstances(sub, rg))
  const wanted = opts.instance?.toLowerCase()
  const instances = wanted ? all.filter((i) => i.name.toLowerCase() === wanted) : all
  const observed = await Promise.all(
    instances.map(async (inst): Promise<ObservedInstance> => {
      const name = deploymentName(inst.name)
      const deployment = await deployments.getDeployment(sub, rg, name, {abortSignal: opts.signal})
      // The deployment's own record of what it wrote is the truth; the model's names are the fallback.
      const fromDeployment = (deployment?.properties.outputResources ?? [])
        .map((o) => ({id: o.id, ...classifyIotOpsId(o.id, inst.name)}))
        .filter((o): o is {id: string} & Pick<ObservedIotOpsResource, 'kind' | 'name'> => o.kind !== undefined)
      const fromModel = [
        {
          id: iotOps.endpointId(sub, rg, inst.name, opts.model.endpoint.name),
          kind: 'dataflowEndpoint' as const,
          name: opts.model.endpoint.name,
        },
        ...opts.model.dataflows.map((df) => ({
          id: iotOps.dataflowId(sub, rg, inst.name, opts.model.profile, df.name),
          kind: 'dataflow' as const,
          name: df.name,
        })),
      ]
      const candidates = fromDeployment.length > 0 ? fromDeployment : fromModel
      const resources = await Promise.all(
        candidates.map(async (c): Promise<ObservedIotOpsResource> => {
          const r = await iotOps.get(c.id)
          return {...c, exists: r !== undefined, ...(r ? pointsAt(c.kind, r.properties) : {})}
        }),
      )
      return {
        name: inst.name,
        ...(deployment
          ? {
              deployment: {
                id: deployment.id,
                name: deployment.name ?? name,
                ...(deployment.tags ? {tags: deployment.tags} : {}),
              },
            }
          : {}),
        resources,
      }
    }),
  )
  return {instances: observed, names: all.map((i) => i.name)}
}

/** The model's endpoint and dataflows as the cluster holds them: one `kubectl get … -o json` (status's read). */
async function observeKubernetes(opts: ObserveTeardownOptions): Promise<ObservedKubernetes> {
  const [{kubectlRef}, {readClusterIotOps}] = await Promise.all([
    import('./kubectl-delete.js'),
    import('../status/kubectl.js'),
  ])
  const object = (kind: KubernetesObject['kind'], name: string): KubernetesObject => ({
    kind,
    name,
    namespace: AIO_NAMESPACE,
    ref: kubectlRef(kind, name),
  })
  // Dataflows before the endpoint they use: kubectl deletes in argument order.
  const objects = [
    ...opts.model.dataflows.map((df) => object('Dataflow', df.name)),
    object('DataflowEndpoint', opts.model.endpoint.name),
  ]
  const read = await readClusterIotOps(opts.model, {
    env: opts.env,
    signal: opts.signal,
    timeoutInMs: opts.kubectlTimeoutInMs,
  })
  if (!read.kubectl) return {objects}
  const found = [
    ...(read.endpoint ? [{kind: 'DataflowEndpoint' as const, r: read.endpoint}] : []),
    ...Object.values(read.dataflows).flatMap((r) => (r ? [{kind: 'Dataflow' as const, r}] : [])),
  ]
  const cluster = found.map(
    ({kind, r}): ClusterObject => ({
      ref: kubectlRef(kind, r.name),
      labelled: r.labels?.[MANAGED_BY_LABEL.key] === MANAGED_BY_LABEL.value,
      ...pointsAt(kind === 'Dataflow' ? 'dataflow' : 'dataflowEndpoint', r.properties),
    }),
  )
  return {kubectl: read.kubectl, objects, cluster}
}
