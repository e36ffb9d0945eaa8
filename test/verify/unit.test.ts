import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ExitCode} from '../../src/errors.js'
import {decodePayload, encodePayload, RoundTripTracker} from '../../src/verify/correlation.js'
import {
  classifyConnectError,
  connackError,
  EVENT_GRID_REMEDIES,
  LOCAL_BROKER_REMEDIES,
} from '../../src/verify/failures.js'
import {tokenLifetimeMs} from '../../src/verify/kubectl.js'
import {chooseAuth, parseGoDuration, resolveTiming, resolveTokenDuration} from '../../src/verify/options.js'
import {toJUnit} from '../../src/verify/report.js'
import type {VerifyReport} from '../../src/verify/run.js'
import {latencyStats, percentile} from '../../src/verify/stats.js'

describe('latency statistics', () => {
  it('uses nearest-rank percentiles over observed samples', () => {
    const s = Array.from({length: 100}, (_, i) => i + 1)
    assert.equal(percentile(s, 50), 50)
    assert.equal(percentile(s, 95), 95)
    assert.equal(percentile(s, 99), 99)
    assert.equal(percentile([7], 99), 7)
  })
  it('summarises unsorted samples', () => {
    const st = latencyStats([5, 1, 3, 2, 4])
    assert.deepEqual(st, {count: 5, min: 1, p50: 3, p95: 5, p99: 5, max: 5, mean: 3})
    assert.equal(latencyStats([]), undefined)
  })
})

describe('correlation', () => {
  it('round-trips the run id and sequence, and pads to a size', () => {
    const p = encodePayload('abc', 7, 300)
    assert.ok(p.length >= 290 && p.length <= 300)
    assert.deepEqual(decodePayload(p), {run: 'abc', seq: 7})
    assert.equal(decodePayload('hello'), undefined)
    assert.equal(decodePayload('{"aioBridgeVerify":1,"run":"x"}'), undefined)
  })

  it('counts only this run on the cloud topic; echo, foreign, duplicates and reordering are separate', () => {
    const t = new RoundTripTracker('run1')
    for (let i = 0; i < 4; i++) t.recordSent(i, i * 10)
    assert.equal(t.recordMessage(encodePayload('run1', 0), false, 1), 'echo')
    assert.equal(t.recordMessage(encodePayload('other', 0), true, 2), 'foreign')
    assert.equal(t.recordMessage('not json', true, 2), 'foreign')
    assert.equal(t.recordMessage(encodePayload('run1', 1), true, 15), 'counted')
    assert.equal(t.recordMessage(encodePayload('run1', 0), true, 16), 'counted')
    assert.equal(t.recordMessage(encodePayload('run1', 0), true, 17), 'duplicate')
    assert.equal(t.recordMessage(encodePayload('run1', 9), true, 17), 'foreign', 'a sequence never sent')
    const c = t.counts()
    assert.deepEqual(c, {sent: 4, received: 2, lost: 2, duplicated: 1, outOfOrder: 1, localEcho: 1, foreign: 3})
    assert.deepEqual(t.missing(), [2, 3])
    assert.equal(t.complete, false)
    assert.deepEqual(t.latency()?.min, 5)
    assert.deepEqual(t.latency()?.max, 16)
  })
})

describe('failure classification', () => {
  const hop = {name: 'IoT Operations broker', host: 'aio-broker', port: 18883}
  const hints = LOCAL_BROKER_REMEDIES
  const err = (code: string) => Object.assign(new Error(code), {code})
  it('maps DNS, TCP and TLS errors to their exit codes and TLS problems', () => {
    assert.equal(classifyConnectError(err('ENOTFOUND'), hop, 'tcp', hints).exitCode, ExitCode.verifyConnect)
    assert.equal(classifyConnectError(err('ECONNREFUSED'), hop, 'tcp', hints).code, 'VERIFY_TCP')
    const cases: Array<[string, string]> = [
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'untrusted-ca'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'untrusted-ca'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'name-mismatch'],
      ['CERT_HAS_EXPIRED', 'expired'],
      ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'client-certificate'],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'handshake'],
    ]
    for (const [code, problem] of cases) {
      const e = classifyConnectError(err(code), hop, 'tls', hints)
      assert.equal(e.exitCode, ExitCode.verifyTls, code)
      assert.equal(e.details?.tlsProblem, problem, code)
    }
  })
  it('names the flags of the hop that failed: Event Grid remedies never point at the local broker flags', () => {
    const eg = {name: 'Event Grid', host: 'ns.westeurope-1.ts.eventgrid.azure.net', port: 8883}
    for (const code of [
      'ENOTFOUND',
      'ECONNREFUSED',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'CERT_HAS_EXPIRED',
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'ERR_SSL_WRONG_VERSION_NUMBER',
    ]) {
      const remedy = classifyConnectError(err(code), eg, 'tls', EVENT_GRID_REMEDIES).remedy ?? ''
      assert.doesNotMatch(remedy, /--host\b|--port\b|--ca-file|--tls-server-name|--cert|aio-broker|kubectl/, code)
    }
    assert.match(
      classifyConnectError(err('ENOTFOUND'), eg, 'tcp', EVENT_GRID_REMEDIES).remedy ?? '',
      /--event-grid-host/,
    )
    assert.match(classifyConnectError(err('ENOTFOUND'), hop, 'tcp', hints).remedy ?? '', /--host/)
    assert.doesNotMatch(connackError(0x8c, eg, 'Microsoft Entra token').remedy ?? '', /--sat-file|--username|--cert/)
  })
  it('names the CONNACK reason code', () => {
    const e = connackError(0x87, hop, 'K8S-SAT token')
    assert.equal(e.exitCode, ExitCode.verifyAuth)
    assert.equal(e.details?.reasonCode, 0x87)
    assert.match(e.message, /0x87 Not authorized/)
  })
})

