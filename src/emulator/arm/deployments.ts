import {createHash, randomUUID} from 'node:crypto'
import {ArmHttpError} from './arm-error.js'
import {authorize} from './auth.js'
import type {EmulatorContext} from './context.js'
import {type ArmCall, type ArmReply, bodyObject, methodNotAllowed, ok, requireApiVersion} from './http.js'
import {API_VERSIONS, checkTags, findTypeSpec, stripPaths} from './resource-types.js'
import {preview, writeDirect} from './resources.js'
import {type EvaluatedTemplate, evaluateTemplate} from './template.js'
import type {ArmResource} from './types.js'

/**
 * Microsoft.Resources/deployments at resource-group scope: PUT (incremental mode, the template evaluated by
 * template.ts, its resources written as if PUT one by one when the operation completes), GET, DELETE, list and
 * what-if (computed against the current state).
 */

const TYPE = 'Microsoft.Resources/deployments'

function deploymentId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${TYPE}/${name}`
}

function view(d: ArmResource): Record<string, unknown> {
  return {id: d.id, name: d.name, type: TYPE, ...(d.tags ? {tags: d.tags} : {}), properties: d.properties}
}

const DEPLOYMENT_FAILED =
  'At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.'

function parseRequest(
  call: ArmCall,
  sub: string,
  rg: string,
): {props: Record<string, unknown>; evaluated: EvaluatedTemplate} {
  const props = bodyObject(call).properties as Record<string, unknown> | undefined
  if (!props || typeof props !== 'object') {
    throw new ArmHttpError(400, 'InvalidRequestContent', "The request content was invalid: 'properties' is required.")
  }
  if (props.mode !== 'Incremental') {
    throw new ArmHttpError(
      400,
      'InvalidDeploymentMode',
      `The deployment mode '${String(props.mode)}' is not supported by the emulator; use 'Incremental'.`,
    )
  }
  if (props.templateLink !== undefined || props.parametersLink !== undefined) {
    throw new ArmHttpError(
      400,
      'InvalidTemplate',
      'Deployment template validation failed: template links are not supported by the emulator.',
    )
  }
  if (props.template === undefined) {
    throw new ArmHttpError(
      400,
      'InvalidRequestContent',
      "The request content was invalid: 'properties.template' is required.",
    )
  }
  return {
    props,
    evaluated: evaluateTemplate(props.template, props.parameters, {subscriptionId: sub, resourceGroup: rg}),
  }
}

export function handleDeployments(
  ctx: EmulatorContext,
  call: ArmCall,
  sub: string,
  rg: string,
  rest: string[],
): ArmReply {
  const {state, operations} = ctx
  // rest: [] list | [name] | [name, 'whatIf'] | [name, 'operationStatuses', id]
  if (rest.length === 3 && rest[1]?.toLowerCase() === 'operationstatuses') return pollDeployment(ctx, rest[2] as string)
  requireApiVersion(call, API_VERSIONS.deployments, TYPE)
  if (rest.length === 0) {
    if (call.method !== 'GET') throw methodNotAllowed(call)
    const prefix = `/subscriptions/${sub}/resourcegroups/${rg}/`.toLowerCase()
    return ok({
      value: state
        .list(TYPE)
        .filter((d) => d.id.toLowerCase().startsWith(prefix))
        .map(view),
    })
  }
  const name = rest[0] as string
  const id = deploymentId(sub, rg, name)
  if (rest.length === 2 && rest[1]?.toLowerCase() === 'whatif') {
    if (call.method !== 'POST') throw methodNotAllowed(call)
    return whatIf(ctx, call, sub, rg)
  }
  if (rest.length !== 1) throw new ArmHttpError(404, 'NotFound', `No route for ${call.path}.`)
  const existing = state.get(id)
  if (call.method === 'GET') {
    if (!existing) throw new ArmHttpError(404, 'DeploymentNotFound', `Deployment '${name}' could not be found.`)
    return ok(view(existing))
  }
  if (call.method === 'DELETE') {
    // ARM: 204 when there is no such deployment; 202 + Location (then 204) when there is.
    if (!existing) return {status: 204}
    operations.finishPending(id)
    const op = operations.start({
      kind: 'location',
      target: id.toLowerCase(),
      complete: () => void state.deleteTree(id),
    })
    const url = `${ctx.baseUrl}/subscriptions/${sub}/operationresults/${op.id}?api-version=${call.apiVersion}`
    return {status: 202, headers: {Location: url}}
  }
  if (call.method !== 'PUT') throw methodNotAllowed(call)
  if (!/^[-\w.()]{1,64}$/.test(name)) {
    throw new ArmHttpError(
      400,
      'InvalidDeploymentName',
      `The deployment name '${name}' is invalid: 1 to 64 letters, digits, '-', '_', '.', '(' or ')'.`,
    )
  }
  const {props, evaluated} = parseRequest(call, sub, rg)
  // As ARM: the PUT's tags replace the record's (none given: none kept), checked like any resource's.
  const tags = checkTags((call.body as {tags?: unknown} | undefined)?.tags)
  authorize(state, id, `${TYPE}/write`, call.caller)
  for (const r of evaluated.resources) if (!r.existing) authorize(state, r.id, `${r.type}/write`, call.caller)
  operations.finishPending(id)

  const started = state.now()
  const correlationId = randomUUID()
  const deployment: ArmResource = {
    id: existing?.id ?? id,
    name: existing?.name ?? name,
    type: TYPE,
    ...(tags ? {tags} : {}),
    properties: {
      templateHash: createHash('sha256').update(JSON.stringify(props.template)).digest('hex').slice(0, 20),
      parameters: evaluated.parameters,
      mode: 'Incremental',
      provisioningState: 'Running',
      timestamp: new Date(started).toISOString(),
      duration: 'PT0S',
      correlationId,
      providers: [],
      dependencies: [],
    },
  }
  state.set(deployment)
  const op = operations.start({
    kind: 'async',
    target: deployment.id.toLowerCase(),
    complete: () => {
      const failures: Array<{code: string; message: string; target: string}> = []
      const failed = new Set<string>()
      const written: string[] = []
      for (const r of evaluated.resources) {
        if (r.dependsOnIds.some((d) => failed.has(d.toLowerCase()))) {
          failed.add(r.id.toLowerCase())
          continue
        }
        try {
          if (r.existing) {
            if (!state.has(r.id)) {
              throw new ArmHttpError(
                404,
                'ResourceNotFound',
                `The Resource '${r.type}/${r.name}' under resource group '${rg}' was not found.`,
              )
            }
          } else {
            writeDirect(ctx, r, sub, rg)
            written.push(r.id)
          }
        } catch (err) {
          if (!(err instanceof ArmHttpError)) throw err
          failed.add(r.id.toLowerCase())
          failures.push({code: err.code, message: err.message, target: r.id})
        }
      }
      const p = deployment.properties
      p.duration = `PT${((state.now() - started) / 1000).toFixed(3)}S`
      p.outputResources = written.map((w) => ({id: w}))
      if (failures.length > 0) {
        p.provisioningState = 'Failed'
        p.error = {code: 'DeploymentFailed', message: DEPLOYMENT_FAILED, details: failures}
        op.status = 'Failed'
        op.error = p.error as Record<string, unknown>
      } else {
        p.provisioningState = 'Succeeded'
        p.outputs = evaluated.outputs
      }
    },
  })
  const status = `${ctx.baseUrl}/subscriptions/${sub}/resourcegroups/${rg}/providers/${TYPE}/${name}/operationStatuses/${op.id}?api-version=${call.apiVersion}`
  return ok(
    {...view(deployment), properties: {...deployment.properties, provisioningState: 'Accepted'}},
    existing ? 200 : 201,
    {
      'Azure-AsyncOperation': status,
    },
  )
}

/** The deployment's Azure-AsyncOperation: `Running` until it ends, and while `deploymentSettled` holds it. */
function pollDeployment(ctx: EmulatorContext, opId: string): ArmReply {
  const {state} = ctx
  const op = state.operations.get(opId)
  if (!op) throw new ArmHttpError(404, 'OperationNotFound', `The operation '${opId}' could not be found.`)
  ctx.operations.advance(op)
  const written = (
    (state.get(op.target ?? '')?.properties.outputResources as Array<{id: string}> | undefined) ?? []
  ).map((r) => r.id)
  const settled = ctx.options.deploymentSettled
  const held = op.status === 'Succeeded' && settled !== undefined && !settled(written)
  return {
    status: 200,
    body: {status: op.status === 'InProgress' || held ? 'Running' : op.status, ...(op.error ? {error: op.error} : {})},
    poll: true,
  }
}

function comparable(r: Record<string, unknown>, readOnly: string[][]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of ['location', 'tags', 'sku', 'identity', 'kind', 'extendedLocation'])
    if (r[f] !== undefined) out[f] = r[f]
  out.properties = stripPaths((r.properties ?? {}) as Record<string, unknown>, readOnly)
  return out
}

/** Property-level differences, flattened to dotted paths (arrays compared whole). */
function delta(before: unknown, after: unknown, path = ''): Array<Record<string, unknown>> {
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)
  if (isObj(before) && isObj(after)) {
    const out: Array<Record<string, unknown>> = []
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      out.push(...delta(before[k], after[k], path ? `${path}.${k}` : k))
    }
    return out
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return []
  const propertyChangeType =
    before === undefined ? 'Create' : after === undefined ? 'Delete' : Array.isArray(after) ? 'Array' : 'Modify'
  return [{path, propertyChangeType, before, after}]
}

function whatIf(ctx: EmulatorContext, call: ArmCall, sub: string, rg: string): ArmReply {
  const {evaluated} = parseRequest(call, sub, rg)
  const changes: Array<Record<string, unknown>> = []
  const errors: Array<{code: string; message: string; target: string}> = []
  for (const r of evaluated.resources) {
    if (r.existing) continue
    const before = ctx.state.get(r.id)
    let after: ArmResource
    try {
      after = preview(ctx, r, sub, rg)
    } catch (err) {
      if (!(err instanceof ArmHttpError)) throw err
      errors.push({code: err.code, message: err.message, target: r.id})
      continue
    }
    const readOnly = findTypeSpec(r.type)?.readOnly ?? []
    const a = comparable(after as unknown as Record<string, unknown>, readOnly)
    if (!before) {
      changes.push({
        resourceId: r.id,
        changeType: 'Create',
        after: {id: r.id, name: after.name, type: after.type, apiVersion: r.apiVersion, ...a},
      })
      continue
    }
    const b = comparable(before as unknown as Record<string, unknown>, readOnly)
    const d = delta(b, a)
    const full = (x: Record<string, unknown>) => ({
      id: before.id,
      name: before.name,
      type: before.type,
      apiVersion: r.apiVersion,
      ...x,
    })
    changes.push({
      resourceId: before.id,
      changeType: d.length === 0 ? 'NoChange' : 'Modify',
      before: full(b),
      after: full(a),
      ...(d.length ? {delta: d} : {}),
    })
  }
  const result =
    errors.length > 0
      ? {
          status: 'Failed',
          error: {
            code: 'DeploymentWhatIfResourceError',
            message: 'The what-if operation failed for at least one resource.',
            details: errors,
          },
        }
      : {status: 'Succeeded', properties: {changes}}
  const op = ctx.operations.start({kind: 'location', result})
  const url = `${ctx.baseUrl}/subscriptions/${sub}/operationresults/${op.id}?api-version=${call.apiVersion}`
  return {status: 202, headers: {Location: url}}
}
