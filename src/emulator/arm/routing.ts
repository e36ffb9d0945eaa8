import {armErrors} from './arm-error.js'
import {authorize} from './auth.js'
import type {EmulatorContext} from './context.js'
import {handleDeployments} from './deployments.js'
import {handleExtensions} from './extensions.js'
import {type ArmCall, type ArmReply, pager} from './http.js'
import {handleMetrics} from './metrics.js'
import {findTypeSpec, resourceIdOf} from './resource-types.js'
import {handleTracked} from './resources.js'
import {handleRoleAssignments} from './roles.js'
import {handleProvider, handleResourceGroup, handleSubscription} from './subscriptions.js'

/**
 * Which handler answers an ARM path. Fixed segments match case-insensitively (`ls`), names keep the request's case.
 * Order: the subscription, its operation polls and providers, the resource group, then what sits under
 * `…/providers/<namespace>/…`: extension resources at any scope (role assignments, metrics, cluster extensions),
 * deployments, and last the tracked resource types.
 */
export function route(ctx: EmulatorContext, call: ArmCall): ArmReply {
  const {state} = ctx
  const {segs, ls} = call
  if (ls[0] !== 'subscriptions' || !segs[1]) throw armErrors.invalidUri(call.path)
  const subRec = state.subscription(segs[1])
  if (!subRec) throw armErrors.subscriptionNotFound(segs[1])
  const sub = subRec.subscriptionId
  const n = segs.length

  if (n === 2) return handleSubscription(state, call, subRec)
  if (n === 4 && ls[2] === 'operationresults') return ctx.operations.poll(segs[3] as string, call, ctx.baseUrl)
  if (ls[2] === 'providers' && (n === 4 || (n === 5 && ls[4] === 'register')))
    return handleProvider(state, call, sub, segs[3] as string)
  if (
    ls[2] === 'providers' &&
    n === 8 &&
    ls[4] === 'locations' &&
    /^operation(s?status(es)?|results)$/.test(ls[6] ?? '')
  )
    return ctx.operations.poll(segs[7] as string, call, ctx.baseUrl)
  let rgName: string | undefined
  if (ls[2] === 'resourcegroups') {
    if (n === 4) return handleResourceGroup(state, call, sub, segs[3] as string)
    const rg = state.get(`/subscriptions/${sub}/resourceGroups/${segs[3]}`)
    if (!rg) throw armErrors.resourceGroupNotFound(segs[3] as string)
    rgName = rg.name
  }
  const p = ls.lastIndexOf('providers')
  if (p < 2 || n < p + 3) throw armErrors.invalidUri(call.path)
  const ns = ls[p + 1] as string
  const rest = segs.slice(p + 2)
  const restL = ls.slice(p + 2)
  const scope = canonicalScope(segs.slice(0, p), sub, rgName)

  if (ns === 'microsoft.authorization' && restL[0] === 'roleassignments' && rest.length <= 2) {
    const name = rest[1]
    const verb = call.method === 'GET' ? 'read' : call.method === 'DELETE' ? 'delete' : 'write'
    authorize(
      state,
      name ? `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}` : scope,
      `Microsoft.Authorization/roleAssignments/${verb}`,
      call.caller,
    )
    return handleRoleAssignments(call, state, scope, name, pager(call, ctx.options.listPageSize ?? 0, ctx.baseUrl))
  }
  if (ns === 'microsoft.insights' && restL[0] === 'metrics' && rest.length === 1) {
    authorize(state, scope, 'Microsoft.Insights/metrics/read', call.caller)
    return handleMetrics(call, state, scope)
  }
  if (ns === 'microsoft.kubernetesconfiguration' && restL[0] === 'extensions' && rest.length <= 2)
    return handleExtensions(ctx, call, scope, rest[1])
  if (ns === 'microsoft.resources' && restL[0] === 'deployments' && rgName && p === 4)
    return handleDeployments(ctx, call, sub, rgName, rest.slice(1))
  if (!rgName || p !== 4) throw armErrors.invalidUri(call.path)
  return handleTracked(ctx, call, sub, rgName, rest)
}

/** The scope an extension resource sits on, with the ids' canonical case (known types) and the stored rg name. */
function canonicalScope(segs: string[], sub: string, rg: string | undefined): string {
  if (segs.length <= 2) return `/subscriptions/${sub}`
  if (segs.length <= 4) return `/subscriptions/${sub}/resourceGroups/${rg}`
  const p = segs.findIndex((s) => s.toLowerCase() === 'providers')
  const rest = segs.slice(p + 1)
  const spec = findTypeSpec([rest[0], ...rest.slice(1).filter((_, i) => i % 2 === 0)].join('/'))
  if (!spec) return `/subscriptions/${sub}/resourceGroups/${rg}/${segs.slice(4).join('/')}`
  return resourceIdOf(
    spec,
    sub,
    rg ?? '',
    rest.slice(1).filter((_, i) => i % 2 === 1),
  )
}
