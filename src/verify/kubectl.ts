import {type ChildProcess, execFile, spawn} from 'node:child_process'
import {AioBridgeError, ExitCode, VerifyError} from '../errors.js'
import {redact, registerSecret} from '../ui/redact.js'

/**
 * `verify --kubectl`: everything the tutorial's mqtt-client pod provides, obtained from a workstation with kubectl —
 * a short-lived service-account token (audience aio-internal), the broker's CA from the trust-bundle config map, and a
 * port-forward to the broker service on a free local port, stopped afterwards. The token is read from kubectl's
 * stdout and never appears in an argument list.
 */
export interface KubectlSessionOptions {
  kubectl?: string
  context?: string
  kubeconfig?: string
  namespace: string
  serviceAccount: string
  audience: string
  /** kubectl duration, e.g. 10m. */
  duration: string
  /** The same duration in milliseconds: the token is minted again at half its lifetime. */
  durationMs: number
  service: string
  remotePort: number
  caConfigMap: string
  timeoutMs: number
  trace?: (line: string) => void
}

export interface KubectlSession {
  /** The current token: minted again in the background at half its lifetime, so a reconnect presents a valid one. */
  token(): string
  caPem: string
  localPort: number
  /** Stops the port-forward and the token refresh. */
  stop(): Promise<void>
}

/**
 * How long a freshly minted token lives: the shorter of what was asked and what its `exp` claim says (the API server
 * may cap --duration), so a capped token is still refreshed in time.
 */
export function tokenLifetimeMs(token: string, requestedMs: number, nowMs = Date.now()): number {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {exp?: unknown}
    if (typeof claims.exp === 'number') return Math.max(1000, Math.min(requestedMs, claims.exp * 1000 - nowMs))
  } catch {
    // Not a JWT we can read: trust the requested duration.
  }
  return requestedMs
}

function base(o: KubectlSessionOptions): string[] {
  return [...(o.context ? ['--context', o.context] : []), ...(o.kubeconfig ? ['--kubeconfig', o.kubeconfig] : [])]
}

function runKubectl(o: KubectlSessionOptions, args: string[]): Promise<string> {
  const bin = o.kubectl ?? 'kubectl'
  o.trace?.(`kubectl ${args.join(' ')}`)
  return new Promise((resolve, reject) => {
    execFile(bin, [...base(o), ...args], {timeout: o.timeoutMs, maxBuffer: 4 * 1024 * 1024}, (err, stdout, stderr) => {
      if (!err) return resolve(stdout)
      const e = err as NodeJS.ErrnoException
      if (e.code === 'ENOENT') {
        return reject(
          new AioBridgeError('KUBECTL_NOT_FOUND', `${bin} was not found on PATH.`, {
            exitCode: ExitCode.prerequisite,
            remedy:
              'Install kubectl and point it at the cluster (az connectedk8s proxy, or a kubeconfig), or run verify inside the cluster.',
          }),
        )
      }
      const first = redact(String(stderr).trim().split('\n')[0] ?? e.message)
      reject(
        new AioBridgeError('KUBECTL_FAILED', `kubectl ${args.slice(0, 2).join(' ')} failed: ${first}`, {
          exitCode: ExitCode.prerequisite,
          remedy: `Check the cluster connection and that service account ${o.serviceAccount} exists in ${o.namespace} (the tutorial creates mqtt-client), or pass --service-account.`,
        }),
      )
    })
  })
}

export async function openKubectlSession(o: KubectlSessionOptions): Promise<KubectlSession> {
  const mint = async () => {
    const out = await runKubectl(o, [
      'create',
      'token',
      o.serviceAccount,
      '-n',
      o.namespace,
      '--audience',
      o.audience,
      '--duration',
      o.duration,
    ])
    const token = out.trim()
    registerSecret(token)
    return token
  }
  let token = await mint()
  const cmJson = await runKubectl(o, ['get', 'configmap', o.caConfigMap, '-n', o.namespace, '-o', 'json'])
  let caPem = ''
  try {
    const data = (JSON.parse(cmJson) as {data?: Record<string, string>}).data ?? {}
    caPem = data['ca.crt'] ?? Object.values(data).find((v) => v.includes('BEGIN CERTIFICATE')) ?? ''
  } catch {
    // handled below
  }
  if (!caPem.includes('BEGIN CERTIFICATE')) {
    throw new AioBridgeError('KUBECTL_CA_MISSING', `Config map ${o.caConfigMap} holds no CA certificate.`, {
      exitCode: ExitCode.prerequisite,
      remedy: `Check IoT Operations is deployed (kubectl get configmap ${o.caConfigMap} -n ${o.namespace}), or pass --ca-file.`,
    })
  }
  const pf = await startPortForward(o)
  // The credentials are read synchronously at every (re)connect, so the token is kept fresh ahead of time: minted
  // again at half its lifetime, which leaves the other half for a failed attempt to be retried.
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const schedule = (ms: number) => {
    if (stopped) return
    timer = setTimeout(() => void refresh(), ms)
    timer.unref()
  }
  const refresh = async () => {
    try {
      token = await mint()
      o.trace?.('kubectl: service account token minted again')
      schedule(tokenLifetimeMs(token, o.durationMs) / 2)
    } catch (err) {
      o.trace?.(`kubectl: minting a new token failed: ${(err as Error).message}`)
      schedule(Math.min(30_000, o.durationMs / 8))
    }
  }
  schedule(tokenLifetimeMs(token, o.durationMs) / 2)
  return {
    token: () => token,
    caPem,
    localPort: pf.port,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await pf.stop()
    },
  }
}

/** `kubectl port-forward svc/<service> :<port>`: kubectl picks a free local port and prints it. */
function startPortForward(o: KubectlSessionOptions): Promise<{port: number; stop: () => Promise<void>}> {
  const args = [
    ...base(o),
    'port-forward',
    '-n',
    o.namespace,
    `svc/${o.service}`,
    `:${o.remotePort}`,
    '--address',
    '127.0.0.1',
  ]
  o.trace?.(`kubectl ${args.join(' ')}`)
  const child: ChildProcess = spawn(o.kubectl ?? 'kubectl', args, {stdio: ['ignore', 'pipe', 'pipe']})
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const t = setTimeout(() => child.kill('SIGKILL'), 2000)
    await exited
    clearTimeout(t)
  }
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const fail = (message: string) => {
      clearTimeout(timer)
      void stop()
      reject(
        new VerifyError('VERIFY_PORT_FORWARD', `kubectl port-forward to svc/${o.service} failed: ${redact(message)}`, {
          exitCode: ExitCode.verifyConnect,
          remedy: `Check the broker service (kubectl get svc ${o.service} -n ${o.namespace}) and your access to the cluster, or pass --service.`,
        }),
      )
    }
    const timer = setTimeout(() => fail(`no forwarding port reported within ${o.timeoutMs} ms`), o.timeoutMs)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({port: Number(m[1]), stop})
      }
    })
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.once('error', (e) => fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'kubectl not found' : e.message))
    child.once('exit', (code) => {
      if (!/Forwarding from/.test(out)) fail(err.trim().split('\n')[0] || `kubectl exited with ${code}`)
    })
  })
}
