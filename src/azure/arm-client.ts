import type {AuthorizationManagementClient} from '@azure/arm-authorization'
import type {SourceControlConfigurationClient} from '@azure/arm-kubernetesconfiguration'
import type {ResourceManagementClient} from '@azure/arm-resources'
import type {DeploymentsClient} from '@azure/arm-resourcesdeployments'
import type {TokenCredential} from '@azure/core-auth'
import type {HttpClient, Pipeline} from '@azure/core-rest-pipeline'
import type {AzureTarget} from '../config/bridge-config.js'
import {CLOUDS, type CloudName} from '../config/clouds.js'
import {tuningFromEnv} from '../config/tuning.js'
import {type ArmErrorBody, isNotFound, looksLikeAzureError, operationFailed} from './arm-errors.js'
import {API} from './ids.js'
import {cachedCredential} from './token-cache.js'
import {type StartedOperation, startThenWait, type WaitOptions} from './wait.js'

/**
 * Everything a process needs to talk to Azure Resource Manager, built lazily and once: one credential behind a
 * per-scope token cache, ONE pipeline (keep-alive HTTP client, retries, bearer token, --debug trace, per-try
 * timeout, same-origin rule) shared by every SDK client, and the SDK clients themselves, one per subscription:
 *   @azure/arm-authorization         role assignments
 *   @azure/arm-kubernetesconfiguration  cluster extensions (the IoT Operations identity)
 *   @azure/arm-resources             resource groups, providers, and every resource by id (Event Grid, IoT Operations)
 *   @azure/arm-resourcesdeployments  ARM template deployments and what-if
 * What no SDK covers (the subscription read, the topic-space and instance collections, metrics) goes as plain GETs
 * over the same pipeline (`get`, `listAll`). The SDK is imported on first use, never at a command's start-up.
 */
export interface ArmClientOptions {
  credential: TokenCredential
  endpoint: string
  audience: string
  /** Default wait between long-running-operation polls when the service sends no Retry-After. */
  pollIntervalInMs?: number
  /** Upper bound on a whole long-running operation (default 30 minutes). */
  operationTimeoutInMs?: number
  maxRetries?: number
  retryDelayInMs?: number
  /** Bound on one try of one HTTP request (default 120 s). */
  requestTimeoutInMs?: number
  httpClient?: HttpClient
  /** Called with a one-line trace of each request (for --debug); never given a token. */
  trace?: (line: string) => void
}

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST' | 'HEAD'

export interface ArmResponse<T = unknown> {
  status: number
  body: T
  headers: Record<string, string>
}

export interface RequestOptions {
  apiVersion?: string
  query?: Record<string, string>
  body?: unknown
  abortSignal?: AbortSignal
}

interface Core {
  pipeline: Pipeline
  httpClient: HttpClient
  rp: typeof import('@azure/core-rest-pipeline')
}

export class ArmClient {
  readonly endpoint: string
  /** The process's one credential, behind the token cache: every token of every audience comes from here. */
  readonly credential: TokenCredential
  private core?: Promise<Core>
  private readonly clients = new Map<string, Promise<unknown>>()
  /** Failed operations' errors by operation URL, as their last poll reported them. */
  private readonly failedOperations = new Map<string, {status: string; error: ArmErrorBody}>()
  /** Who waits to hear that an operation succeeded, by operation URL. */
  private readonly onSucceeded = new Map<string, () => void>()

