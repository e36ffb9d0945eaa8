// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${inputTopic} in these strings is the dataflow's variable
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {DEFAULTS, resolveTopicTemplates} from '../../src/config/bridge-config.js'
import {isAioBridgeError} from '../../src/errors.js'
import {type BridgeModelFlags, buildBridgeModel} from '../../src/model/bridge-model.js'
import {assertBridgeModel, checkBridgeModel} from '../../src/model/checks.js'
import {intersectPatterns, patternsOverlap, resolveDestination, templatesCover} from '../../src/model/topics.js'

const HOST = 'myns.westus2-1.ts.eventgrid.azure.net'
const errorCodes = (flags: BridgeModelFlags, opts: Parameters<typeof checkBridgeModel>[1] = {}) =>
  checkBridgeModel(buildBridgeModel({hostname: HOST, ...flags}), opts).errors.map((e) => e.code)
const warningCodes = (flags: BridgeModelFlags, opts: Parameters<typeof checkBridgeModel>[1] = {}) =>
  checkBridgeModel(buildBridgeModel({hostname: HOST, ...flags}), opts).warnings.map((e) => e.code)

describe('checkBridgeModel', () => {
  it("stays quiet on the tutorial's map (a round trip, not a loop), with the tutorial's namespace", () => {
    const r = checkBridgeModel(buildBridgeModel({hostname: HOST}), {
      topicTemplates: ['telemetry/#'],
      maxClientSessions: 3,
    })
    assert.deepEqual(r, {errors: [], warnings: []})
  })

  it('warns that the hostname is a placeholder', () => {
    assert.deepEqual(
      checkBridgeModel(buildBridgeModel({})).warnings.map((w) => w.code),
      ['HOSTNAME_PLACEHOLDER'],
    )
  })

  it('refuses a wildcard in a destination, on either side', () => {
    assert.deepEqual(errorCodes({'local-destination': 'tutorial/#'}), ['MAP_DESTINATION_WILDCARD'])
    assert.ok(errorCodes({'remote-destination': 'telemetry/+/x'}).includes('MAP_DESTINATION_WILDCARD'))
    assert.deepEqual(errorCodes({'local-destination': 'cloud/${inputTopic}'}), [])
  })

  it('refuses a remote topic outside the topic templates, for publishing and for subscribing', () => {
    assert.deepEqual(errorCodes({'remote-destination': 'alerts/aio'}), ['MAP_TOPIC_OUTSIDE_TOPIC_SPACE'])
    assert.deepEqual(errorCodes({'remote-source': '#'}), ['MAP_TOPIC_OUTSIDE_TOPIC_SPACE'])
    assert.deepEqual(errorCodes({'remote-source': 'telemetry/+'}), [])
    assert.deepEqual(
      errorCodes({'remote-destination': 'alerts/aio'}, {topicTemplates: ['telemetry/#', 'alerts/+']}),
      [],
    )
    // ${inputTopic} carries the local topic to Event Grid: tutorial/local is outside telemetry/#.
    assert.deepEqual(errorCodes({'remote-destination': '${inputTopic}'}), ['MAP_TOPIC_OUTSIDE_TOPIC_SPACE'])
    assert.deepEqual(errorCodes({'remote-destination': 'telemetry/${inputTopic}'}), [])
    // A template with a client variable cannot be decided offline: a warning, not an error.
    assert.deepEqual(errorCodes({}, {topicTemplates: ['${client.authenticationName}/#']}), [])
    assert.ok(
      warningCodes({}, {topicTemplates: ['${client.authenticationName}/#']}).includes('MAP_TOPIC_SPACE_UNCERTAIN'),
    )
  })

  it('refuses a map that feeds its own source, directly or through Event Grid', () => {
    assert.deepEqual(errorCodes({'local-destination': 'tutorial/local'}), ['MAP_LOOP'])
    assert.deepEqual(errorCodes({'local-source': 'tutorial/#'}), ['MAP_LOOP'])
    assert.deepEqual(errorCodes({'local-source': 'tutorial/+', 'local-destination': 'tutorial/${inputTopic.2}'}), [
      'MAP_LOOP',
    ])
    // Looks circular by pattern, but tutorial/local → telemetry/aio → tutorial/aio is read by nobody.
    assert.deepEqual(errorCodes({'local-destination': 'tutorial/${inputTopic.2}'}), [])
  })

  it('refuses a session limit below what the dataflows need, and is quiet when unknown', () => {
    assert.deepEqual(errorCodes({}, {maxClientSessions: 1}), ['EVENTGRID_SESSION_LIMIT'])
    assert.deepEqual(errorCodes({}, {maxClientSessions: 2}), [])
    assert.deepEqual(errorCodes({}), [])
    // Two instances × two Event Grid dataflows = 4 sessions (plus the shared-subscription error).
    assert.ok(errorCodes({'profile-instances': 2}, {maxClientSessions: 3}).includes('EVENTGRID_SESSION_LIMIT'))
  })

  it('refuses Event Grid as a source in a profile with more than one instance', () => {
    assert.deepEqual(errorCodes({'profile-instances': 2}), ['EVENTGRID_SOURCE_MULTI_INSTANCE'])
    assert.deepEqual(errorCodes({'profile-instances': 1}), [])
  })

  it('flags ${inputTopic.N} that cannot resolve', () => {
    assert.ok(
      errorCodes({'local-destination': 'x/${inputTopic.5}', 'remote-source': 'telemetry/+'}).includes(
        'MAP_DESTINATION_UNRESOLVABLE',
      ),
    )
    assert.ok(warningCodes({'local-destination': 'x/${inputTopic.3}'}).includes('MAP_DESTINATION_MAY_NOT_RESOLVE'))
    assert.ok(warningCodes({'local-destination': 'x/${foo}'}).includes('MAP_DESTINATION_UNKNOWN_VARIABLE'))
  })

  it('assertBridgeModel throws the first error as exit 2 with every problem in details, or returns the warnings', () => {
    try {
      assertBridgeModel(
        buildBridgeModel({hostname: HOST, 'local-destination': 'tutorial/#', 'remote-destination': 'x/y'}),
      )
      assert.fail('expected an error')
    } catch (err) {
      assert.ok(isAioBridgeError(err))
      assert.equal(err.exitCode, 2)
      assert.equal(err.code, 'MAP_TOPIC_OUTSIDE_TOPIC_SPACE')
      assert.equal((err.details?.problems as unknown[] | undefined)?.length, 2)
      assert.ok(err.remedy?.includes('--remote-destination'))
    }
    assert.deepEqual(
      assertBridgeModel(buildBridgeModel({})).map((w) => w.code),
      ['HOSTNAME_PLACEHOLDER'],
    )
  })
})

