// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Event Grid topic templates contain literal ${…} variables
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {type BridgeFlags, resolveAzureTarget, resolveBridgeConfig} from '../../src/config/bridge-config.js'
import {ConfigError} from '../../src/errors.js'

const SUB = '11111111-2222-3333-4444-555555555555'
const SUB2 = '66666666-7777-8888-9999-000000000000'

/** The tutorial's own variables, as an operator who followed it has them set. */
const TUTORIAL_ENV = {
  SUBSCRIPTION_ID: SUB,
  RESOURCE_GROUP: 'rg-tutorial',
  LOCATION: 'West US 2',
  EVENT_GRID_NAMESPACE: 'eg-tutorial',
  CLUSTER_NAME: 'arc-cluster',
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    assert.equal(err.exitCode, 2)
    assert.ok(err.remedy && err.remedy.length > 0)
    return err
  }
  assert.fail('expected a ConfigError')
}

describe('resolveBridgeConfig: sources', () => {
  it('reads the tutorial variables, normalises the location, and applies the defaults', () => {
    const c = resolveBridgeConfig({}, TUTORIAL_ENV)
    assert.deepEqual(c, {
      subscriptionId: SUB,
      resourceGroup: 'rg-tutorial',
      cloud: 'AzureCloud',
      armEndpoint: 'https://management.azure.com',
      armAudience: 'https://management.azure.com',
      location: 'westus2',
      namespace: 'eg-tutorial',
      cluster: 'arc-cluster',
      topicSpace: 'tutorial',
      topicTemplates: ['telemetry/#'],
      maxClientSessions: 3,
      sources: {
        subscription: 'env',
        resourceGroup: 'env',
        namespace: 'env',
        location: 'env',
        cluster: 'env',
        topicSpace: 'default',
        topicTemplates: 'default',
        maxClientSessions: 'default',
      },
    })
  })

  it('flags override every variable', () => {
    const flags: BridgeFlags = {
      subscription: SUB2,
      'resource-group': 'rg-flag',
      location: 'East US',
      namespace: 'eg-flag',
      cluster: 'cluster-flag',
      'topic-space': 'space-flag',
      'topic-template': ['a/#', 'b/+/c'],
      'max-client-sessions': 7,
    }
    const c = resolveBridgeConfig(flags, TUTORIAL_ENV)
    assert.equal(c.subscriptionId, SUB2)
    assert.equal(c.resourceGroup, 'rg-flag')
    assert.equal(c.location, 'eastus')
    assert.equal(c.namespace, 'eg-flag')
    assert.equal(c.cluster, 'cluster-flag')
    assert.equal(c.topicSpace, 'space-flag')
    assert.deepEqual(c.topicTemplates, ['a/#', 'b/+/c'])
    assert.equal(c.maxClientSessions, 7)
    assert.deepEqual(c.sources, {
      subscription: 'flag',
      resourceGroup: 'flag',
      namespace: 'flag',
      location: 'flag',
      cluster: 'flag',
      topicSpace: 'flag',
      topicTemplates: 'flag',
      maxClientSessions: 'flag',
    })
  })

  it('AZURE_SUBSCRIPTION_ID is used when SUBSCRIPTION_ID is absent; SUBSCRIPTION_ID wins when both are set', () => {
    const {SUBSCRIPTION_ID: _, ...rest} = TUTORIAL_ENV
    assert.equal(resolveBridgeConfig({}, {...rest, AZURE_SUBSCRIPTION_ID: SUB2}).subscriptionId, SUB2)
    assert.equal(resolveBridgeConfig({}, {...TUTORIAL_ENV, AZURE_SUBSCRIPTION_ID: SUB2}).subscriptionId, SUB)
    assert.equal(
      resolveBridgeConfig({}, {...rest, SUBSCRIPTION_ID: '  ', AZURE_SUBSCRIPTION_ID: SUB2}).subscriptionId,
      SUB2,
    )
  })

  it('trims values and treats an empty flag as not given', () => {
    const c = resolveBridgeConfig({namespace: ''}, {...TUTORIAL_ENV, RESOURCE_GROUP: '  rg-tutorial  '})
    assert.equal(c.resourceGroup, 'rg-tutorial')
    assert.equal(c.namespace, 'eg-tutorial')
    assert.equal(c.sources.namespace, 'env')
  })

  it('location is optional (the group’s region is used later); its source is then absent', () => {
    const {LOCATION: _, ...env} = TUTORIAL_ENV
    const c = resolveBridgeConfig({}, env)
    assert.equal(c.location, undefined)
    assert.equal(c.sources.location, undefined)
  })

  it('cluster may be optional for commands that do not need it', () => {
    const {CLUSTER_NAME: _, ...env} = TUTORIAL_ENV
    assert.equal(resolveBridgeConfig({}, env, {requireCluster: false}).cluster, undefined)
    assert.equal(configError(() => resolveBridgeConfig({}, env)).code, 'CONFIG_MISSING')
  })

  it('duplicate --topic-template values count once', () => {
    const c = resolveBridgeConfig({'topic-template': ['a/#', 'a/#', 'b/#']}, TUTORIAL_ENV)
    assert.deepEqual(c.topicTemplates, ['a/#', 'b/#'])
  })

  it('--cloud picks the cloud’s endpoint and audience, without regard to case', () => {
    const c = resolveBridgeConfig({cloud: 'azureusgovernment'}, TUTORIAL_ENV)
    assert.equal(c.cloud, 'AzureUSGovernment')
    assert.equal(c.armEndpoint, 'https://management.usgovcloudapi.net')
    assert.equal(c.armAudience, 'https://management.usgovcloudapi.net')
    assert.equal(configError(() => resolveBridgeConfig({cloud: 'Mars'}, TUTORIAL_ENV)).code, 'CONFIG_INVALID')
  })

  it('AIO_BRIDGE_ARM_ENDPOINT (https) replaces the endpoint but keeps the cloud’s token audience', () => {
    const t = resolveAzureTarget({}, {...TUTORIAL_ENV, AIO_BRIDGE_ARM_ENDPOINT: 'https://127.0.0.1:8443/arm/'})
    assert.equal(t.armEndpoint, 'https://127.0.0.1:8443/arm')
    assert.equal(t.armAudience, 'https://management.azure.com')
  })
})

