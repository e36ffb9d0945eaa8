import type {ArmClient} from './arm-client.js'
import {API, connectedClusterId} from './ids.js'

export interface ClusterExtension {
  id: string
  name: string
  identity?: {type?: string; principalId?: string; tenantId?: string}
  properties?: {extensionType?: string; provisioningState?: string; version?: string}
}

export const IOT_OPERATIONS_EXTENSION_TYPE = 'microsoft.iotoperations'

/** Arc cluster extensions (Microsoft.KubernetesConfiguration), all pages. */
export class ExtensionsGateway {
  constructor(private readonly arm: ArmClient) {}

  listClusterExtensions(sub: string, rg: string, cluster: string): Promise<ClusterExtension[]> {
    return this.arm.listAll<ClusterExtension>(
      `${connectedClusterId(sub, rg, cluster)}/providers/Microsoft.KubernetesConfiguration/extensions`,
      API.extensions,
    )
  }
}

/** The IoT Operations extensions among a cluster's extensions, compared without regard to case. */
export function iotOperationsExtensions(extensions: ClusterExtension[]): ClusterExtension[] {
  return extensions.filter((e) => e.properties?.extensionType?.toLowerCase() === IOT_OPERATIONS_EXTENSION_TYPE)
}
