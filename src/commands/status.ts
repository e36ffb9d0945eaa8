import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {resolveBridgeConfig} from '../config/bridge-config.js'
import {ExitCode} from '../errors.js'
import {azureFlags, clusterFlags, eventGridFlags, kubectlFlags} from '../flags.js'
import type {StatusAssessment, StatusCheck} from '../plan/status.js'
import {bridgeModelFlags, deploymentTargetFlags} from '../render/flags.js'

/** A check as --json gives it: `result` says ok, gap or skipped (a skipped check is no gap; schemas/status.json). */
export interface StatusJsonCheck extends Omit<StatusCheck, 'ok' | 'skipped'> {
  result: 'ok' | 'gap' | 'skipped'
}

export interface StatusResult extends Omit<StatusAssessment, 'checks'> {
  subscriptionId: string
  resourceGroup: string
  namespace: string
  topicSpace: string
  checks: StatusJsonCheck[]
}

function jsonCheck({ok, skipped, ...c}: StatusCheck): StatusJsonCheck {
  return {...c, result: skipped ? 'skipped' : ok ? 'ok' : 'gap'}
}

export default class Status extends BaseCommand {
  static override summary = 'Check every piece of the bridge against what setup makes; read-only; exit 10 on any gap.'
  static override description =
    `Reads Azure (never writes) and checks: the namespace exists with MQTT enabled, enough sessions per client and a hostname; the topic space exists with the wanted templates; the cluster's IoT Operations identity (needs --cluster) holds TopicSpaces Publisher and Subscriber at the topic space or above (the table says where); the dataflow endpoint exists and points at <hostname>:8883; both dataflows exist, match the model and are provisioned (with --target kubernetes those live in the cluster and are read with kubectl get -n azure-iot-operations -o json; without kubectl on PATH they are not checked). Each gap comes with the command that closes it. Checks that cannot run (no --cluster, or a piece they depend on is missing) are shown as not checked.

EXIT CODES
  0 clean   10 at least one gap   2 invalid input   3 not logged in   4 permission denied   5 prerequisite missing (with --target kubernetes: kubectl cannot reach the cluster)   7 Azure refused or kept failing   8 kubectl get failed or timed out`
  static override examples = [
    '<%= config.bin %> status -g my-rg -n my-eg-namespace -c my-cluster',
    '<%= config.bin %> status --json | jq ".gaps"',
    '<%= config.bin %> status && echo "bridge in place"',
  ]
  static override interrupt = {
    stopping: 'Stopping the checks (Ctrl-C again to stop now)…',
    remedy: 'Run status again: it only reads, so nothing needs undoing.',
  }

  static override flags = {
    ...azureFlags,
    namespace: eventGridFlags.namespace,
    'topic-space': eventGridFlags['topic-space'],
    'topic-template': eventGridFlags['topic-template'],
    'max-client-sessions': eventGridFlags['max-client-sessions'],
    ...clusterFlags,
    ...bridgeModelFlags,
    ...deploymentTargetFlags,
    ...kubectlFlags,
    target: Flags.string({
      description:
        'How setup applied the dataflows: arm (deployment) or kubernetes (kubectl: the endpoint and dataflows are read from the cluster with kubectl; not checked without kubectl on PATH)',
      options: ['arm', 'kubernetes'],
      default: 'arm',
    }),
  }

  async run(): Promise<StatusResult> {
    const {flags} = await this.parse(Status)
    const config = resolveBridgeConfig(flags, process.env, {requireCluster: false})
    const {buildBridgeModel} = await import('../model/bridge-model.js')
    const model = buildBridgeModel({...flags, hostname: undefined})
    const [{createArmClient}, {observeStatus}, {assessStatus}, {formatStatus}] = await Promise.all([
      import('../azure/arm-client.js'),
      import('../status/observe.js'),
      import('../plan/status.js'),
      import('../ui/status-format.js'),
    ])
    const arm = await createArmClient(config, {trace: this.debugEnabled ? (l) => this.note(`[arm] ${l}`) : undefined})
    const statusConfig = {
      ...config,
      model,
      target: flags.target as 'arm' | 'kubernetes',
      ...(flags.instance ? {instance: flags.instance} : {}),
    }
    const env = (await import('../apply/kubectl.js')).kubectlEnvironment(flags)
    const assessment = assessStatus(statusConfig, await observeStatus(arm, statusConfig, {env}))
    this.out(formatStatus(assessment, this.theme(), config))
    // A gap is a finding, not an error: the --json result still carries every check, and the exit code says "gap".
    if (!assessment.clean) process.exitCode = ExitCode.statusGap
    const {subscriptionId, resourceGroup, namespace, topicSpace} = config
    return {
      subscriptionId,
      resourceGroup,
      namespace,
      topicSpace,
      ...assessment,
      checks: assessment.checks.map(jsonCheck),
    }
  }
}
