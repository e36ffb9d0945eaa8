import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {resolveBridgeConfig} from '../config/bridge-config.js'
import {azureFlags, clusterFlags, eventGridFlags, kubectlFlags} from '../flags.js'
import {bridgeModelFlags, deploymentTargetFlags} from '../render/flags.js'
import type {SetupResult} from '../setup/run-setup.js'

export default class Setup extends BaseCommand {
  static override summary =
    'Provision the bridge: Event Grid namespace, topic space, roles, hostname, and the dataflows.'
  static override description =
    `Does the tutorial's steps in one safe, re-runnable command: an Event Grid namespace with MQTT enabled, a topic space, the IoT Operations extension's managed identity given the TopicSpaces Publisher and Subscriber roles on it, the namespace's MQTT hostname, and the IoT Operations dataflow endpoint and two dataflows (an ARM deployment by default, kubectl with --target kubernetes, files only with --no-apply). A second run with the same inputs changes nothing. Reads the tutorial's environment variables (SUBSCRIPTION_ID, RESOURCE_GROUP, LOCATION, EVENT_GRID_NAMESPACE, CLUSTER_NAME); flags override them.

EXIT CODES
  0 done   1 unexpected   2 invalid input   3 not logged in   4 permission denied   5 prerequisite missing
  6 conflict or quota   7 Azure refused or kept failing   8 deployment failed   130 interrupted (143 on SIGTERM)`
  static override examples = [
    '<%= config.bin %> setup -g my-rg -n my-eg-namespace -c my-cluster --subscription 00000000-0000-0000-0000-000000000000',
    'export RESOURCE_GROUP=my-rg EVENT_GRID_NAMESPACE=my-eg CLUSTER_NAME=my-cluster SUBSCRIPTION_ID=…\n<%= config.bin %> setup --dry-run',
    '<%= config.bin %> setup --target kubernetes',
    '<%= config.bin %> setup --json',
  ]
  static override flags = {
    ...azureFlags,
    ...eventGridFlags,
    ...clusterFlags,
    ...bridgeModelFlags,
    ...deploymentTargetFlags,
    ...kubectlFlags,
    target: Flags.string({
      description:
        'How to apply the dataflows: arm (an ARM deployment into the resource group) or kubernetes (kubectl apply)',
      options: ['arm', 'kubernetes'],
      default: 'arm',
    }),
    apply: Flags.boolean({
      description:
        'Apply the dataflows (--no-apply: write the target’s files, Bicep or Kubernetes YAML, and print the command)',
      allowNo: true,
      default: true,
    }),
    'out-dir': Flags.string({
      description: 'Where the rendered files go (--no-apply, or kubectl missing)',
      default: 'aio-bridge-out',
    }),
    'crd-version': Flags.string({
      description: 'Kubernetes CRD version (--target kubernetes)',
      options: ['v1', 'v1beta1'],
      default: 'v1',
    }),
    'grant-caller': Flags.boolean({
      description:
        'Also give the signed-in identity the Publisher and Subscriber roles on the topic space (for verify --from-cloud).',
    }),
    'dry-run': Flags.boolean({
      description: 'Read Azure and show what setup would do (what-if for the deployment); change nothing.',
    }),
  }

  async run(): Promise<SetupResult> {
    const {flags} = await this.parse(Setup)
    const config = resolveBridgeConfig(flags, process.env)
    const {preflightBridgeModel, dataflowsStep} = await import('../setup/dataflow-targets.js')
    const target = flags.target as 'arm' | 'kubernetes'
    // Every input is checked before the first write: the folder the files may go to, kubectl's kubeconfig.
    if (!flags.apply || target === 'kubernetes')
      (await import('../output-files.js')).checkOutputDir(flags['out-dir'], '--out-dir')
    const kubectlEnv = (await import('../apply/kubectl.js')).kubectlEnvironment(flags)
    // Printed with the summary, and returned under --json.
    const mapWarnings = preflightBridgeModel(config, flags)
    const {createArmClient} = await import('../azure/arm-client.js')
    const {runSetup, setupSteps} = await import('../setup/run-setup.js')
    const {withListr} = await import('../ui/listr-reporter.js')
    const arm = await createArmClient(config, {trace: this.debugEnabled ? (l) => this.note(`[arm] ${l}`) : undefined})
    const granted = flags['grant-caller'] ? await (await import('../azure/caller.js')).resolveCaller(arm) : undefined
    if (granted?.warning) this.note(this.theme(process.stderr).warn(`warning: ${granted.warning}`))
    const tuning = (await import('../config/tuning.js')).tuningFromEnv()
    const options = {
      dryRun: flags['dry-run'],
      caller: granted?.caller,
      pollIntervalInMs: tuning.pollIntervalInMs,
      principalRetryDelayInMs: tuning.retryDelayInMs,
      signal: this.abortController.signal,
      dataflows: dataflowsStep(arm, config, flags, target, {
        apply: flags.apply,
        outDir: flags['out-dir'],
        crdVersion: flags['crd-version'] as 'v1' | 'v1beta1',
        signal: this.abortController.signal,
        env: kubectlEnv,
      }),
    }
    const result = await withListr(setupSteps(options), this.jsonEnabled(), (reporter) =>
      runSetup(arm, config, reporter, options),
    )
    result.warnings.push(...mapWarnings)
    const {formatSetupSummary} = await import('../ui/setup-summary.js')
    const sandbox = Boolean(process.env.AIO_BRIDGE_SANDBOX_VERIFY_FLAGS)
    this.out(`\n${formatSetupSummary(result, this.theme(), {sandbox})}`)
    return result
  }
}
