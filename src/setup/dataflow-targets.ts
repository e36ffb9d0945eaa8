import type {KubectlApplyResult} from '../apply/kubectl.js'
import type {ArmClient} from '../azure/arm-client.js'
import type {BridgeConfig} from '../config/bridge-config.js'
import {ConfigError} from '../errors.js'
import {type BridgeModelFlags, buildBridgeModel} from '../model/bridge-model.js'
import {checkBridgeModel} from '../model/checks.js'
import type {DataflowsDiscovery} from './apply-dataflows.js'
import type {DataflowsStep} from './run-setup.js'

export type DataflowTarget = 'arm' | 'kubernetes'

/**
 * The topic-map checks, before setup writes anything: with the hostname still unknown, everything but the hostname
 * is checked. Errors stop setup (exit 2); warnings are returned for printing.
 */
export function preflightBridgeModel(config: BridgeConfig, modelFlags: BridgeModelFlags): string[] {
  const model = buildBridgeModel({...modelFlags, hostname: undefined})
  const {errors, warnings} = checkBridgeModel(model, {
    topicTemplates: config.topicTemplates,
    maxClientSessions: config.maxClientSessions,
  })
  const first = errors[0]
  if (first) {
    const more =
      errors.length > 1
        ? ` (and ${errors.length - 1} more: ${errors
            .slice(1)
            .map((e) => e.code)
            .join(', ')})`
        : ''
    throw new ConfigError(first.code, `${first.message}${more}`, first.fix, {problems: errors})
  }
  return warnings.filter((w) => w.code !== 'HOSTNAME_PLACEHOLDER').map((w) => `${w.message} Fix: ${w.fix}`)
}

/**
 * The dataflows step for the chosen target: an ARM deployment or kubectl apply; with `apply: false` the target's files
 * (Bicep, or Kubernetes YAML) are written with the command that applies them.
 */
export function dataflowsStep(
  arm: ArmClient,
  config: BridgeConfig,
  modelFlags: BridgeModelFlags,
  target: DataflowTarget,
  opts: {
    apply: boolean
    outDir: string
    crdVersion?: 'v1' | 'v1beta1'
    signal?: AbortSignal
    /** kubectl's environment (--kubeconfig, --kube-context). */
    env?: NodeJS.ProcessEnv
  },
): DataflowsStep {
  // Started by prepare() (a real run): the reads that need no hostname, beside the Event Grid steps.
  let discovered: Promise<DataflowsDiscovery> | undefined
  const step: DataflowsStep = async (hostname, ctx) => {
    if (target === 'arm' && opts.apply) {
      const {applyDataflowsArm} = await import('./apply-dataflows.js')
      const r = await applyDataflowsArm(arm, config, modelFlags, hostname, {
        dryRun: ctx.dryRun,
        signal: opts.signal,
        onProgress: ctx.update,
        onSubmitted: ctx.submitted,
        discovered,
      })
      const verb =
        r.action === 'unchanged'
          ? 'unchanged'
          : ctx.dryRun
            ? `would be ${r.action === 'create' ? 'created' : 'updated'}`
            : r.action === 'create'
              ? 'created'
              : 'updated'
      const changes = r.changes?.length
        ? ` (${r.changes.map((c) => `${c.changeType} ${c.resourceId.split('/').pop()}`).join(', ')})`
        : ''
      return {
        title: `Dataflows on instance ${r.instance}: ${verb}${changes}`,
        // Like the other steps: what was done (created / updated / unchanged), or in a dry run what would be.
        result: {...r, action: ctx.dryRun || r.action === 'unchanged' ? r.action : `${r.action}d`},
        changed: !ctx.dryRun && r.action !== 'unchanged',
      }
    }
    const {renderFiles, writeRenderedFiles} = await import('../render/files.js')
    // Files for an ARM deployment later: fill in the instance and custom location when they can be found.
    const known = target === 'arm' ? await findTarget(arm, config, modelFlags) : {}
    const model = buildBridgeModel({...modelFlags, ...known, hostname})
    const format = target === 'kubernetes' ? 'kubernetes' : 'bicep'
    const files = renderFiles(model, {format, crdVersion: opts.crdVersion})
    if (!opts.apply || ctx.dryRun) {
      // A dry run never runs kubectl: it only says what would be written and applied.
      if (ctx.dryRun)
        return {
          title: `Dataflows: would ${opts.apply ? 'apply' : 'write'} ${files.map((f) => f.name).join(', ')}`,
          result: {target, applied: false, files: files.map((f) => f.name)},
          changed: false,
        }
      const paths = await writeRenderedFiles(files, opts.outDir)
      const {bicepDeployCommand} = await import('../render/bicep.js')
      const command =
        format === 'kubernetes'
          ? `kubectl apply ${paths.map((p) => `-f ${p}`).join(' ')}`
          : bicepDeployCommand(model, paths[0]).replace('<RESOURCE_GROUP>', config.resourceGroup)
      return {
        title: `Dataflows: written to ${opts.outDir}, not applied`,
        result: {target, applied: false, files: paths, command},
        changed: false,
      }
    }
    const {applyWithKubectl} = await import('../apply/kubectl.js')
    const r = await applyWithKubectl({files, outDir: opts.outDir, abortSignal: opts.signal, env: opts.env})
    return {
      title: `Dataflows: ${describeKubectl(r)}`,
      result: {target, ...r},
      changed: r.objects.some((o) => o.action !== 'unchanged'),
    }
  }
  if (target === 'arm' && opts.apply) {
    step.prepare = () => {
      const m = import('./apply-dataflows.js')
      // The instance gates setup's first write (prepare's promise); the endpoint and dataflow reads that follow it
      // run beside the Event Grid steps and are awaited only by this step.
      const found = m.then((x) => x.findDataflowsTarget(arm, config, modelFlags))
      discovered = m.then((x) => x.discoverDataflows(arm, config, modelFlags, found))
      discovered.catch(() => undefined)
      return found
    }
    step.warm = () => arm.preload(config.subscriptionId, 'deployments')
  }
  return step
}

async function findTarget(
  arm: ArmClient,
  config: BridgeConfig,
  modelFlags: BridgeModelFlags,
): Promise<Pick<BridgeModelFlags, 'instance' | 'custom-location'>> {
  try {
    const {findDataflowsTarget} = await import('./apply-dataflows.js')
    const t = await findDataflowsTarget(arm, config, modelFlags)
    return {instance: t.instance.name, 'custom-location': t.customLocation}
  } catch {
    // No instance (yet), or several without --instance: the files keep the parameters to fill in.
    return {}
  }
}

function describeKubectl(r: KubectlApplyResult): string {
  if (!r.applied) return `kubectl not found; files written, run: ${r.command}`
  return r.objects.map((o) => `${o.name} ${o.action}`).join(', ') || 'applied'
}
