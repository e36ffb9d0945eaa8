import {spawn} from 'node:child_process'
import {accessSync, constants, statSync} from 'node:fs'
import {delimiter, join} from 'node:path'
import {AioBridgeError, ConfigError, ExitCode} from '../errors.js'
import {shellQuote} from '../model/command-line.js'
import {type RenderedFile, writeRenderedFiles} from '../render/files.js'
import {redact} from '../ui/redact.js'

/**
 * `setup --target kubernetes`: the rendered manifests applied with `kubectl apply -f -`, the YAML on stdin and the
 * arguments as an array (no shell, nothing to quote). Without kubectl, the files are written and the exact command to
 * run is returned instead.
 */

export type KubectlAction = 'created' | 'configured' | 'unchanged' | 'serverside-applied' | (string & {})

export interface KubectlAppliedObject {
  /** Resource as kubectl names it, e.g. `dataflow.connectivity.iotoperations.azure.com`. */
  resource: string
  name: string
  action: KubectlAction
}

export interface ApplyWithKubectlOptions {
  /** The rendered files to apply, in order (render's kubernetes files). */
  files: RenderedFile[]
  /** Where the files are written when kubectl is missing. */
  outDir: string
  /** Environment (PATH for the lookup, KUBECONFIG for kubectl); default process.env. */
  env?: NodeJS.ProcessEnv
  abortSignal?: AbortSignal
  timeoutInMs?: number
}

export interface KubectlApplyResult {
  /** false: kubectl was not found; the files were written and `command` is what to run. */
  applied: boolean
  kubectl?: string
  objects: KubectlAppliedObject[]
  /** The command (as a copy-pasteable line) that was run, or that the user should run. */
  command: string
  /** Files written (absolute paths). */
  files: string[]
}

/** The variable --kube-context is passed in to every kubectl run (there is no kubectl variable for a context). */
export const KUBE_CONTEXT_ENV = 'AIO_BRIDGE_KUBE_CONTEXT'

/**
 * The environment kubectl runs in, from --kubeconfig (kubectl's own KUBECONFIG) and --kube-context: every kubectl call
 * of setup, status and teardown already takes an `env`, so the connection travels with it. A kubeconfig that cannot
 * be read is exit 2 before anything runs.
 */
export function kubectlEnvironment(
  flags: {'kube-context'?: string; kubeconfig?: string},
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const out = {...env}
  if (flags.kubeconfig) {
    try {
      accessSync(flags.kubeconfig, constants.R_OK)
      if (!statSync(flags.kubeconfig).isFile()) throw new Error('not a file')
    } catch {
      throw new ConfigError(
        'CONFIG_INVALID',
        `--kubeconfig ${flags.kubeconfig} is not a readable file.`,
        'Pass the kubeconfig kubectl uses, e.g. --kubeconfig ~/.kube/config (az connectedk8s proxy writes one for an Arc cluster).',
        {flag: '--kubeconfig', path: flags.kubeconfig},
      )
    }
    out.KUBECONFIG = flags.kubeconfig
  }
  if (flags['kube-context']) out[KUBE_CONTEXT_ENV] = flags['kube-context']
  return out
}

/** First executable `kubectl` on PATH, or undefined. */
export function findKubectl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = process.platform === 'win32' ? ['kubectl.exe', 'kubectl.cmd', 'kubectl'] : ['kubectl']
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (!dir) continue
    for (const name of names) {
      const candidate = join(dir, name)
      try {
        if (!statSync(candidate).isFile()) continue
        accessSync(candidate, constants.X_OK)
        return candidate
      } catch {
        // not here
      }
    }
  }
  return undefined
}

const LINE =
  /^(\S+?)\/(\S+) (created|configured|unchanged|serverside-applied|[a-z-]+)(?: \((?:server |client )?dry run\))?$/

/** kubectl apply's per-object lines: `dataflow.connectivity.iotoperations.azure.com/local-to-remote created`. */
export function parseKubectlApplyOutput(stdout: string): KubectlAppliedObject[] {
  const objects: KubectlAppliedObject[] = []
  for (const raw of stdout.split('\n')) {
    const m = LINE.exec(raw.trim())
    if (m) objects.push({resource: m[1] as string, name: m[2] as string, action: m[3] as KubectlAction})
  }
  return objects
}

function commandLine(args: string[]): string {
  return ['kubectl', ...args].map(shellQuote).join(' ')
}

export class KubectlApplyError extends AioBridgeError {
  override readonly name = 'KubectlApplyError'
}

export type KubectlVerb = 'apply' | 'delete' | 'get'

