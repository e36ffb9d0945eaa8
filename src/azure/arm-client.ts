import type {TokenCredential} from '@azure/core-auth'
import type {HttpClient, Pipeline} from '@azure/core-rest-pipeline'
import type {AzureTarget} from '../config/bridge-config.js'
import {CLOUDS, type CloudName} from '../config/clouds.js'
import {tuningFromEnv} from '../config/tuning.js'
import {AioBridgeError, ExitCode} from '../errors.js'
import {fromAzureError} from './arm-errors.js'

/**
 * The one place that talks to Azure Resource Manager: one credential, one HTTP pipeline (keep-alive, retries for 429
 * with Retry-After and transient 5xx, bearer token for the cloud's audience) shared by every gateway, and the ARM
 * long-running-operation protocol (Azure-AsyncOperation / Location polling that honours Retry-After).
 *
 * The gateways use this instead of per-service SDK clients: @azure/arm-eventgrid has no namespaces, there is no
 * @azure/arm-iotoperations, and one pipeline means one connection pool, one retry policy and one token cache.
 */

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST' | 'HEAD'

export interface ArmResponse<T = unknown> {
  status: number
  body: T
  headers: Record<string, string>
}

/** An ARM error response, shaped like @azure/core-rest-pipeline's RestError (statusCode, code). */
export class ArmRequestError extends Error {
  override readonly name = 'ArmRequestError'
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
    readonly method: string,
    readonly path: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

export interface ArmClientOptions {
  credential: TokenCredential
  endpoint: string
  audience: string
  /** Default wait between long-running-operation polls when the service sends no Retry-After. */
  pollIntervalInMs?: number
  /** Upper bound on one poll wait, whatever Retry-After says. */
  maxPollIntervalInMs?: number
  /** Upper bound on a whole long-running operation. */
  operationTimeoutInMs?: number
  maxRetries?: number
  retryDelayInMs?: number
  /** Bound on one HTTP request (default 120 s). */
  requestTimeoutInMs?: number
  httpClient?: HttpClient
  /** Called with a one-line trace of each request (for --debug); never given a token. */
  trace?: (line: string) => void
}

interface CoreModule {
  pipeline: Pipeline
  httpClient: HttpClient
  createPipelineRequest: typeof import('@azure/core-rest-pipeline').createPipelineRequest
  createHttpHeaders: typeof import('@azure/core-rest-pipeline').createHttpHeaders
}

const TERMINAL_FAILED = new Set(['failed', 'canceled', 'cancelled', 'createfailed', 'deletefailed', 'updatedfailed'])

export class ArmClient {
  private core?: CoreModule
  readonly endpoint: string

  constructor(private readonly options: ArmClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '')
  }

  private async load(): Promise<CoreModule> {
    if (this.core) return this.core
    const rp = await import('@azure/core-rest-pipeline')
    const pipeline = rp.createPipelineFromOptions({
      retryOptions: {
        maxRetries: this.options.maxRetries ?? 5,
        retryDelayInMs: this.options.retryDelayInMs ?? 1000,
        maxRetryDelayInMs: 30_000,
      },
      userAgentOptions: {userAgentPrefix: 'aio-bridge/0.1'},
      redirectOptions: {maxRetries: 5},
    })
    pipeline.addPolicy(
      rp.bearerTokenAuthenticationPolicy({
        credential: this.options.credential,
        scopes: `${this.options.audience}/.default`,
      }),
    )
    this.core = {
      pipeline,
      httpClient: this.options.httpClient ?? rp.createDefaultHttpClient(),
      createPipelineRequest: rp.createPipelineRequest,
      createHttpHeaders: rp.createHttpHeaders,
    }
    return this.core
  }

  /** A token for another audience from the same credential (Event Grid MQTT, the caller's claims). Never printed. */
  async getToken(scope: string): Promise<string> {
    const t = await this.options.credential.getToken(scope)
    if (!t?.token) throw new Error(`No token for ${scope}`)
    return t.token
  }

  /** A Resource Manager token (its claims say who is signed in). */
  armToken(): Promise<string> {
    return this.getToken(`${this.options.audience}/.default`)
  }

