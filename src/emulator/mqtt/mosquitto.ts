import {type ChildProcess, spawn} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {freePort, waitForPort} from './ports.js'

/**
 * A mosquitto broker (Debian package `mosquitto`, MQTT 5) run as a child process with a generated configuration:
 * the stand-in for the IoT Operations broker or for Event Grid in tests, benchmarks and `aio-bridge demo`.
 * Loopback only, no persistence, TCP no-delay (or the round trip measures Nagle's algorithm).
 */
export interface MosquittoOptions {
  /** Working directory for the config, password and ACL files (default: a new temp dir). */
  dir?: string
  /** TLS listener; omitted = plain TCP. */
  tls?: {certFile: string; keyFile: string; caFile: string; requireCertificate?: boolean}
  /** user → password; a password file is written (hashed) and anonymous access is turned off. */
  users?: Record<string, string>
  /** Default: true unless `users` or `requireCertificate` is given. */
  allowAnonymous?: boolean
  /** mosquitto ACL file text (`user …` / `topic readwrite …`). Note: mosquitto never refuses a SUBSCRIBE for ACLs. */
  acl?: string
  /** Take the client certificate's CN as the user name (for ACLs on X.509 clients). */
  useIdentityAsUsername?: boolean
  /** Port to bind (default: a free one). */
  port?: number
  /** mosquitto binary (default: `mosquitto` on PATH, then /usr/sbin/mosquitto). */
  binary?: string
  /** Aborted while waiting for it to listen: kill it and reject (the sandbox stopped while starting). */
  signal?: AbortSignal
}

export interface MosquittoBroker {
  host: string
  port: number
  dir: string
  /** Process id of the mosquitto child (recorded by the sandbox so `sandbox down` can stop a stray one). */
  pid?: number
  /** Lines mosquitto logged so far (for test diagnostics). */
  log(): string
  stop(): Promise<void>
}

/** mosquitto's `$6$` password hash: base64(sha512(password ‖ salt)), as mosquitto_passwd writes it. */
function mosquittoPasswordLine(user: string, password: string): string {
  const salt = randomBytes(12)
  const hash = createHash('sha512').update(password).update(salt).digest()
  return `${user}:$6$${salt.toString('base64')}$${hash.toString('base64')}`
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'aio-bridge-mosquitto-')))
  let lastError: unknown
  // A port picked free can be taken before mosquitto binds it: try a few.
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = opts.port ?? (await freePort())
    try {
      return await startOnce(opts, dir, port)
    } catch (err) {
      lastError = err
      if (opts.port !== undefined || opts.signal?.aborted) break
    }
  }
  throw lastError
}

async function startOnce(opts: MosquittoOptions, dir: string, port: number): Promise<MosquittoBroker> {
  const lines = [
    `listener ${port} 127.0.0.1`,
    'protocol mqtt',
    'persistence false',
    'set_tcp_nodelay true',
    'max_queued_messages 100000',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
  ]
  // Started as root, mosquitto drops to user `mosquitto`, which cannot read our 0600 password file and keys in a
  // 0700 temp dir: keep the current user instead (it only listens on loopback).
  if (process.getuid?.() === 0) lines.push('user root')
  const anonymous = opts.allowAnonymous ?? !(opts.users || opts.tls?.requireCertificate)
  lines.push(`allow_anonymous ${anonymous}`)
  if (opts.users) {
    const pw = join(dir, `passwd-${port}`)
    await writeFile(
      pw,
      `${Object.entries(opts.users)
        .map(([u, p]) => mosquittoPasswordLine(u, p))
        .join('\n')}\n`,
      {mode: 0o600},
    )
    lines.push(`password_file ${pw}`)
  }
  if (opts.acl !== undefined) {
    const acl = join(dir, `acl-${port}`)
    await writeFile(acl, opts.acl)
    lines.push(`acl_file ${acl}`)
  }
  if (opts.tls) {
    lines.push(`cafile ${opts.tls.caFile}`, `certfile ${opts.tls.certFile}`, `keyfile ${opts.tls.keyFile}`)
    lines.push(`require_certificate ${opts.tls.requireCertificate ? 'true' : 'false'}`)
    if (opts.useIdentityAsUsername) lines.push('use_identity_as_username true')
  }
  const conf = join(dir, `mosquitto-${port}.conf`)
  await writeFile(conf, `${lines.join('\n')}\n`)

  let log = ''
  const binary = opts.binary ?? 'mosquitto'
  const child: ChildProcess = spawn(binary, ['-c', conf], {stdio: ['ignore', 'pipe', 'pipe']})
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString()
  })
  let exited = false
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      resolve()
    })
    child.once('error', (err) => {
      log += `\n${String(err)}`
      exited = true
      resolve()
    })
  })
  try {
    await waitForPort('127.0.0.1', port, 10_000, () => !exited && !opts.signal?.aborted)
  } catch (err) {
    if (!exited) child.kill('SIGKILL')
    await exitedPromise
    const hint = /ENOENT/.test(log) ? ' (install mosquitto: apt-get install mosquitto)' : ''
    throw new Error(`mosquitto did not start on port ${port}${hint}: ${(err as Error).message}\n${log}`)
  }
  return {
    host: '127.0.0.1',
    port,
    dir,
    pid: child.pid,
    log: () => log,
    async stop() {
      if (exited) return
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exitedPromise
      clearTimeout(t)
    },
  }
}