/** Turns kubectl's stderr into the error a user can act on; the same rules for apply, get and delete. */
export function kubectlError(
  stderr: string,
  exitCode: number | null,
  verb: KubectlVerb,
  crdVersionHint = false,
): KubectlApplyError {
  const text = redact(stderr.trim())
  const first = text.split('\n').find((l) => l.trim() !== '') ?? `kubectl exited with ${exitCode}`
  // setup, status and teardown all converge when run again: say that, not which command it was.
  const rerun = `run the same command again${verb === 'delete' ? ' (objects already deleted are skipped)' : ''}`
  const change = {apply: 'change', delete: 'deletion', get: 'read'}[verb]
  const allowed = {apply: 'create', delete: 'delete', get: 'list'}[verb]
  if (/no matches for kind|ensure CRDs are installed|the server doesn't have a resource type/i.test(text)) {
    const installed =
      'Check that Azure IoT Operations is installed on this cluster (kubectl get crd | grep iotoperations)'
    return new KubectlApplyError(
      'KUBECTL_CRD_MISSING',
      `The cluster does not know the IoT Operations resources: ${first}`,
      {
        exitCode: ExitCode.prerequisite,
        remedy: crdVersionHint
          ? `${installed}; on an IoT Operations preview cluster pass --crd-version v1beta1.`
          : `${installed}.`,
        details: {stderr: text},
      },
    )
  }
  if (
    /unable to connect to the server|connection to the server .* was refused|connection refused|no configuration has been provided|current-context/i.test(
      text,
    )
  ) {
    return new KubectlApplyError('KUBECTL_UNREACHABLE', `kubectl cannot reach the cluster: ${first}`, {
      exitCode: ExitCode.prerequisite,
      remedy: `Point kubectl at the cluster (az connectedk8s proxy -n $CLUSTER_NAME -g $RESOURCE_GROUP, or --kubeconfig / --kube-context), then ${rerun}.`,
      details: {stderr: text},
    })
  }
  if (/forbidden/i.test(text)) {
    return new KubectlApplyError('KUBECTL_FORBIDDEN', `The cluster refused the ${change}: ${first}`, {
      exitCode: ExitCode.forbidden,
      remedy: `Use a kubeconfig identity allowed to ${allowed} dataflows and dataflow endpoints in namespace azure-iot-operations.`,
      details: {stderr: text},
    })
  }
  return new KubectlApplyError(`KUBECTL_${verb.toUpperCase()}_FAILED`, `kubectl ${verb} failed: ${first}`, {
    exitCode: ExitCode.deploymentFailed,
    remedy: `Fix what kubectl reports (re-run with --debug for its full output), then ${rerun}.`,
    details: {stderr: text},
  })
}

export async function applyWithKubectl(options: ApplyWithKubectlOptions): Promise<KubectlApplyResult> {
  const env = options.env ?? process.env
  const kubectl = findKubectl(env)
  const yamlFiles = options.files.filter((f) => /\.ya?ml$/.test(f.name))

  if (!kubectl) {
    const written = await writeRenderedFiles(yamlFiles, options.outDir)
    return {
      applied: false,
      objects: [],
      command: commandLine(['apply', ...written.flatMap((p) => ['-f', p])]),
      files: written,
    }
  }

  const args = ['apply', '-f', '-']
  const stdin = yamlFiles.map((f) => f.content.replace(/\n*$/, '\n')).join('---\n')
  const {code, stdout, stderr} = await runKubectl(kubectl, args, stdin, {
    env,
    abortSignal: options.abortSignal,
    timeoutInMs: options.timeoutInMs,
    verb: 'apply',
  })
  if (code !== 0) {
    const crdHint = stdin.includes('connectivity.iotoperations.azure.com/v1\n')
    throw kubectlError(stderr, code, 'apply', crdHint)
  }
  return {applied: true, kubectl, objects: parseKubectlApplyOutput(stdout), command: commandLine(args), files: []}
}

export interface RunKubectlOptions {
  env?: NodeJS.ProcessEnv
  abortSignal?: AbortSignal
  timeoutInMs?: number
  verb: KubectlVerb
}

const DEFAULT_KUBECTL_TIMEOUT_IN_MS = 120_000

/**
 * Runs kubectl with an argument array (never a shell) and `stdin` as its input; resolves with how it ended. Past
 * `timeoutInMs` kubectl is stopped and the promise rejects with KUBECTL_TIMEOUT (not "exited with null").
 */
export function runKubectl(
  bin: string,
  args: readonly string[],
  stdin: string,
  options: RunKubectlOptions,
): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const timeoutInMs = options.timeoutInMs ?? DEFAULT_KUBECTL_TIMEOUT_IN_MS
    const env = options.env ?? process.env
    const context = env[KUBE_CONTEXT_ENV]
    const child = spawn(bin, context ? ['--context', context, ...args] : [...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.abortSignal,
    })
    // Our own timer (not spawn's `timeout`) so that a stop we caused is told apart from one anyone else caused.
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGTERM')
    }, timeoutInMs)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      if (err.name === 'AbortError') {
        reject(
          new AioBridgeError('INTERRUPTED', `Stopped while kubectl ${options.verb} was running.`, {
            exitCode: ExitCode.interrupted,
            remedy: `Re-run the same command: kubectl ${options.verb} is idempotent here.`,
          }),
        )
        return
      }
      reject(
        new KubectlApplyError('KUBECTL_NOT_RUNNABLE', `${bin} could not be started: ${err.message}`, {
          exitCode: ExitCode.prerequisite,
          remedy: 'Install kubectl (https://kubernetes.io/docs/tasks/tools/) or fix its permissions.',
          cause: err,
        }),
      )
    })
    // kubectl may exit before reading all of stdin (bad kubeconfig): the close code tells, not EPIPE.
    child.stdin.on('error', () => {})
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (timedOut) {
        reject(kubectlTimeout(args, options.verb, timeoutInMs))
        return
      }
      // Killed by someone else: say by what, rather than "exited with null".
      resolve({
        code,
        stdout,
        stderr: code === null && signal && stderr.trim() === '' ? `kubectl was stopped by ${signal}` : stderr,
      })
    })
    child.stdin.end(stdin)
  })
}

function kubectlTimeout(args: readonly string[], verb: KubectlVerb, timeoutInMs: number): KubectlApplyError {
  const seconds = Math.round(timeoutInMs / 100) / 10
  const rerun = 'run the same command again'
  return new KubectlApplyError(
    'KUBECTL_TIMEOUT',
    `kubectl ${verb} did not finish within ${seconds}s and was stopped (${commandLine([...args])}).`,
    {
      exitCode: ExitCode.deploymentFailed,
      remedy: `Check that kubectl reaches the cluster quickly (kubectl get nodes --request-timeout=10s; az connectedk8s proxy must be running for an Arc cluster), then ${rerun}.`,
      details: {timeoutInMs},
    },
  )
}
