import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {
  type ArmEmulator,
  type ArmEmulatorOptions,
  type ArmScenarioName,
  type ArmSeed,
  startArmEmulator,
} from '../../src/emulator/arm/index.js'
import {type AzStub, writeAzStub} from '../../src/emulator/az-stub.js'
import {createPki} from '../../src/emulator/pki.js'

/**
 * The black-box harness: a fake ARM (the product's own emulator) over HTTPS on loopback, a stub `az` first on PATH,
 * and the environment that points the built CLI at both — exactly what a user's machine would have after `az login`,
 * with the Resource Manager endpoint swapped.
 */

export interface FakeArm {
  emulator: ArmEmulator
  /** Environment for runCli: NODE_EXTRA_CA_CERTS, AIO_BRIDGE_ARM_ENDPOINT, AZURE_TOKEN_CREDENTIALS, PATH, the
   * tutorial variables of the seed and fast polling/retry delays. */
  env: Record<string, string>
  az: AzStub
  /** The resources the stub az was asked tokens for, one per run of `az account get-access-token`, since the start. */
  azCalls(): Promise<string[]>
  /** Rewrites the stub az (e.g. `{expiresInSeconds: -60}` or `{loggedOut: true}`); returns the new tokens. */
  rewriteAz(opts: Partial<Parameters<typeof writeAzStub>[1]>): Promise<AzStub>
  stop(): Promise<void>
}

export interface FakeArmOptions extends Omit<ArmEmulatorOptions, 'seed' | 'tls'> {
  scenario?: ArmScenarioName | ArmSeed
  /** Options of the stub az (tokens expired, logged out…). */
  az?: Partial<Parameters<typeof writeAzStub>[1]>
}

// One CA and server certificate per test process: making them costs ~100 ms of openssl each time.
let tlsOnce: Promise<{caCertPath: string; certPath: string; keyPath: string; dir: string}> | undefined
function sharedTls() {
  tlsOnce ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aio-arm-ca-'))
    const pki = await createPki(dir, {caName: 'aio-bridge test ARM CA'})
    const leaf = await pki.issue('arm', {dnsNames: ['localhost'], ips: ['127.0.0.1']})
    process.once('exit', () => {
      void rm(dir, {recursive: true, force: true})
    })
    return {caCertPath: pki.caCert, certPath: leaf.cert, keyPath: leaf.key, dir}
  })()
  return tlsOnce
}

/** Starts a fake ARM with a scenario (default: the tutorial's world) and the stub az. */
export async function startFakeArm(scenario?: ArmScenarioName | ArmSeed | FakeArmOptions): Promise<FakeArm> {
  const opts: FakeArmOptions =
    typeof scenario === 'string' || (scenario && !isOptions(scenario))
      ? {scenario: scenario as ArmScenarioName | ArmSeed}
      : ((scenario as FakeArmOptions | undefined) ?? {})
  const {scenario: seed, az: azOpts, ...emulatorOptions} = opts
  const tls = await sharedTls()
  const emulator = await startArmEmulator({...emulatorOptions, seed, tls})
  const s = emulator.seed
  const azDir = await mkdtemp(join(tmpdir(), 'aio-az-'))
  const azBase = {tenantId: s.tenantId, subscriptionId: s.subscriptionId, principalId: s.callerPrincipalId}
  let az = await writeAzStub(azDir, {...azBase, ...azOpts})
  const env: Record<string, string> = {
    NODE_EXTRA_CA_CERTS: emulator.caCertPath,
    AIO_BRIDGE_ARM_ENDPOINT: emulator.url,
    AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
    PATH: `${azDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    AIO_BRIDGE_POLL_INTERVAL_MS: '5',
    AIO_BRIDGE_RETRY_DELAY_MS: '5',
    SUBSCRIPTION_ID: s.subscriptionId,
    RESOURCE_GROUP: s.resourceGroups?.[0]?.name ?? '',
    LOCATION: s.resourceGroups?.[0]?.location ?? '',
    EVENT_GRID_NAMESPACE: s.namespaces?.[0]?.name ?? 'aio-bridge-ns',
    CLUSTER_NAME: s.clusters?.[0]?.name ?? '',
  }
  return {
    emulator,
    env,
    get az() {
      return az
    },
    async azCalls() {
      const text = await readFile(az.callLog, 'utf8').catch(() => '')
      return text.split('\n').filter(Boolean)
    },
    async rewriteAz(more) {
      az = await writeAzStub(azDir, {...azBase, ...azOpts, ...more})
      return az
    },
    async stop() {
      await emulator.stop()
      await rm(azDir, {recursive: true, force: true})
    },
  }
}

function isOptions(v: object): v is FakeArmOptions {
  const optionKeys = [
    'scenario',
    'az',
    'lroPolls',
    'lroSettleMs',
    'pageSize',
    'listPageSize',
    'faults',
    'latencyMs',
    'port',
    'controlKey',
    'mqttHostname',
    'requireAuth',
    'lroRetryAfterSeconds',
    'dir',
  ]
  return Object.keys(v).some((k) => optionKeys.includes(k))
}
