// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${inputTopic} in these strings is the dataflow's variable
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {isAioBridgeError} from '../../src/errors.js'
import {buildBridgeModel, HOSTNAME_PLACEHOLDER, parseHostname} from '../../src/model/bridge-model.js'

const code = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    assert.ok(isAioBridgeError(err), `not an AioBridgeError: ${err}`)
    assert.equal(err.exitCode, 2)
    return err.code
  }
  assert.fail('expected an error')
}

describe('buildBridgeModel', () => {
  it('defaults to the tutorial: endpoint eventgrid, local-to-remote and remote-to-local in profile default', () => {
    const m = buildBridgeModel({hostname: 'myns.westus2-1.ts.eventgrid.azure.net'})
    assert.equal(m.apiVersion, '2024-11-01')
    assert.equal(m.profile, 'default')
    assert.deepEqual(m.endpoint, {
      name: 'eventgrid',
      properties: {
        endpointType: 'Mqtt',
        mqttSettings: {
          host: 'myns.westus2-1.ts.eventgrid.azure.net:8883',
          authentication: {method: 'SystemAssignedManagedIdentity', systemAssignedManagedIdentitySettings: {}},
          tls: {mode: 'Enabled'},
        },
      },
    })
    const flows = Object.fromEntries(m.dataflows.map((d) => [d.name, d.properties.operations]))
    assert.deepEqual(flows['local-to-remote'], [
      {operationType: 'Source', sourceSettings: {endpointRef: 'default', dataSources: ['tutorial/local']}},
      {operationType: 'Destination', destinationSettings: {endpointRef: 'eventgrid', dataDestination: 'telemetry/aio'}},
    ])
    assert.deepEqual(flows['remote-to-local'], [
      {operationType: 'Source', sourceSettings: {endpointRef: 'eventgrid', dataSources: ['telemetry/#']}},
      {operationType: 'Destination', destinationSettings: {endpointRef: 'default', dataDestination: 'tutorial/cloud'}},
    ])
  })

  it('takes every name and topic from flags', () => {
    const m = buildBridgeModel({
      'endpoint-name': 'eg-bridge',
      'local-source': 'plant/+/out',
      'remote-destination': 'telemetry/${inputTopic.2}',
      'remote-source': 'commands/#',
      'local-destination': 'plant/in',
      profile: 'bridge',
      'aio-api-version': '2025-10-01',
      hostname: 'ns.eastus-1.ts.eventgrid.azure.net',
    })
    assert.equal(m.endpoint.name, 'eg-bridge')
    assert.equal(m.profile, 'bridge')
    assert.equal(m.apiVersion, '2025-10-01')
    const [l2r, r2l] = m.dataflows
    assert.deepEqual(l2r?.properties.operations[1].destinationSettings, {
      endpointRef: 'eg-bridge',
      dataDestination: 'telemetry/${inputTopic.2}',
    })
    assert.deepEqual(r2l?.properties.operations[0].sourceSettings, {
      endpointRef: 'eg-bridge',
      dataSources: ['commands/#'],
    })
    assert.equal(r2l?.properties.operations[1].destinationSettings.dataDestination, 'plant/in')
  })

  it('writes the tutorial placeholder when the hostname is unknown, and keeps a given port', () => {
    const m = buildBridgeModel({})
    assert.equal(m.hostnameIsPlaceholder, true)
    assert.equal(m.endpoint.properties.mqttSettings.host, `${HOSTNAME_PLACEHOLDER}:8883`)
    assert.equal(
      buildBridgeModel({hostname: 'NS.example.net:443'}).endpoint.properties.mqttSettings.host,
      'ns.example.net:443',
    )
    assert.equal(typeof parseHostname('bad host'), 'string')
    assert.equal(typeof parseHostname('a.b:99999'), 'string')
  })

  it('refuses previews, unknown api-versions and bad names with exit 2', () => {
    assert.equal(
      code(() => buildBridgeModel({'aio-api-version': '2025-07-01-preview'})),
      'CONFIG_PREVIEW_API_VERSION',
    )
    assert.equal(
      code(() => buildBridgeModel({'aio-api-version': '2023-01-01'})),
      'CONFIG_INVALID',
    )
    for (const v of ['2024-11-01', '2025-04-01', '2025-10-01', '2026-03-01']) {
      assert.equal(buildBridgeModel({'aio-api-version': v}).apiVersion, v)
    }
    assert.equal(
      code(() => buildBridgeModel({'endpoint-name': 'EventGrid'})),
      'CONFIG_INVALID',
    )
    assert.equal(
      code(() => buildBridgeModel({'endpoint-name': 'default'})),
      'CONFIG_INVALID',
    )
    assert.equal(
      code(() => buildBridgeModel({profile: 'a'})),
      'CONFIG_INVALID',
    )
    assert.equal(
      code(() => buildBridgeModel({'remote-source': 'telemetry/#/x'})),
      'CONFIG_INVALID',
    )
    assert.equal(
      code(() => buildBridgeModel({hostname: 'not a host'})),
      'CONFIG_INVALID',
    )
    assert.equal(
      code(() => buildBridgeModel({'profile-instances': 0})),
      'CONFIG_INVALID',
    )
    assert.equal(
      code(() => buildBridgeModel({instance: 'My_Instance'})),
      'CONFIG_INVALID',
    )
  })
})
