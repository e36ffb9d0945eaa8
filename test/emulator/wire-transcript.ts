/**
 * A wire transcript of the ARM emulator, for before/after comparisons of a change to it (not a test: it asserts
 * nothing). It sends one fixed sequence of ~300 requests — every route, error code, long-running operation, fault
 * mode, control route and scenario — and prints every answer (status, the headers that matter, body) and the state at
 * a few points, with generated ids, times and ports normalised so that two runs of the same emulator print the same.
 *
 *   node dist/test/emulator/wire-transcript.js [<checkout with a built dist/>] > after.json
 *
 * Build the commit before the change in another checkout, run it there too (or pass that checkout), and diff.
 */
import {readFileSync} from 'node:fs'
import https from 'node:https'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {ArmEmulator} from '../../src/emulator/arm/index.js'
import {bridgeTemplate} from './util.js'

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const {startArmEmulator} = (await import(
  `${root}/dist/src/emulator/arm/index.js`
)) as typeof import('../../src/emulator/arm/index.js')
const {makeFakeJwt} = (await import(
  `${root}/dist/src/emulator/az-stub.js`
)) as typeof import('../../src/emulator/az-stub.js')

interface Entry {
  method: string
  path: string
  status: number
  headers: Record<string, string | string[]>
  // biome-ignore lint/suspicious/noExplicitAny: a transcript reads whatever came back
  body: any
}
interface ReqOptions {
  body?: unknown
  headers?: Record<string, string>
  auth?: boolean | string
  raw?: string
}

const out: unknown[] = []
let emu: ArmEmulator
let ca: Buffer
const SUB = () => emu.seed.subscriptionId
const RG = () => `/subscriptions/${SUB()}/resourceGroups/aio-bridge-rg`
const token = (claims: Record<string, unknown> = {}) =>
  makeFakeJwt({
    aud: 'https://management.azure.com',
    oid: emu.seed.callerPrincipalId,
    tid: emu.seed.tenantId,
    exp: Math.floor(Date.now() / 1000) + 3600,
    ...claims,
  })

function req(method: string, path: string, {body, headers = {}, auth = true, raw}: ReqOptions = {}): Promise<Entry> {
  return new Promise((resolve, reject) => {
    const text = raw ?? (body === undefined ? undefined : JSON.stringify(body))
    const h: Record<string, string> = {...(text ? {'content-type': 'application/json'} : {}), ...headers}
    if (auth === true) h.authorization = `Bearer ${token()}`
    else if (typeof auth === 'string') h.authorization = auth
    const url = path.startsWith('http') ? path : `${emu.url}${path}`
    const r = https.request(url, {method, ca, headers: h}, (res) => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        data += d
      })
      res.on('end', () => {
        const keep: Record<string, string | string[]> = {}
        for (const k of [
          'azure-asyncoperation',
          'location',
          'retry-after',
          'retry-after-ms',
          'content-type',
          'content-length',
          'cache-control',
        ])
          if (res.headers[k] !== undefined) keep[k] = res.headers[k] as string | string[]
        let parsed: unknown = data
        try {
          parsed = data ? JSON.parse(data) : undefined
        } catch {
          // not JSON: kept as text
        }
        const entry: Entry = {method, path, status: res.statusCode ?? 0, headers: keep, body: parsed}
        out.push(entry)
        resolve(entry)
      })
    })
    r.on('error', reject)
    r.end(text)
  })
}
const ctl = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  req(method, `/_emulator${path}`, {body, headers, auth: false})
async function pollAll(entry: Entry, max = 6): Promise<Entry> {
  let e = entry
  for (let i = 0; i < max; i++) {
    const url = (e.headers['azure-asyncoperation'] ?? e.headers.location) as string | undefined
    if (!url) return e
    const p = await req('GET', url)
    if (p.status !== 202 && !(p.body && p.body.status === 'InProgress') && !(p.body && p.body.status === 'Running'))
      return p
    e = p.status === 202 ? p : e
  }
  return e
}
const snapshot = (label: string) => {
  const st = emu.state.dump()
  out.push({label, state: st, requests: emu.requests.map(({time: _t, connection: _c, userAgent: _u, ...r}) => r)})
}

const EG = '2025-02-15'
const AIO = '2024-11-01'
const AIO2 = '2026-03-01'
const ns = (n = 'aio-bridge-ns') => `${RG()}/providers/Microsoft.EventGrid/namespaces/${n}`
const inst = `/providers/Microsoft.IoTOperations/instances/aio-instance`
/** The TopicSpaces Publisher role for the IoT Operations extension's identity, at the tenant's role id. */
const publisherForExtension = {
  properties: {
    roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/a12b0b94-b317-4dcd-84a8-502ce99884c6',
    principalId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
  },
}
const cl = () => `${RG()}/providers/Microsoft.ExtendedLocation/customLocations/aio-cl`
/** A deployment of aio-bridge's template shape (an invalid endpoint with `bad`). */
const bridge = (mode: string, host = 'ns.eastus-1.ts.eventgrid.azure.net:8883', bad = false) => ({
  mode,
  template: bridgeTemplate(bad ? {endpointProps: {endpointType: 'Nope'}} : {}),
  parameters: {eventGridHostName: {value: host}},
})

