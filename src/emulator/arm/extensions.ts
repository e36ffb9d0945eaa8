import {ArmHttpError, armErrors} from './arm-error.js'
import {authorize} from './auth.js'
import type {EmulatorContext} from './context.js'
import {type ArmCall, type ArmReply, methodNotAllowed, ok, pager, requireApiVersion} from './http.js'
import {API_VERSIONS, clone} from './resource-types.js'
import {key} from './state.js'

/**
 * Microsoft.KubernetesConfiguration/extensions of a connected cluster: list (paged, `pageSize` a page, so nextLink
 * paging is always exercised) and GET one. Read-only: the seed installs them.
 */
export function handleExtensions(
  ctx: EmulatorContext,
  call: ArmCall,
  clusterId: string,
  name: string | undefined,
): ArmReply {
  const {state} = ctx
  requireApiVersion(call, API_VERSIONS.extensions, 'Microsoft.KubernetesConfiguration/extensions')
  if (call.method !== 'GET') throw methodNotAllowed(call)
  authorize(state, clusterId, 'Microsoft.KubernetesConfiguration/extensions/read', call.caller)
  const cluster = state.get(clusterId)
  if (
    !cluster ||
    !/\/providers\/microsoft\.kubernetes\/(connectedclusters|provisionedclusters)\//.test(key(clusterId))
  ) {
    throw armErrors.scopeNotFound(clusterId)
  }
  const items = state.list('Microsoft.KubernetesConfiguration/extensions', cluster.id)
  if (name === undefined) return ok(pager(call, ctx.options.pageSize ?? 1, ctx.baseUrl)(items.map(clone)))
  const ext = items.find((e) => e.name.toLowerCase() === name.toLowerCase())
  if (!ext)
    throw new ArmHttpError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.KubernetesConfiguration/extensions/${name}' was not found.`,
    )
  return ok(clone(ext))
}