  constructor(private readonly options: ArmClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '')
    this.credential = cachedCredential(options.credential)
  }

  /** What every SDK long-running operation is started with: the poll interval when Azure sends no Retry-After. */
  get pollerOptions(): {updateIntervalInMs?: number} {
    return {updateIntervalInMs: this.options.pollIntervalInMs}
  }

  /** The waits' interval and bound, for the pollers and the read loops. */
  get waits(): {intervalInMs?: number; timeoutInMs?: number} {
    return {intervalInMs: this.options.pollIntervalInMs, timeoutInMs: this.options.operationTimeoutInMs}
  }

  /** The one pipeline, built on first use; concurrent first callers share the same promise. */
  pipeline(): Promise<Core> {
    this.core ??= (async () => {
      const [rp, {createArmPipeline}] = await Promise.all([
        import('@azure/core-rest-pipeline'),
        import('./pipeline.js'),
      ])
      const pipeline = createArmPipeline({
        credential: this.credential,
        endpoint: this.endpoint,
        audience: this.options.audience,
        maxRetries: this.options.maxRetries,
        retryDelayInMs: this.options.retryDelayInMs,
        requestTimeoutInMs: this.options.requestTimeoutInMs,
        trace: this.options.trace,
        onOperationStatus: (url, {status, error}) => {
          if (/succeeded/i.test(status)) this.onSucceeded.get(url)?.()
          else if (error && /fail|cancel/i.test(status)) this.failedOperations.set(url, {status, error})
        },
      })
      this.options.trace?.(`one pipeline for every Azure client (${this.endpoint})`)
      return {pipeline, httpClient: this.options.httpClient ?? rp.createDefaultHttpClient(), rp}
    })()
    return this.core
  }

  private client<T>(key: string, make: (core: Core) => Promise<T>): Promise<T> {
    let c = this.clients.get(key) as Promise<T> | undefined
    if (!c) {
      c = this.pipeline().then(make)
      // A failed import is not kept: the next call tries again.
      c.catch(() => this.clients.delete(key))
      this.clients.set(key, c)
    }
    return c
  }

  /** Options both client generations take: the shared pipeline and HTTP client, the endpoint. */
  private shared(core: Core) {
    return {pipeline: core.pipeline, httpClient: core.httpClient, endpoint: this.endpoint}
  }

  authorization(sub: string): Promise<AuthorizationManagementClient> {
    return this.client(`authorization:${sub}`, async (core) => {
      const {AuthorizationManagementClient} = await import('@azure/arm-authorization')
      return new AuthorizationManagementClient(this.credential, sub, {...this.shared(core), $host: this.endpoint})
    })
  }

  extensions(sub: string): Promise<SourceControlConfigurationClient> {
    return this.client(`extensions:${sub}`, async (core) => {
      const {SourceControlConfigurationClient} = await import('@azure/arm-kubernetesconfiguration')
      return new SourceControlConfigurationClient(this.credential, sub, {...this.shared(core), $host: this.endpoint})
    })
  }

  /** Resource groups and providers at API.resourceGroups; resources by id at the api-version each call names. */
  resources(sub: string): Promise<ResourceManagementClient> {
    return this.client(`resources:${sub}`, async (core) => {
      const {ResourceManagementClient} = await import('@azure/arm-resources')
      return new ResourceManagementClient(this.credential, sub, {...this.shared(core), apiVersion: API.resourceGroups})
    })
  }

  /** Pinned to API.deployments: the package's default api-version is newer than the one this tool is tested with. */
  deployments(sub: string): Promise<DeploymentsClient> {
    return this.client(`deployments:${sub}`, async (core) => {
      const {DeploymentsClient} = await import('@azure/arm-resourcesdeployments')
      return new DeploymentsClient(this.credential, sub, {...this.shared(core), apiVersion: API.deployments})
    })
  }

  /**
   * Waits for an operation started by an SDK call (its first request is sent first, without the signal: see
   * startThenWait). An operation that ends Failed or Canceled is reported with the ARM error its last poll carried.
   */
  async waitFor<T>(
    poller: StartedOperation<T>,
    what: string,
    options: WaitOptions & {onSubmitted?: () => void; onSucceeded?: () => void} = {},
  ): Promise<T> {
    const location = () =>
      (poller.operationState as {config?: {operationLocation?: string}} | undefined)?.config?.operationLocation?.split(
        '?',
      )[0]
    let watched: string | undefined
    const onSubmitted = () => {
      watched = location()
      const told = options.onSucceeded
      if (watched && told) this.onSucceeded.set(watched, told)
      options.onSubmitted?.()
    }
    try {
      const result = await startThenWait(poller, what, {...this.waits, ...options, onSubmitted})
      options.onSucceeded?.()
      return result
    } catch (err) {
      const state = poller.operationState as {status?: string; config?: {operationLocation?: string}} | undefined
      const ended = state?.status === 'failed' || state?.status === 'canceled'
      // An HTTP error, a refusal of ours or an abort is reported as itself; only the operation's own end is mapped.
      if (!ended || looksLikeAzureError(err) || (err as Error).name !== 'Error') throw err
      const url = state?.config?.operationLocation?.split('?')[0]
      const seen = url ? this.failedOperations.get(url) : undefined
      throw operationFailed(
        url ?? what,
        seen?.error,
        seen?.status ?? (state?.status === 'canceled' ? 'Canceled' : 'Failed'),
      )
    }
  }

  /**
   * Starts a DELETE (given the callback that tells its first answer's status) and waits for it: true once deleted,
   * false when it was already gone (404, or 204 at once); a 404 while waiting means the delete finished.
   */
  async waitForDelete(
    start: (onResponse: (r: {status: number}) => void) => StartedOperation<void>,
    what: string,
    options: WaitOptions & {onSubmitted?: () => void} = {},
  ): Promise<boolean> {
    let first: number | undefined
    const poller = start((r) => {
      first ??= r.status
    })
    try {
      await this.waitFor(poller, what, options)
    } catch (err) {
      if (isNotFound(err)) return first !== undefined && first !== 404
      throw err
    }
    return first !== 204
  }

  /**
   * Loads SDK clients a run needs later once the request in flight is on the wire (a moment from now), so their
   * import overlaps a wait on Azure instead of delaying a request. A failure surfaces at first real use.
   */
  preload(sub: string, ...clients: Array<'authorization' | 'deployments'>): void {
    setTimeout(() => {
      for (const c of clients) this[c](sub).catch(() => undefined)
    }, 10).unref()
  }

  /** A token for another audience from the same credential and cache (Event Grid MQTT, Monitor). Never printed. */
  async getToken(scope: string): Promise<string> {
    const t = await this.credential.getToken(scope)
    if (!t?.token) throw new Error(`No token for ${scope}`)
    return t.token
  }

  /** A Resource Manager token (its claims say who is signed in): the one the pipeline sends. */
  armToken(): Promise<string> {
    return this.getToken(`${this.options.audience}/.default`)
  }

  /**
   * Starts fetching the Resource Manager token now, so `az` (a child process) runs while the SDK loads; the first
   * request then finds it in the cache. A failure surfaces at that first request.
   */
  prefetchToken(): void {
    this.armToken().catch(() => undefined)
  }

  /**
   * One plain request on the shared pipeline, for what no SDK client covers. Throws a RestError (statusCode, code)
   * for any status ≥ 400, as the SDK clients do.
   */
  async send<T = unknown>(method: HttpMethod, pathOrUrl: string, opts: RequestOptions = {}): Promise<ArmResponse<T>> {
    const {pipeline, httpClient, rp} = await this.pipeline()
    const headers = rp.createHttpHeaders({accept: 'application/json'})
    if (opts.body !== undefined) headers.set('content-type', 'application/json')
    const request = rp.createPipelineRequest({
      url: this.url(pathOrUrl, opts.apiVersion, opts.query),
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      abortSignal: opts.abortSignal,
    })
    const response = await pipeline.sendRequest(httpClient, request)
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
      const error = (body as {error?: {code?: string; message?: string}} | undefined)?.error
      const e = new rp.RestError(error?.message ?? `HTTP ${response.status} from ${method} ${request.url}`, {
        statusCode: response.status,
        code: error?.code,
        request,
        response,
      })
      e.details = body
      throw e
    }
    return {status: response.status, body: body as T, headers: headersOut}
  }

  /** GET; a 404 is `undefined`, not an error. */
  async get<T>(path: string, apiVersion: string, opts: {abortSignal?: AbortSignal} = {}): Promise<T | undefined> {
    try {
      return (await this.send<T>('GET', path, {apiVersion, abortSignal: opts.abortSignal})).body
    } catch (err) {
      if ((err as {statusCode?: number}).statusCode === 404) return undefined
      throw err
    }
  }

  /** Every item of a collection no SDK lists (topic spaces, IoT Operations instances), following nextLink. */
  async listAll<T>(
    path: string,
    apiVersion: string,
    opts: {query?: Record<string, string>; abortSignal?: AbortSignal} = {},
  ): Promise<T[]> {
    const items: T[] = []
    let next: string | undefined = path
    for (let first = true; next; first = false) {
      const page: ArmResponse<{value?: T[]; nextLink?: string | null}> = await this.send('GET', next, {
        apiVersion: first ? apiVersion : undefined,
        query: first ? opts.query : undefined,
        abortSignal: opts.abortSignal,
      })
      items.push(...(page.body?.value ?? []))
      next = page.body?.nextLink ?? undefined
    }
    return items
  }

  private url(pathOrUrl: string, apiVersion?: string, query?: Record<string, string>): string {
    const base = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.endpoint}/${sdkId(pathOrUrl)}`
    const u = new URL(base)
    if (apiVersion) u.searchParams.set('api-version', apiVersion)
    for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v)
    // ARM expects %20 rather than + in $filter values.
    return u.toString().replace(/\+/g, '%20')
  }
}

/**
 * A resource id or scope as the SDKs take it: without the leading slash (their URL templates add one, so `/subscriptions/…`
 * would become `//subscriptions/…`).
 */
