import {kubectlError, runKubectl} from '../apply/kubectl.js'
import {AIO_NAMESPACE} from '../model/bridge-model.js'

/**
 * teardown --target kubernetes. The cluster, not the rendered file, says what aio-bridge applied: the model's objects
 * are read as the cluster holds them (status's `kubectl get … -o json`: their labels, the endpoint's host, the
 * dataflows' endpoints; a `-l` beside `-f -` would filter the file's objects, which always carry the label). Only
 * those teardown's planner picks are deleted, by kind/name. Arguments are an array (no shell). Kinds are named without
 * a version, so a v1beta1 cluster needs no --crd-version here.
 */

/** The two kinds setup applies, as kubectl resource names (group-qualified, versionless). */
const IOT_OPS_KINDS = {
  Dataflow: 'dataflow.connectivity.iotoperations.azure.com',
  DataflowEndpoint: 'dataflowendpoint.connectivity.iotoperations.azure.com',
} as const

type IotOpsKind = keyof typeof IOT_OPS_KINDS

/** `dataflow.connectivity.iotoperations.azure.com/local-to-remote`: what `kubectl get -o name` prints. */
export function kubectlRef(kind: IotOpsKind, name: string): string {
  return `${IOT_OPS_KINDS[kind]}/${name}`
}

function kubectlDeleteArgs(refs: readonly string[]): string[] {
  return ['delete', '-n', AIO_NAMESPACE, '--ignore-not-found', ...refs]
}

interface KubectlRunOptions {
  kubectl: string
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  timeoutInMs?: number
}

export interface KubectlDeleteOptions extends KubectlRunOptions {
  /** kind/name of each object, as `kubectl get -o name` prints them; dataflows before the endpoint. */
  refs: readonly string[]
}

export interface KubectlDeleteResult {
  /** Objects kubectl reported deleted (`dataflow.connectivity.iotoperations.azure.com/local-to-remote`). */
  deleted: Array<{resource: string; name: string}>
  /** The command as a copy-pasteable line. */
  command: string
}

/** `dataflow.connectivity.iotoperations.azure.com "local-to-remote" deleted[ from azure-iot-operations namespace]`. */
export function parseKubectlDeleteOutput(stdout: string): KubectlDeleteResult['deleted'] {
  const out: KubectlDeleteResult['deleted'] = []
  for (const line of stdout.split('\n')) {
    const m = /^(\S+?) "([^"]+)" deleted\b/.exec(line.trim())
    if (m) out.push({resource: m[1] as string, name: m[2] as string})
  }
  return out
}

/** Deletes the named objects; objects already gone print nothing and are not an error. */
export async function deleteWithKubectl(opts: KubectlDeleteOptions): Promise<KubectlDeleteResult> {
  const args = kubectlDeleteArgs(opts.refs)
  const {code, stdout, stderr} = await runKubectl(opts.kubectl, args, '', {
    env: opts.env,
    abortSignal: opts.signal,
    timeoutInMs: opts.timeoutInMs ?? 300_000,
    verb: 'delete',
  })
  if (code !== 0) throw kubectlError(stderr, code, 'delete')
  return {deleted: parseKubectlDeleteOutput(stdout), command: `kubectl ${args.join(' ')}`}
}
