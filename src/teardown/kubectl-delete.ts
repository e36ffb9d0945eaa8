import {spawn} from 'node:child_process'
import {AioBridgeError, ExitCode} from '../errors.js'
import {redact} from '../ui/redact.js'

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
  const text = redact(stderr.trim())
  const first = text.split('\n').find((l) => l.trim() !== '') ?? `kubectl exited with ${code}`
  if (/no matches for kind|ensure CRDs are installed|the server doesn't have a resource type/i.test(text)) {
    return new AioBridgeError(
      'KUBECTL_CRD_MISSING',
      `The cluster does not know the IoT Operations resources: ${first}`,
      {
        exitCode: ExitCode.prerequisite,
        remedy:
          'Check the kubeconfig points at the IoT Operations cluster; on a preview cluster pass --crd-version v1beta1.',
        details: {stderr: text},
      },
    )
  }
  if (
    /unable to connect to the server|connection refused|no configuration has been provided|current-context/i.test(text)
  ) {
    return new AioBridgeError('KUBECTL_UNREACHABLE', `kubectl cannot reach the cluster: ${first}`, {
      exitCode: ExitCode.prerequisite,
      remedy:
        'Point kubectl at the cluster (az connectedk8s proxy -n $CLUSTER_NAME -g $RESOURCE_GROUP, or KUBECONFIG), then re-run teardown.',
      details: {stderr: text},
    })
  }
  if (/forbidden/i.test(text)) {
    return new AioBridgeError('KUBECTL_FORBIDDEN', `The cluster refused the deletion: ${first}`, {
      exitCode: ExitCode.forbidden,
      remedy:
        'Use a kubeconfig identity allowed to delete dataflows and dataflow endpoints in namespace azure-iot-operations.',
      details: {stderr: text},
    })
  }
  return new AioBridgeError('KUBECTL_DELETE_FAILED', `kubectl delete failed: ${first}`, {
    exitCode: ExitCode.deploymentFailed,
    remedy: 'Fix what kubectl reports, then re-run teardown (objects already deleted are skipped).',
    details: {stderr: text},
  })
}

export function deleteWithKubectl(opts: KubectlDeleteOptions): Promise<KubectlDeleteResult> {
  const args = [...KUBECTL_DELETE_ARGS]
  return new Promise((resolve, reject) => {
    const child = spawn(opts.kubectl, args, {
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: opts.signal,
      timeout: opts.timeoutInMs ?? 300_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.name === 'AbortError') {
        reject(
          new AioBridgeError('INTERRUPTED', 'Stopped while kubectl delete was running.', {
            exitCode: ExitCode.interrupted,
            remedy: 'Re-run teardown: objects already deleted are skipped.',
          }),
        )
        return
      }
      reject(
        new AioBridgeError('KUBECTL_NOT_RUNNABLE', `${opts.kubectl} could not be started: ${err.message}`, {
          exitCode: ExitCode.prerequisite,
          remedy: 'Install kubectl (https://kubernetes.io/docs/tasks/tools/) or fix its permissions.',
          cause: err,
        }),
      )
    })
    child.stdin.on('error', () => {})
    child.on('close', (code) => {
      if (code !== 0) reject(kubectlDeleteError(stderr, code))
      else resolve({deleted: parseKubectlDeleteOutput(stdout), command: `kubectl ${args.join(' ')}`})
    })
    child.stdin.end(opts.manifest)
  })
}
