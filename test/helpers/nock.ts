/**
 * Shared pieces of the nock-based Azure tests: the ArmClient every gateway test uses, the official Azure REST API
 * examples (test/fixtures/azure/, copied verbatim from azure-rest-api-specs) as reply bodies, and a request log that
 * records every request nock saw, matched or not, so a test can assert the exact requests made.
 */
import {readFileSync} from 'node:fs'
import nock from 'nock'
import {ArmClient, type ArmClientOptions} from '../../src/azure/arm-client.js'

export const ARM = 'https://management.azure.com'

/** An ArmClient with a fixed fake token and 1 ms waits: no credential probe, no real sleeps. */
export function testArmClient(overrides: Partial<ArmClientOptions> = {}): ArmClient {
  return new ArmClient({
    credential: {getToken: async () => ({token: 't', expiresOnTimestamp: Date.now() + 3.6e6})},
    endpoint: ARM,
    audience: ARM,
    pollIntervalInMs: 1,
    retryDelayInMs: 1,
    ...overrides,
  })
}

export interface ArmExample {
  parameters: Record<string, unknown>
  responses: Record<string, {body?: unknown; headers?: Record<string, string>}>
}

const FIXTURES = new URL('../../../test/fixtures/azure/', import.meta.url)

/** An official example, e.g. example('eventgrid/2025-02-15/Namespaces_Get.json'). A fresh copy each call. */
export function example(path: string): ArmExample {
  return JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8')) as ArmExample
}

/** The body of one response of an official example (a fresh copy), e.g. exampleBody(path, '201'). */
// biome-ignore lint/suspicious/noExplicitAny: example bodies are free-form JSON that tests reshape
export function exampleBody<T = any>(path: string, status = '200'): T {
  const response = example(path).responses[status]
  if (!response) throw new Error(`${path} has no ${status} response`)
  return response.body as T
}

/** The headers of one response of an official example. */
export function exampleHeaders(path: string, status: string): Record<string, string> {
  const headers = example(path).responses[status]?.headers
  if (!headers) throw new Error(`${path} has no headers for ${status}`)
  return headers
}

/** An ARM error body, as Resource Manager sends it. */
export function armError(code: string, message: string): {error: {code: string; message: string}} {
  return {error: {code, message}}
}

/** A nock scope on the ARM endpoint that also insists on the fake bearer token. */
export function armScope(): nock.Scope {
  return nock(ARM).matchHeader('authorization', 'Bearer t')
}

/**
 * Every request nock saw ("METHOD /path?query", decoded), in order, and those that matched no interceptor. A scope
 * is recorded once passed to watch().
 */
export class RequestLog {
  readonly requests: string[] = []
  readonly unmatched: string[] = []
  private readonly scopes = new Set<nock.Scope>()
  private readonly onRequest = (req: Request) => {
    const url = new URL(req.url)
    this.requests.push(`${req.method} ${decodeURIComponent(url.pathname + url.search)}`)
  }
  private readonly onNoMatch = (req: Request) => {
    this.unmatched.push(`${req.method} ${req.url}`)
  }

  constructor() {
    nock.emitter.on('no match', this.onNoMatch)
  }

  watch(scope: nock.Scope): nock.Scope {
    this.scopes.add(scope)
    scope.on('request', this.onRequest)
    return scope
  }

  /** The requests by method and path without the query, sorted: concurrent steps make the order vary. */
  sortedPaths(): string[] {
    return this.requests.map((r) => r.split('?')[0] ?? r).sort()
  }

  stop(): void {
    nock.emitter.removeListener('no match', this.onNoMatch)
    for (const s of this.scopes) s.removeListener('request', this.onRequest)
  }
}

/** Once per test file: no real network, and no interceptor survives its test. */
export function isolateNetwork(hooks: {
  before: (fn: () => void) => void
  afterEach: (fn: () => void) => void
  after: (fn: () => void) => void
}): void {
  hooks.before(() => nock.disableNetConnect())
  hooks.afterEach(() => nock.cleanAll())
  hooks.after(() => nock.enableNetConnect())
}