describe('resolveBridgeConfig: errors (exit 2, before any Azure call)', () => {
  const cases: Array<[string, BridgeFlags, Record<string, string>, string, string | undefined]> = [
    ['no subscription', {}, {...TUTORIAL_ENV, SUBSCRIPTION_ID: ''}, 'CONFIG_MISSING', '--subscription'],
    ['no resource group', {}, {...TUTORIAL_ENV, RESOURCE_GROUP: ''}, 'CONFIG_MISSING', '--resource-group'],
    ['no namespace', {}, {...TUTORIAL_ENV, EVENT_GRID_NAMESPACE: ''}, 'CONFIG_MISSING', '--namespace'],
    ['no cluster', {}, {...TUTORIAL_ENV, CLUSTER_NAME: ''}, 'CONFIG_MISSING', '--cluster'],
    ['subscription not a GUID', {subscription: 'my-sub'}, TUTORIAL_ENV, 'CONFIG_INVALID', '--subscription'],
    [
      'resource group ending with a period',
      {'resource-group': 'rg.'},
      TUTORIAL_ENV,
      'CONFIG_INVALID',
      '--resource-group',
    ],
    ['resource group with a slash', {'resource-group': 'a/b'}, TUTORIAL_ENV, 'CONFIG_INVALID', '--resource-group'],
    ['namespace too short', {namespace: 'eg'}, TUTORIAL_ENV, 'CONFIG_INVALID', '--namespace'],
    ['namespace too long', {namespace: 'n'.repeat(51)}, TUTORIAL_ENV, 'CONFIG_INVALID', '--namespace'],
    ['namespace with an underscore', {namespace: 'eg_ns'}, TUTORIAL_ENV, 'CONFIG_INVALID', '--namespace'],
    ['topic space with a dot', {'topic-space': 'a.b.c'}, TUTORIAL_ENV, 'CONFIG_INVALID', '--topic-space'],
    ['cluster starting with a hyphen', {cluster: '-c'}, TUTORIAL_ENV, 'CONFIG_INVALID', '--cluster'],
    ['location with punctuation', {location: 'west-us'}, TUTORIAL_ENV, 'CONFIG_INVALID', '--location'],
    ['sessions 0', {'max-client-sessions': 0}, TUTORIAL_ENV, 'CONFIG_INVALID', '--max-client-sessions'],
    ['sessions 101', {'max-client-sessions': 101}, TUTORIAL_ENV, 'CONFIG_INVALID', '--max-client-sessions'],
    ['sessions 2.5', {'max-client-sessions': 2.5}, TUTORIAL_ENV, 'CONFIG_INVALID', '--max-client-sessions'],
    ['bad topic template', {'topic-template': ['a/#/b']}, TUTORIAL_ENV, 'CONFIG_INVALID', '--topic-template'],
    [
      'eleven topic templates',
      {'topic-template': Array.from({length: 11}, (_, i) => `t${i}/#`)},
      TUTORIAL_ENV,
      'CONFIG_INVALID',
      '--topic-template',
    ],
    [
      'http ARM endpoint',
      {},
      {...TUTORIAL_ENV, AIO_BRIDGE_ARM_ENDPOINT: 'http://127.0.0.1:8080'},
      'CONFIG_INSECURE_ENDPOINT',
      undefined,
    ],
    [
      'ARM endpoint not a URL',
      {},
      {...TUTORIAL_ENV, AIO_BRIDGE_ARM_ENDPOINT: 'management'},
      'CONFIG_INVALID',
      undefined,
    ],
  ]
  for (const [what, flags, env, code, flag] of cases) {
    it(`${what} → ${code}`, () => {
      const err = configError(() => resolveBridgeConfig(flags, env))
      assert.equal(err.code, code)
      assert.equal(err.details?.flag, flag)
    })
  }

  it('ten templates and 100 sessions are still fine', () => {
    const c = resolveBridgeConfig(
      {'topic-template': Array.from({length: 10}, (_, i) => `t${i}/#`), 'max-client-sessions': 100},
      TUTORIAL_ENV,
    )
    assert.equal(c.topicTemplates.length, 10)
    assert.equal(c.maxClientSessions, 100)
  })

  it('the missing-value remedy names the flag and the tutorial variables', () => {
    const err = configError(() => resolveBridgeConfig({}, {...TUTORIAL_ENV, SUBSCRIPTION_ID: ''}))
    assert.match(err.message, /--subscription \(or SUBSCRIPTION_ID \/ AZURE_SUBSCRIPTION_ID\)/)
    assert.match(String(err.remedy), /export SUBSCRIPTION_ID="\$\(az account show --query id -o tsv\)"/)
  })

  it('every missing value is listed in one error, a tutorial placeholder named as such', () => {
    const err = configError(() => resolveBridgeConfig({}, {SUBSCRIPTION_ID: '<SUBSCRIPTION_ID>'}))
    assert.equal(err.code, 'CONFIG_MISSING')
    assert.deepEqual(err.details?.missing, ['--subscription', '--resource-group', '--namespace', '--cluster'])
    assert.match(err.message, /SUBSCRIPTION_ID is still the tutorial's placeholder '<SUBSCRIPTION_ID>'/)
    assert.match(String(err.remedy), /RESOURCE_GROUP=my-rg EVENT_GRID_NAMESPACE=my-eg-ns CLUSTER_NAME=my-cluster/)
  })

  it('missing values are reported before a bad one, and a bad one before nothing', () => {
    const err = configError(() => resolveBridgeConfig({namespace: 'a_b'}, {...TUTORIAL_ENV, CLUSTER_NAME: ''}))
    assert.equal(err.code, 'CONFIG_MISSING')
    assert.deepEqual(err.details?.missing, ['--cluster'])
  })

  const corrected: Array<[string, BridgeFlags, string, string]> = [
    ['namespace with underscores', {namespace: 'my_eg_ns'}, '--namespace', 'my-eg-ns'],
    ['namespace starting with a hyphen', {namespace: '-egns2'}, '--namespace', 'egns2'],
    ['namespace ending with a hyphen', {namespace: 'egns3-'}, '--namespace', 'egns3'],
    ['topic space ending with a hyphen', {'topic-space': 'tele-'}, '--topic-space', 'tele'],
    [
      'subscription in braces',
      {subscription: '{8F6B6269-84F2-4D09-9E31-1127EFCD1E40}'},
      '--subscription',
      '8f6b6269-84f2-4d09-9e31-1127efcd1e40',
    ],
    ['# not last', {'topic-template': ['telemetry/#/x']}, '--topic-template', 'telemetry/x/#'],
    ['+ inside a level', {'topic-template': ['tele+/x']}, '--topic-template', 'tele/+/x'],
    ['a shared-subscription filter', {'topic-template': ['$share/g/telemetry/#']}, '--topic-template', 'telemetry/#'],
    ['location with hyphens', {location: 'west-us-2'}, '--location', 'westus2'],
    ['cluster with a space', {cluster: 'my cluster'}, '--cluster', 'my-cluster'],
  ]
  for (const [what, flags, flag, value] of corrected) {
    it(`${what}: the remedy shows the corrected value (${flag} ${value})`, () => {
      const err = configError(() => resolveBridgeConfig(flags, TUTORIAL_ENV))
      assert.equal(err.code, 'CONFIG_INVALID')
      assert.equal(err.details?.corrected, value)
      assert.ok(
        String(err.remedy).includes(`${flag} ${value}`) || String(err.remedy).includes(`${flag} '${value}'`),
        String(err.remedy),
      )
    })
  }

  it('a $-prefixed template is refused (Event Grid reserves such topics); a leading ${variable} is not', () => {
    assert.equal(
      configError(() => resolveBridgeConfig({'topic-template': ['$SYS/#']}, TUTORIAL_ENV)).code,
      'CONFIG_INVALID',
    )
    const c = resolveBridgeConfig({'topic-template': ['${client.authenticationName}/#']}, TUTORIAL_ENV)
    assert.deepEqual(c.topicTemplates, ['${client.authenticationName}/#'])
  })

  it('a bad value from a tutorial variable is fixed in that variable', () => {
    const err = configError(() => resolveBridgeConfig({}, {...TUTORIAL_ENV, EVENT_GRID_NAMESPACE: 'my_eg'}))
    assert.equal(err.remedy, 'Set EVENT_GRID_NAMESPACE=my-eg (or pass --namespace my-eg).')
  })

  it('an http endpoint is refused even on the cloud’s own host', () => {
    const err = configError(() =>
      resolveAzureTarget({}, {...TUTORIAL_ENV, AIO_BRIDGE_ARM_ENDPOINT: 'http://management.azure.com/'}),
    )
    assert.equal(err.code, 'CONFIG_INSECURE_ENDPOINT')
  })
})
