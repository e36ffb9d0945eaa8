import {randomBytes} from 'node:crypto'
import {appendFileSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {type ArmEmulator, EMULATOR_DEFAULTS, startArmEmulator} from '../arm/index.js'
import {writeAzStub} from '../az-stub.js'
import {type MosquittoBroker, startMosquitto} from '../mqtt/mosquitto.js'
import {createPki} from '../pki.js'
import {type DataflowRunner, startDataflowRunner} from './dataflow-runner.js'
import {type EventGridBroker, startEventGridBroker} from './eventgrid-broker.js'
import {findSystemTool} from './system-deps.js'

/**
 * The whole sandbox in one process: the Resource Manager emulator (HTTPS, the tutorial's world), a stub `az`, an
 * IoT Operations broker stand-in (mosquitto: MQTT 5, TLS, password authentication), an Event Grid broker stand-in
 * (OAUTH2-JWT, authorization from the emulator's role assignments and topic templates) and the dataflow runner, all
 * on loopback with one throw-away CA. `aio-bridge demo` runs it in-process; `aio-bridge sandbox up` in a detached
 * process (daemon.ts).
 */
export interface SandboxOptions {
  /** Working directory: CA, certificates, stub az, broker configuration, log. Created if missing. */
  dir: string
  /** Faster long-running operations for the demo (default 1 InProgress poll, as the emulator). */
  lroPolls?: number
  /** Poll interval of the CLI against the emulator (AIO_BRIDGE_POLL_INTERVAL_MS in the env); default 100. */
  cliPollIntervalInMs?: number
  /** mosquitto binary (default: found on PATH or in /usr/sbin). */
  mosquittoBinary?: string
  /** Header value the emulator's control API requires (default: a random one, kept in `controlKey`). */
  controlKey?: string
  /** Also write every log line here (default: `<dir>/sandbox.log`). */
  logFile?: string
  /** Aborted while starting: stop what has started and reject (the daemon's SIGTERM during start). */
  signal?: AbortSignal
}

/** What a client of the sandbox needs, JSON-safe (written to the state file by `sandbox up`). */
export interface SandboxInfo {
  dir: string
  caFile: string
  arm: {url: string; controlKey: string}
  local: {host: string; port: number; serverName: string; username: string; passwordFile: string; pid?: number}
  eventGrid: {host: string; port: number; serverName: string}
  azDir: string
  logFile: string
  /** Environment that points aio-bridge at the sandbox (without PATH's tail: see `sandboxEnv`). */
  env: Record<string, string>
  /** Flags that point `aio-bridge verify` at the sandbox's IoT Operations broker. */
  verifyArgs: string[]
}

export interface Sandbox extends SandboxInfo {
  emulator: ArmEmulator
  eventGridBroker: EventGridBroker
  localBroker: MosquittoBroker
  runner: DataflowRunner
  log(line: string): void
  stop(): Promise<void>
}

/** The environment for a child CLI: the sandbox's variables, its stub az first on PATH. */
export function sandboxEnv(
  info: Pick<SandboxInfo, 'env' | 'azDir'>,
  basePath = process.env.PATH ?? '',
): Record<string, string> {
  return {...info.env, PATH: basePath ? `${info.azDir}:${basePath}` : info.azDir}
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const dir = opts.dir
  await mkdir(dir, {recursive: true, mode: 0o700})
  const logFile = opts.logFile ?? join(dir, 'sandbox.log')
  const log = (line: string) => {
    try {
      appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`)
    } catch {
      // A log that cannot be written never stops the emulation.
    }
  }
  const mosquittoBinary = opts.mosquittoBinary ?? findSystemTool('mosquitto')
  const stops: Array<() => Promise<void>> = []
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => {})
    stops.length = 0
  }
  // Checked after each part has started (and been added to `stops`), so an abort stops exactly what is running.
  const checkAborted = () => {
    if (opts.signal?.aborted) throw new Error('start interrupted (SIGTERM or SIGINT); stopped what had started')
  }
  try {
    checkAborted()
    const pki = await createPki(join(dir, 'pki'), {caName: 'aio-bridge sandbox CA', days: 30})
    const caPem = await readFile(pki.caCert, 'utf8')
    const [armCert, localCert, egCert] = await Promise.all([
      pki.issue('arm', {dnsNames: ['localhost'], ips: ['127.0.0.1'], days: 30}),
      pki.issue('aio-broker', {dnsNames: ['aio-broker', 'localhost'], ips: ['127.0.0.1'], days: 30}),
      pki.issue('eventgrid', {dnsNames: ['localhost'], ips: ['127.0.0.1'], days: 30}),
    ])
    const controlKey = opts.controlKey ?? randomBytes(16).toString('hex')
    // Filled in once the runner exists (the emulator is started first).
    let runnerRef: DataflowRunner | undefined
    const heldSince = new Map<string, number>()
    const dataflowsStarted = (ids: string[]): boolean => {
      const names = ids
        .filter((id) => /\/dataflowProfiles\/[^/]+\/dataflows\/[^/]+$/i.test(id))
        .map((id) =>
          id
            .split('/')
            .slice(-3)
            .filter((_, i) => i !== 1)
            .join('/')
            .toLowerCase(),
        )
      if (names.length === 0 || !runnerRef) return true
      const key = names.join(',')
      const since = heldSince.get(key) ?? Date.now()
      heldSince.set(key, since)
      void runnerRef.refresh().catch(() => {})
      const up = new Set(
        runnerRef
          .flows()
          .filter((f) => f.state === 'running')
          .map((f) => f.name.toLowerCase()),
      )
      const done = names.every((n) => up.has(n)) || Date.now() - since > 10_000
      if (done) heldSince.delete(key)
      return done
    }
    const emulator = await startArmEmulator({
      seed: 'default',
      lroPolls: opts.lroPolls,
      tls: {caCertPath: pki.caCert, certPath: armCert.cert, keyPath: armCert.key},
      controlKey,
      // Namespaces get hostnames the dataflow runner and `sandbox env` lead to the Event Grid stand-in.
      mqttHostname: (ns, loc) => `${ns.toLowerCase()}.${loc.replace(/\s+/g, '').toLowerCase()}-1.ts.eventgrid.sandbox`,
      // setup returns once the runner runs what was deployed (or after 10 s: a refused flow still ends the wait).
      deploymentSettled: (ids) => dataflowsStarted(ids),
    })
    stops.push(() => emulator.stop())
    checkAborted()
    log(`arm emulator at ${emulator.url}`)

    const seed = emulator.seed
    const azDir = join(dir, 'az')
    await writeAzStub(azDir, {
      tenantId: seed.tenantId,
      subscriptionId: seed.subscriptionId,
      principalId: seed.callerPrincipalId,
      // The sandbox lives for days; its tokens should not expire under a user's hands.
      expiresInSeconds: 30 * 24 * 3600,
    })

    const verifyPassword = randomBytes(16).toString('hex')
    const dataflowPassword = randomBytes(16).toString('hex')
    const passwordFile = join(dir, 'verify-password')
    await writeFile(passwordFile, verifyPassword, {mode: 0o600})
    await mkdir(join(dir, 'mosquitto'), {recursive: true, mode: 0o700})
    const localBroker = await startMosquitto({
      dir: join(dir, 'mosquitto'),
      binary: mosquittoBinary,
      users: {verify: verifyPassword, dataflow: dataflowPassword},
      tls: {certFile: localCert.cert, keyFile: localCert.key, caFile: pki.caCert},
      signal: opts.signal,
    })
    stops.push(() => localBroker.stop())
    checkAborted()
    log(`IoT Operations broker (mosquitto pid ${localBroker.pid}) at 127.0.0.1:${localBroker.port}`)

    const eventGridBroker = await startEventGridBroker({
      arm: emulator,
      tls: {cert: await readFile(egCert.cert, 'utf8'), key: await readFile(egCert.key, 'utf8')},
      log,
    })
    stops.push(() => eventGridBroker.stop())
    checkAborted()
    log(`Event Grid broker at 127.0.0.1:${eventGridBroker.port}`)

    const runner = startDataflowRunner({
      arm: emulator,
      local: {
        host: '127.0.0.1',
        port: localBroker.port,
        ca: caPem,
        serverName: 'aio-broker',
        username: 'dataflow',
        password: dataflowPassword,
      },
      eventGrid: {host: '127.0.0.1', port: eventGridBroker.port, ca: caPem, serverName: 'localhost'},
      log,
    })
    runnerRef = runner
    stops.push(() => runner.stop())
    checkAborted()

    const env: Record<string, string> = {
      NODE_EXTRA_CA_CERTS: pki.caCert,
      AIO_BRIDGE_ARM_ENDPOINT: emulator.url,
      AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
      AIO_BRIDGE_POLL_INTERVAL_MS: String(opts.cliPollIntervalInMs ?? 100),
      AIO_BRIDGE_RETRY_DELAY_MS: String(opts.cliPollIntervalInMs ?? 100),
      SUBSCRIPTION_ID: seed.subscriptionId,
      RESOURCE_GROUP: seed.resourceGroups?.[0]?.name ?? EMULATOR_DEFAULTS.resourceGroup,
      LOCATION: seed.resourceGroups?.[0]?.location ?? EMULATOR_DEFAULTS.location,
      EVENT_GRID_NAMESPACE: EMULATOR_DEFAULTS.namespace,
      CLUSTER_NAME: seed.clusters?.[0]?.name ?? EMULATOR_DEFAULTS.cluster,
    }
    const verifyArgs = [
      '--host',
      '127.0.0.1',
      '--port',
      String(localBroker.port),
      '--ca-file',
      pki.caCert,
      '--tls-server-name',
      'aio-broker',
      '--username',
      'verify',
      '--password-file',
      passwordFile,
    ]
    let stopping: Promise<void> | undefined
    return {
      dir,
      caFile: pki.caCert,
      arm: {url: emulator.url, controlKey},
      local: {
        host: '127.0.0.1',
        port: localBroker.port,
        serverName: 'aio-broker',
        username: 'verify',
        passwordFile,
        pid: localBroker.pid,
      },
      eventGrid: {host: '127.0.0.1', port: eventGridBroker.port, serverName: 'localhost'},
      azDir,
      logFile,
      env,
      verifyArgs,
      emulator,
      eventGridBroker,
      localBroker,
      runner,
      log,
      stop() {
        stopping ??= stopAll().then(() => log('sandbox stopped'))
        return stopping
      },
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}

/** The JSON-safe part of a running sandbox. */
export function sandboxInfo(s: Sandbox): SandboxInfo {
  const {dir, caFile, arm, local, eventGrid, azDir, logFile, env, verifyArgs} = s
  return {dir, caFile, arm, local, eventGrid, azDir, logFile, env, verifyArgs}
}
