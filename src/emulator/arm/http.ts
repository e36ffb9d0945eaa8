import {ArmHttpError} from './arm-error.js'

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
  if (!v || !supported.includes(v)) {
    throw new ArmHttpError(
      400,
      v ? 'InvalidApiVersionParameter' : 'MissingApiVersionParameter',
      v
        ? `The api-version '${v}' is invalid. The supported versions for '${type}' are '${supported.join(',')}'.`
        : 'The api-version query parameter (?api-version=) is required for all requests.',
    )
  }
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
