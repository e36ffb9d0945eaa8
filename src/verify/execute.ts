import type {TokenCredential} from '@azure/core-auth'
import {type BridgeFlags, resolveAzureTarget} from '../config/bridge-config.js'
import {CLOUDS} from '../config/clouds.js'
import {invalidNamespace} from '../config/invalid.js'
import {checkEventGridName} from '../config/rules.js'
import {AioBridgeError, ConfigError, ExitCode, VerifyError} from '../errors.js'
import {checkOutputFile, writeFileReplacing} from '../output-files.js'
import {registerSecret} from '../ui/redact.js'
import {newRunId} from './correlation.js'
import {type KubectlSession, openKubectlSession} from './kubectl.js'
import {
  resolveLocalEndpoint,
  resolveTiming,
  resolveTokenDuration,
  VERIFY_DEFAULTS,
  type VerifyFlags,
} from './options.js'
import {runVerify, type VerifyReport, type VerifyRunOptions} from './run.js'
import type {MqttEndpoint} from './transport.js'

/** Everything `aio-bridge verify` takes, beyond the local-broker flags. */
export interface VerifyCommandFlags extends VerifyFlags, BridgeFlags {
  kubectl: boolean
  'kube-context'?: string
  kubeconfig?: string
  'kube-namespace'?: string
  'service-account'?: string
  'token-duration'?: string
  service?: string
  'from-cloud': boolean
  'event-grid-host'?: string
  'event-grid-port'?: number
  'from-cloud-topic'?: string
  metrics: boolean
  'metrics-wait'?: number
  'metrics-poll'?: number
  junit?: string
}

export interface ExecuteVerifyDeps {
  env: Record<string, string | undefined>
  signal?: AbortSignal
  trace?: (line: string) => void
  progress?: (line: string) => void
  /** Injected in tests; the default is the shared DefaultAzureCredential. */
  credential?: TokenCredential
}

/**
 * Resolves flags into a run (starting and always stopping a kubectl port-forward, fetching an Event Grid token,
 * setting up the metrics probe), runs it, and writes --junit. Returns the report; the command turns `failure`
 * into the exit code.
 */
export async function executeVerify(f: VerifyCommandFlags, deps: ExecuteVerifyDeps): Promise<VerifyReport> {
  const timing = resolveTiming(f)
  // Before the run: a report that cannot be written is exit 2 now, not after a whole round trip.
  if (f.junit) checkOutputFile(f.junit, '--junit')
  const tokenDuration = f.kubectl ? resolveTokenDuration(f['token-duration']) : undefined
  const runId = newRunId()
  const needsAzure = f.metrics || (f['from-cloud'] && !f['event-grid-host'])
  const target = needsAzure ? resolveAzureTarget(f, deps.env) : undefined
  const namespace = needsAzure ? resolveNamespace(f, deps.env) : undefined

  let kube: KubectlSession | undefined
  try {
    if (tokenDuration) {
      deps.progress?.('Minting a service account token, reading the broker CA and port-forwarding with kubectl')
      kube = await openKubectlSession({
        context: f['kube-context'] ?? deps.env.AIO_BRIDGE_KUBE_CONTEXT,
        kubeconfig: f.kubeconfig,
        namespace: f['kube-namespace'] ?? VERIFY_DEFAULTS.kubeNamespace,
        serviceAccount: f['service-account'] ?? VERIFY_DEFAULTS.serviceAccount,
        audience: VERIFY_DEFAULTS.satAudience,
        ...tokenDuration,
        service: f.service ?? VERIFY_DEFAULTS.brokerService,
        remotePort: f.port ?? VERIFY_DEFAULTS.port,
        caConfigMap: VERIFY_DEFAULTS.caConfigMap,
        timeoutMs: Math.min(timing.timeoutMs, 30_000),
        trace: deps.trace,
      })
    }
    const local = resolveLocalEndpoint(f, deps.env, f['client-id'] ?? `aio-bridge-verify-${runId}`, kube)
    const run: VerifyRunOptions = {
      local: local.endpoint,
      ...timing,
      payloadBytes: f.size,
      runId,
      signal: deps.signal,
      trace: deps.trace,
      progress: deps.progress,
    }

    if (f['from-cloud'] || f.metrics) {
      const {createArmClient, createCredential} = await import('../azure/arm-client.js')
      const credential = deps.credential ?? (await createCredential(target?.cloud))
      const arm = target ? await createArmClient(target, {credential, trace: deps.trace}) : undefined
      if (f['from-cloud']) {
        let host = f['event-grid-host']
        if (!host && arm && target && namespace) {
          const {EventGridGateway} = await import('../azure/eventgrid-gateway.js')
          const ns = await new EventGridGateway(arm).getNamespace(
            target.subscriptionId,
            target.resourceGroup,
            namespace,
          )
          host = ns?.properties.topicSpacesConfiguration?.hostname ?? undefined
          if (!host) {
            throw new AioBridgeError(
              'VERIFY_NO_EVENT_GRID_HOST',
              `Namespace ${namespace} has no MQTT hostname (missing, or MQTT is not enabled).`,
              {
                exitCode: ExitCode.prerequisite,
                remedy: 'Run aio-bridge setup first, or pass --event-grid-host.',
              },
            )
          }
        }
        const audience = CLOUDS[target?.cloud ?? 'AzureCloud'].eventGridAudience
        run.fromCloud = {
          endpoint: await eventGridEndpoint(
            host as string,
            f['event-grid-port'] ?? VERIFY_DEFAULTS.eventGridPort,
            audience,
            credential,
            runId,
          ),
          topic: f['from-cloud-topic'] ?? VERIFY_DEFAULTS.fromCloudTopic,
        }
      }
      if (f.metrics && arm && target && namespace) {
        const {MonitorGateway} = await import('../azure/monitor-gateway.js')
        const {namespaceId} = await import('../azure/ids.js')
        run.metrics = new MonitorGateway(arm).publishedProbe(
          namespaceId(target.subscriptionId, target.resourceGroup, namespace),
          {
            maxWaitInMs: (f['metrics-wait'] ?? 300) * 1000,
            pollIntervalInMs: (f['metrics-poll'] ?? 20) * 1000,
            signal: deps.signal,
            onPoll: (d, e) => deps.trace?.(`metrics: +${d} of ${e}`),
          },
        )
      }
    }

    const report = await runVerify(run)
    if (f.junit) {
      const {toJUnit} = await import('./report.js')
      await writeFileReplacing(f.junit, toJUnit(report))
    }
    return report
  } finally {
    await kube?.stop()
  }
}

