import type {ArmClient} from './arm-client.js'
import {API, namespaceId, topicSpaceId} from './ids.js'

/** Microsoft.EventGrid/namespaces as ARM returns it (2025-02-15). */
export interface EventGridNamespace {
  id: string
  name: string
  location: string
  tags?: Record<string, string>
  sku?: {name: string; capacity?: number}
  properties: {
    provisioningState?: string
    topicSpacesConfiguration?: {
      state?: 'Enabled' | 'Disabled'
      maximumClientSessionsPerAuthenticationName?: number
      hostname?: string | null
      [k: string]: unknown
    }
    [k: string]: unknown
  }
}

export interface TopicSpace {
  id: string
  name: string
  properties: {provisioningState?: string; topicTemplates?: string[]; description?: string}
}

/**
 * Event Grid namespaces and topic spaces through the generic ARM client at the one stable api-version with them
 * (2025-02-15): @azure/arm-eventgrid (newest published) has no namespace operations. When one does, this file is the
 * swap.
 */
export class EventGridGateway {
  constructor(private readonly arm: ArmClient) {}

  getNamespace(sub: string, rg: string, ns: string): Promise<EventGridNamespace | undefined> {
    return this.arm.get<EventGridNamespace>(namespaceId(sub, rg, ns), API.eventGrid)
  }

  /**
   * `readBack: false`: return once the operation succeeded, without the final GET (setup reads the hostname itself).
   * `signal` stops the waiting, never the write.
   */
  createOrUpdateNamespace(
    sub: string,
    rg: string,
    ns: string,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<EventGridNamespace> {
    return this.arm.putAndWait<EventGridNamespace>(
      'PUT',
      namespaceId(sub, rg, ns),
      API.eventGrid,
      body,
      opts.signal,
      opts,
    )
  }

  updateNamespace(
    sub: string,
    rg: string,
    ns: string,
    patch: unknown,
    opts: WriteOptions = {},
  ): Promise<EventGridNamespace> {
    return this.arm.putAndWait<EventGridNamespace>(
      'PATCH',
      namespaceId(sub, rg, ns),
      API.eventGrid,
      patch,
      opts.signal,
      opts,
    )
  }

  deleteNamespace(sub: string, rg: string, ns: string): Promise<boolean> {
    return this.arm.deleteAndWait(namespaceId(sub, rg, ns), API.eventGrid)
  }

  getTopicSpace(sub: string, rg: string, ns: string, ts: string): Promise<TopicSpace | undefined> {
    return this.arm.get<TopicSpace>(topicSpaceId(sub, rg, ns, ts), API.eventGrid)
  }

  /** Every topic space in the namespace (paged). */
  listTopicSpaces(sub: string, rg: string, ns: string): Promise<TopicSpace[]> {
    return this.arm.listAll<TopicSpace>(`${namespaceId(sub, rg, ns)}/topicSpaces`, API.eventGrid)
  }

  /** Returns once the operation succeeded; the resource is not read back (nothing uses its final state). */
  createOrUpdateTopicSpace(
    sub: string,
    rg: string,
    ns: string,
    ts: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<TopicSpace> {
    return this.arm.putAndWait<TopicSpace>('PUT', topicSpaceId(sub, rg, ns, ts), API.eventGrid, body, signal, {
      readBack: false,
    })
  }

  deleteTopicSpace(sub: string, rg: string, ns: string, ts: string): Promise<boolean> {
    return this.arm.deleteAndWait(topicSpaceId(sub, rg, ns, ts), API.eventGrid)
  }

  /** The namespace once it has left Creating/Updating (its MQTT hostname is set then), whatever state it ended in. */
  waitForNamespace(sub: string, rg: string, ns: string, signal?: AbortSignal): Promise<EventGridNamespace | undefined> {
    return this.arm.waitForProvisioning<EventGridNamespace>(namespaceId(sub, rg, ns), API.eventGrid, signal)
  }
}

interface WriteOptions {
  readBack?: boolean
  signal?: AbortSignal
}
