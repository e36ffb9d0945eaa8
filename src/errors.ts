/**
 * Every failure a user can meet is an AioBridgeError with a stable `code`, a one-line message, a remedy (the exact
 * flag, command or role that fixes it) and a documented exit code. Tests assert the code, never the text.
 */

/** Exit codes: the README's table is checked against this object by a test. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notLoggedIn: 3,
  forbidden: 4,
  prerequisite: 5,
  conflict: 6,
  azureService: 7,
  deploymentFailed: 8,
  statusGap: 10,
  verifyNothingBack: 20,
  verifyLoss: 21,
  verifyConnect: 22,
  verifyTls: 23,
  verifyAuth: 24,
  verifyNotAuthorized: 25,
  verifyTimeout: 26,
  interrupted: 130,
  terminated: 143,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** One line per exit code: what it means. The README table is generated from / checked against this. */
export const exitCodeMeaning: Record<ExitCodeValue, string> = {
  0: 'success (setup converged, verify round trip complete, status clean, teardown done)',
  1: 'unexpected internal error (re-run with --debug and report it)',
  2: 'invalid input: a flag, variable, name, topic or file is wrong; nothing was changed',
  3: 'not logged in to Azure, or the token could not be obtained',
  4: 'permission denied by Azure: the message names the role that is missing',
  5: 'a prerequisite is missing: subscription, resource group, provider registration, cluster, IoT Operations extension or instance, kubectl or its cluster, the sandbox, mosquitto/openssl',
  6: 'conflict: a name is taken, a quota is reached, or a resource is in a state that blocks the change',
  7: 'Azure refused the request or kept failing (a 400 it names, throttling or server errors that outlasted the retries, or a failed long-running operation)',
  8: 'a dataflow deployment or what-if, or kubectl apply/get/delete, failed or timed out',
  10: 'status found a gap between Azure and what setup would make',
  20: 'verify: nothing came back: the bridge (dataflows or roles) is not passing messages',
  21: 'verify: some messages came back, some were lost',
  22: 'verify: could not connect to the broker (DNS, TCP or port-forward)',
  23: 'verify: TLS failed (untrusted CA, name mismatch, expired certificate)',
  24: 'verify: the broker refused authentication (CONNACK reason code)',
  25: 'verify: not authorized to publish or subscribe (PUBACK/SUBACK reason code)',
  26: 'verify: the run exceeded --timeout before it could finish',
  130: 'interrupted (Ctrl-C): the step in flight finished; re-run to continue',
  143: 'terminated (SIGTERM, e.g. a cancelled CI job): as 130',
}

export interface AioBridgeErrorOptions {
  /** The exact command, flag or role that fixes it. */
  remedy?: string
  exitCode?: ExitCodeValue
  cause?: unknown
  /** Extra machine-readable facts (never secrets), returned under --json. */
  details?: Record<string, unknown>
  /** Fields of the command's own --json result that are still true after the failure (verify's `report`). */
  result?: Record<string, unknown>
}

export class AioBridgeError extends Error {
  override readonly name: string = 'AioBridgeError'
  readonly code: string
  readonly remedy?: string
  readonly exitCode: ExitCodeValue
  readonly details?: Record<string, unknown>
  readonly result?: Record<string, unknown>
  /** Filled in by an executor that stopped half way: what exists now, and how to continue or undo. */
  progress?: string

  constructor(code: string, message: string, options: AioBridgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.code = code
    this.remedy = options.remedy
    this.exitCode = options.exitCode ?? ExitCode.unexpected
    this.details = options.details
    this.result = options.result
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      remedy: this.remedy,
      exitCode: this.exitCode,
      ...(this.progress ? {progress: this.progress} : {}),
      ...(this.details ? {details: this.details} : {}),
    }
  }
}

/** Invalid input: names, topics, flags, files. Nothing has been changed when this is thrown. */
export class ConfigError extends AioBridgeError {
  override readonly name = 'ConfigError'
  constructor(code: string, message: string, remedy: string, details?: Record<string, unknown>) {
    super(code, message, {remedy, exitCode: ExitCode.usage, details})
  }
}

/** A failure reported by (or on the way to) Azure Resource Manager. */
export class AzureError extends AioBridgeError {
  override readonly name = 'AzureError'
}

/** A failure of the MQTT round trip. */
export class VerifyError extends AioBridgeError {
  override readonly name = 'VerifyError'
}

export function isAioBridgeError(err: unknown): err is AioBridgeError {
  return err instanceof Error && typeof (err as AioBridgeError).code === 'string' && 'exitCode' in err
}

/** Ctrl-C (or SIGTERM): one shape for every command; the message says what was left, the remedy how to go on. */
export const DEFAULT_INTERRUPT_REMEDY = 'Run the same command again: it continues from what exists.'

export function interruptedError(message = 'Interrupted.', remedy = DEFAULT_INTERRUPT_REMEDY): AioBridgeError {
  return new AioBridgeError('INTERRUPTED', message, {exitCode: ExitCode.interrupted, remedy})
}