export function sdkId(id: string): string {
  return id.replace(/^\/+/, '')
}

/** Builds the shared client for a target: DefaultAzureCredential (honours AZURE_TOKEN_CREDENTIALS) unless given one. */
export async function createArmClient(
  target: AzureTarget,
  opts: {credential?: TokenCredential; trace?: (line: string) => void} = {},
): Promise<ArmClient> {
  const credential = opts.credential ?? (await createCredential(target.cloud))
  const tuning = tuningFromEnv()
  const arm = new ArmClient({
    credential,
    endpoint: target.armEndpoint,
    audience: target.armAudience,
    pollIntervalInMs: tuning.pollIntervalInMs,
    retryDelayInMs: tuning.retryDelayInMs,
    trace: opts.trace,
  })
  arm.prefetchToken()
  return arm
}

const credentials = new Map<CloudName, TokenCredential>()

/**
 * One credential per cloud and process, behind the token cache, shared by ARM, the Event Grid MQTT token and Azure
 * Monitor. The cloud's authority host matters for service principals and workload identity (OIDC) outside the public
 * cloud; AZURE_AUTHORITY_HOST, when set, still wins inside @azure/identity.
 */
export async function createCredential(cloud: CloudName = 'AzureCloud'): Promise<TokenCredential> {
  const cached = credentials.get(cloud)
  if (cached) return cached
  const {DefaultAzureCredential} = await import('@azure/identity')
  const credential = cachedCredential(
    new DefaultAzureCredential({authorityHost: process.env.AZURE_AUTHORITY_HOST || CLOUDS[cloud].authorityHost}),
  )
  credentials.set(cloud, credential)
  return credential
}
