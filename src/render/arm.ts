import {
  AIO_INSTANCE_PLACEHOLDER,
  type BridgeModel,
  CUSTOM_LOCATION_PLACEHOLDER,
  type DataflowProperties,
  type MqttEndpointProperties,
} from '../model/bridge-model.js'

/**
 * The ARM JSON template equivalent to the Bicep file (what `az deployment group create` deploys after compiling it).
 * Only parameters(), variables(), format(), concat() and resourceId() are used: aio-bridge's ARM emulator evaluates
 * exactly those, and they are all Bicep's compiler emits for this file.
 */

export const ENDPOINT_TYPE = 'Microsoft.IoTOperations/instances/dataflowEndpoints'
export const DATAFLOW_TYPE = 'Microsoft.IoTOperations/instances/dataflowProfiles/dataflows'
export const CUSTOM_LOCATION_TYPE = 'Microsoft.ExtendedLocation/customLocations'
export const ARM_TEMPLATE_FILE_NAME = 'aio-bridge.json'
export const ARM_PARAMETERS_FILE_NAME = 'aio-bridge.parameters.json'

export interface ArmParameterDefinition {
  type: 'string'
  defaultValue: string
  metadata: {description: string}
}

export interface ArmResource {
  type: string
  apiVersion: string
  name: string
  extendedLocation: {name: string; type: 'CustomLocation'}
  dependsOn?: string[]
  properties: MqttEndpointProperties | DataflowProperties
}

export interface ArmTemplate {
  $schema: string
  contentVersion: string
  parameters: Record<'customLocationName' | 'aioInstanceName' | 'eventGridHostName', ArmParameterDefinition>
  variables: Record<string, string>
  resources: ArmResource[]
}

export type ArmParameterValues = Record<string, {value: string}>

export interface RenderedArmDeployment {
  template: ArmTemplate
  /** Values for the parameters the model knows (the host always; instance and custom location when given). */
  parameters: ArmParameterValues
}

/** A string literal inside an ARM expression: single quotes doubled. */
export function armQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

/** A JSON string ARM must not read as an expression: a leading '[' ... ']' is escaped as '[['. */
export function armLiteral(value: string): string {
  return value.startsWith('[') && value.endsWith(']') ? `[${value}` : value
}

function literalStrings<T>(value: T): T {
  if (typeof value === 'string') return armLiteral(value) as T
  if (Array.isArray(value)) return value.map(literalStrings) as T
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literalStrings(v)])) as T
  }
  return value
}

export function renderArmTemplate(model: BridgeModel): RenderedArmDeployment {
  const instance = "parameters('aioInstanceName')"
  const extendedLocation = {name: "[variables('customLocationId')]", type: 'CustomLocation' as const}
  const endpointId = `[resourceId(${armQuote(ENDPOINT_TYPE)}, ${instance}, ${armQuote(model.endpoint.name)})]`

  const endpointProperties = literalStrings(structuredClone(model.endpoint.properties))
  endpointProperties.mqttSettings.host = "[parameters('eventGridHostName')]"

  const resources: ArmResource[] = [
    {
      type: ENDPOINT_TYPE,
      apiVersion: model.apiVersion,
      name: `[format('{0}/{1}', ${instance}, ${armQuote(model.endpoint.name)})]`,
      extendedLocation,
      properties: endpointProperties,
    },
    ...model.dataflows.map((df) => {
      const usesEndpoint = df.properties.operations.some(
        (op) =>
          (op.operationType === 'Source' ? op.sourceSettings.endpointRef : op.destinationSettings.endpointRef) ===
          model.endpoint.name,
      )
      return {
        type: DATAFLOW_TYPE,
        apiVersion: model.apiVersion,
        name: `[format('{0}/{1}/{2}', ${instance}, ${armQuote(model.profile)}, ${armQuote(df.name)})]`,
        extendedLocation,
        ...(usesEndpoint ? {dependsOn: [endpointId]} : {}),
        properties: literalStrings(structuredClone(df.properties)),
      }
    }),
  ]

  const template: ArmTemplate = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      customLocationName: {
        type: 'string',
        defaultValue: armLiteral(model.customLocationName ?? CUSTOM_LOCATION_PLACEHOLDER),
        metadata: {description: 'Custom location of the Arc-enabled cluster running Azure IoT Operations'},
      },
      aioInstanceName: {
        type: 'string',
        defaultValue: armLiteral(model.aioInstanceName ?? AIO_INSTANCE_PLACEHOLDER),
        metadata: {description: 'Azure IoT Operations instance'},
      },
      eventGridHostName: {
        type: 'string',
        defaultValue: armLiteral(model.endpoint.properties.mqttSettings.host),
        metadata: {description: 'Event Grid namespace MQTT hostname with port, <hostname>:8883'},
      },
    },
    variables: {
      customLocationId: `[resourceId(${armQuote(CUSTOM_LOCATION_TYPE)}, parameters('customLocationName'))]`,
    },
    resources,
  }

  const parameters: ArmParameterValues = {eventGridHostName: {value: model.endpoint.properties.mqttSettings.host}}
  if (model.customLocationName) parameters.customLocationName = {value: model.customLocationName}
  if (model.aioInstanceName) parameters.aioInstanceName = {value: model.aioInstanceName}
  return {template, parameters}
}

/** A deployment parameters file (`--parameters @aio-bridge.parameters.json`). */
export function renderArmParametersFile(parameters: ArmParameterValues): string {
  const file = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
    contentVersion: '1.0.0.0',
    parameters,
  }
  return `${JSON.stringify(file, null, 2)}\n`
}
