import {AioBridgeError, ExitCode} from '../errors.js'
import type {ArmParameterValues, ArmTemplate} from '../render/arm.js'
import type {ArmClient} from './arm-client.js'
import {armCodeOf, isNotFound} from './arm-errors.js'
import {resourceGroupId} from './ids.js'
import {waitWhileBusy} from './wait.js'

/** What setup deploys: an incremental deployment of the rendered ARM template. */
export interface DeploymentBody {
  /** Deployment tags: setup's record of the namespace it deployed for (model/bridge-record.ts). */
  tags?: Record<string, string>
  properties: {
    mode: 'Incremental'
    template: ArmTemplate
    parameters: ArmParameterValues
  }
}

export interface WhatIfChange {
  resourceId: string
  changeType: 'Create' | 'Delete' | 'Ignore' | 'Deploy' | 'NoChange' | 'Modify' | 'Unsupported' | string
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

export interface DeploymentReadOptions {
  abortSignal?: AbortSignal
}

export interface DeploymentWriteOptions {
  /** Told once Azure accepted the deployment (what exists if the wait then fails or is interrupted). */
  onSubmitted?: () => void
  /** Told when the deployment was found still running (an earlier, interrupted run's) and is waited for. */
  onWaitingForEarlier?: () => void
  abortSignal?: AbortSignal
}

/** An ARM deployment whose operation has not ended. */
function isRunning(d: Deployment): boolean {
  const s = d.properties.provisioningState
  return s === 'Accepted' || s === 'Running' || s === 'Creating' || s === 'Updating' || s === 'Deleting'
}

/**
 * ARM template deployments into a resource group (what `az deployment group create` does after compiling Bicep),
 * through @azure/arm-resourcesdeployments pinned to the api-version in use (API.deployments).
 */
export class DeploymentsGateway {
  constructor(private readonly arm: ArmClient) {}

  /**
   * Deploys and waits. A deployment of the same name still running (an interrupted run's: ARM answers 409
   * DeploymentActive) is waited for, then this run's template is deployed over it: the run continues rather than fail.
   */
  async createOrUpdateDeployment(
    sub: string,
    rg: string,
    name: string,
    body: DeploymentBody,
    options: DeploymentWriteOptions = {},
  ): Promise<void> {
    const client = await this.arm.deployments(sub)
    const deploy = () =>
      this.arm.waitFor(
        client.deployments.createOrUpdate(rg, name, body, this.arm.pollerOptions),
        `deployment ${name}`,
        {
          onSubmitted: options.onSubmitted,
          abortSignal: options.abortSignal,
        },
      )
    try {
      try {
        await deploy()
      } catch (err) {
        if (armCodeOf(err) !== 'DeploymentActive') throw err
        options.onWaitingForEarlier?.()
        await waitWhileBusy(() => this.getDeployment(sub, rg, name, options), isRunning, `deployment ${name}`, {
          ...this.arm.waits,
          abortSignal: options.abortSignal,
        })
        await deploy()
      }
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

  async getDeployment(
    sub: string,
    rg: string,
    name: string,
    options: DeploymentReadOptions = {},
  ): Promise<Deployment | undefined> {
    const client = await this.arm.deployments(sub)
    try {
      const d = await client.deployments.get(rg, name, options)
      return {
        id: d.id ?? `${resourceGroupId(sub, rg)}/providers/Microsoft.Resources/deployments/${name}`,
        name: d.name ?? name,
        ...(d.tags ? {tags: d.tags} : {}),
        properties: {
          provisioningState: d.properties?.provisioningState,
          outputs: d.properties?.outputs as Deployment['properties']['outputs'],
          outputResources: (d.properties?.outputResources ?? []).flatMap((o) => (o.id ? [{id: o.id}] : [])),
        },
      }
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
  }

  /** Deletes the deployment record only (never the resources it deployed). Already gone → false. */
  async deleteDeployment(
    sub: string,
    rg: string,
    name: string,
    options: DeploymentWriteOptions = {},
  ): Promise<boolean> {
    const client = await this.arm.deployments(sub)
    return this.arm.waitForDelete(
      (onResponse) => client.deployments.delete(rg, name, {...this.arm.pollerOptions, onResponse}),
      `deployment ${name}`,
      options,
    )
  }

  async whatIf(
    sub: string,
    rg: string,
    name: string,
    body: DeploymentBody,
    options: DeploymentReadOptions = {},
  ): Promise<WhatIfChange[]> {
    const client = await this.arm.deployments(sub)
    const poller = client.deployments.whatIf(
      rg,
      name,
      {properties: {...body.properties, whatIfSettings: {resultFormat: 'FullResourcePayloads'}}},
      this.arm.pollerOptions,
    )
    const res = await this.arm.waitFor(poller, `what-if ${name}`, options)
    if (res.error) {
      throw new AioBridgeError(
        'WHATIF_FAILED',
        `What-if for '${name}' failed: ${res.error.code ?? ''} ${res.error.message ?? ''}`.trim(),
        {
          exitCode: ExitCode.deploymentFailed,
          remedy: 'Fix what the message names (often the custom location or instance), then run again.',
        },
      )
    }
    return (res.changes ?? []).map((c) => ({
      resourceId: c.resourceId ?? '',
      changeType: c.changeType,
      ...(c.before !== undefined ? {before: c.before} : {}),
      ...(c.after !== undefined ? {after: c.after} : {}),
      ...(c.delta !== undefined ? {delta: c.delta} : {}),
    }))
  }
}

/** "Deployment 'x' failed: InvalidExtendedLocation: …" from the inner ARM errors, or the operation's own error. */
function deploymentFailure(name: string, err: AioBridgeError): string {
  const d = err.details as {armCode?: string; causes?: Array<{code?: string; message?: string}>} | undefined
  const causes = (d?.causes ?? []).map((c) => `${c.code ?? '?'}: ${c.message ?? ''}`.trim())
  const why = causes.length > 0 ? causes.join('; ') : err.message
  return `Deployment '${name}' failed: ${why}`
}
