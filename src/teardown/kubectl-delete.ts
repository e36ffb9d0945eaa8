import {kubectlError, runKubectl} from '../apply/kubectl.js'
import type {AioBridgeError} from '../errors.js'

/**
 * teardown --target kubernetes: `kubectl delete --ignore-not-found -f -` with the rendered manifest on stdin and the
 * arguments as an array (no shell). Objects already gone print nothing and are not an error.
 */

export interface KubectlDeleteOptions {
  kubectl: string
  manifest: string
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  timeoutInMs?: number
}

export interface KubectlDeleteResult {
  /** Objects kubectl reported deleted (`dataflow.connectivity.iotoperations.azure.com/local-to-remote`). */
  deleted: Array<{resource: string; name: string}>
  /** The command as a copy-pasteable line (the manifest goes on stdin). */
  command: string
}

export const KUBECTL_DELETE_ARGS = ['delete', '--ignore-not-found', '-f', '-'] as const

/** `dataflow.connectivity.iotoperations.azure.com "local-to-remote" deleted[ from azure-iot-operations namespace]`. */
export function parseKubectlDeleteOutput(stdout: string): KubectlDeleteResult['deleted'] {
  const out: KubectlDeleteResult['deleted'] = []
  for (const line of stdout.split('\n')) {
    const m = /^(\S+?) "([^"]+)" deleted\b/.exec(line.trim())
    if (m) out.push({resource: m[1] as string, name: m[2] as string})
  }
  return out
}

export function kubectlDeleteError(stderr: string, code: number | null): AioBridgeError {
  return kubectlError(stderr, code, 'delete')
}

export async function deleteWithKubectl(opts: KubectlDeleteOptions): Promise<KubectlDeleteResult> {
  const args = [...KUBECTL_DELETE_ARGS]
  const {code, stdout, stderr} = await runKubectl(opts.kubectl, args, opts.manifest, {
    env: opts.env,
    abortSignal: opts.signal,
    timeoutInMs: opts.timeoutInMs ?? 300_000,
    verb: 'delete',
  })
  if (code !== 0) throw kubectlDeleteError(stderr, code)
  return {deleted: parseKubectlDeleteOutput(stdout), command: `kubectl ${args.join(' ')}`}
}
