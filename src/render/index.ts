/**
 * What `setup` and other commands use from the bridge model and its renderers, in one import (load it inside run():
 * the Kubernetes renderer pulls in the yaml package).
 */
export {
  AIO_NAMESPACE,
  type BridgeModel,
  type BridgeModelFlags,
  buildBridgeModel,
  CRD_VERSIONS,
  type CrdVersion,
  DEFAULT_IOT_OPERATIONS_API_VERSION,
  HOSTNAME_PLACEHOLDER,
  IOT_OPERATIONS_API_VERSIONS,
  type IotOperationsApiVersion,
  LOCAL_ENDPOINT,
} from '../model/bridge-model.js'
export {
  assertBridgeModel,
  type BridgeCheckResult,
  type BridgeProblem,
  type CheckBridgeModelOptions,
  checkBridgeModel,
} from '../model/checks.js'
export {
  ARM_PARAMETERS_FILE_NAME,
  ARM_TEMPLATE_FILE_NAME,
  type ArmParameterValues,
  type ArmTemplate,
  type RenderedArmDeployment,
  renderArmParametersFile,
  renderArmTemplate,
} from './arm.js'
export {BICEP_FILE_NAME, bicepDeployCommand, renderBicep} from './bicep.js'
export {type RenderedFile, type RenderFilesOptions, renderFiles, stdoutText, writeRenderedFiles} from './files.js'
export {RENDER_FORMATS, type RenderFormat} from './formats.js'
export {KUBERNETES_FILE_NAME, MQTT_CLIENT_FILE_NAME, renderKubernetes, renderMqttClient} from './kubernetes.js'
