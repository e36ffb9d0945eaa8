// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${inputTopic} in these strings is the dataflow's variable
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {parseAllDocuments} from 'yaml'
import {buildBridgeModel} from '../../src/model/bridge-model.js'
import {renderArmTemplate} from '../../src/render/arm.js'
import {renderBicep} from '../../src/render/bicep.js'
import {renderFiles} from '../../src/render/files.js'
import {MANAGED_BY_LABEL, renderKubernetes, renderMqttClient} from '../../src/render/kubernetes.js'
import {packageRoot} from '../../src/render/templates.js'
import {evaluateArmTemplate} from './arm-subset.js'
import {evaluateBicep, parseBicep} from './bicep-subset.js'
import {assertGolden, assertValid, iotOperationsValidators} from './helpers.js'

const HOST = 'myns.westus2-1.ts.eventgrid.azure.net'
const SCOPE = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg'
const tutorial = () => buildBridgeModel({hostname: HOST})
/** A map that exercises escaping: ${…} (a Bicep interpolation if unescaped), a quote, a leading '[' (an ARM expression). */
const tricky = () =>
  buildBridgeModel({
    hostname: HOST,
    'local-source': "plant/o'neil/+",
    'remote-destination': 'telemetry/${inputTopic.3}',
    'remote-source': 'telemetry/[x]/#',
    'local-destination': '[cloud/${inputTopic}]',
    instance: 'my-aio',
    'custom-location': 'my-cl',
    'aio-api-version': '2026-03-01',
  })

const yamlDocs = (text: string) =>
  parseAllDocuments(text).map((d) => {
    assert.deepEqual(d.errors, [])
    return d.toJS() as Record<string, unknown> & {
      spec: Record<string, unknown>
      metadata: {name: string; namespace: string}
    }
  })

/** The Kubernetes tab of the 2025-01 tutorial, verbatim in meaning (mode defaults to Enabled). */
const TUTORIAL_YAML = `apiVersion: connectivity.iotoperations.azure.com/v1
kind: DataflowEndpoint
metadata:
  name: eventgrid
  namespace: azure-iot-operations
spec:
  endpointType: Mqtt
  mqttSettings:
    host: ${HOST}:8883
    authentication:
      method: SystemAssignedManagedIdentity
      systemAssignedManagedIdentitySettings: {}
    tls:
      mode: Enabled
---
apiVersion: connectivity.iotoperations.azure.com/v1
kind: Dataflow
metadata:
  name: local-to-remote
  namespace: azure-iot-operations
spec:
  profileRef: default
  operations:
  - operationType: Source
    sourceSettings:
      endpointRef: default
      dataSources:
        - tutorial/local
  - operationType: Destination
    destinationSettings:
      endpointRef: eventgrid
      dataDestination: telemetry/aio
---
apiVersion: connectivity.iotoperations.azure.com/v1
kind: Dataflow
metadata:
  name: remote-to-local
  namespace: azure-iot-operations
spec:
  profileRef: default
  operations:
  - operationType: Source
    sourceSettings:
      endpointRef: eventgrid
      dataSources:
        - telemetry/#
  - operationType: Destination
    destinationSettings:
      endpointRef: default
      dataDestination: tutorial/cloud
`

describe('golden files', () => {
  it('bicep', () => {
    assertGolden('tutorial.bicep', renderBicep(tutorial()))
    assertGolden('tricky.bicep', renderBicep(tricky()))
  })
  it('arm template and parameters', () => {
    for (const [name, model] of [
      ['tutorial', tutorial()],
      ['tricky', tricky()],
    ] as const) {
      const files = renderFiles(model, {format: 'arm'})
      assertGolden(`${name}.json`, files[0]?.content as string)
      assertGolden(`${name}.parameters.json`, files[1]?.content as string)
    }
  })
  it('kubernetes v1 and v1beta1', () => {
    assertGolden('tutorial.yaml', renderKubernetes(tutorial()))
    assertGolden('tutorial-v1beta1.yaml', renderKubernetes(tutorial(), {crdVersion: 'v1beta1'}))
    assertGolden('tricky.yaml', renderKubernetes(tricky()))
  })
  it('mqtt client', () => {
    assertGolden('mqtt-client.yaml', renderMqttClient())
  })
})

