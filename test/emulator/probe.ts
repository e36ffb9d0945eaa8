/**
 * Run as a child process by az-stub.test.ts: the product's own credential chain (DefaultAzureCredential honouring
 * AZURE_TOKEN_CREDENTIALS=AzureCliCredential → the stub az on PATH) and ArmClient over HTTPS trusting the emulator
 * through NODE_EXTRA_CA_CERTS — what the built CLI does. Prints one JSON line.
 */
import {createArmClient} from '../../src/azure/arm-client.js'

const env = process.env
try {
  const arm = await createArmClient({
    subscriptionId: env.SUBSCRIPTION_ID ?? '',
    resourceGroup: env.RESOURCE_GROUP ?? '',
    cloud: 'AzureCloud',
    armEndpoint: env.AIO_BRIDGE_ARM_ENDPOINT ?? '',
    armAudience: 'https://management.azure.com',
  })
  const sub = await arm.get<{subscriptionId: string}>(`/subscriptions/${env.SUBSCRIPTION_ID}`, '2022-12-01')
  const extensions = await arm.listAll<{name: string}>(
    `/subscriptions/${env.SUBSCRIPTION_ID}/resourceGroups/${env.RESOURCE_GROUP}/providers/Microsoft.Kubernetes/connectedClusters/${env.CLUSTER_NAME}/providers/Microsoft.KubernetesConfiguration/extensions`,
    '2023-05-01',
  )
  process.stdout.write(
    `${JSON.stringify({ok: true, subscriptionId: sub?.subscriptionId, extensions: extensions.length})}\n`,
  )
} catch (err) {
  const e = err as Error & {statusCode?: number; code?: string}
  process.stdout.write(`${JSON.stringify({ok: false, name: e.name, statusCode: e.statusCode, code: e.code})}\n`)
}
