import {AioBridgeError, ExitCode} from '../errors.js'
import type {ArmClient} from './arm-client.js'
import {API, resourceGroupId} from './ids.js'

export interface DeploymentBody {
  /** Deployment tags: setup's record of the namespace it deployed for (model/bridge-record.ts). */
  tags?: Record<string, string>
  properties: {
    mode: 'Incremental'
    template: unknown
    parameters: Record<string, {value: unknown}>
  }
}

export interface WhatIfChange {
  resourceId: string
  changeType: 'Create' | 'Delete' | 'Ignore' | 'Deploy' | 'NoChange' | 'Modify' | 'Unsupported'
  before?: unknown
  after?: unknown
  delta?: unknown
}

export interface Deployment {
  id: string
  name: string
  tags?: Record<string, string>
  properties: {
    provisioningState?: string
    outputs?: Record<string, {value: unknown}>
    outputResources?: Array<{id: string}>
  }
}

/**
 * ARM template deployments into a resource group (what `az deployment group create` does after compiling Bicep).
 * Through the shared ArmClient rather than @azure/arm-resourcesdeployments: same pipeline, same LRO handling.
 * ARM spells the segment `resourcegroups` in deployment paths.
 */
export class DeploymentsGateway {
  constructor(private readonly arm: ArmClient) {}

  private path(sub: string, rg: string, name: string): string {
    return `${resourceGroupId(sub, rg).replace('/resourceGroups/', '/resourcegroups/')}/providers/Microsoft.Resources/deployments/${name}`
  }

  async createOrUpdateDeployment(
    sub: string,
    rg: string,
    name: string,
    body: DeploymentBody,
    signal?: AbortSignal,
  ): Promise<Deployment> {
    try {
      // Not read back when it succeeded: a failure comes with the operation's status, and no caller uses the record.
      return await this.arm.putAndWait<Deployment>('PUT', this.path(sub, rg, name), API.deployments, body, signal, {
        readBack: false,
      })
    } catch (err) {
      if (err instanceof AioBridgeError && err.code === 'OPERATION_FAILED') {
        throw new AioBridgeError('DEPLOYMENT_FAILED', deploymentFailure(name, err), {
          exitCode: ExitCode.deploymentFailed,
          remedy: `See the details (az deployment group show -g ${rg} -n ${name} and az deployment operation group list -g ${rg} -n ${name}), fix the cause, and run setup again.`,
          details: err.details,
          cause: err,
        })
      }
      throw err
    }
  }

  getDeployment(sub: string, rg: string, name: string, signal?: AbortSignal): Promise<Deployment | undefined> {
    return this.arm.get<Deployment>(this.path(sub, rg, name), API.deployments, signal)
  }

  /** Deletes the deployment record only (never the resources it deployed). Already gone → false. */
  deleteDeployment(sub: string, rg: string, name: string, signal?: AbortSignal): Promise<boolean> {
    return this.arm.deleteAndWait(this.path(sub, rg, name), API.deployments, signal)
  }

  async whatIf(
    sub: string,
    rg: string,
    name: string,
    body: DeploymentBody,
    signal?: AbortSignal,
  ): Promise<WhatIfChange[]> {
    const res = await this.arm.postAndWait<{
      status?: string
      changes?: WhatIfChange[]
      properties?: {changes?: WhatIfChange[]}
      error?: {code?: string; message?: string}
    }>(
      `${this.path(sub, rg, name)}/whatIf`,
      API.deployments,
      {properties: {...body.properties, whatIfSettings: {resultFormat: 'FullResourcePayloads'}}},
      signal,
    )
    if (res?.error) {
      throw new AioBridgeError(
        'WHATIF_FAILED',
        `What-if for '${name}' failed: ${res.error.code ?? ''} ${res.error.message ?? ''}`.trim(),
        {
          exitCode: ExitCode.deploymentFailed,
          remedy: 'Fix what the message names (often the custom location or instance), then run again.',
        },
      )
    }
    return res?.properties?.changes ?? res?.changes ?? []
  }
}

/** "Deployment 'x' failed: InvalidExtendedLocation: …" from the inner ARM errors, or the operation's own error. */
function deploymentFailure(name: string, err: AioBridgeError): string {
  const d = err.details as {armCode?: string; causes?: Array<{code?: string; message?: string}>} | undefined
  const causes = (d?.causes ?? []).map((c) => `${c.code ?? '?'}: ${c.message ?? ''}`.trim())
  const why = causes.length > 0 ? causes.join('; ') : err.message
  return `Deployment '${name}' failed: ${why}`
}
