import type {ArmClient} from './arm-client.js'

export interface ClusterExtension {
  id: string
  name: string
  identity?: {type?: string; principalId?: string; tenantId?: string}
  properties?: {extensionType?: string; provisioningState?: string; version?: string}
}

export const IOT_OPERATIONS_EXTENSION_TYPE = 'microsoft.iotoperations'

/** Arc cluster extensions through @azure/arm-kubernetesconfiguration (2023-05-01), every page. */
export class ExtensionsGateway {
  constructor(private readonly arm: ArmClient) {}

  async listClusterExtensions(
    sub: string,
    rg: string,
    cluster: string,
    options: {abortSignal?: AbortSignal} = {},
  ): Promise<ClusterExtension[]> {
    const client = await this.arm.extensions(sub)
    const out: ClusterExtension[] = []
    for await (const e of client.extensions.list(rg, 'Microsoft.Kubernetes', 'connectedClusters', cluster, options)) {
      out.push({
        id: e.id ?? '',
        name: e.name ?? '',
        ...(e.identity
          ? {identity: {type: e.identity.type, principalId: e.identity.principalId, tenantId: e.identity.tenantId}}
          : {}),
        properties: {extensionType: e.extensionType, provisioningState: e.provisioningState, version: e.version},
      })
    }
    return out
  }
}

/** The IoT Operations extensions among a cluster's extensions, compared without regard to case. */
export function iotOperationsExtensions(extensions: ClusterExtension[]): ClusterExtension[] {
  return extensions.filter((e) => e.properties?.extensionType?.toLowerCase() === IOT_OPERATIONS_EXTENSION_TYPE)
}
