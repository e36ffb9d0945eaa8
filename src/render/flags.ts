import {Flags} from '@oclif/core'
import {
  CRD_VERSIONS,
  DEFAULT_IOT_OPERATIONS_API_VERSION,
  IOT_OPERATIONS_API_VERSIONS,
  MODEL_DEFAULTS,
} from '../model/bridge-model.js'
import {RENDER_FORMATS} from './formats.js'

/**
 * Flags that shape the bridge model; `setup` spreads these too, so both commands build the same resources.
 * Defaults are applied by buildBridgeModel (not by oclif) so the model has one source of defaults.
 */
export const bridgeModelFlags = {
  'endpoint-name': Flags.string({
    description: `Name of the Event Grid dataflow endpoint (default ${MODEL_DEFAULTS.endpointName})`,
    helpGroup: 'BRIDGE',
  }),
  'local-source': Flags.string({
    description: `Local broker topic filter sent to Event Grid (default ${MODEL_DEFAULTS.localSource})`,
    helpGroup: 'BRIDGE',
  }),
  'remote-destination': Flags.string({
    description: `Event Grid topic it is published to; may use \${inputTopic}, \${inputTopic.N} (default ${MODEL_DEFAULTS.remoteDestination})`,
    helpGroup: 'BRIDGE',
  }),
  'remote-source': Flags.string({
    description: `Event Grid topic filter brought back (default ${MODEL_DEFAULTS.remoteSource})`,
    helpGroup: 'BRIDGE',
  }),
  'local-destination': Flags.string({
    description: `Local broker topic it is published to; may use \${inputTopic}, \${inputTopic.N} (default ${MODEL_DEFAULTS.localDestination})`,
    helpGroup: 'BRIDGE',
  }),
  profile: Flags.string({
    description: `Dataflow profile of the dataflows (default ${MODEL_DEFAULTS.profile})`,
    helpGroup: 'BRIDGE',
  }),
  'profile-instances': Flags.integer({
    description: 'The profile’s instanceCount, when not 1 (checked: Event Grid as a source needs 1)',
    helpGroup: 'BRIDGE',
  }),
  'aio-api-version': Flags.string({
    description: `Microsoft.IoTOperations api-version: ${IOT_OPERATIONS_API_VERSIONS.join(', ')} (default ${DEFAULT_IOT_OPERATIONS_API_VERSION})`,
    helpGroup: 'BRIDGE',
  }),
}

/** Names of the IoT Operations instance and its custom location: Bicep/ARM parameter values. */
export const deploymentTargetFlags = {
  instance: Flags.string({description: 'IoT Operations instance name (aioInstanceName)', helpGroup: 'BRIDGE'}),
  'custom-location': Flags.string({description: 'Custom location name (customLocationName)', helpGroup: 'BRIDGE'}),
}

export const hostnameFlag = {
  hostname: Flags.string({
    description: 'Event Grid MQTT hostname (<namespace>.<region>-1.ts.eventgrid.azure.net[:8883])',
    helpGroup: 'BRIDGE',
  }),
}

/** Output flags of `render`. */
export const renderOutputFlags = {
  format: Flags.string({
    char: 'f',
    description: 'What to render',
    options: [...RENDER_FORMATS],
    required: true,
  }),
  'out-dir': Flags.string({char: 'o', description: 'Write the files into this folder instead of printing them'}),
  client: Flags.boolean({description: 'Add the tutorial’s mqtt-client ServiceAccount and Pod (mqtt-client.yaml)'}),
  'crd-version': Flags.string({
    description: 'Kubernetes CRD version: v1, or v1beta1 for clusters on IoT Operations previews',
    options: [...CRD_VERSIONS],
    default: 'v1',
  }),
}
