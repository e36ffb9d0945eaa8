import {
  AIO_INSTANCE_PLACEHOLDER,
  type BridgeModel,
  CUSTOM_LOCATION_PLACEHOLDER,
  type DataflowModel,
} from '../model/bridge-model.js'
import {fillTemplate, loadTemplate} from './templates.js'

/** A Bicep expression written as is (a symbol reference), as opposed to a string literal. */
class BicepExpression {
  constructor(readonly text: string) {}
}

type BicepValue = string | number | boolean | BicepExpression | BicepValue[] | {[key: string]: BicepValue}

/** A Bicep string literal. `${` must be escaped: `${inputTopic}` in a topic is the dataflow's variable, not Bicep's. */
export function bicepString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\$\{/g, '\\${')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
  return `'${escaped}'`
}

function bicepKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : bicepString(key)
}

/** Bicep object/array literal, one property or item per line, two-space indents (the layout `bicep format` uses). */
export function bicepValue(value: BicepValue): string {
  if (value instanceof BicepExpression) return value.text
  if (typeof value === 'string') return bicepString(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  const indent = (text: string) => text.replace(/\n/g, '\n  ')
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((v) => `  ${indent(bicepValue(v))}`).join('\n')}\n]`
  }
  const entries = Object.entries(value)
  if (entries.length === 0) return '{}'
  return `{\n${entries.map(([k, v]) => `  ${bicepKey(k)}: ${indent(bicepValue(v))}`).join('\n')}\n}`
}

export const BICEP_FILE_NAME = 'aio-bridge.bicep'
const ENDPOINT_SYMBOL = 'remoteMqttBrokerDataflowEndpoint'

function symbolFor(df: DataflowModel): string {
  return df.name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase()).replace(/^[^a-zA-Z_]/, '_$&')
}

/** `az deployment group create` for this file, with the parameters the model leaves open. */
export function bicepDeployCommand(model: BridgeModel, fileName = BICEP_FILE_NAME): string {
  const params: string[] = []
  if (!model.customLocationName) params.push(`customLocationName=${CUSTOM_LOCATION_PLACEHOLDER}`)
  if (!model.aioInstanceName) params.push(`aioInstanceName=${AIO_INSTANCE_PLACEHOLDER}`)
  const tail = params.length ? ` --parameters ${params.join(' ')}` : ''
  return `az deployment group create --resource-group <RESOURCE_GROUP> --template-file ${fileName}${tail}`
}

/** The model as a Bicep file that reads like the tutorial's (same parameters, same resource shapes). */
export function renderBicep(model: BridgeModel, options: {fileName?: string} = {}): string {
  const fileName = options.fileName ?? BICEP_FILE_NAME
  // Referencing the endpoint by symbol (not by a string) makes Bicep deploy it before the dataflows that use it.
  const endpointRef = (name: string): BicepValue =>
    name === model.endpoint.name ? new BicepExpression(`${ENDPOINT_SYMBOL}.name`) : name
  const endpointProperties = structuredClone(model.endpoint.properties) as unknown as Record<string, BicepValue>
  const mqtt = endpointProperties.mqttSettings as Record<string, BicepValue>
  mqtt.host = new BicepExpression('eventGridHostName')

  const dataflows = model.dataflows.map((df) => {
    const [source, destination] = df.properties.operations
    const properties: BicepValue = {
      mode: df.properties.mode,
      operations: [
        {
          operationType: 'Source',
          sourceSettings: {
            endpointRef: endpointRef(source.sourceSettings.endpointRef),
            dataSources: [...source.sourceSettings.dataSources],
          },
        },
        {
          operationType: 'Destination',
          destinationSettings: {
            endpointRef: endpointRef(destination.destinationSettings.endpointRef),
            dataDestination: destination.destinationSettings.dataDestination,
          },
        },
      ],
    }
    return fillTemplate(loadTemplate('bicep/dataflow.bicep'), {
      symbol: symbolFor(df),
      apiVersion: model.apiVersion,
      name: bicepString(df.name),
      properties: bicepValue(properties),
    }).replace(/\n$/, '')
  })

  return fillTemplate(loadTemplate('bicep/main.bicep'), {
    deployCommand: bicepDeployCommand(model, fileName),
    customLocationName: bicepString(model.customLocationName ?? CUSTOM_LOCATION_PLACEHOLDER),
    aioInstanceName: bicepString(model.aioInstanceName ?? AIO_INSTANCE_PLACEHOLDER),
    eventGridHostName: bicepString(model.endpoint.properties.mqttSettings.host),
    apiVersion: model.apiVersion,
    profileName: bicepString(model.profile),
    endpointName: bicepString(model.endpoint.name),
    endpointProperties: bicepValue(endpointProperties),
    dataflows: dataflows.join('\n'),
  })
}