describe('topic algebra', () => {
  it('decides template coverage like Event Grid', () => {
    assert.equal(templatesCover(['telemetry/#'], 'telemetry'), true)
    assert.equal(templatesCover(['telemetry/#'], 'telemetry/a/b'), true)
    assert.equal(templatesCover(['telemetry/+'], 'telemetry/#'), false)
    assert.equal(templatesCover(['telemetry/+'], 'telemetry/+'), true)
    assert.equal(templatesCover(['telemetry/+/x'], 'telemetry/a/x'), true)
    assert.equal(templatesCover(['telemetry/+/x'], 'telemetry/a'), false)
    assert.equal(templatesCover(['a/${client.authenticationName}'], 'a/b'), 'unknown')
  })

  it('computes overlap and intersection of filters', () => {
    assert.equal(patternsOverlap('a/+', 'a/b'), true)
    assert.equal(patternsOverlap('a/#', 'a'), true)
    assert.equal(patternsOverlap('a/b', 'a/c'), false)
    assert.equal(intersectPatterns('a/+', 'a/b'), 'a/b')
    assert.equal(intersectPatterns('a/#', '+/b/c'), 'a/b/c')
    assert.equal(intersectPatterns('a/#', 'a'), 'a')
    assert.equal(intersectPatterns('a/b', 'a/c'), undefined)
  })

  it('resolves ${inputTopic} and ${inputTopic.N} against the source filter', () => {
    assert.equal(resolveDestination('cloud/${inputTopic}', 'tutorial/local').pattern, 'cloud/tutorial/local')
    assert.equal(resolveDestination('x/${inputTopic.2}', 'a/+/c').pattern, 'x/+')
    assert.equal(resolveDestination('x/${inputTopic}/y', 'a/#').pattern, 'x/a/#')
    assert.deepEqual(resolveDestination('x/${inputTopic.4}', 'a/b').neverResolves, ['${inputTopic.4}'])
  })
})

describe('resolveTopicTemplates (render’s --topic-template)', () => {
  it('defaults to the config’s templates, removes repeats, and refuses what setup would refuse', () => {
    assert.deepEqual(resolveTopicTemplates(undefined), DEFAULTS.topicTemplates)
    assert.deepEqual(resolveTopicTemplates([]), DEFAULTS.topicTemplates)
    assert.deepEqual(resolveTopicTemplates(['a/#', 'a/#', 'b/+']), ['a/#', 'b/+'])
    const code = (given: string[]) => {
      try {
        resolveTopicTemplates(given)
      } catch (err) {
        assert.ok(isAioBridgeError(err))
        return [err.code, (err.details as {flag?: string} | undefined)?.flag]
      }
      return undefined
    }
    assert.deepEqual(code(['a/#/b']), ['CONFIG_INVALID', '--topic-template'])
    assert.deepEqual(code(Array.from({length: 11}, (_, i) => `t${i}/#`)), ['CONFIG_INVALID', '--topic-template'])
  })
})