function resolveNamespace(f: VerifyCommandFlags, env: Record<string, string | undefined>): string {
  const ns = f.namespace ?? env.EVENT_GRID_NAMESPACE
  if (!ns) {
    throw new ConfigError(
      'CONFIG_MISSING',
      '--namespace is required for --metrics and for --from-cloud without --event-grid-host.',
      'Pass the namespace setup made, e.g. --namespace my-eg-ns, or set EVENT_GRID_NAMESPACE (or give --event-grid-host for --from-cloud).',
      {flag: '--namespace'},
    )
  }
  const problem = checkEventGridName(ns)
  if (problem) throw invalidNamespace(ns, problem, f.namespace ? undefined : 'EVENT_GRID_NAMESPACE')
  return ns
}

/** Event Grid MQTT with Microsoft Entra: method OAUTH2-JWT, data = a token for https://eventgrid.azure.net/. */
async function eventGridEndpoint(
  host: string,
  port: number,
  audience: string,
  credential: TokenCredential,
  runId: string,
): Promise<MqttEndpoint> {
  const scope = `${audience.replace(/\/+$/, '')}/.default`
  let token: string
  try {
    const t = await credential.getToken(scope)
    if (!t) throw new Error('no token returned')
    token = t.token
  } catch (err) {
    throw new VerifyError(
      'VERIFY_NO_ENTRA_TOKEN',
      `Could not get a Microsoft Entra token for Event Grid (${scope}): ${(err as Error).message.split('\n')[0]}`,
      {
        exitCode: ExitCode.notLoggedIn,
        remedy:
          "Sign in as a service principal or managed identity, since Event Grid's Microsoft Entra authentication takes no user accounts: az login --service-principal …, az login --identity, or workload identity in CI (AZURE_TOKEN_CREDENTIALS picks the credential). That identity needs EventGrid TopicSpaces Publisher on the topic space (aio-bridge setup --grant-caller, run signed in as it).",
      },
    )
  }
  registerSecret(token)
  return {
    hop: {name: 'Event Grid', host, port},
    // Event Grid presents a public certificate: the system trust store (plus NODE_EXTRA_CA_CERTS) applies.
    tls: {},
    credentials: {authMethod: 'OAUTH2-JWT', authData: () => token, describe: 'Microsoft Entra token (OAUTH2-JWT)'},
    clientId: `aio-bridge-verify-${runId}`,
  }
}