describe('options', () => {
  it('infers the authentication from the flags given', () => {
    assert.equal(chooseAuth({tls: true}), 'k8s-sat')
    assert.equal(chooseAuth({tls: true, username: 'u'}), 'password')
    assert.equal(chooseAuth({tls: true, cert: 'c'}), 'x509')
    assert.equal(chooseAuth({tls: true, auth: 'anonymous', username: 'u'}), 'anonymous')
  })
  it('defaults to the tutorial (5 messages 1 s apart, tutorial/local → tutorial/cloud) and turns --rate into an interval', () => {
    const d = resolveTiming({tls: true})
    assert.equal(d.count, 5)
    assert.equal(d.intervalMs, 1000)
    assert.equal(d.localTopic, 'tutorial/local')
    assert.equal(d.cloudTopic, 'tutorial/cloud')
    assert.equal(resolveTiming({tls: true, rate: 200}).intervalMs, 5)
    assert.ok(resolveTiming({tls: true, count: 10_000, rate: 50}).timeoutMs > 200_000, 'timeout grows with a long run')
    assert.throws(() => resolveTiming({tls: true, 'local-topic': 'a/#'}), {code: 'CONFIG_INVALID'})
  })
  it('reads kubectl durations and refuses anything else (exit 2)', () => {
    assert.equal(parseGoDuration('10m'), 600_000)
    assert.equal(parseGoDuration('1h30m'), 5_400_000)
    assert.equal(parseGoDuration('90s'), 90_000)
    assert.equal(parseGoDuration('1.5h'), 5_400_000)
    for (const bad of ['', '10', 'm', '10x', '0s', '10m ']) assert.equal(parseGoDuration(bad), undefined, bad)
    assert.deepEqual(resolveTokenDuration(undefined), {duration: '10m', durationMs: 600_000})
    assert.throws(() => resolveTokenDuration('ten minutes'), {code: 'CONFIG_INVALID', exitCode: ExitCode.usage})
  })
  it("takes a token's lifetime from its exp claim when the API server capped it", () => {
    const jwt = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`
    const now = 1_700_000_000_000
    assert.equal(tokenLifetimeMs(jwt({exp: now / 1000 + 120}), 600_000, now), 120_000)
    assert.equal(tokenLifetimeMs(jwt({exp: now / 1000 + 3600}), 600_000, now), 600_000)
    assert.equal(tokenLifetimeMs('opaque', 600_000, now), 600_000)
  })
})

describe('JUnit report', () => {
  const base: VerifyReport = {
    ok: true,
    runId: 'r1',
    direction: 'round-trip',
    publish: {hop: 'IoT Operations broker', host: 'h', port: 1, topic: 'tutorial/local'},
    expect: {hop: 'IoT Operations broker', host: 'h', port: 1, topic: 'tutorial/cloud'},
    qos: 1,
    sent: 5,
    received: 5,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    localEcho: 5,
    foreign: 0,
    missing: [],
    latencyMs: {count: 5, min: 1, p50: 2, p95: 3, p99: 3, max: 3, mean: 2},
    durationMs: 1200,
    throughput: {sentPerSecond: 5, receivedPerSecond: 5},
    reconnects: 0,
    warnings: [],
  }
  it('passes every case on success', () => {
    const x = toJUnit(base)
    assert.match(x, /tests="3" failures="0" skipped="0"/)
    assert.match(x, /name="latencyMs.p99" value="3"/)
  })
  it('fails the bridge case when nothing came back, with the code', () => {
    const x = toJUnit({
      ...base,
      ok: false,
      received: 0,
      lost: 5,
      failure: {code: 'VERIFY_NOTHING_BACK', exitCode: 20, message: 'Nothing came back <&>', hop: 'bridge'},
    })
    assert.match(x, /failures="1"/)
    assert.match(
      x,
      /<testcase classname="aio-bridge.verify" name="messages come back on tutorial\/cloud">\s*<failure type="VERIFY_NOTHING_BACK" message="Nothing came back &lt;&amp;&gt;"/,
    )
  })
  it('fails the connect case and skips the rest when the broker refused the connection', () => {
    const x = toJUnit({
      ...base,
      ok: false,
      sent: 0,
      received: 0,
      failure: {code: 'VERIFY_AUTH', exitCode: 24, message: 'no', hop: 'IoT Operations broker'},
    })
    assert.match(x, /failures="1" skipped="2"/)
  })
})