describe('rendered output parsed', () => {
  it("the default Kubernetes render is the tutorial's endpoint and dataflows", () => {
    const ours = yamlDocs(renderKubernetes(tutorial()))
    // The one addition: the label teardown needs to tell aio-bridge's objects from same-named ones.
    const labelled = <T extends {metadata: object}>(d: T) => ({
      ...d,
      metadata: {...d.metadata, labels: {[MANAGED_BY_LABEL.key]: MANAGED_BY_LABEL.value}},
    })
    const theirs = yamlDocs(TUTORIAL_YAML).map((d) =>
      labelled(
        d.kind === 'Dataflow'
          ? {...d, spec: {profileRef: d.spec.profileRef, mode: 'Enabled', operations: d.spec.operations}}
          : d,
      ),
    )
    assert.deepEqual(ours, theirs)
  })

  it('the default ARM template deploys the tutorial Bicep’s endpoint properties', () => {
    const resources = evaluateArmTemplate(
      renderArmTemplate(tutorial()).template as never,
      {aioInstanceName: 'aio', customLocationName: 'cl'},
      SCOPE,
    )
    assert.deepEqual(
      resources.map((r) => r.name),
      ['aio/eventgrid', 'aio/default/local-to-remote', 'aio/default/remote-to-local'],
    )
    assert.deepEqual(resources[0]?.properties, {
      endpointType: 'Mqtt',
      mqttSettings: {
        host: `${HOST}:8883`,
        authentication: {method: 'SystemAssignedManagedIdentity', systemAssignedManagedIdentitySettings: {}},
        tls: {mode: 'Enabled'},
      },
    })
    for (const r of resources) {
      assert.deepEqual(r.extendedLocation, {
        name: `${SCOPE}/providers/Microsoft.ExtendedLocation/customLocations/cl`,
        type: 'CustomLocation',
      })
    }
    // Both dataflows use the endpoint: they are deployed after it.
    const endpointId = resources[0]?.id
    assert.deepEqual(resources[1]?.dependsOn, [endpointId])
    assert.deepEqual(resources[2]?.dependsOn, [endpointId])
  })

  for (const version of ['2024-11-01', '2025-10-01', '2026-03-01']) {
    it(`ARM resources and Kubernetes specs match the IoT Operations ${version} schema`, () => {
      const v = iotOperationsValidators(version)
      for (const model of [buildBridgeModel({hostname: HOST, 'aio-api-version': version}), tricky()]) {
        model.apiVersion = version as typeof model.apiVersion
        const {template} = renderArmTemplate(model)
        const [endpoint, ...dataflows] = template.resources
        const {dependsOn: _e, ...endpointResource} = endpoint as (typeof template.resources)[number]
        assertValid(v.endpoint, endpointResource, `ARM ${endpointResource.name}`)
        for (const df of dataflows) {
          const {dependsOn: _d, ...resource} = df
          assertValid(v.dataflow, resource, `ARM ${resource.name}`)
        }
        // The schema accepts any "[…]" string as an expression: check the evaluated resources' values too.
        for (const r of evaluateArmTemplate(
          template as never,
          {aioInstanceName: 'aio', customLocationName: 'cl'},
          SCOPE,
        )) {
          const def = r.type.endsWith('dataflowEndpoints') ? 'DataflowEndpointProperties' : 'DataflowProperties'
          assertValid(v.properties(def), r.properties, `evaluated ${r.name}`)
        }
        for (const doc of yamlDocs(renderKubernetes(model))) {
          assert.equal(doc.apiVersion, 'connectivity.iotoperations.azure.com/v1')
          assert.equal(doc.metadata.namespace, 'azure-iot-operations')
          assert.match(doc.metadata.name, /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/)
          if (doc.kind === 'DataflowEndpoint')
            assertValid(v.properties('DataflowEndpointProperties'), doc.spec, `YAML ${doc.metadata.name}`)
          else {
            const {profileRef, ...spec} = doc.spec
            assert.equal(profileRef, model.profile)
            assertValid(v.properties('DataflowProperties'), spec, `YAML ${doc.metadata.name}`)
          }
        }
      }
    })
  }

  it('the schema check can fail: a misspelt or missing property is caught', () => {
    const v = iotOperationsValidators('2024-11-01')
    const props = structuredClone(tutorial().endpoint.properties) as unknown as {mqttSettings: Record<string, unknown>}
    props.mqttSettings.tls = {mode: 'On'}
    assert.equal(v.properties('DataflowEndpointProperties')(props), false)
    assert.equal(v.properties('DataflowProperties')({mode: 'Enabled', operatons: []}), false)
  })

  it('the Bicep file and the ARM template describe the same resources with the same properties', () => {
    for (const model of [tutorial(), tricky(), buildBridgeModel({})]) {
      for (const params of [
        {},
        {aioInstanceName: 'aio-1', customLocationName: 'cl-1', eventGridHostName: 'other.example:8883'},
      ] as Array<Record<string, string>>) {
        const fromBicep = evaluateBicep(parseBicep(renderBicep(model)), params, SCOPE)
        const fromArm = evaluateArmTemplate(renderArmTemplate(model).template as never, params, SCOPE)
        assert.deepEqual(fromArm, fromBicep)
        assert.equal(fromArm.length, 3)
      }
    }
    // The comparison can fail: a changed property shows up.
    const changed = renderBicep(tutorial()).replace(
      "dataDestination: 'tutorial/cloud'",
      "dataDestination: 'tutorial/elsewhere'",
    )
    assert.notDeepEqual(
      evaluateBicep(parseBicep(changed), {}, SCOPE),
      evaluateArmTemplate(renderArmTemplate(tutorial()).template as never, {}, SCOPE),
    )
  })

  it('keeps ${inputTopic} a dataflow variable in Bicep (escaped) and in ARM (no expression)', () => {
    const bicep = renderBicep(tricky())
    assert.ok(bicep.includes("'telemetry/\\${inputTopic.3}'"))
    type Ops = {operations: Array<{destinationSettings?: {endpointRef: string; dataDestination: string}}>}
    const [, l2r, r2l] = evaluateArmTemplate(renderArmTemplate(tricky()).template as never, {}, SCOPE).map(
      (r) => r.properties as Ops,
    )
    assert.deepEqual(l2r?.operations[1]?.destinationSettings, {
      endpointRef: 'eventgrid',
      dataDestination: 'telemetry/${inputTopic.3}',
    })
    assert.equal(r2l?.operations[1]?.destinationSettings?.dataDestination, '[cloud/${inputTopic}]')
  })

  it('the ARM parameters carry what the model knows', () => {
    assert.deepEqual(renderArmTemplate(tutorial()).parameters, {eventGridHostName: {value: `${HOST}:8883`}})
    assert.deepEqual(renderArmTemplate(tricky()).parameters, {
      eventGridHostName: {value: `${HOST}:8883`},
      customLocationName: {value: 'my-cl'},
      aioInstanceName: {value: 'my-aio'},
    })
  })

  it('the mqtt client is the tutorial’s ServiceAccount and Pod with the broker SAT and CA bundle', () => {
    const [sa, pod] = yamlDocs(renderMqttClient())
    assert.equal(sa?.kind, 'ServiceAccount')
    const p = pod as unknown as {
      kind: string
      spec: {
        serviceAccountName: string
        volumes: Array<Record<string, never>>
        containers: Array<{volumeMounts: Array<{name: string; mountPath: string}>}>
      }
    }
    assert.equal(p.kind, 'Pod')
    assert.equal(p.spec.serviceAccountName, 'mqtt-client')
    assert.deepEqual(p.spec.volumes, [
      {
        name: 'broker-sat',
        projected: {
          sources: [{serviceAccountToken: {path: 'broker-sat', audience: 'aio-internal', expirationSeconds: 86400}}],
        },
      },
      {name: 'trust-bundle', configMap: {name: 'azure-iot-operations-aio-ca-trust-bundle'}},
    ])
    assert.ok(
      p.spec.containers[0]?.volumeMounts.some((m) => m.name === 'trust-bundle' && m.mountPath === '/var/run/certs'),
    )
  })

  it('finds its templates from the package, whatever the working directory', () => {
    const script = `import('${new URL('../../src/render/bicep.js', import.meta.url).href}').then(async (b) => { const m = await import('${new URL('../../src/model/bridge-model.js', import.meta.url).href}'); process.stdout.write(b.renderBicep(m.buildBridgeModel({}))) })`
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {cwd: tmpdir(), encoding: 'utf8'})
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /param eventGridHostName string = '<EVENT_GRID_HOSTNAME>:8883'/)
    assert.ok(existsSync(join(packageRoot(), 'templates', 'kubernetes', 'dataflow.yaml')), 'templates/ under the root')
    assert.ok(existsSync(join(packageRoot(), 'package.json')))
  })
})
