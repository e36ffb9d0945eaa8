import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {resolveBridgeConfig} from '../config/bridge-config.js'
import {azureFlags, clusterFlags, eventGridFlags, kubectlFlags} from '../flags.js'
import {bridgeModelFlags, deploymentTargetFlags} from '../render/flags.js'
import type {TeardownResult} from '../teardown/run-teardown.js'

export default class Teardown extends BaseCommand {
  static override summary =
    'Remove what setup made: the dataflows and endpoint, the role assignments, the topic space and the namespace.'
  static override description =
    `Deletes, in reverse dependency order, only what aio-bridge made, recognised from Azure alone (works from any machine): the endpoint and the two dataflows when the deployment aio-bridge-<instance> exists (or, with --target kubernetes, those the cluster shows with the label app.kubernetes.io/managed-by=aio-bridge, through kubectl) and they are this namespace's bridge (the endpoint points at its <hostname>:8883, or, the namespace gone, the deployment record names it; a dataflow goes with the endpoint it uses), the TopicSpaces Publisher/Subscriber assignments named the way setup names them, the topic space if setup created it, and the namespace if it carries the managed-by: aio-bridge tag and holds no topic space aio-bridge did not make (unless --keep-namespace). A namespace, topic space or --instance that does not exist is named first, as a warning. What it keeps is listed with the reason. Already gone is success; a second run changes nothing. On a terminal it lists and asks; elsewhere (CI, --json) it needs --yes.

EXIT CODES
  0 done (or nothing to delete, or answered no)   2 invalid input, or --yes needed   3 not logged in
  4 permission denied   5 prerequisite missing (kubectl)   7 Azure refused or kept failing   8 kubectl get/delete failed or timed out   130 interrupted`
  static override examples = [
    '<%= config.bin %> teardown -g my-rg -n my-eg-namespace --dry-run',
    '<%= config.bin %> teardown -g my-rg -n my-eg-namespace --yes',
    '<%= config.bin %> teardown --keep-namespace --yes --json',
    '<%= config.bin %> teardown --target kubernetes --yes',
  ]
  static override interrupt = {
    stopping: 'Stopping after the deletions in flight (Ctrl-C again to stop now)…',
    remedy: 'Run the same teardown again: it deletes what is left and skips what is gone.',
  }

  static override flags = {
    ...azureFlags,
    namespace: eventGridFlags.namespace,
    'topic-space': eventGridFlags['topic-space'],
    ...clusterFlags,
    ...bridgeModelFlags,
    ...deploymentTargetFlags,
    ...kubectlFlags,
    target: Flags.string({
      description: 'How setup applied the dataflows: arm (deployment) or kubernetes (kubectl)',
      options: ['arm', 'kubernetes'],
      default: 'arm',
    }),
    'crd-version': Flags.string({
      description: 'Kubernetes CRD version (--target kubernetes)',
      options: ['v1', 'v1beta1'],
      default: 'v1',
    }),
    'keep-namespace': Flags.boolean({description: 'Keep the Event Grid namespace even if aio-bridge created it'}),
    yes: Flags.boolean({char: 'y', description: 'Delete without asking (required when not on a terminal)'}),
    'dry-run': Flags.boolean({description: 'List what would be deleted and kept; delete nothing'}),
  }

  async run(): Promise<TeardownResult> {
    const {flags} = await this.parse(Teardown)
    const config = resolveBridgeConfig(flags, process.env, {requireCluster: false})
    const {buildBridgeModel} = await import('../model/bridge-model.js')
    const model = buildBridgeModel({...flags, hostname: undefined})
    const [
      {createArmClient},
      {runTeardown},
      {formatTeardownPlan, formatTeardownSummary},
      {createListrReporter, pickRenderer},
      {confirmTeardown},
    ] = await Promise.all([
      import('../azure/arm-client.js'),
      import('../teardown/run-teardown.js'),
      import('../teardown/format.js'),
      import('../ui/listr-reporter.js'),
      import('../teardown/confirm.js'),
    ])
    const arm = await createArmClient(config, {trace: this.debugEnabled ? (l) => this.note(`[arm] ${l}`) : undefined})
    const dryRun = flags['dry-run']
    const interactive = process.stdin.isTTY === true && !this.jsonEnabled()
    this.note(`Reading what aio-bridge made in resource group ${config.resourceGroup}…`)
    const result = await runTeardown(
      arm,
      {...config, target: flags.target as 'arm' | 'kubernetes', keepNamespace: flags['keep-namespace']},
      {
        model,
        instance: flags.instance,
        crdVersion: flags['crd-version'] as 'v1' | 'v1beta1',
        dryRun,
        signal: this.abortController.signal,
        env: (await import('../apply/kubectl.js')).kubectlEnvironment(flags),
        onPlan: (plan) => {
          if (dryRun || flags.yes || interactive || plan.deletions.length === 0)
            this.out(formatTeardownPlan(plan, this.theme(), {dryRun, resourceGroup: config.resourceGroup}))
        },
        confirm: flags.yes
          ? undefined
          : confirmTeardown({interactive, theme: this.theme(process.stderr), resourceGroup: config.resourceGroup}),
        reporter: (steps) => createListrReporter(steps, pickRenderer(this.jsonEnabled())),
      },
    )
    this.out(formatTeardownSummary(result, this.theme()))
    return result
  }
}
