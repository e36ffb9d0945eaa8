import {type BridgeModel, DEFAULT_IOT_OPERATIONS_API_VERSION, MODEL_DEFAULTS} from './bridge-model.js'

/** One argument as a POSIX shell reads it: bare when safe, else single-quoted. For commands shown to the user. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/**
 * The flags that rebuild this model, each only when it differs from the tutorial's value: a fix or remedy command must
 * address the same endpoint, profile, dataflows and topics the user's run did, not the defaults. `--instance` and
 * `--hostname` are left to the caller (they are inputs of the command, not of the resources' names).
 */
export function modelFlagArgs(model: BridgeModel): string[] {
  const [l2r, r2l] = model.dataflows
  const source = (i: 0 | 1) => (i === 0 ? l2r : r2l)?.properties.operations[0].sourceSettings.dataSources[0]
  const destination = (i: 0 | 1) => (i === 0 ? l2r : r2l)?.properties.operations[1].destinationSettings.dataDestination
  const pairs: Array<[string, string | undefined, string]> = [
    ['--endpoint-name', model.endpoint.name, MODEL_DEFAULTS.endpointName],
    ['--profile', model.profile, MODEL_DEFAULTS.profile],
    ['--local-source', source(0), MODEL_DEFAULTS.localSource],
    ['--remote-destination', destination(0), MODEL_DEFAULTS.remoteDestination],
    ['--remote-source', source(1), MODEL_DEFAULTS.remoteSource],
    ['--local-destination', destination(1), MODEL_DEFAULTS.localDestination],
    ['--aio-api-version', model.apiVersion, DEFAULT_IOT_OPERATIONS_API_VERSION],
  ]
  const args = pairs
    .filter(([, value, def]) => value !== undefined && value !== def)
    .map(([f, v]) => `${f} ${shellQuote(v as string)}`)
  if (model.profileInstanceCount !== undefined) args.push(`--profile-instances ${model.profileInstanceCount}`)
  return args
}
