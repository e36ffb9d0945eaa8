import type {ArmClient} from './arm-client.js'
import {resourceGroupId} from './ids.js'

/** Microsoft.IoTOperations resources (no @azure/arm-iotoperations exists): instances, endpoints, dataflows. */
export interface IotOpsResource {
  id: string
  name: string
  type?: string
  extendedLocation?: {name: string; type: string}
  properties?: Record<string, unknown> & {provisioningState?: string}
}

export class IotOpsGateway {
  constructor(
    private readonly arm: ArmClient,
    readonly apiVersion: string,
  ) {}

  instanceId(sub: string, rg: string, instance: string): string {
    return `${resourceGroupId(sub, rg)}/providers/Microsoft.IoTOperations/instances/${instance}`
  }

  endpointId(sub: string, rg: string, instance: string, endpoint: string): string {
    return `${this.instanceId(sub, rg, instance)}/dataflowEndpoints/${endpoint}`
  }

  dataflowId(sub: string, rg: string, instance: string, profile: string, dataflow: string): string {
    return `${this.instanceId(sub, rg, instance)}/dataflowProfiles/${profile}/dataflows/${dataflow}`
  }

  listInstances(sub: string, rg: string): Promise<IotOpsResource[]> {
    return this.arm.listAll<IotOpsResource>(
      `${resourceGroupId(sub, rg)}/providers/Microsoft.IoTOperations/instances`,
      this.apiVersion,
    )
  }

  get(id: string): Promise<IotOpsResource | undefined> {
    return this.arm.get<IotOpsResource>(id, this.apiVersion)
  }

  delete(id: string): Promise<boolean> {
    return this.arm.deleteAndWait(id, this.apiVersion)
  }
}