async function world1() {
  emu = await startArmEmulator({
    lroPolls: 1,
    pageSize: 1,
    listPageSize: 2,
    lroRetryAfterSeconds: 3,
    controlKey: 'k',
    lroSettleMs: 0,
  })
  ca = readFileSync(emu.caCertPath)
  const S = `/subscriptions/${SUB()}`
  // authentication
  await req('GET', `${S}?api-version=2022-12-01`, {auth: false})
  await req('GET', `${S}?api-version=2022-12-01`, {auth: 'Basic abc'})
  await req('GET', `${S}?api-version=2022-12-01`, {auth: 'Bearer not-a-jwt'})
  await req('GET', `${S}?api-version=2022-12-01`, {auth: `Bearer ${token({exp: 1000})}`})
  await req('GET', `${S}?api-version=2022-12-01`, {auth: `Bearer ${token({aud: 'https://storage.azure.com'})}`})
  await req('GET', `${S}?api-version=2022-12-01`, {
    auth: `Bearer ${token({aud: 'https://management.core.windows.net/'})}`,
  })
  await req('GET', `${S}?api-version=2022-12-01`, {auth: `Bearer ${token({tid: 'other'})}`})
  await req('GET', `${S}?api-version=2022-12-01`, {auth: `Bearer ${token({oid: undefined})}`})
  // routing basics
  await req('GET', `${S}?api-version=2022-12-01`)
  await req('GET', `${S}?api-version=2020-01-01`)
  await req('GET', `${S}`)
  await req('POST', `${S}?api-version=2022-12-01`)
  await req('GET', `/subscriptions/00000000-0000-0000-0000-000000000000?api-version=2022-12-01`)
  await req('GET', `/tenants?api-version=2022-12-01`)
  await req('GET', `/?api-version=2022-12-01`)
  await req('GET', `${RG()}?api-version=2021-04-01`)
  await req('GET', `${S}/resourcegroups/AIO-BRIDGE-RG?api-version=2021-04-01`)
  await req('GET', `${S}/resourceGroups/nope?api-version=2021-04-01`)
  await req('PUT', `${RG()}?api-version=2021-04-01`, {body: {}})
  await req('GET', `${S}/resourceGroups/nope/providers/Microsoft.EventGrid/namespaces/x?api-version=${EG}`)
  await req('GET', `${RG()}/providers?api-version=${EG}`)
  await req('GET', `${RG()}/foo/bar?api-version=${EG}`)
  await req('POST', `${S}/providers/Microsoft.EventGrid?api-version=2021-04-01`)
  await req('GET', `${S}/providers/microsoft.eventgrid?api-version=2021-04-01`)
  await req('GET', `${S}/providers/Microsoft.KubernetesConfiguration?api-version=2021-04-01`)
  await req('GET', `${S}/providers/Microsoft.Insights?api-version=2021-04-01`)
  await req('GET', `${S}/providers/Microsoft.Nope?api-version=2021-04-01`)
  await req('POST', `${S}/providers/Microsoft.IoTOperations/register?api-version=2021-04-01`)
  await req('GET', `${S}/providers/Microsoft.IoTOperations/register?api-version=2021-04-01`)
  await req('GET', `${S}/providers/Microsoft.IoTOperations?api-version=2020-01-01`)
  await req('GET', `${RG()}/providers/Microsoft.Nope/things/x?api-version=${EG}`)
  await req('GET', `${RG()}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/x?api-version=${EG}`)
  await req('GET', `${RG()}/providers/microsoft.kubernetesconfiguration/fluxConfigurations/x?api-version=${EG}`)
  await req('GET', `${RG()}/providers/microsoft.eventgrid/nope/x?api-version=${EG}`)
  await req('GET', `${S}/resourcegroups?api-version=2021-04-01`)
  await req('GET', `${RG()}/providers/Microsoft.EventGrid/namespaces/x%ZZ?api-version=${EG}`).catch(() =>
    out.push({error: 'socket'}),
  )
  await req('PUT', `${ns()}?api-version=${EG}`, {raw: '{not json'})
  await req('PUT', `${ns()}?api-version=${EG}`, {raw: '[1,2]'})
  // namespace LRO
  await req('PUT', `${ns('a')}?api-version=${EG}`, {body: {location: 'eastus'}})
  await req('PUT', `${ns()}?api-version=${EG}`, {body: {}})
  await req('PUT', `${ns()}?api-version=${EG}`, {
    body: {location: 'eastus', properties: {topicSpacesConfiguration: {state: 'On'}}},
  })
  await req('PUT', `${ns()}?api-version=${EG}`, {body: {location: 'eastus', properties: 5}})
  await req('PATCH', `${ns()}?api-version=${EG}`, {body: {tags: {a: 'b'}}})
  const put = await req('PUT', `${ns()}?api-version=${EG}`, {
    body: {location: 'East US', tags: {x: '1'}, properties: {topicSpacesConfiguration: {state: 'Enabled'}}},
  })
  await req('GET', `${ns()}?api-version=${EG}`)
  await pollAll(put)
  await req('GET', `${ns()}?api-version=${EG}`)
  await req('HEAD', `${ns()}?api-version=${EG}`)
  await req('PUT', `${ns()}?api-version=${EG}`, {body: {location: 'westus', properties: {}}})
  await req('PUT', `${ns()}?api-version=${EG}`, {
    body: {location: 'eastus', properties: {isZoneRedundant: true, topicSpacesConfiguration: {state: 'Enabled'}}},
  })
  const patch = await req('PATCH', `${ns()}?api-version=${EG}`, {
    body: {properties: {topicSpacesConfiguration: {maximumClientSessionsPerAuthenticationName: 8}}},
  })
  await pollAll(patch)
  await req('PATCH', `${ns()}?api-version=${EG}`, {
    body: {properties: {topicSpacesConfiguration: {maximumClientSessionsPerAuthenticationName: 800}}},
  })
  await req('POST', `${ns()}?api-version=${EG}`, {body: {}})
  await req('PUT', `${ns()}?api-version=${EG}`, {
    body: {
      location: 'eastus',
      tags: Object.fromEntries(Array.from({length: 51}, (_, i) => [`t${i}`, 'v'])),
      properties: {topicSpacesConfiguration: {state: 'Enabled'}},
    },
  })
  await req('PUT', `${ns()}?api-version=${EG}`, {
    body: {location: 'eastus', tags: {'a/b': 'v'}, properties: {topicSpacesConfiguration: {state: 'Enabled'}}},
  })
  // topic spaces
  const ts = await req('PUT', `${ns()}/topicSpaces/tutorial?api-version=${EG}`, {
    body: {properties: {topicTemplates: ['telemetry/#']}},
  })
  await pollAll(ts)
  await req('PUT', `${ns()}/topicSpaces/bad?api-version=${EG}`, {body: {properties: {topicTemplates: ['a/#/b']}}})
  await req('PUT', `${ns()}/topicSpaces/bad?api-version=${EG}`, {body: {properties: {topicTemplates: []}}})
  await req('PUT', `${ns()}/topicSpaces/bad?api-version=${EG}`, {
    body: {properties: {topicTemplates: Array(11).fill('a')}},
  })
  await req('PUT', `${ns()}/topicSpaces/b!d?api-version=${EG}`, {body: {properties: {topicTemplates: ['a']}}})
  await req('PUT', `${ns('missing')}/topicSpaces/ts1?api-version=${EG}`, {body: {properties: {topicTemplates: ['a']}}})
  for (let i = 0; i < 10; i++)
    await req('PUT', `${ns()}/topicSpaces/ts${i}?api-version=${EG}`, {body: {properties: {topicTemplates: ['a/b']}}})
  emu.settle()
  await req('GET', `${ns()}/topicSpaces?api-version=${EG}`).then((e) =>
    e.body?.nextLink ? req('GET', e.body.nextLink) : e,
  )
  await req('GET', `${ns('missing')}/topicSpaces?api-version=${EG}`)
  await req('PUT', `${ns()}/topicSpaces?api-version=${EG}`, {body: {}})
  await req('GET', `${RG()}/providers/Microsoft.EventGrid/namespaces?api-version=${EG}`)
  // extensions
  const cluster = `${RG()}/providers/Microsoft.Kubernetes/connectedClusters/aio-cluster`
  let e = await req('GET', `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions?api-version=2023-05-01`)
  while (e.body?.nextLink) e = await req('GET', e.body.nextLink)
  await req(
    'GET',
    `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions/azure-iot-operations-x7k2q?api-version=2023-05-01`,
  )
  await req('GET', `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions/nope?api-version=2023-05-01`)
  await req('PUT', `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions/nope?api-version=2023-05-01`, {
    body: {},
  })
  await req(
    'GET',
    `${RG()}/providers/Microsoft.Kubernetes/connectedClusters/nope/providers/Microsoft.KubernetesConfiguration/extensions?api-version=2023-05-01`,
  )
  await req('GET', `${RG()}/providers/Microsoft.KubernetesConfiguration/extensions?api-version=2023-05-01`)
  await req('GET', `${cluster}?api-version=2024-01-01`)
  // IoT Operations
  await req('GET', `${RG()}/providers/Microsoft.IoTOperations/instances?api-version=${AIO}`)
  await req('GET', `${RG()}${inst}?api-version=${AIO2}`)
  await req('PUT', `${RG()}${inst}?api-version=${AIO}`, {body: {location: 'eastus'}})
  await req('DELETE', `${RG()}${inst}?api-version=${AIO}`)
  await req('GET', `${RG()}${inst}/dataflowProfiles?api-version=${AIO}`)
  await req('GET', `${RG()}${inst}/dataflowProfiles/default?api-version=${AIO}`)
  await req('GET', `${RG()}${inst}/dataflowEndpoints?api-version=${AIO}`)
  const epBody = {
    extendedLocation: {name: cl(), type: 'CustomLocation'},
    properties: {
      endpointType: 'Mqtt',
      mqttSettings: {host: 'h:8883', authentication: {method: 'SystemAssignedManagedIdentity'}, tls: {mode: 'Enabled'}},
    },
  }
  await req('PUT', `${RG()}${inst}/dataflowEndpoints/eventgrid?api-version=${AIO}`, {
    body: {...epBody, extendedLocation: {name: 'x', type: 'CustomLocation'}},
  })
  await req('PUT', `${RG()}${inst}/dataflowEndpoints/eventgrid?api-version=${AIO}`, {body: {properties: {}}})
  await req('PUT', `${RG()}${inst}/dataflowEndpoints/eventgrid?api-version=${AIO}`, {
    body: {extendedLocation: epBody.extendedLocation},
  })
  await req('PUT', `${RG()}${inst}/dataflowEndpoints/eventgrid?api-version=${AIO}`, {
    body: {...epBody, properties: {endpointType: 'Mqtt'}},
  })
  await req('PUT', `${RG()}${inst}/dataflowEndpoints/eventgrid?api-version=${AIO}`, {
    body: {...epBody, properties: {endpointType: 'Mqtt', mqttSettings: {authentication: {method: 'Foo'}}}},
  })
  await req('PUT', `${RG()}${inst}/dataflowEndpoints/eventgrid?api-version=${AIO}`, {
    body: {
      ...epBody,
      properties: {endpointType: 'Mqtt', mqttSettings: {authentication: {method: 'Anonymous'}, qos: 2}},
    },
  })
  await req('PUT', `${RG()}${inst}/dataflowEndpoints/Bad_Name?api-version=${AIO}`, {body: epBody})
  await req(
    'PUT',
    `${RG()}/providers/Microsoft.IoTOperations/instances/nope/dataflowEndpoints/eventgrid?api-version=${AIO}`,
    {body: epBody},
  )
  const ep = await req('PUT', `${RG()}${inst}/dataflowEndpoints/eventgrid?api-version=${AIO}`, {body: epBody})
  await pollAll(ep)
  const dfBody = (ops: unknown) => ({extendedLocation: epBody.extendedLocation, properties: {operations: ops}})
  await req('PUT', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`, {body: dfBody([])})
  await req('PUT', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`, {body: dfBody('x')})
  await req('PUT', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`, {
    body: dfBody([{operationType: 'Source', sourceSettings: {}}]),
  })
  await req('PUT', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`, {
    body: dfBody([{operationType: 'Source', sourceSettings: {endpointRef: 'default', dataSources: ['a']}}]),
  })
  await req('PUT', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`, {
    body: dfBody([{operationType: 'Bogus'}]),
  })
  const df = await req('PUT', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`, {
    body: dfBody([
      {operationType: 'Source', sourceSettings: {endpointRef: 'default', dataSources: ['a']}},
      {operationType: 'Destination', destinationSettings: {endpointRef: 'eventgrid', dataDestination: 'b'}},
    ]),
  })
  await req('PUT', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`, {
    body: dfBody([
      {operationType: 'Source', sourceSettings: {endpointRef: 'default', dataSources: ['a']}},
      {operationType: 'Destination', destinationSettings: {endpointRef: 'eventgrid', dataDestination: 'c'}},
    ]),
  })
  await pollAll(df)
  await req('GET', `${RG()}${inst}/dataflowProfiles/default/dataflows?api-version=${AIO}`)
  await req('GET', `${RG()}${inst}/dataflowProfiles/nope/dataflows?api-version=${AIO}`)
  await req('PATCH', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`, {body: {}})
  const del = await req('DELETE', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`)
  await req('GET', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`)
  await pollAll(del)
  await req('GET', del.headers.location as string)
  await req('DELETE', `${RG()}${inst}/dataflowProfiles/default/dataflows/df1?api-version=${AIO}`)
  await req(
    'GET',
    `/subscriptions/${SUB()}/providers/Microsoft.IoTOperations/locations/eastus/operationStatuses/nope?api-version=${AIO}`,
  )
  await req('GET', `/subscriptions/${SUB()}/operationresults/nope?api-version=${AIO}`)
  snapshot('after iot')
  // role assignments
  const g = (n: number) => `0000000${n}-0000-4000-8000-000000000000`
  const ra = (scope: string, name: string) => `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`
  const pub = `/providers/Microsoft.Authorization/roleDefinitions/a12b0b94-b317-4dcd-84a8-502ce99884c6`
  const ext = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b'
  await req('PUT', `${ra(ns(), g(1))}?api-version=2022-04-01`, {
    body: {properties: {roleDefinitionId: `/subscriptions/${SUB()}${pub}`, principalId: ext}},
  })
  await req('PUT', `${ra(ns(), g(1))}?api-version=2022-04-01`, {
    body: {properties: {roleDefinitionId: `/subscriptions/${SUB()}${pub}`, principalId: ext}},
  })
  await req('PUT', `${ra(ns(), g(2))}?api-version=2022-04-01`, {
    body: {properties: {roleDefinitionId: pub, principalId: ext}},
  })
  await req('PUT', `${ra(ns(), g(1))}?api-version=2022-04-01`, {
    body: {properties: {roleDefinitionId: pub, principalId: emu.seed.callerPrincipalId}},
  })
  await req('PUT', `${ra(ns(), g(3))}?api-version=2022-04-01`, {
    body: {properties: {roleDefinitionId: pub, principalId: g(9)}},
  })
  await req('PUT', `${ra(ns(), g(3))}?api-version=2022-04-01`, {
    body: {properties: {roleDefinitionId: pub, principalId: ext, principalType: 'User'}},
  })
  await req('PUT', `${ra(ns(), 'not-guid')}?api-version=2022-04-01`, {
    body: {properties: {roleDefinitionId: pub, principalId: ext}},
  })
  await req('PUT', `${ra(ns(), g(4))}?api-version=2022-04-01`, {
    body: {properties: {roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/nope', principalId: ext}},
  })
  await req('PUT', `${ra(ns(), g(4))}?api-version=2022-04-01`, {body: {properties: {}}})
  await req('PUT', `${ra(ns('missing'), g(4))}?api-version=2022-04-01`, {
    body: {properties: {roleDefinitionId: pub, principalId: ext}},
  })
  await req('PUT', `${ra(`${ns()}/topicSpaces/tutorial`, g(5))}?api-version=2022-04-01`, {
    body: {properties: {roleDefinitionId: pub, principalId: ext}},
  })
  await req('GET', `${ra(ns(), g(1))}?api-version=2022-04-01`)
  await req('GET', `${ra(ns(), g(7))}?api-version=2022-04-01`)
  let l = await req('GET', `${ns()}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`)
  while (l.body?.nextLink) l = await req('GET', l.body.nextLink)
  await req('GET', `${ns()}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()`)
  await req(
    'GET',
    `${RG()}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent(`principalId eq '${ext}'`)}`,
  )
  await req('GET', `${RG()}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=bogus`)
  await req('POST', `${RG()}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`)
  await req('GET', `/subscriptions/${SUB()}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`)
  await req('DELETE', `${ra(ns(), g(1))}?api-version=2022-04-01`)
  await req('DELETE', `${ra(ns(), g(1))}?api-version=2022-04-01`)
  await req('PATCH', `${ra(ns(), g(1))}?api-version=2022-04-01`, {body: {}})
  // forbidden
  await ctl(
    'POST',
    '/seed',
    {
      forbidden: [
        {scope: `${ns()}/topicSpaces`, actions: ['Microsoft.EventGrid/*/write']},
        {scope: `${RG()}/providers/Microsoft.Insights`, actions: ['*']},
      ],
    },
    {'x-emulator-key': 'k'},
  )
  await req('PUT', `${ns()}/topicSpaces/tutorial?api-version=${EG}`, {
    body: {properties: {topicTemplates: ['telemetry/#']}},
  })
  await req('GET', `${ns()}/topicSpaces/tutorial?api-version=${EG}`)
  // metrics
  const t0 = Date.parse('2025-01-01T00:00:00Z')
  emu.addMetric('Mqtt.SuccessfulPublishedMessages', 3, {namespace: 'aio-bridge-ns', at: t0 + 10_000})
  emu.addPublished(4, {at: t0 + 70_000})
  emu.addMetric('Mqtt.FailedPublishedMessages', 2, {namespace: ns(), at: t0 + 20_000})
  emu.addMetric('Mqtt.FailedPublishedMessages', 5, {namespace: ns('other'), at: t0 + 20_000})
  const mq = (q: string) => req('GET', `${ns()}/providers/Microsoft.Insights/metrics?api-version=2018-01-01&${q}`)
  await mq(
    `timespan=2025-01-01T00:00:00Z/2025-01-01T00:03:00Z&metricnames=Mqtt.SuccessfulPublishedMessages,mqtt.failedpublishedmessages&interval=PT1M`,
  )
  await mq(`timespan=2025-01-01T00:00:00Z/PT5M&aggregation=Count&interval=PT5M`)
  await mq(`timespan=2025-01-01T00:00:00Z/PT5M&aggregation=Maximum&interval=PT1M`)
  await mq(`timespan=2025-01-01T00:00:00Z/PT5M&aggregation=Average&interval=PT1M`)
  await mq(`timespan=bad`)
  await mq(`interval=PT2M&timespan=2025-01-01T00:00:00Z/PT5M`)
  await mq(`metricnames=Nope&timespan=2025-01-01T00:00:00Z/PT5M`)
  await req('GET', `${ns('missing')}/providers/Microsoft.Insights/metrics?api-version=2018-01-01`)
  await req('POST', `${ns()}/providers/Microsoft.Insights/metrics?api-version=2018-01-01`)
  await req('GET', `${ns()}/providers/Microsoft.Insights/metrics?api-version=2018-01-02`)
  // deployments
  const dep = (n: string) => `${RG()}/providers/Microsoft.Resources/deployments/${n}`
  await ctl('POST', '/reset', {}, {'x-emulator-key': 'k'})
  await req('GET', `${RG()}/providers/Microsoft.Resources/deployments?api-version=2025-04-01`)
  await req('PUT', `${dep('bad name!')}?api-version=2025-04-01`, {
    body: {properties: bridge('Incremental')},
  })
  await req('PUT', `${dep('d1')}?api-version=2025-04-01`, {
    body: {properties: bridge('Complete')},
  })
  await req('PUT', `${dep('d1')}?api-version=2025-04-01`, {body: {properties: {mode: 'Incremental'}}})
  await req('PUT', `${dep('d1')}?api-version=2025-04-01`, {
    body: {properties: {mode: 'Incremental', templateLink: {uri: 'x'}}},
  })
  await req('PUT', `${dep('d1')}?api-version=2025-04-01`, {body: {}})
  await req('PUT', `${dep('d1')}?api-version=2025-04-01`, {
    body: {
      properties: {
        mode: 'Incremental',
        template: {contentVersion: '1.0.0.0', resources: [{type: 'X/y', apiVersion: '1', name: "[nope('a')]"}]},
      },
    },
  })
  const wi = await req('POST', `${dep('d1')}/whatIf?api-version=2025-04-01`, {
    body: {properties: bridge('Incremental')},
  })
  await pollAll(wi)
  await req('GET', `${dep('d1')}/whatIf?api-version=2025-04-01`)
  const d1 = await req('PUT', `${dep('d1')}?api-version=2025-04-01`, {
    body: {tags: {a: 'b'}, properties: bridge('Incremental')},
  })
  await req('GET', `${dep('d1')}?api-version=2025-04-01`)
  await pollAll(d1)
  await req('GET', `${dep('d1')}?api-version=2025-04-01`)
  await req('GET', `${RG()}${inst}/dataflowProfiles/default/dataflows?api-version=${AIO}`)
  const wi2 = await req('POST', `${dep('d1')}/whatIf?api-version=2025-04-01`, {
    body: {properties: bridge('Incremental', 'other:8883')},
  })
  await pollAll(wi2)
  const wi3 = await req('POST', `${dep('d1')}/whatIf?api-version=2025-04-01`, {
    body: {properties: bridge('Incremental', undefined, true)},
  })
  await pollAll(wi3)
  const d2 = await req('PUT', `${dep('d2')}?api-version=2025-04-01`, {
    body: {properties: bridge('Incremental', undefined, true)},
  })
  await pollAll(d2)
  await req('GET', `${dep('d2')}?api-version=2025-04-01`)
  const unk = await req('PUT', `${dep('d3')}?api-version=2025-04-01`, {
    body: {
      properties: {
        mode: 'Incremental',
        template: {
          contentVersion: '1.0.0.0',
          resources: [
            {type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: 'sa'},
            {
              type: 'Microsoft.IoTOperations/instances/dataflowEndpoints',
              apiVersion: '2019-01-01',
              name: 'aio-instance/x',
              properties: {},
            },
          ],
        },
      },
    },
  })
  await pollAll(unk)
  await req('GET', `${RG()}/providers/Microsoft.Resources/deployments?api-version=2025-04-01`)
  await req('GET', `${dep('nope')}?api-version=2025-04-01`)
  await req('GET', `${dep('d1')}/x/y/z?api-version=2025-04-01`)
  await req('PATCH', `${dep('d1')}?api-version=2025-04-01`, {body: {}})
  const dd = await req('DELETE', `${dep('d1')}?api-version=2025-04-01`)
  await pollAll(dd)
  await req('DELETE', `${dep('d1')}?api-version=2025-04-01`)
  // namespace delete cascades
  const n2 = await req('PUT', `${ns()}?api-version=${EG}`, {
    body: {location: 'eastus', properties: {topicSpacesConfiguration: {state: 'Enabled'}}},
  })
  await pollAll(n2)
  await req('PUT', `${ns()}/topicSpaces/tutorial?api-version=${EG}`, {
    body: {properties: {topicTemplates: ['telemetry/#']}},
  })
  const nd = await req('DELETE', `${ns()}?api-version=${EG}`)
  await req('GET', `${ns()}?api-version=${EG}`)
  await pollAll(nd)
  await req('GET', `${ns()}?api-version=${EG}`)
  snapshot('after deployments')
  // control API
  await ctl('GET', '/health')
  await ctl('GET', '/health', undefined, {'x-emulator-key': 'k'})
  await ctl('GET', '/state', undefined, {'x-emulator-key': 'k'})
  await ctl('GET', '/requests/', undefined, {'x-emulator-key': 'k'})
  await ctl('DELETE', '/requests', undefined, {'x-emulator-key': 'k'})
  await ctl('GET', '/faults', undefined, {'x-emulator-key': 'k'})
  await ctl('PUT', '/latency', {ms: 'x'}, {'x-emulator-key': 'k'})
  await ctl('GET', '/faults', undefined, {'x-emulator-key': 'k'})
  await ctl('GET', `/resources?id=${encodeURIComponent(`${RG()}${inst}`)}`, undefined, {'x-emulator-key': 'k'})
  await ctl('GET', `/resources?id=nope`, undefined, {'x-emulator-key': 'k'})
  await ctl('GET', `/resources`, undefined, {'x-emulator-key': 'k'})
  await ctl('PUT', `/resources`, {id: `${RG()}/x/y`, name: 'y', type: 'X/y', properties: {}}, {'x-emulator-key': 'k'})
  await ctl('DELETE', `/resources?id=${encodeURIComponent(`${RG()}/x/y`)}`, undefined, {'x-emulator-key': 'k'})
  await ctl('DELETE', `/resources?id=${encodeURIComponent(`${RG()}/x/y`)}`, undefined, {'x-emulator-key': 'k'})
  await ctl(
    'POST',
    '/metrics',
    {count: 2, metric: 'Mqtt.Connections', namespace: 'aio-bridge-ns'},
    {'x-emulator-key': 'k'},
  )
  await ctl('POST', '/settle', undefined, {'x-emulator-key': 'k'})
  await ctl('POST', '/nope', undefined, {'x-emulator-key': 'k'})
  await req('POST', '/_emulator/seed', {raw: '{bad', headers: {'x-emulator-key': 'k'}, auth: false})
  await ctl('POST', '/reset', {scenario: 'nope'}, {'x-emulator-key': 'k'})
  await ctl('POST', '/reset', {scenario: 'two-instances'}, {'x-emulator-key': 'k'})
  await req('GET', `${RG()}/providers/Microsoft.IoTOperations/instances?api-version=${AIO}`)
  await ctl('POST', '/reset', {seed: {resourceGroups: [{name: 'rg2', location: 'westus'}]}}, {'x-emulator-key': 'k'})
  await req('GET', `/subscriptions/${SUB()}/resourceGroups/rg2?api-version=2021-04-01`)
  snapshot('after control')
  await emu.stop()
}

async function world2() {
  // faults
  emu = await startArmEmulator({lroPolls: 2, faults: {rate: 0.5, seed: 7, maxConsecutive: 2}})
  ca = readFileSync(emu.caCertPath)
  const S = `/subscriptions/${SUB()}`
  for (let i = 0; i < 12; i++) await req('GET', `${S}?api-version=2022-12-01`)
  emu.setFaults({rate: 1, statuses: [502, 504, 418], seed: 3, retryAfterSeconds: 7})
  for (let i = 0; i < 4; i++) await req('GET', `${RG()}?api-version=2021-04-01`)
  emu.setFaults({
    rules: [
      {method: 'put', pathIncludes: 'NAMESPACES', status: 429, times: 2},
      {pathIncludes: 'topicspaces', status: 409, code: 'Conflict', message: 'busy', whileRunning: true, times: 5},
      {method: 'GET', status: 500},
    ],
    retryAfterMs: 11,
  })
  await req('GET', `${S}?api-version=2022-12-01`)
  await req('GET', `${S}?api-version=2022-12-01`)
  for (let i = 0; i < 3; i++)
    await req('PUT', `${ns()}?api-version=${EG}`, {
      body: {location: 'eastus', properties: {topicSpacesConfiguration: {state: 'Enabled'}}},
    })
  await req('PUT', `${ns()}/topicSpaces/tutorial?api-version=${EG}`, {
    body: {properties: {topicTemplates: ['telemetry/#']}},
  })
  await req('PUT', `${ns()}/topicSpaces/tutorial?api-version=${EG}`, {
    body: {properties: {topicTemplates: ['telemetry/#']}},
  })
  await req('PUT', `${ns()}/topicSpaces/tutorial?api-version=${EG}`, {
    body: {properties: {topicTemplates: ['telemetry/#']}},
  })
  emu.settle()
  await req('PUT', `${ns()}/topicSpaces/tutorial?api-version=${EG}`, {
    body: {properties: {topicTemplates: ['telemetry/#']}},
  })
  emu.setFaults({rate: 1, sparePolls: true, seed: 1})
  await req('GET', `${S}?api-version=2022-12-01`)
  emu.setFaults(undefined)
  const put = await req('PUT', `${ns('ns-two')}?api-version=${EG}`, {
    body: {location: 'eastus', properties: {topicSpacesConfiguration: {state: 'Enabled'}}},
  })
  emu.setFaults({rate: 1, sparePolls: true, seed: 1})
  await req('GET', put.headers['azure-asyncoperation'] as string)
  await req('GET', put.headers['azure-asyncoperation'] as string)
  await req('GET', put.headers['azure-asyncoperation'] as string)
  emu.setFaults({linkOrigin: 'https://127.0.0.1:1'})
  await req('PUT', `${ns('ns-three')}?api-version=${EG}`, {
    body: {location: 'eastus', properties: {topicSpacesConfiguration: {state: 'Enabled'}}},
  })
  await req('DELETE', `${ns('ns-two')}?api-version=${EG}`)
  const cluster = `${RG()}/providers/Microsoft.Kubernetes/connectedClusters/aio-cluster`
  await req('GET', `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions?api-version=2023-05-01`)
  snapshot('after faults')
  await emu.stop()
  emu = await startArmEmulator({seed: 'forbidden-role-assignments', requireAuth: false})
  ca = readFileSync(emu.caCertPath)
  await req('GET', `/subscriptions/${SUB()}?api-version=2022-12-01`, {auth: false})
  await req(
    'PUT',
    `${ns()}/providers/Microsoft.Authorization/roleAssignments/00000001-0000-4000-8000-000000000000?api-version=2022-04-01`,
    {
      auth: false,
      body: publisherForExtension,
    },
  )
  await req(
    'PUT',
    `${RG()}/providers/Microsoft.Authorization/roleAssignments/00000001-0000-4000-8000-000000000000?api-version=2022-04-01`,
    {
      auth: false,
      body: publisherForExtension,
    },
  )
  await emu.stop()
  for (const sc of [
    'provider-not-registered',
    'namespace-name-taken',
    'no-resource-group',
    'existing-namespace',
    'replicating-principal',
    'extension-without-identity',
  ] as const) {
    emu = await startArmEmulator({seed: sc, lroPolls: 0})
    ca = readFileSync(emu.caCertPath)
    await req('PUT', `${ns()}?api-version=${EG}`, {
      body: {location: 'eastus', properties: {topicSpacesConfiguration: {state: 'Enabled'}}},
    })
    await req('GET', `${ns()}?api-version=${EG}`)
    for (let i = 0; i < 3; i++)
      await req(
        'PUT',
        `${ns()}/providers/Microsoft.Authorization/roleAssignments/00000001-0000-4000-8000-000000000000?api-version=2022-04-01`,
        {
          body: publisherForExtension,
        },
      )
    snapshot(`scenario ${sc}`)
    await emu.stop()
  }
}

await world1()
await world2()

// Normalise what differs from run to run: generated ids, times, ports.
let text = JSON.stringify(out, null, 1)
const ids = new Map<string, string>()
text = text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (m) => {
  if (!ids.has(m.toLowerCase())) ids.set(m.toLowerCase(), `<uuid${ids.size}>`)
  return ids.get(m.toLowerCase()) as string
})
text = text.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
text = text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
text = text.replace(/[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/g, '<utc>')
text = text.replace(/"PT\d+\.\d+S"/g, '"PT<d>S"')
text = text.replace(/"content-length": "\d+"/g, '"content-length": "<n>"')
text = text.replace(/"startedAt": \d+/g, '"startedAt": "<ms>"')
text = text.replace(/"at": \d+/g, '"at": "<ms>"')
process.stdout.write(`${text}\n`)
