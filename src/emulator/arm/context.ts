import type {Operations} from './operations.js'
import type {EmulatorEnv} from './resource-types.js'
import type {ArmState} from './state.js'
import type {ArmEmulatorOptions} from './types.js'

/** What every request handler may use: the state, the operations, the options and the server's own URL. */
export interface EmulatorContext {
  readonly state: ArmState
  readonly env: EmulatorEnv
  readonly options: ArmEmulatorOptions
  readonly operations: Operations
  /** `https://127.0.0.1:<port>`: the origin of every operation and paging URL the emulator hands out. */
  readonly baseUrl: string
}
