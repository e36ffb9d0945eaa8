import {stringify} from 'yaml'
import {AIO_NAMESPACE, type BridgeModel, type CrdVersion} from '../model/bridge-model.js'
import {fillTemplate, loadTemplate} from './templates.js'

export const KUBERNETES_FILE_NAME = 'aio-bridge.yaml'
export const MQTT_CLIENT_FILE_NAME = 'mqtt-client.yaml'

/**
 * The label on every object aio-bridge renders for the cluster: teardown deletes only objects the cluster says carry
 * it, so an endpoint or dataflow of the same name that someone else applied is left alone.
 */
export const MANAGED_BY_LABEL = {key: 'app.kubernetes.io/managed-by', value: 'aio-bridge'} as const
export const MANAGED_BY_SELECTOR = `${MANAGED_BY_LABEL.key}=${MANAGED_BY_LABEL.value}`

export interface KubernetesRenderOptions {
  /** `v1` (IoT Operations GA) or `v1beta1` (clusters still on the 2024 previews). Default v1. */
  crdVersion?: CrdVersion
}

function yamlBlock(value: unknown): string {
  // The yaml library quotes whatever YAML would misread (a leading '#', '*', ': ' …), so topics pass through intact.
  return stringify(value, {lineWidth: 0}).replace(/\n$/, '')
}

/**
 * The DataflowEndpoint and Dataflow custom resources as one multi-document YAML file. A resource's `spec` is the ARM
 * resource's `properties` (plus `profileRef` on a Dataflow), so it comes straight from the model.
 */
export function renderKubernetes(model: BridgeModel, options: KubernetesRenderOptions = {}): string {
  const crdVersion = options.crdVersion ?? 'v1'
  const documents = [
    fillTemplate(loadTemplate('kubernetes/dataflow-endpoint.yaml'), {
      crdVersion,
      name: model.endpoint.name,
      namespace: AIO_NAMESPACE,
      managedByKey: MANAGED_BY_LABEL.key,
      managedByValue: MANAGED_BY_LABEL.value,
      spec: yamlBlock(model.endpoint.properties),
    }),
    ...model.dataflows.map((df) =>
      fillTemplate(loadTemplate('kubernetes/dataflow.yaml'), {
        crdVersion,
        name: df.name,
        namespace: AIO_NAMESPACE,
        managedByKey: MANAGED_BY_LABEL.key,
        managedByValue: MANAGED_BY_LABEL.value,
        spec: yamlBlock({profileRef: model.profile, ...df.properties}),
      }),
    ),
  ]
  return documents.map((d) => d.replace(/\n+$/, '\n')).join('---\n')
}

/** The tutorial's mqtt-client ServiceAccount and Pod (mosquitto clients, broker SAT, CA trust bundle). */
export function renderMqttClient(): string {
  return fillTemplate(loadTemplate('kubernetes/mqtt-client.yaml'), {namespace: AIO_NAMESPACE})
}
