import type {ArmClient} from './arm-client.js'
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

/** Subscription, resource group and resource provider registration: the preflight reads. */
export class ResourcesGateway {
  constructor(private readonly arm: ArmClient) {}

  getSubscription(sub: string): Promise<SubscriptionInfo | undefined> {
    return this.arm.get<SubscriptionInfo>(subscriptionId(sub), API.subscriptions)
  }

  getResourceGroup(sub: string, rg: string): Promise<ResourceGroupInfo | undefined> {
    return this.arm.get<ResourceGroupInfo>(resourceGroupId(sub, rg), API.resourceGroups)
  }

  /** "Registered", "NotRegistered", "Registering", … or undefined when the provider is unknown. */
  async getProviderRegistration(sub: string, providerNamespace: string): Promise<string | undefined> {
    const p = await this.arm.get<{registrationState?: string}>(
      `${subscriptionId(sub)}/providers/${providerNamespace}`,
      API.providers,
    )
    return p?.registrationState
  }
}
