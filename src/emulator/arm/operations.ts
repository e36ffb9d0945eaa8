import {randomUUID} from 'node:crypto'
import {ArmHttpError} from './arm-error.js'
import type {ArmCall, ArmReply} from './http.js'
import {type ArmState, key, type Operation} from './state.js'
import type {ArmEmulatorOptions, ArmResource} from './types.js'

/**
 * Long-running operations: each answers InProgress for `lroPolls` polls, then runs its effect and answers Succeeded
 * (or Failed). Resource writes name theirs in `Azure-AsyncOperation`, deletes and what-if in `Location`, with
 * `Retry-After` when `lroRetryAfterSeconds` is set. Deployments poll through deployments.ts, on the same operations.
 */

type OperationOptions = Pick<ArmEmulatorOptions, 'lroPolls' | 'lroSettleMs' | 'lroRetryAfterSeconds'>

export class Operations {
  constructor(
    private readonly state: ArmState,
    private readonly options: OperationOptions,
    /** Location of operations whose resource (and parents) have none: the seed's first resource group's. */
    private readonly fallbackLocation: () => string | undefined,
  ) {}

  start(op: Omit<Operation, 'id' | 'startedAt' | 'status' | 'remaining'>): Operation {
    const full: Operation = {
      ...op,
      id: randomUUID(),
      startedAt: Date.now(),
      status: 'InProgress',
      remaining: this.options.lroPolls ?? 1,
    }
    this.state.operations.set(full.id, full)
    return full
  }

  /** Counts one poll of an operation (it may complete). */
  advance(op: Operation): void {
    if (op.status !== 'InProgress') return
    if (op.remaining > 0) op.remaining--
    else this.finish(op)
  }

  /** A new write to a resource finishes the operation still running on it (ARM would have moved on by then). */
  finishPending(target: string): void {
    const t = key(target)
    for (const op of this.state.operations.values()) if (op.target === t) this.finish(op)
  }

  /** Finishes every operation now. */
  settle(): void {
    for (const op of this.state.operations.values()) this.finish(op)
  }

  /** Operations nobody polls finish after lroSettleMs, as they would in Azure while a killed client is away. */
  settleOld(): void {
    const ms = this.options.lroSettleMs ?? 2000
    if (ms <= 0) return
    const now = Date.now()
    // Finished operations are kept ten minutes for late polls, then dropped so a long sandbox session stays small.
    for (const [id, op] of this.state.operations)
      if (op.status !== 'InProgress' && now - op.startedAt > 600_000) this.state.operations.delete(id)
    for (const op of this.state.operations.values())
      if (op.status === 'InProgress' && now - op.startedAt >= ms) this.finish(op)
  }

  /** Is an operation on this resource still in progress? */
  running(path: string): boolean {
    const target = key(path)
    for (const op of this.state.operations.values()) if (op.target === target && op.status === 'InProgress') return true
    return false
  }

  retryAfter(): Record<string, string> {
    const s = this.options.lroRetryAfterSeconds
    return s === undefined ? {} : {'Retry-After': String(s)}
  }

  /** `Azure-AsyncOperation` of a resource write, under its provider's operations (the segment name differs by RP). */
  writeHeaders(baseUrl: string, sub: string, provider: string, r: ArmResource, op: Operation, apiVersion?: string) {
    const seg = provider === 'Microsoft.EventGrid' ? 'operationsStatus' : 'operationStatuses'
    const base = this.providerBase(baseUrl, sub, provider, r)
    return {'Azure-AsyncOperation': `${base}/${seg}/${op.id}?api-version=${apiVersion}`, ...this.retryAfter()}
  }

  /** `Location` and `Azure-AsyncOperation` of a resource delete. */
  deleteHeaders(baseUrl: string, sub: string, provider: string, r: ArmResource, op: Operation, apiVersion?: string) {
    const base = this.providerBase(baseUrl, sub, provider, r)
    return {
      Location: `${base}/operationResults/${op.id}?api-version=${apiVersion}`,
      'Azure-AsyncOperation': `${base}/operationsStatus/${op.id}?api-version=${apiVersion}`,
      ...this.retryAfter(),
    }
  }

  /**
   * Answers a poll of `…/operationresults/{id}` (Location: 202 while running, then the result, 204 or the failure)
   * or of `…/operationsStatus/{id}` and the like (Azure-AsyncOperation: the status document).
   */
  poll(opId: string, call: ArmCall, baseUrl: string): ArmReply {
    const op = this.state.operations.get(opId)
    if (!op) throw new ArmHttpError(404, 'OperationNotFound', `The operation '${opId}' could not be found.`)
    this.advance(op)
    if (/operationresults/i.test(call.path)) {
      if (op.status === 'InProgress') {
        return {
          status: 202,
          headers: {Location: `${baseUrl}${call.path}?${call.query.toString()}`, ...this.retryAfter()},
          poll: true,
        }
      }
      if (op.result !== undefined) return {status: 200, body: op.result, poll: true}
      if (op.status === 'Failed') return {status: 200, body: {status: 'Failed', error: op.error}, poll: true}
      return {status: 204, poll: true}
    }
    return {
      status: 200,
      body: {
        id: call.path,
        name: op.id,
        status: op.status,
        startTime: new Date(op.startedAt).toISOString(),
        ...(op.endTime ? {endTime: op.endTime} : {}),
        ...(op.error ? {error: op.error} : {}),
      },
      headers: op.status === 'InProgress' ? this.retryAfter() : undefined,
      poll: true,
    }
  }

  private finish(op: Operation): void {
    if (op.status !== 'InProgress') return
    op.status = 'Succeeded'
    op.endTime = new Date(this.state.now()).toISOString()
    op.complete?.()
  }

  /** `…/subscriptions/{sub}/providers/{provider}/locations/{location}`: the location is the nearest one up the id. */
  private providerBase(baseUrl: string, sub: string, provider: string, r: ArmResource): string {
    let cur: ArmResource | undefined = r
    let id = r.id
    while (cur && !cur.location) {
      id = id.split('/').slice(0, -2).join('/')
      cur = this.state.get(id)
    }
    const location = (cur?.location ?? this.fallbackLocation() ?? 'eastus').replace(/\s+/g, '').toLowerCase()
    return `${baseUrl}/subscriptions/${sub}/providers/${provider}/locations/${location}`
  }
}
