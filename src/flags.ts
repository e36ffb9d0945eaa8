import {Flags} from '@oclif/core'
import {CLOUD_NAMES} from './config/clouds.js'

/**
 * Flags shared by the commands that talk to Azure. Environment variables (the tutorial's own names) are resolved in
 * src/config/bridge-config.ts, not through oclif's `env`, so resolution is one pure, tested function.
 */
export const azureFlags = {
  subscription: Flags.string({
    description: 'Azure subscription id [env: SUBSCRIPTION_ID, AZURE_SUBSCRIPTION_ID]',
    helpGroup: 'AZURE',
  }),
  'resource-group': Flags.string({char: 'g', description: 'Resource group [env: RESOURCE_GROUP]', helpGroup: 'AZURE'}),
  cloud: Flags.string({description: `Azure cloud: ${CLOUD_NAMES.join(', ')} [env: AZURE_CLOUD]`, helpGroup: 'AZURE'}),
}

export const eventGridFlags = {
  namespace: Flags.string({
    char: 'n',
    description: 'Event Grid namespace [env: EVENT_GRID_NAMESPACE]',
    helpGroup: 'EVENT GRID',
  }),
  location: Flags.string({
    char: 'l',
    description: 'Region for a new namespace [env: LOCATION] (default: the resource group’s)',
    helpGroup: 'EVENT GRID',
  }),
  'topic-space': Flags.string({description: 'Topic space name', default: undefined, helpGroup: 'EVENT GRID'}),
  'topic-template': Flags.string({
    description: 'Topic template, repeatable (default telemetry/#)',
    multiple: true,
    helpGroup: 'EVENT GRID',
  }),
  'max-client-sessions': Flags.integer({
    description: 'Client sessions per authentication name, 1–100 (default 3)',
    helpGroup: 'EVENT GRID',
  }),
}

export const clusterFlags = {
  cluster: Flags.string({
    char: 'c',
    description: 'Arc-enabled cluster running IoT Operations [env: CLUSTER_NAME]',
    helpGroup: 'IOT OPERATIONS',
  }),
}

/**
 * A decimal number of seconds (0.5 is allowed, which oclif's integer flag refuses). Its helpValue SECONDS tells the
 * usage errors (src/usage/parse-errors.ts) to offer `--timeout 60` for `--timeout 1m`.
 */
export const seconds = Flags.custom<number>({
  helpValue: 'SECONDS',
  parse: async (input) => {
    const n = Number(input)
    if (input.trim() === '' || !Number.isFinite(n) || n < 0)
      throw new Error(`Expected a number of seconds ≥ 0 but received: ${input}`)
    return n
  },
})

/** kubectl's connection, on every command that runs kubectl (setup, status, teardown, verify). */
export const kubectlFlags = {
  'kube-context': Flags.string({
    description: 'kubectl context (default: the current context) [env: AIO_BRIDGE_KUBE_CONTEXT]',
    helpGroup: 'KUBECTL',
  }),
  kubeconfig: Flags.string({
    description: 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)',
    helpGroup: 'KUBECTL',
  }),
}
