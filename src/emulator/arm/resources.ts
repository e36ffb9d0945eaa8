import {ArmHttpError, armErrors} from './arm-error.js'
import {authorize} from './auth.js'
import type {EmulatorContext} from './context.js'
import {type ArmCall, type ArmReply, bodyObject, methodNotAllowed, ok, pager, requireApiVersion} from './http.js'
import {canonicalProvider, clone, findTypeSpec, resourceIdOf, type TypeSpec} from './resource-types.js'
import {key, type Operation} from './state.js'
import type {TemplateResource} from './template.js'
import type {ArmResource} from './types.js'

/**
 * The generic store of tracked resources under a resource group: GET/HEAD/PUT/PATCH/DELETE and list for every type in
 * resource-types.ts. PUT, PATCH, template deployments and what-if share one `build` (registration, parent, name,
 * body) and one `provision`; a PUT or PATCH then runs as a long-running operation, a deployment's step at once.
 */

/** Which resource a write addresses. */
interface Target {
  spec: TypeSpec
  id: string
  /** Names of each type segment (`['ns', 'ts']` for a topic space). */
  names: string[]
  sub: string
  rg: string
}

interface Write {
  body: Record<string, unknown>
  method: 'PUT' | 'PATCH'
  existing: ArmResource | undefined
}

/** A resource as GET, list and the write's answer return it: every read goes through here. */
function present(r: ArmResource): Record<string, unknown> {
  return clone(r) as unknown as Record<string, unknown>
}

/** `rest`: the segments after `providers/<namespace>`, alternating type and name. */
export function handleTracked(ctx: EmulatorContext, call: ArmCall, sub: string, rg: string, rest: string[]): ArmReply {
  const {state} = ctx
  const types = rest.filter((_, i) => i % 2 === 0)
  const names = rest.filter((_, i) => i % 2 === 1)
  const ns = canonicalProvider(call.segs[call.ls.lastIndexOf('providers') + 1] as string)
  const spec = findTypeSpec(`${ns}/${types.join('/')}`)
  if (!spec) {
    throw new ArmHttpError(
      404,
      'InvalidResourceType',
      `The resource type '${types.join('/')}' could not be found in the namespace '${ns}' for api version '${call.apiVersion}'.`,
    )
  }
  requireApiVersion(call, spec.apiVersions, spec.type)
  if (names.length < types.length) {
    // Collection: GET …/instances or …/dataflows.
    if (call.method !== 'GET') throw methodNotAllowed(call)
    const parentId = resourceIdOf(spec, sub, rg, names)
    if (names.length > 0 && !state.has(parentId)) throw armErrors.scopeNotFound(parentId)
    authorize(state, parentId, `${spec.type}/read`, call.caller)
    const items =
      names.length === 0
        ? state.list(spec.type).filter((r) => key(r.id).startsWith(key(`/subscriptions/${sub}/resourceGroups/${rg}/`)))
        : state.list(spec.type, parentId)
    return ok(pager(call, ctx.options.listPageSize ?? 0, ctx.baseUrl)(items.map(present)))
  }
  const target: Target = {spec, id: resourceIdOf(spec, sub, rg, names), names, sub, rg}
  const {id} = target
  const existing = state.get(id)
  const m = call.method
  if (m === 'GET' || m === 'HEAD') {
    authorize(state, id, `${spec.type}/read`, call.caller)
    if (!existing) throw notFound(target)
    return m === 'HEAD' ? {status: 204} : ok(present(existing))
  }
  if (m === 'DELETE') {
    authorize(state, id, `${spec.type}/delete`, call.caller)
    if (!spec.build) throw methodNotAllowed(call)
    if (!existing) return {status: 204}
    ctx.operations.finishPending(id)
    existing.properties.provisioningState = 'Deleting'
    const op = ctx.operations.start({kind: 'location', target: key(id), complete: () => void state.deleteTree(id)})
    return {
      status: 202,
      headers: ctx.operations.deleteHeaders(ctx.baseUrl, sub, spec.provider, existing, op, call.apiVersion),
    }
  }
  if (m !== 'PUT' && m !== 'PATCH') throw methodNotAllowed(call)
  authorize(state, id, `${spec.type}/write`, call.caller)
  const body = bodyObject(call)
  if (m === 'PATCH' && !existing) throw notFound(target)
  if (m === 'PATCH' && !spec.patchable) throw methodNotAllowed(call)
  const {resource, op} = write(ctx, target, {body, method: m, existing})
  return ok(
    present(resource),
    existing ? 200 : 201,
    ctx.operations.writeHeaders(ctx.baseUrl, sub, spec.provider, resource, op, call.apiVersion),
  )
}

