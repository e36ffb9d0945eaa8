import type {ArmClient} from './arm-client.js'
import {sdkId} from './arm-client.js'
import {isNotFound} from './arm-errors.js'
import {deleteById, type ReadOptions, type WriteOptions} from './eventgrid-gateway.js'
import {resourceGroupId, subscriptionOfId} from './ids.js'

/**
 * Microsoft.IoTOperations resources (instances, endpoints, dataflows) through @azure/arm-resources by id, at the
 * bridge model's api-version: @azure/arm-iotoperations exists upstream (2.x), but the registry this project installs
 * from does not serve it. The instance list, which no installed SDK covers, is a plain paged GET.
 */
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

  listInstances(sub: string, rg: string, options: ReadOptions = {}): Promise<IotOpsResource[]> {
    return this.arm.listAll<IotOpsResource>(
      `${resourceGroupId(sub, rg)}/providers/Microsoft.IoTOperations/instances`,
      this.apiVersion,
      options,
    )
  }

  async get(id: string, options: ReadOptions = {}): Promise<IotOpsResource | undefined> {
    const client = await this.arm.resources(subscriptionOfId(id))
    try {
      const r = await client.resources.getById(sdkId(id), this.apiVersion, options)
      return r as IotOpsResource
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
  }

  delete(id: string, options: WriteOptions = {}): Promise<boolean> {
    return deleteById(this.arm, subscriptionOfId(id), id, this.apiVersion, options)
  }
}
