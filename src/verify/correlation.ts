import {randomBytes} from 'node:crypto'
import {type LatencyStats, latencyStats} from './stats.js'

/**
 * Correlation of test messages. Each payload is JSON (dataflows with serializationFormat Json pass it through) that
 * carries this run's id and a sequence number; only messages of this run that arrive on the cloud topic count, so a
 * stale retained message, another run's message or the local echo never passes for a round trip.
 */
export interface VerifyPayload {
  aioBridgeVerify: 1
  run: string
  seq: number
  /** Wall-clock send time, for a human reading the message on the other side; latency uses a monotonic clock. */
  sentAt: string
}

export function newRunId(): string {
  return randomBytes(6).toString('hex')
}

export function encodePayload(run: string, seq: number, padTo = 0): Buffer {
  const body: VerifyPayload & {pad?: string} = {aioBridgeVerify: 1, run, seq, sentAt: new Date().toISOString()}
  const base = JSON.stringify(body)
  // --size pads the message so a load run can approach real telemetry sizes.
  if (padTo > base.length + 10) body.pad = 'x'.repeat(padTo - base.length - 10)
  return Buffer.from(JSON.stringify(body))
}

/** The payload's run and sequence, or undefined for anything that is not a verify message. */
export function decodePayload(payload: Buffer | string): {run: string; seq: number} | undefined {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8')
  if (!text.startsWith('{') || !text.includes('aioBridgeVerify')) return undefined
  try {
    const v = JSON.parse(text) as Partial<VerifyPayload>
    if (v.aioBridgeVerify !== 1 || typeof v.run !== 'string' || !Number.isInteger(v.seq)) return undefined
    return {run: v.run, seq: v.seq as number}
  } catch {
    return undefined
  }
}

export interface TrackerCounts {
  sent: number
  received: number
  lost: number
  duplicated: number
  outOfOrder: number
  /** Messages of this run seen on the local (publish) topic: proof the first hop took them; never a round trip. */
  localEcho: number
  /** Messages on the cloud topic from another run or not from verify at all (ignored). */
  foreign: number
}

/**
 * Counts one run. `now` is a monotonic clock in milliseconds (performance.now) so that latency is immune to
 * wall-clock steps.
 */
export class RoundTripTracker {
  private readonly sentAt = new Map<number, number>()
  private readonly seen = new Set<number>()
  private readonly latencies: number[] = []
  private highestSeq = -1
  private duplicated = 0
  private outOfOrder = 0
  private localEcho = 0
  private foreign = 0
  firstSendAt?: number
  lastReceiveAt?: number

  constructor(readonly runId: string) {}

  recordSent(seq: number, now: number): void {
    this.sentAt.set(seq, now)
    this.firstSendAt ??= now
  }

  /** Called for every message on a subscribed topic; `isCloudTopic` says which side it came from. */
  recordMessage(
    payload: Buffer | string,
    isCloudTopic: boolean,
    now: number,
  ): 'counted' | 'echo' | 'duplicate' | 'foreign' {
    const p = decodePayload(payload)
    if (!p || p.run !== this.runId || !this.sentAt.has(p.seq)) {
      if (isCloudTopic) this.foreign++
      return 'foreign'
    }
    if (!isCloudTopic) {
      this.localEcho++
      return 'echo'
    }
    if (this.seen.has(p.seq)) {
      this.duplicated++
      return 'duplicate'
    }
    this.seen.add(p.seq)
    if (p.seq < this.highestSeq) this.outOfOrder++
    else this.highestSeq = p.seq
    this.latencies.push(now - (this.sentAt.get(p.seq) as number))
    this.lastReceiveAt = now
    return 'counted'
  }

  /** True once every message sent so far has come back. */
  get complete(): boolean {
    return this.seen.size === this.sentAt.size && this.sentAt.size > 0
  }

  /** Sequence numbers sent but not (yet) back, ascending. */
  missing(): number[] {
    return [...this.sentAt.keys()].filter((s) => !this.seen.has(s)).sort((a, b) => a - b)
  }

  counts(): TrackerCounts {
    return {
      sent: this.sentAt.size,
      received: this.seen.size,
      lost: this.sentAt.size - this.seen.size,
      duplicated: this.duplicated,
      outOfOrder: this.outOfOrder,
      localEcho: this.localEcho,
      foreign: this.foreign,
    }
  }

  latency(): LatencyStats | undefined {
    return latencyStats(this.latencies)
  }
}
