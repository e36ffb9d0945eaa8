import assert from 'node:assert/strict'
import {after, before, beforeEach, describe, it} from 'node:test'
import {RestError} from '@azure/core-rest-pipeline'
import {DeploymentsGateway, type WhatIfChange} from '../../src/azure/deployments-gateway.js'
import {type ArmEmulator, startArmEmulator} from '../../src/emulator/arm/index.js'
import {isAioBridgeError} from '../../src/errors.js'
import type {ArmTemplate} from '../../src/render/arm.js'
import {bridgeTemplate, clientFor} from './util.js'

const AIO = '2024-11-01'
const DEPLOY = '2025-04-01'
const EXT = '2023-05-01'

describe('ARM emulator: extensions, IoT Operations, deployments, what-if and metrics through the real ArmClient', () => {
  let emu: ArmEmulator
  const deploymentPath = (name: string) =>
    `/subscriptions/${emu.seed.subscriptionId}/resourcegroups/${emu.seed.resourceGroups?.[0]?.name}/providers/Microsoft.Resources/deployments/${name}`
  const deploy = (
    template: unknown,
    parameters: Record<string, {value: unknown}> = {
      eventGridHostName: {value: 'ns.eastus-1.ts.eventgrid.azure.net:8883'},
    },
    tags?: unknown,
  ) =>
    clientFor(emu).putAndWait<{properties: {provisioningState: string; outputs?: Record<string, {value: unknown}>}}>(
      'PUT',
      deploymentPath('aio-bridge'),
      DEPLOY,
      {...(tags === undefined ? {} : {tags}), properties: {mode: 'Incremental', template, parameters}},
    )

  before(async () => {
    emu = await startArmEmulator()
  })
  after(async () => emu.stop())
  beforeEach(() => emu.reset())

  it('lists cluster extensions one per page with nextLink; the IoT Operations one carries its identity', async () => {
    const arm = clientFor(emu)
    const path = `${emu.ids.cluster()}/providers/Microsoft.KubernetesConfiguration/extensions`
    const items = await arm.listAll<{
      name: string
      type: string
      identity?: {principalId: string; type: string}
      properties: {extensionType: string}
    }>(path, EXT)
    assert.equal(items.length, 3)
    assert.equal(emu.requests.length, 3, 'one request per page')
    assert.ok(emu.requests[1]?.query.$skipToken)
    const iot = items.filter((e) => e.properties.extensionType.toLowerCase() === 'microsoft.iotoperations')
    assert.equal(iot.length, 1)
    assert.equal(iot[0]?.type, 'Microsoft.KubernetesConfiguration/extensions')
    assert.deepEqual(iot[0]?.identity, {
      type: 'SystemAssigned',
      principalId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
      tenantId: emu.seed.tenantId,
    })
    const err = await arm
      .listAll(`${emu.ids.cluster('nope')}/providers/Microsoft.KubernetesConfiguration/extensions`, EXT)
      .catch((e) => e)
    assert.ok(err instanceof RestError)
    assert.equal(err.statusCode, 404)
    assert.equal(err.code, 'ResourceNotFound')
  })

  it('serves instances, the default profile and endpoint; child writes need the instance custom location', async () => {
    const arm = clientFor(emu)
    const list = await arm.listAll<{name: string; extendedLocation: {name: string}}>(
      `${emu.ids.resourceGroup}/providers/Microsoft.IoTOperations/instances`,
      '2025-10-01',
    )
    assert.deepEqual(
      list.map((i) => i.name),
      ['aio-instance'],
    )
    assert.equal(list[0]?.extendedLocation.name, emu.ids.customLocation())
    const ep = await arm.get<{properties: {mqttSettings: {host: string}}}>(
      `${emu.ids.instance()}/dataflowEndpoints/default`,
      AIO,
    )
    assert.equal(ep?.properties.mqttSettings.host, 'aio-broker:18883')
    assert.ok(await arm.get(`${emu.ids.instance()}/dataflowProfiles/default`, '2026-03-01'))

    const endpoint = {
      properties: {
        endpointType: 'Mqtt',
        mqttSettings: {
          host: 'x:8883',
          authentication: {method: 'SystemAssignedManagedIdentity', systemAssignedManagedIdentitySettings: {}},
          tls: {mode: 'Enabled'},
        },
      },
    }
    const noLocation = await arm
      .send('PUT', `${emu.ids.instance()}/dataflowEndpoints/eventgrid`, {apiVersion: AIO, body: endpoint})
      .catch((e) => e)
    assert.equal((noLocation as RestError).code, 'InvalidRequestContent')
    const wrong = await arm
      .send('PUT', `${emu.ids.instance()}/dataflowEndpoints/eventgrid`, {
        apiVersion: AIO,
        body: {...endpoint, extendedLocation: {name: emu.ids.customLocation('other'), type: 'CustomLocation'}},
      })
      .catch((e) => e)
    assert.equal((wrong as RestError).code, 'InvalidExtendedLocation')
    const created = await arm.putAndWait<{properties: {provisioningState: string}}>(
      'PUT',
      `${emu.ids.instance()}/dataflowEndpoints/eventgrid`,
      AIO,
      {
        ...endpoint,
        extendedLocation: {name: emu.ids.customLocation(), type: 'CustomLocation'},
      },
    )
    assert.equal(created.properties.provisioningState, 'Succeeded')
    assert.match(emu.requests[emu.requests.length - 4]?.path ?? '', /dataflowEndpoints\/eventgrid$/)
    assert.equal(await arm.deleteAndWait(`${emu.ids.instance()}/dataflowEndpoints/eventgrid`, AIO), true)
    assert.equal(await arm.get(`${emu.ids.instance()}/dataflowEndpoints/eventgrid`, AIO), undefined)
    const oldVersion = await arm.send('GET', emu.ids.instance(), {apiVersion: '2024-08-15-preview'}).catch((e) => e)
    assert.equal((oldVersion as RestError).code, 'InvalidApiVersionParameter')
  })

  it('deploys a template: resources appear as if PUT one by one, outputs evaluated, deployment Succeeded', async () => {
    const result = await deploy(bridgeTemplate())
    assert.equal(result.properties.provisioningState, 'Succeeded')
    assert.equal(result.properties.outputs?.endpointId?.value, `${emu.ids.instance()}/dataflowEndpoints/eventgrid`)
    const put = emu.requests[0]
    assert.equal(put?.method, 'PUT')
    assert.equal(put?.status, 201)
    assert.match(
      put?.path ?? '',
      /\/resourcegroups\/aio-bridge-rg\/providers\/Microsoft\.Resources\/deployments\/aio-bridge$/,
    )
    const ep = emu.getResource(`${emu.ids.instance()}/dataflowEndpoints/eventgrid`)
    assert.ok(ep)
    assert.equal((ep.properties.mqttSettings as {host: string}).host, 'ns.eastus-1.ts.eventgrid.azure.net:8883')
    assert.deepEqual(ep?.extendedLocation, {name: emu.ids.customLocation(), type: 'CustomLocation'})
    const flows = await clientFor(emu).listAll<{name: string}>(
      `${emu.ids.instance()}/dataflowProfiles/default/dataflows`,
      AIO,
    )
    assert.deepEqual(flows.map((f) => f.name).sort(), ['local-to-remote', 'remote-to-local'])
    const d = await clientFor(emu).get<{properties: {provisioningState: string; outputResources: Array<{id: string}>}}>(
      deploymentPath('aio-bridge'),
      DEPLOY,
    )
    assert.equal(d?.properties.provisioningState, 'Succeeded')
    assert.equal(d?.properties.outputResources.length, 3)
  })

  it('keeps a deployment’s tags as ARM does: returned by GET and list, replaced by the next PUT, checked like any tags', async () => {
    const tags = {'managed-by': 'aio-bridge', 'aio-bridge-namespace': emu.ids.namespace()}
    await deploy(bridgeTemplate(), undefined, tags)
    const get = () => clientFor(emu).get<{tags?: Record<string, string>}>(deploymentPath('aio-bridge'), DEPLOY)
    assert.deepEqual((await get())?.tags, tags)
    const listed = await clientFor(emu).listAll<{name: string; tags?: Record<string, string>}>(
      deploymentPath('').replace(/\/$/, ''),
      DEPLOY,
    )
    assert.deepEqual(listed.find((d) => d.name === 'aio-bridge')?.tags, tags)
    // A PUT without tags leaves none (a PUT replaces the record).
    await deploy(bridgeTemplate())
    assert.equal((await get())?.tags, undefined)
    for (const bad of [{'a/b': 'x'}, {long: 'x'.repeat(257)}, 'not an object']) {
      const err = await deploy(bridgeTemplate(), undefined, bad).catch((e) => e)
      assert.equal((err as RestError).statusCode, 400, JSON.stringify(bad))
    }
    assert.equal((await get())?.tags, undefined, 'a refused PUT changes nothing')
  })

  it('ends Failed with DeploymentFailed and the resource error nested when a template resource is invalid', async () => {
    const err = await deploy(
      bridgeTemplate({endpointProps: {endpointType: 'Mqtt', mqttSettings: {host: 'x:8883'}}}),
    ).catch((e) => e)
    assert.ok(isAioBridgeError(err), String(err))
    assert.equal(err.code, 'OPERATION_FAILED')
    assert.equal(err.details?.armCode, 'DeploymentFailed')
    const d = await clientFor(emu).get<{
      properties: {provisioningState: string; error: {code: string; details: Array<{code: string; target: string}>}}
    }>(deploymentPath('aio-bridge'), DEPLOY)
    assert.equal(d?.properties.provisioningState, 'Failed')
    assert.equal(d?.properties.error.code, 'DeploymentFailed')
    assert.deepEqual(
      d?.properties.error.details.map((x) => x.code),
      ['InvalidRequestContent'],
    )
    assert.match(d?.properties.error.details[0]?.target ?? '', /dataflowEndpoints\/eventgrid$/)
    // Dependents of the failed endpoint were not written.
    assert.equal(emu.getResource(`${emu.ids.instance()}/dataflowProfiles/default/dataflows/local-to-remote`), undefined)
  })

  it('refuses templates it cannot evaluate with 400 InvalidTemplate, and an unknown deployment with 404', async () => {
    const t = bridgeTemplate()
    ;(t.variables as Record<string, string>).customLocationId =
      "[subscriptionResourceId('Microsoft.ExtendedLocation/customLocations', 'x')]"
    const bad = await deploy(t).catch((e) => e)
    assert.equal((bad as RestError).statusCode, 400)
    assert.equal((bad as RestError).code, 'InvalidTemplate')
    const missingParam = await deploy(bridgeTemplate(), {}).catch((e) => e)
    assert.equal((missingParam as RestError).code, 'InvalidTemplate')
    const extraParam = await deploy(bridgeTemplate(), {eventGridHostName: {value: 'h:8883'}, nope: {value: 1}}).catch(
      (e) => e,
    )
    assert.equal((extraParam as RestError).code, 'InvalidTemplate')
    const missing = await clientFor(emu)
      .send('GET', deploymentPath('never'), {apiVersion: DEPLOY})
      .catch((e) => e)
    assert.equal((missing as RestError).statusCode, 404)
    assert.equal((missing as RestError).code, 'DeploymentNotFound')
  })

  it('what-if reports Create, then NoChange after deploying, then Modify with the delta', async () => {
    // What setup's dry run asks, through the product's gateway (the SDK's what-if poller).
    const whatIf = async (params = {eventGridHostName: {value: 'ns.eastus-1.ts.eventgrid.azure.net:8883'}}) => {
      const changes = await new DeploymentsGateway(clientFor(emu).arm).whatIf(
        emu.seed.subscriptionId,
        emu.seed.resourceGroups?.[0]?.name ?? '',
        'aio-bridge',
        {properties: {mode: 'Incremental', template: bridgeTemplate() as unknown as ArmTemplate, parameters: params}},
      )
      return {properties: {changes: changes as Array<WhatIfChange & {delta?: Array<{path: string}>}>}}
    }
    const first = await whatIf()
    assert.deepEqual(
      first.properties.changes.map((c) => c.changeType),
      ['Create', 'Create', 'Create'],
    )
    assert.equal(emu.requests[0]?.status, 202)
    assert.equal(
      emu.getResource(`${emu.ids.instance()}/dataflowEndpoints/eventgrid`),
      undefined,
      'what-if writes nothing',
    )
    await deploy(bridgeTemplate())
    assert.deepEqual(
      (await whatIf()).properties.changes.map((c) => c.changeType),
      ['NoChange', 'NoChange', 'NoChange'],
    )
    const modified = await whatIf({eventGridHostName: {value: 'other.eastus-1.ts.eventgrid.azure.net:8883'}})
    const ep = modified.properties.changes.find((c) => c.resourceId.endsWith('/dataflowEndpoints/eventgrid'))
    assert.equal(ep?.changeType, 'Modify')
    assert.deepEqual(
      ep?.delta?.map((d) => d.path),
      ['properties.mqttSettings.host'],
    )
  })

  it('serves Mqtt.SuccessfulPublishedMessages per minute from the emulator counter', async () => {
    const arm = clientFor(emu)
    await arm.putAndWait('PUT', emu.ids.namespace(), '2025-02-15', {
      location: 'eastus',
      properties: {topicSpacesConfiguration: {state: 'Enabled'}},
    })
    const now = Date.now()
    const minute = Math.floor(now / 60_000) * 60_000
    emu.addPublished(3, {namespace: 'aio-bridge-ns', at: minute + 1000})
    emu.addPublished(2, {at: minute + 2000})
    emu.addPublished(7, {namespace: 'another-ns', at: minute + 3000})
    const timespan = `${new Date(minute - 120_000).toISOString()}/${new Date(minute + 60_000).toISOString()}`
    const res = await arm.send<{
      value: Array<{
        name: {value: string}
        unit: string
        timeseries: Array<{data: Array<{timeStamp: string; total: number}>}>
      }>
    }>('GET', `${emu.ids.namespace()}/providers/Microsoft.Insights/metrics`, {
      apiVersion: '2018-01-01',
      query: {metricnames: 'Mqtt.SuccessfulPublishedMessages', aggregation: 'Total', timespan, interval: 'PT1M'},
    })
    const metric = res.body.value[0]
    assert.equal(metric?.name.value, 'Mqtt.SuccessfulPublishedMessages')
    assert.equal(metric?.unit, 'Count')
    const data = metric?.timeseries[0]?.data ?? []
    assert.equal(data.length, 3)
    assert.deepEqual(
      data.map((d) => d.total),
      [0, 0, 5],
    )
    assert.equal(data[2]?.timeStamp, new Date(minute).toISOString().replace('.000Z', 'Z'))
  })
})
