import type nock from 'nock'
import {
  API_AIO,
  assignment,
  DATAFLOW_IDS,
  dataflow,
  ENDPOINT_ID,
  endpoint,
  INSTANCE,
  NS_ID,
  namespace,
  PRINCIPAL,
  RG,
  SUB,
  TS_ID,
  topicSpace,
} from '../teardown/fixtures.js'

/** Azure as setup leaves it, answered by nock: shared by the status tests that read through observeStatus. */

export const EG = {'api-version': '2025-02-15'}
export const AIO = {'api-version': API_AIO}
export const EXTENSIONS = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Kubernetes/connectedClusters/arc-1/providers/Microsoft.KubernetesConfiguration/extensions`
export const INSTANCES = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.IoTOperations/instances`
export const GROUP = `/subscriptions/${SUB}/resourceGroups/${RG}`
/** status reads the resource group beside everything else (a missing group is named, not fourteen gaps). */
export const withGroup = (scope: nock.Scope) =>
  scope.get(GROUP).query({'api-version': '2021-04-01'}).reply(200, {id: GROUP, name: RG, location: 'westus'})
export const ROLES = `${TS_ID}/providers/Microsoft.Authorization/roleAssignments`

export const extension = {
  id: `${EXTENSIONS}/azure-iot-operations`,
  name: 'azure-iot-operations',
  identity: {type: 'SystemAssigned', principalId: PRINCIPAL},
  properties: {extensionType: 'microsoft.iotoperations', provisioningState: 'Succeeded'},
}
export const instance = (name = INSTANCE) => ({
  id: `${INSTANCES}/${name}`,
  name,
  extendedLocation: {name: 'cl', type: 'CustomLocation'},
})

/** Azure as setup leaves it; pieces can be swapped for other answers. */
export function world(
  scope: nock.Scope,
  over: {
    extensions?: [number, unknown]
    instances?: unknown[]
    roles?: unknown[] | false
    noIotOpsReads?: boolean
  } = {},
): nock.Scope {
  withGroup(scope)
  scope.get(NS_ID).query(EG).reply(200, namespace())
  scope.get(TS_ID).query(EG).reply(200, topicSpace())
  const [status, body] = over.extensions ?? [200, {value: [extension]}]
  scope.get(EXTENSIONS).query({'api-version': '2023-05-01'}).reply(status, body)
  if (status === 200 && over.roles !== false) {
    scope
      .get(ROLES)
      .query({'api-version': '2022-04-01', $filter: `principalId eq '${PRINCIPAL}'`})
      .reply(200, {value: over.roles ?? [assignment('publisher'), assignment('subscriber')]})
  }
  scope
    .get(INSTANCES)
    .query(AIO)
    .reply(200, {value: over.instances ?? [instance()]})
  if (!over.noIotOpsReads) {
    scope.get(ENDPOINT_ID).query(AIO).reply(200, endpoint())
    scope.get(DATAFLOW_IDS['local-to-remote']).query(AIO).reply(200, dataflow('local-to-remote'))
    scope.get(DATAFLOW_IDS['remote-to-local']).query(AIO).reply(200, dataflow('remote-to-local'))
  }
  return scope
}
