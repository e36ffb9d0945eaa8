import type {ArmClient} from './arm-client.js'
import {sdkId} from './arm-client.js'
import {isNotFound} from './arm-errors.js'
import {API, resourceGroupId, subscriptionId} from './ids.js'

export interface SubscriptionInfo {
  subscriptionId: string
  displayName?: string
  state?: string
}

export interface ResourceGroupInfo {
  id: string
  name: string
  location: string
}

export interface ReadOptions {
  abortSignal?: AbortSignal
}

/**
 * Subscription, resource group and resource provider registration: the preflight reads. The resource group goes
 * through @azure/arm-resources by id (`resourceGroups.get` would send `…/resourcegroups/…`, a different path for the
 * same read); the subscription, which no installed SDK reads, as a plain GET on the same pipeline.
 */
export class ResourcesGateway {
  constructor(private readonly arm: ArmClient) {}

  getSubscription(sub: string, options: ReadOptions = {}): Promise<SubscriptionInfo | undefined> {
    return this.arm.get<SubscriptionInfo>(subscriptionId(sub), API.subscriptions, options)
  }

  async getResourceGroup(sub: string, rg: string, options: ReadOptions = {}): Promise<ResourceGroupInfo | undefined> {
    const client = await this.arm.resources(sub)
    try {
      const g = await client.resources.getById(sdkId(resourceGroupId(sub, rg)), API.resourceGroups, options)
      return {id: g.id ?? resourceGroupId(sub, rg), name: g.name ?? rg, location: g.location ?? ''}
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
  }

  /** "Registered", "NotRegistered", "Registering", … or undefined when the provider is unknown. */
  async getProviderRegistration(
    sub: string,
    providerNamespace: string,
    options: ReadOptions = {},
  ): Promise<string | undefined> {
    const client = await this.arm.resources(sub)
    try {
      return (await client.providers.get(providerNamespace, options)).registrationState
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
  }
}