  /** Sends one request (retries inside the pipeline); throws ArmRequestError for any status ≥ 400. */
  async send<T = unknown>(
    method: HttpMethod,
    pathOrUrl: string,
    opts: {apiVersion?: string; body?: unknown; query?: Record<string, string>; signal?: AbortSignal} = {},
  ): Promise<ArmResponse<T>> {
    const core = await this.load()
    const url = this.url(pathOrUrl, opts.apiVersion, opts.query)
    const timeoutInMs = this.options.requestTimeoutInMs ?? 120_000
    const timeout = AbortSignal.timeout(timeoutInMs)
    const headers = core.createHttpHeaders({accept: 'application/json'})
    if (opts.body !== undefined) headers.set('content-type', 'application/json')
    const request = core.createPipelineRequest({
      url,
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      // A stalled connection must not hang a CI job. AbortSignal.timeout's timer does not keep the process alive
      // (the pipeline's own `timeout` option leaves a timer running after a failed TLS handshake).
      abortSignal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
    })
    const started = Date.now()
    let response: Awaited<ReturnType<Pipeline['sendRequest']>>
    try {
      response = await core.pipeline.sendRequest(core.httpClient, request)
    } catch (err) {
      const e = err as Error & {statusCode?: number; code?: string}
      if (e.name === 'AbortError' && timeout.aborted && !opts.signal?.aborted) {
        throw new ArmRequestError(
          `No answer within ${timeoutInMs / 1000} s (${method} ${stripQuery(url)})`,
          undefined,
          'REQUEST_TIMEOUT',
          method,
          url,
        )
      }
      if (e.name === 'AbortError') throw err
      if (e.name === 'RestError' && e.statusCode === undefined) {
        throw new ArmRequestError(`${e.message} (${method} ${stripQuery(url)})`, undefined, e.code, method, url)
      }
      throw err
    }
    this.options.trace?.(`${method} ${stripQuery(url)} → ${response.status} (${Date.now() - started} ms)`)
    const text = response.bodyAsText ?? ''
    let body: unknown
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      body = text
    }
    const headersOut: Record<string, string> = {}
    for (const [k, v] of response.headers) headersOut[k.toLowerCase()] = v
    if (response.status >= 400) {
      const error = (body as {error?: {code?: string; message?: string; details?: unknown}} | undefined)?.error
      throw new ArmRequestError(
        error?.message ?? `HTTP ${response.status} from ${method} ${stripQuery(url)}`,
        response.status,
        error?.code,
        method,
        url,
        error?.details,
      )
    }
    return {status: response.status, body: body as T, headers: headersOut}
  }

  /** GET; a 404 is `undefined`, not an error. */
  async get<T>(path: string, apiVersion: string, signal?: AbortSignal): Promise<T | undefined> {
    try {
      return (await this.send<T>('GET', path, {apiVersion, signal})).body
    } catch (err) {
      if (err instanceof ArmRequestError && err.statusCode === 404) return undefined
      throw err
    }
  }

  /** Every item of a paged list, following nextLink. */
  async listAll<T>(
    path: string,
    apiVersion: string,
    query?: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const items: T[] = []
    let next: string | undefined = path
    let first = true
    while (next) {
      const page: ArmResponse<{value?: T[]; nextLink?: string}> = await this.send('GET', next, {
        apiVersion: first ? apiVersion : undefined,
        query: first ? query : undefined,
        signal,
      })
      items.push(...(page.body?.value ?? []))
      next = page.body?.nextLink ?? undefined
      first = false
    }
    return items
  }

  /**
   * PUT or PATCH and wait for the long-running operation; returns the resource as it ends. With `readBack: false` the
   * caller needs only that the operation succeeded: the final GET is skipped and the PUT's own answer is returned
   * (one request fewer on the critical path).
   */
  async putAndWait<T>(
    method: 'PUT' | 'PATCH',
    path: string,
    apiVersion: string,
    body: unknown,
    signal?: AbortSignal,
    opts: {readBack?: boolean} = {},
  ): Promise<T> {
    // The write itself is never cut off (Azure may have taken it): a signal stops only the waiting that follows.
    const first = await this.send<T>(method, path, {apiVersion, body})
    const asyncOp = first.headers['azure-asyncoperation']
    const location = first.headers.location
    if (asyncOp) {
      await this.pollAsyncOperation(asyncOp, first.headers, signal)
    } else if (first.status === 202 && location) {
      await this.pollLocation(location, first.headers, signal)
    } else if (isInProgress(first.body)) {
      await this.pollResource(path, apiVersion, signal)
    } else {
      return first.body
    }
    if (opts.readBack === false) return first.body
    const final = await this.send<T>('GET', path, {apiVersion, signal})
    return final.body
  }

  /** POST and wait (what-if): the final body comes from the Location poll. */
  async postAndWait<T>(path: string, apiVersion: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const first = await this.send<T>('POST', path, {apiVersion, body})
    if (first.status === 202 && first.headers.location) {
      return (await this.pollLocation<T>(first.headers.location, first.headers, signal)) as T
    }
    if (first.headers['azure-asyncoperation']) {
      const op = await this.pollAsyncOperation<T>(first.headers['azure-asyncoperation'], first.headers, signal)
      return ((op as {properties?: unknown}).properties ?? op) as T
    }
    return first.body
  }

  /** DELETE and wait. Returns false when the resource was already gone (404 or 204). */
  async deleteAndWait(path: string, apiVersion: string, signal?: AbortSignal): Promise<boolean> {
    let first: ArmResponse
    try {
      first = await this.send('DELETE', path, {apiVersion})
    } catch (err) {
      if (err instanceof ArmRequestError && err.statusCode === 404) return false
      throw err
    }
    if (first.status === 204) return false
    if (first.status === 202 || first.headers['azure-asyncoperation']) {
      if (first.headers.location) await this.pollLocation(first.headers.location, first.headers, signal)
      else if (first.headers['azure-asyncoperation'])
        await this.pollAsyncOperation(first.headers['azure-asyncoperation'], first.headers, signal)
    }
    return true
  }

  private async pollAsyncOperation<T>(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<T> {
    const deadline = Date.now() + (this.options.operationTimeoutInMs ?? 30 * 60_000)
    let wait = this.waitFor(headers)
    for (;;) {
      await sleep(wait, signal)
      const res = await this.send<{status?: string; error?: ArmErrorBody}>('GET', url, {signal})
      const status = (res.body?.status ?? '').toLowerCase()
      if (status === 'succeeded') return res.body as T
      if (TERMINAL_FAILED.has(status)) throw operationFailed(url, res.body?.error, res.body?.status)
      if (Date.now() > deadline) throw operationTimedOut(url)
      wait = this.waitFor(res.headers)
    }
  }

  private async pollLocation<T>(
    url: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    const deadline = Date.now() + (this.options.operationTimeoutInMs ?? 30 * 60_000)
    let wait = this.waitFor(headers)
    for (;;) {
      await sleep(wait, signal)
      let res: ArmResponse<T>
      try {
        res = await this.send<T>('GET', url, {signal})
      } catch (err) {
        // Location of a finished delete answers 404 on some services: the resource is gone.
        if (err instanceof ArmRequestError && err.statusCode === 404) return undefined
        if (
          err instanceof ArmRequestError &&
          err.statusCode !== undefined &&
          err.statusCode < 500 &&
          err.statusCode !== 429
        ) {
          throw operationFailed(url, {code: err.code, message: err.message})
        }
        throw err
      }
      if (res.status !== 202) return res.body
      if (Date.now() > deadline) throw operationTimedOut(url)
      wait = this.waitFor(res.headers)
    }
  }

  /**
   * GETs the resource until its provisioningState is no longer in progress and returns it in whatever state it ended
   * (undefined if it does not exist); bounded by the operation timeout.
   */
  async waitForProvisioning<T extends {properties?: {provisioningState?: string}}>(
    path: string,
    apiVersion: string,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    const deadline = Date.now() + (this.options.operationTimeoutInMs ?? 30 * 60_000)
    for (;;) {
      const res = await this.get<T>(path, apiVersion, signal)
      if (!isInProgress(res)) return res
      if (Date.now() > deadline) throw operationTimedOut(path)
      await sleep(this.options.pollIntervalInMs ?? 2000, signal)
    }
  }

  private async pollResource(path: string, apiVersion: string, signal?: AbortSignal): Promise<void> {
    await sleep(this.options.pollIntervalInMs ?? 2000, signal)
    const res = await this.waitForProvisioning<{properties?: {provisioningState?: string}}>(path, apiVersion, signal)
    const state = res?.properties?.provisioningState
    if (state && TERMINAL_FAILED.has(state.toLowerCase())) throw operationFailed(path, undefined, state)
  }

  private waitFor(headers: Record<string, string>): number {
    return pollDelayInMs(headers, this.options.pollIntervalInMs ?? 2000, this.options.maxPollIntervalInMs ?? 30_000)
  }

  private url(pathOrUrl: string, apiVersion?: string, query?: Record<string, string>): string {
    const base = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.endpoint}/${pathOrUrl.replace(/^\/+/, '')}`
    const u = new URL(base)
    if (apiVersion) u.searchParams.set('api-version', apiVersion)
    for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v)
    // ARM expects %20 rather than + in $filter values.
    return u.toString().replace(/\+/g, '%20')
  }
}

function isInProgress(body: unknown): boolean {
  const state = (body as {properties?: {provisioningState?: string}} | undefined)?.properties?.provisioningState
  if (!state) return false
  const s = state.toLowerCase()
  return !(s === 'succeeded' || TERMINAL_FAILED.has(s))
}

interface ArmErrorBody {
  code?: string
  message?: string
  details?: ArmErrorBody[]
}

/** The innermost ARM errors say what actually failed (a deployment wraps them in DeploymentFailed). */
function innermost(error: ArmErrorBody | undefined): ArmErrorBody[] {
  if (!error?.details?.length) return error ? [error] : []
  return error.details.flatMap((d) => innermost(d))
}

function operationFailed(url: string, error?: ArmErrorBody, status?: string): AioBridgeError {
  const causes = innermost(error).filter((e) => e !== error)
  const why = causes.length > 0 ? ` — ${causes.map((c) => `${c.code ?? '?'}: ${c.message ?? ''}`).join('; ')}` : ''
  const message = `An Azure operation ended ${status ?? 'Failed'}${error?.code ? ` with ${error.code}` : ''}: ${error?.message ?? 'no message'}${why}`
  const details = {
    armCode: error?.code,
    causes: causes.map((c) => ({code: c.code, message: c.message})),
    operation: stripQuery(url),
  }
  // A quota or a taken name reported at the end of an operation is the same problem as when reported at once.
  const inner = [error, ...causes]
    .map((c) => c?.code ?? '')
    .find((c) => /QuotaExceeded|LimitExceeded|NameNotAvailable|AlreadyExists|NameAlreadyInUse|NameUnavailable/i.test(c))
  if (inner) {
    const mapped = fromAzureError({name: 'ArmRequestError', message, code: inner, statusCode: 409})
    return new AioBridgeError(mapped.code, message, {exitCode: mapped.exitCode, remedy: mapped.remedy, details})
  }
  return new AioBridgeError('OPERATION_FAILED', message, {
    exitCode: ExitCode.azureService,
    remedy: 'Fix what the message names, then run the command again; it continues from what exists.',
    details,
  })
}

function operationTimedOut(url: string): AioBridgeError {
  return new AioBridgeError('OPERATION_TIMEOUT', `An Azure operation did not finish in time (${stripQuery(url)}).`, {
    exitCode: ExitCode.azureService,
    remedy: 'Run the command again later; it continues from what exists.',
  })
}

function stripQuery(url: string): string {
  return url.split('?')[0] ?? url
}

/**
 * How long to wait before the next poll: the service's `retry-after-ms`, else `Retry-After` in seconds, capped at
 * `maxMs` so a long hint never stalls a run; without a hint, the default interval.
 */
export function pollDelayInMs(headers: Record<string, string>, defaultMs: number, maxMs: number): number {
  const ms = Number(headers['retry-after-ms'] ?? Number.NaN)
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, maxMs)
  const s = Number(headers['retry-after'] ?? Number.NaN)
  if (Number.isFinite(s) && s >= 0) return Math.min(s * 1000, maxMs)
  return defaultMs
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError())
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(abortError())
    }
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}

function abortError(): Error {
  const e = new Error('The operation was aborted.')
  e.name = 'AbortError'
  return e
}

/** Builds the shared client for a target: DefaultAzureCredential (honours AZURE_TOKEN_CREDENTIALS) unless given one. */
export async function createArmClient(
  target: AzureTarget,
  opts: {credential?: TokenCredential; trace?: (line: string) => void} = {},
): Promise<ArmClient> {
  const credential = opts.credential ?? (await createCredential(target.cloud))
  const tuning = tuningFromEnv()
  return new ArmClient({
    credential,
    endpoint: target.armEndpoint,
    audience: target.armAudience,
    pollIntervalInMs: tuning.pollIntervalInMs,
    retryDelayInMs: tuning.retryDelayInMs,
    trace: opts.trace,
  })
}

const credentials = new Map<CloudName, TokenCredential>()

/**
 * One credential per cloud and process, shared by ARM, the Event Grid MQTT token and Azure Monitor. The cloud's
 * authority host matters for service principals and workload identity (OIDC) outside the public cloud;
 * AZURE_AUTHORITY_HOST, when set, still wins inside @azure/identity.
 */
export async function createCredential(cloud: CloudName = 'AzureCloud'): Promise<TokenCredential> {
  const cached = credentials.get(cloud)
  if (cached) return cached
  const {DefaultAzureCredential} = await import('@azure/identity')
  const credential = new DefaultAzureCredential({
    authorityHost: process.env.AZURE_AUTHORITY_HOST || CLOUDS[cloud].authorityHost,
  })
  credentials.set(cloud, credential)
  return credential
}
