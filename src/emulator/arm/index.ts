/** The Resource Manager emulator: the ARM half of `aio-bridge demo` / `sandbox` and of the black-box tests. */
export {ArmHttpError} from './arm-error.js'
export {type ArmEmulator, startArmEmulator} from './emulator.js'
export {NAMESPACE_METRICS} from './metrics.js'
export {API_VERSIONS} from './resource-types.js'
export {
  ARM_SCENARIOS,
  type ArmScenarioName,
  DEFAULTS as EMULATOR_DEFAULTS,
  defaultSeed,
  ROLE_IDS,
  resolveSeed,
} from './seed.js'
export {ArmState} from './state.js'
export {evaluateTemplate} from './template.js'
export type * from './types.js'
