import type {GenericResource} from '@azure/arm-resources'
import type {ArmClient} from './arm-client.js'
import {sdkId} from './arm-client.js'
import {isNotFound} from './arm-errors.js'
import {API, namespaceId, topicSpaceId} from './ids.js'
import {waitWhileBusy} from './wait.js'

/**
 * Event Grid namespaces and topic spaces at the one stable api-version with them (2025-02-15), through
 * @azure/arm-resources' generic by-id operations and their pollers: @azure/arm-eventgrid 14.1.0, the newest published,
 * targets 2022-06-15 and has no namespaces or topic spaces. When one does, this file is the swap.
 */

/** Microsoft.EventGrid/namespaces provisioningState (2025-02-15, reference/eventgrid-2025-02-15-types.md). */
export type NamespaceProvisioningState =
  | 'Canceled'
  | 'CreateFailed'
  | 'Creating'
  | 'DeleteFailed'
  | 'Deleted'
  | 'Deleting'
  | 'Failed'
  | 'Succeeded'
  | 'UpdatedFailed'
  | 'Updating'

/** Microsoft.EventGrid/namespaces/topicSpaces provisioningState (2025-02-15). */
export type TopicSpaceProvisioningState =
  | 'Canceled'
  | 'Creating'
  | 'Deleted'
  | 'Deleting'
  | 'Failed'
  | 'Succeeded'
  | 'Updating'

/** Microsoft.EventGrid/namespaces as ARM returns it (2025-02-15). */
export interface EventGridNamespace {
  id: string
  name: string
  location: string
  tags?: Record<string, string>
  sku?: {name: string; capacity?: number}
  properties: {
    provisioningState?: NamespaceProvisioningState | string
    topicSpacesConfiguration?: {
      state?: 'Enabled' | 'Disabled'
      maximumClientSessionsPerAuthenticationName?: number
      hostname?: string | null
      [k: string]: unknown
    }
    [k: string]: unknown
  }
}

/** What setup sends to create a namespace. */
export interface NamespaceCreateBody {
  location: string
  tags: Record<string, string>
  sku: {name: 'Standard'; capacity: number}
  properties: {
    topicSpacesConfiguration: {state: 'Enabled'; maximumClientSessionsPerAuthenticationName: number}
  }
}

/** What setup sends to change an existing namespace: only what differs. */
export interface NamespacePatchBody {
  properties: {
    topicSpacesConfiguration: {state?: 'Enabled'; maximumClientSessionsPerAuthenticationName?: number}
  }
}

export interface TopicSpace {
  id: string
  name: string
  properties: {
    provisioningState?: TopicSpaceProvisioningState | string
    topicTemplates?: string[]
    description?: string
  }
}

/** What setup sends to create or update a topic space. */
export interface TopicSpaceBody {
  properties: {topicTemplates: string[]; description?: string}
}

export interface ReadOptions {
  abortSignal?: AbortSignal
}

/** Writes: the signal stops the waiting after the write, never the write itself. */
export interface WriteOptions {
  /** Told once Azure accepted the write (what exists if the wait then fails or is interrupted). */
  onSubmitted?: () => void
  /**
   * Told once the operation succeeded, before the SDK poller's read-back of the resource: a step that needs only the
   * resource provisioned (a child written under it) need not wait for that GET.
   */
  onSucceeded?: () => void
  abortSignal?: AbortSignal
}

/** A namespace or topic space whose operation has not ended (it is being created, updated or deleted). */
export function isProvisioning(r: {properties?: {provisioningState?: string}} | undefined): boolean {
  const state = r?.properties?.provisioningState
  return state === 'Creating' || state === 'Updating' || state === 'Deleting'
}

export class EventGridGateway {
  constructor(private readonly arm: ArmClient) {}

  getNamespace(
    sub: string,
    rg: string,
    ns: string,
    options: ReadOptions = {},
  ): Promise<EventGridNamespace | undefined> {
    return this.read<EventGridNamespace>(namespaceId(sub, rg, ns), sub, options)
  }

  /** Returns the namespace as it ends (the poller's read-back carries the MQTT hostname). */
  createOrUpdateNamespace(
    sub: string,
    rg: string,
    ns: string,
    body: NamespaceCreateBody,
    options: WriteOptions = {},
  ): Promise<EventGridNamespace> {
    return this.write(sub, namespaceId(sub, rg, ns), 'PUT', body, options)
  }

