import {readFileSync} from 'node:fs'
import type {TokenCredential} from '@azure/core-auth'
import {createDefaultHttpClient, type HttpClient} from '@azure/core-rest-pipeline'
import {ArmClient, type HttpMethod, type RequestOptions, sdkId} from '../../src/azure/arm-client.js'
import {deleteById} from '../../src/azure/eventgrid-gateway.js'
import {subscriptionOfId} from '../../src/azure/ids.js'
import type {ArmEmulator} from '../../src/emulator/arm/index.js'
import {makeFakeJwt} from '../../src/emulator/az-stub.js'

/** A fixed credential whose token carries the claims the emulator checks. */
export function fixedCredential(emulator: ArmEmulator, claims: Record<string, unknown> = {}): TokenCredential {
  return {
    getToken: async () => {
      const exp = Math.floor(Date.now() / 1000) + 3600
      return {
        token: makeFakeJwt({
          aud: 'https://management.azure.com',
          oid: emulator.seed.callerPrincipalId,
          tid: emulator.seed.tenantId,
          exp,
          ...claims,
        }),
        expiresOnTimestamp: Date.now() + 3_600_000,
      }
    },
  }
}

/** An HTTP client that trusts the emulator's CA (in-process stand-in for NODE_EXTRA_CA_CERTS). */
export function trustingHttpClient(caCertPath: string): HttpClient {
  const inner = createDefaultHttpClient()
  // One settings object: the node client caches its agents by this object's identity.
  const tlsSettings = {ca: readFileSync(caCertPath, 'utf8')}
  return {
    sendRequest: (request) => {
      request.tlsSettings = tlsSettings
      return inner.sendRequest(request)
    },
  }
}

/** The product's ArmClient pointed at the emulator, with fast polls and retries. */
export function armFor(emulator: ArmEmulator, claims?: Record<string, unknown>): ArmClient {
  return new ArmClient({
    credential: fixedCredential(emulator, claims),
    endpoint: emulator.url,
    audience: 'https://management.azure.com',
    pollIntervalInMs: 1,
    retryDelayInMs: 1,
    maxRetries: 5,
    httpClient: trustingHttpClient(emulator.caCertPath),
  })
}

/**
 * The emulator's wire through the product's client: raw requests on its pipeline (to see statuses and headers), and
 * writes waited for on the SDK's generic by-id pollers, as the gateways do.
 */
export function clientFor(emulator: ArmEmulator, claims?: Record<string, unknown>) {
  const arm = armFor(emulator, claims)
  return {
    arm,
    send: <T = unknown>(method: HttpMethod, path: string, opts: RequestOptions = {}) => arm.send<T>(method, path, opts),
    get: <T>(path: string, apiVersion: string) => arm.get<T>(path, apiVersion),
    listAll: <T>(path: string, apiVersion: string, query?: Record<string, string>) =>
      arm.listAll<T>(path, apiVersion, {query}),
    /** PUT (or PATCH) by id, then the SDK poller until the resource is provisioned; returns it as it ends. */
    async putAndWait<T>(method: 'PUT' | 'PATCH', id: string, apiVersion: string, body: object): Promise<T> {
      const c = await arm.resources(subscriptionOfId(id))
      const poller =
        method === 'PUT'
          ? c.resources.createOrUpdateById(sdkId(id), apiVersion, body, arm.pollerOptions)
          : c.resources.updateById(sdkId(id), apiVersion, body, arm.pollerOptions)
      return (await arm.waitFor(poller, id)) as T
    },
    deleteAndWait: (id: string, apiVersion: string) => deleteById(arm, subscriptionOfId(id), id, apiVersion),
  }
}

/** Raw HTTPS call to the emulator (control API, or ARM without the client's policies). */
export async function rawRequest(
  emulator: ArmEmulator,
  method: string,
  path: string,
  /** `raw`: the body as given, JSON or not (instead of `body`, which is sent as JSON). */
  opts: {body?: unknown; raw?: string; headers?: Record<string, string>; auth?: boolean} = {},
): Promise<{status: number; body: unknown; headers: Record<string, string>}> {
  const https = await import('node:https')
  if (opts.auth) {
    const {token} = (await fixedCredential(emulator).getToken('https://management.azure.com/.default')) as {
      token: string
    }
    opts.headers = {...opts.headers, authorization: `Bearer ${token}`}
  }
  return new Promise((resolve, reject) => {
    const text = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
    const req = https.request(
      `${emulator.url}${path}`,
      {
        method,
        ca: readFileSync(emulator.caCertPath),
        headers: {...(text ? {'content-type': 'application/json'} : {}), ...(opts.headers ?? {})},
      },
      (res) => {
        let data = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          data += d
        })
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: data ? JSON.parse(data) : undefined,
            headers: res.headers as Record<string, string>,
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(text)
  })
}

/** The shape aio-bridge's renderer emits: endpoint + two dataflows, names and ids built with format()/resourceId(). */
export function bridgeTemplate(opts: {endpointProps?: Record<string, unknown>} = {}) {
  const instance = "parameters('aioInstanceName')"
  const extendedLocation = {name: "[variables('customLocationId')]", type: 'CustomLocation'}
  const endpointId = `[resourceId('Microsoft.IoTOperations/instances/dataflowEndpoints', ${instance}, 'eventgrid')]`
  const dataflow = (name: string, from: [string, string], to: [string, string]) => ({
    type: 'Microsoft.IoTOperations/instances/dataflowProfiles/dataflows',
    apiVersion: '2024-11-01',
    name: `[format('{0}/{1}/{2}', ${instance}, 'default', '${name}')]`,
    extendedLocation,
    dependsOn: [endpointId],
    properties: {
      mode: 'Enabled',
      operations: [
        {operationType: 'Source', sourceSettings: {endpointRef: from[0], dataSources: [from[1]]}},
        {
          operationType: 'BuiltInTransformation',
          builtInTransformationSettings: {
            serializationFormat: 'Json',
            map: [{type: 'PassThrough', inputs: ['*'], output: '*'}],
          },
        },
        {operationType: 'Destination', destinationSettings: {endpointRef: to[0], dataDestination: to[1]}},
      ],
    },
  })
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      customLocationName: {type: 'string', defaultValue: 'aio-cl'},
      aioInstanceName: {type: 'string', defaultValue: 'aio-instance'},
      eventGridHostName: {type: 'string'},
    },
    variables: {
      customLocationId: "[resourceId('Microsoft.ExtendedLocation/customLocations', parameters('customLocationName'))]",
    },
    resources: [
      {
        type: 'Microsoft.IoTOperations/instances/dataflowEndpoints',
        apiVersion: '2024-11-01',
        name: `[concat(${instance}, '/', 'eventgrid')]`,
        extendedLocation,
        properties: opts.endpointProps ?? {
          endpointType: 'Mqtt',
          mqttSettings: {
            host: "[parameters('eventGridHostName')]",
            authentication: {method: 'SystemAssignedManagedIdentity', systemAssignedManagedIdentitySettings: {}},
            tls: {mode: 'Enabled'},
          },
        },
      },
      dataflow('local-to-remote', ['default', 'tutorial/local'], ['eventgrid', 'telemetry/aio']),
      dataflow('remote-to-local', ['eventgrid', 'telemetry/#'], ['default', 'tutorial/cloud']),
    ],
    outputs: {endpointId: {type: 'string', value: endpointId}},
  }
}