/** Writes one template resource at once (a deployment's step: same checks as a PUT, no operation of its own). */
export function writeDirect(ctx: EmulatorContext, res: TemplateResource, sub: string, rg: string): void {
  const {target, body} = templateTarget(res, sub, rg)
  const resource = build(ctx, target, {body, method: 'PUT', existing: ctx.state.get(target.id)})
  ctx.operations.finishPending(target.id)
  provision(ctx, target.spec, resource)
  ctx.state.set(resource)
}

/** What a PUT of the template resource would store (validation included), without storing it: what-if's "after". */
export function preview(ctx: EmulatorContext, res: TemplateResource, sub: string, rg: string): ArmResource {
  const {target, body} = templateTarget(res, sub, rg)
  // What-if sees the whole template: a parent created by the same template counts as present.
  const r = build(
    ctx,
    target,
    {body, method: 'PUT', existing: ctx.state.get(target.id)},
    new Set([key(target.id.split('/').slice(0, -2).join('/'))]),
  )
  provision(ctx, target.spec, r)
  return r
}

function notFound(t: Target): ArmHttpError {
  return armErrors.resourceNotFound(t.spec.type.split('/').slice(0, 2).join('/'), t.names.join('/'), t.rg)
}

/** What provisioning ends with: Succeeded, and what the type adds then (a namespace's hostname). */
function provision(ctx: EmulatorContext, spec: TypeSpec, r: ArmResource): void {
  r.properties.provisioningState = 'Succeeded'
  spec.onProvisioned?.(r, ctx.env)
}

/** A PUT or PATCH: stored as Creating/Updating at once, provisioned by the operation it starts. */
function write(ctx: EmulatorContext, t: Target, w: Write): {resource: ArmResource; op: Operation} {
  const {state, operations} = ctx
  const {spec, id} = t
  const resource = build(ctx, t, w)
  operations.finishPending(id)
  resource.properties.provisioningState = w.existing ? 'Updating' : 'Creating'
  spec.onInProgress?.(resource)
  state.set(resource)
  const op = operations.start({
    kind: 'async',
    target: key(id),
    complete: () => {
      const r = state.get(id)
      if (r && r.properties.provisioningState !== 'Deleting') provision(ctx, spec, r)
    },
  })
  return {resource, op}
}

/** Checks registration, the parent, the name and the body; returns what would be stored. */
function build(ctx: EmulatorContext, t: Target, w: Write, pendingParents: Set<string> = new Set()): ArmResource {
  const {state} = ctx
  const {spec, id, names, sub} = t
  if (!spec.build)
    throw new ArmHttpError(405, 'MethodNotAllowed', `The emulator does not write '${spec.type}' resources.`)
  const last = names[names.length - 1] as string
  const problem = spec.checkName?.(last)
  if (problem) throw armErrors.invalidName(last, problem)
  if (w.method === 'PUT' && !w.existing && state.providerState(sub, spec.provider) !== 'Registered') {
    throw armErrors.missingRegistration(spec.provider)
  }
  if (names.length > 1) {
    const parentId = id.split('/').slice(0, -2).join('/')
    if (!state.has(parentId) && !pendingParents.has(key(parentId))) {
      throw armErrors.parentNotFound(names.slice(0, -1).join('/'))
    }
  }
  if (spec.type === 'Microsoft.EventGrid/namespaces' && !w.existing && state.takenNames.has(last.toLowerCase())) {
    throw new ArmHttpError(
      409,
      'NamespaceNameUnavailable',
      `Namespace name '${last}' is already in use. Namespace names must be unique within a region; choose another name.`,
    )
  }
  return spec.build({
    id: w.existing?.id ?? id,
    names,
    subscriptionId: sub,
    resourceGroup: t.rg,
    body: w.body,
    existing: w.existing,
    method: w.method,
    state,
    env: ctx.env,
  })
}

function templateTarget(
  res: TemplateResource,
  sub: string,
  rg: string,
): {target: Target; body: Record<string, unknown>} {
  const spec = findTypeSpec(res.type)
  if (!spec?.build) {
    throw new ArmHttpError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location and API version '${res.apiVersion}' for type '${res.type}' (the emulator does not deploy this type).`,
    )
  }
  if (!spec.apiVersions.includes(res.apiVersion)) {
    throw new ArmHttpError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for API version '${res.apiVersion}' and type '${res.type}'. The supported api-versions are '${spec.apiVersions.join(', ')}'.`,
    )
  }
  return {target: {spec, id: resourceIdOf(spec, sub, rg, res.names), names: res.names, sub, rg}, body: res.body}
}
