import {randomUUID} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import {ArmHttpError, armErrors} from './arm-error.js'

/**
 * The wire: what a handler is given (ArmCall) and answers (ArmReply), the small helpers every handler shares, paging,
 * and how an answer is written.
 */

/** What a handler answers; the server adds JSON encoding, request ids and the request log entry. */
export interface ArmReply {
  status: number
  body?: unknown
  headers?: Record<string, string>
  /** Marks long-running-operation polls in the request log. */
  poll?: boolean
}

/** A parsed incoming ARM request. */
export interface ArmCall {
  method: string
  path: string
  segs: string[]
  /** Lower-case segments, for matching the fixed parts case-insensitively. */
  ls: string[]
  query: URLSearchParams
  apiVersion?: string
  body: unknown
  /** Object id of the caller (token `oid`). */
  caller: string
}

export function ok(body: unknown, status = 200, headers?: Record<string, string>): ArmReply {
  return {status, body, headers}
}

export function requireApiVersion(call: ArmCall, supported: readonly string[], type: string): string {
  const v = call.apiVersion
  if (!v || !supported.includes(v)) throw armErrors.invalidApiVersion(v, type, supported)
  return v
}

export function methodNotAllowed(call: ArmCall): ArmHttpError {
  return new ArmHttpError(
    405,
    'MethodNotAllowed',
    `The requested resource does not support http method '${call.method}'.`,
  )
}

export function bodyObject(call: ArmCall): Record<string, unknown> {
  const b = call.body
  if (!b || typeof b !== 'object' || Array.isArray(b)) {
    throw new ArmHttpError(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized: the body must be a JSON object.',
    )
  }
  return b as Record<string, unknown>
}

/**
 * Pages a list answer `size` items at a time (0: one page), with a `nextLink` carrying `$skipToken` and the
 * request's own query, as ARM's list operations do.
 */
export function pager(call: ArmCall, size: number, baseUrl: string): (items: unknown[]) => unknown {
  return (items) => {
    const skip = Number(call.query.get('$skipToken') ?? 0) || 0
    if (size <= 0) return {value: items}
    const value = items.slice(skip, skip + size)
    if (skip + size >= items.length) return {value}
    const q = new URLSearchParams(call.query)
    q.set('$skipToken', String(skip + size))
    if (call.apiVersion) q.set('api-version', call.apiVersion)
    return {value, nextLink: `${baseUrl}${call.path}?${q.toString().replace(/\+/g, '%20')}`}
  }
}

/** Writes an answer as JSON with ARM's request-id headers (no body for 204 or none). */
export function send(res: ServerResponse, reply: ArmReply): void {
  const requestId = randomUUID()
  const headers: Record<string, string> = {
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': requestId,
    'x-ms-routing-request-id': `EASTUS:${requestId}`,
    'cache-control': 'no-cache',
    ...(reply.headers ?? {}),
  }
  if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, {...headers, 'content-length': '0'})
    res.end()
    return
  }
  const text = JSON.stringify(reply.body)
  res.writeHead(reply.status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  })
  res.end(text)
}
