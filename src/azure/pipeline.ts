import type {TokenCredential} from '@azure/core-auth'
import {createClientPipeline} from '@azure/core-client'
import {type Pipeline, type PipelinePolicy, RestError} from '@azure/core-rest-pipeline'
import {AzureError, ExitCode} from '../errors.js'
import type {ArmErrorBody} from './arm-errors.js'

/**
 * The one HTTP pipeline every Azure SDK client of a process shares (both client generations accept it): retries for
 * 429/503 honouring Retry-After and for transient 5xx, a bearer-token policy over the cached credential, core-client's
 * (de)serialization, then three policies of ours: a timeout per try (inside the retries, so long throttling ends
 * as throttled, not as unreachable), the `--debug` trace, and the rule that the token goes only to the Resource
 * Manager endpoint's origin. Loaded only from a command's run(): it imports the SDK.
 */
export interface ArmPipelineOptions {
  credential: TokenCredential
  endpoint: string
  audience: string
  maxRetries?: number
  retryDelayInMs?: number
  /** Bound on one try of one request (default 120 s). */
  requestTimeoutInMs?: number
  /** Called with a one-line trace of each try (for --debug); never given a token or a query string. */
  trace?: (line: string) => void
  /**
   * Told each operation-status poll's answer: the error of one that failed (the SDK pollers keep only its text), and
   * the moment one succeeded (before the poller reads the resource back).
   */
  onOperationStatus?: (operationUrl: string, status: {status: string; error?: ArmErrorBody}) => void
}

export const USER_AGENT = 'aio-bridge/0.1'

export function createArmPipeline(options: ArmPipelineOptions): Pipeline {
  const pipeline = createClientPipeline({
    credentialOptions: {credential: options.credential, credentialScopes: `${options.audience}/.default`},
    retryOptions: {
      maxRetries: options.maxRetries ?? 5,
      retryDelayInMs: options.retryDelayInMs ?? 1000,
      maxRetryDelayInMs: 30_000,
    },
    userAgentOptions: {userAgentPrefix: USER_AGENT},
    redirectOptions: {maxRetries: 5},
  })
  pipeline.addPolicy(perTryTimeoutPolicy(options.requestTimeoutInMs ?? 120_000), {afterPhase: 'Retry'})
  const trace = options.trace
  if (trace) pipeline.addPolicy(tracePolicy(trace), {afterPhase: 'Sign'})
  const onStatus = options.onOperationStatus
  if (onStatus) pipeline.addPolicy(operationStatusTap(onStatus), {afterPhase: 'Sign'})
  // Added last, so it is the last policy before the HTTP client: it sees every try and every redirect as sent.
  pipeline.addPolicy(sameOriginPolicy(options.endpoint), {afterPhase: 'Sign'})
  return pipeline
}

/**
 * A fresh timeout for each try. AbortSignal.timeout's timer does not keep the process alive (the pipeline's own
 * `timeout` option leaves a timer running after a failed TLS handshake). A try that times out is not retried: a
 * stalled connection should not hang a CI job for six times the bound.
 */
function perTryTimeoutPolicy(timeoutInMs: number): PipelinePolicy {
  return {
    name: 'aioBridgePerTryTimeout',
    async sendRequest(request, next) {
      const outer = request.abortSignal as AbortSignal | undefined
      const timeout = AbortSignal.timeout(timeoutInMs)
      request.abortSignal = outer ? AbortSignal.any([outer, timeout]) : timeout
      try {
        return await next(request)
      } catch (err) {
        if (timeout.aborted && !outer?.aborted) {
          throw new RestError(
            `No answer within ${timeoutInMs / 1000} s (${request.method} ${stripQuery(request.url)})`,
            {
              code: 'REQUEST_TIMEOUT',
              request,
            },
          )
        }
        throw err
      } finally {
        request.abortSignal = outer
      }
    },
  }
}

function tracePolicy(trace: (line: string) => void): PipelinePolicy {
  return {
    name: 'aioBridgeTrace',
    async sendRequest(request, next) {
      const started = Date.now()
      const what = `${request.method} ${stripQuery(request.url)}`
      try {
        const response = await next(request)
        trace(`${what} → ${response.status} (${Date.now() - started} ms)`)
        return response
      } catch (err) {
        const e = err as Error & {code?: string}
        trace(`${what} → ${e.code ?? e.name} (${Date.now() - started} ms)`)
        throw err
      }
    },
  }
}

/**
 * Hands on what an operation-status poll said: core-lro turns a failure into an Error with only a message (and the ARM
 * code decides the exit code: a quota reached at the end of an operation is exit 6, as when reported at once), and it
 * reads the resource back before it tells that the operation succeeded.
 */
function operationStatusTap(onStatus: NonNullable<ArmPipelineOptions['onOperationStatus']>): PipelinePolicy {
  return {
    name: 'aioBridgeOperationStatus',
    async sendRequest(request, next) {
      const response = await next(request)
      const text = response.bodyAsText
      if (request.method === 'GET' && response.status === 200 && text?.includes('"status"')) {
        try {
          const body = JSON.parse(text) as {status?: unknown; error?: ArmErrorBody}
          if (typeof body.status === 'string')
            onStatus(stripQuery(request.url), {status: body.status, error: body.error})
        } catch {
          // Not JSON: not an operation status.
        }
      }
      return response
    },
  }
}

/**
 * Long-running-operation (Azure-AsyncOperation, Location) and paging (nextLink) URLs come from the service's
 * answers; one naming another host is refused before it is sent, so the bearer token never leaves the Resource
 * Manager endpoint's origin.
 */
function sameOriginPolicy(endpoint: string): PipelinePolicy {
  const origin = new URL(endpoint).origin
  return {
    name: 'aioBridgeSameOrigin',
    sendRequest(request, next) {
      const target = new URL(request.url).origin
      if (target !== origin) return Promise.reject(foreignUrl(stripQuery(request.url), origin))
      return next(request)
    },
  }
}

function foreignUrl(url: string, origin: string): AzureError {
  return new AzureError(
    'ARM_URL_UNTRUSTED',
    `Resource Manager answered with a URL on another host (${url}); aio-bridge sends its Azure token only to ${origin}, so it did not follow it.`,
    {
      exitCode: ExitCode.azureService,
      remedy:
        'Check AIO_BRIDGE_ARM_ENDPOINT and --cloud, and any proxy between you and Resource Manager; then run the command again (it continues from what exists).',
      details: {url, allowedOrigin: origin},
    },
  )
}

export function stripQuery(url: string): string {
  return url.split('?')[0] ?? url
}