  updateNamespace(
    sub: string,
    rg: string,
    ns: string,
    patch: NamespacePatchBody,
    options: WriteOptions = {},
  ): Promise<EventGridNamespace> {
    return this.write(sub, namespaceId(sub, rg, ns), 'PATCH', patch, options)
  }

  /** true once deleted; false when it was already gone. */
  deleteNamespace(sub: string, rg: string, ns: string, options: WriteOptions = {}): Promise<boolean> {
    return deleteById(this.arm, sub, namespaceId(sub, rg, ns), API.eventGrid, options)
  }

  /** The namespace once its operation (this run's or an earlier one's) has ended, whatever state it ended in. */
  waitForNamespace(
    sub: string,
    rg: string,
    ns: string,
    options: ReadOptions = {},
  ): Promise<EventGridNamespace | undefined> {
    return waitWhileBusy(() => this.getNamespace(sub, rg, ns, options), isProvisioning, `namespace ${ns}`, {
      ...this.arm.waits,
      abortSignal: options.abortSignal,
    })
  }

  getTopicSpace(
    sub: string,
    rg: string,
    ns: string,
    ts: string,
    options: ReadOptions = {},
  ): Promise<TopicSpace | undefined> {
    return this.read<TopicSpace>(topicSpaceId(sub, rg, ns, ts), sub, options)
  }

  /** Every topic space in the namespace (paged; no SDK lists them). */
  listTopicSpaces(sub: string, rg: string, ns: string, options: ReadOptions = {}): Promise<TopicSpace[]> {
    return this.arm.listAll<TopicSpace>(`${namespaceId(sub, rg, ns)}/topicSpaces`, API.eventGrid, options)
  }

  createOrUpdateTopicSpace(
    sub: string,
    rg: string,
    ns: string,
    ts: string,
    body: TopicSpaceBody,
    options: WriteOptions = {},
  ): Promise<TopicSpace> {
    return this.write(sub, topicSpaceId(sub, rg, ns, ts), 'PUT', body, options)
  }

  /** The topic space once its operation (this run's or an earlier one's) has ended. */
  waitForTopicSpace(
    sub: string,
    rg: string,
    ns: string,
    ts: string,
    options: ReadOptions = {},
  ): Promise<TopicSpace | undefined> {
    return waitWhileBusy(() => this.getTopicSpace(sub, rg, ns, ts, options), isProvisioning, `topic space ${ts}`, {
      ...this.arm.waits,
      abortSignal: options.abortSignal,
    })
  }

  deleteTopicSpace(sub: string, rg: string, ns: string, ts: string, options: WriteOptions = {}): Promise<boolean> {
    return deleteById(this.arm, sub, topicSpaceId(sub, rg, ns, ts), API.eventGrid, options)
  }

  private async read<T>(id: string, sub: string, options: ReadOptions): Promise<T | undefined> {
    const client = await this.arm.resources(sub)
    try {
      return (await client.resources.getById(sdkId(id), API.eventGrid, options)) as GenericResource as T
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
  }

  /** PUT (create or replace) or PATCH (change what differs) by id, then the SDK poller: the resource as it ended. */
  private async write<T>(
    sub: string,
    id: string,
    method: 'PUT' | 'PATCH',
    body: NamespaceCreateBody | NamespacePatchBody | TopicSpaceBody,
    options: WriteOptions,
  ): Promise<T> {
    const {resources} = await this.arm.resources(sub)
    const poller =
      method === 'PUT'
        ? resources.createOrUpdateById(sdkId(id), API.eventGrid, body, this.arm.pollerOptions)
        : resources.updateById(sdkId(id), API.eventGrid, body, this.arm.pollerOptions)
    return (await this.arm.waitFor(poller, id, options)) as GenericResource as T
  }
}

/** DELETE by id and wait: true once deleted, false when it was already gone. */
export async function deleteById(
  arm: ArmClient,
  sub: string,
  id: string,
  apiVersion: string,
  options: WriteOptions = {},
): Promise<boolean> {
  const client = await arm.resources(sub)
  return arm.waitForDelete(
    (onResponse) => client.resources.deleteById(sdkId(id), apiVersion, {...arm.pollerOptions, onResponse}),
    id,
    options,
  )
}
