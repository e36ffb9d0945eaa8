import {resolve} from 'node:path'
import {BaseCommand} from '../base-command.js'
import {azureFlags, eventGridFlags} from '../flags.js'
import type {BridgeProblem} from '../model/checks.js'
import type {HostnameSource} from '../model/hostname.js'
import {bridgeModelFlags, deploymentTargetFlags, hostnameFlag, renderOutputFlags} from '../render/flags.js'
import type {RenderFormat} from '../render/formats.js'

export interface RenderResult {
  format: RenderFormat
  /** Absolute folder the files were written to; absent when they were printed. */
  outDir?: string
  files: Array<{name: string; path?: string; content: string}>
  hostname: {value: string; source: HostnameSource}
  warnings: BridgeProblem[]
}

export default class Render extends BaseCommand {
  static override summary =
    'Render the Event Grid dataflow endpoint and the two dataflows as Bicep, ARM JSON or Kubernetes YAML'
  static override description =
    'Offline unless asked: the hostname comes from --hostname or, when --namespace (or EVENT_GRID_NAMESPACE) is set and you are signed in, from the namespace; otherwise a placeholder. Prints to stdout, or writes files with --out-dir. The topic map is checked first; a bad map exits 2 and nothing is written.'
  static override examples = [
    '<%= config.bin %> render --format bicep --hostname myns.westus2-1.ts.eventgrid.azure.net',
    '<%= config.bin %> render --format arm --out-dir deploy --instance my-aio --custom-location my-cl --hostname myns.westus2-1.ts.eventgrid.azure.net',
    '<%= config.bin %> render --format kubernetes --client --hostname myns.westus2-1.ts.eventgrid.azure.net | kubectl apply -f -',
  ]
  static override flags = {
    ...renderOutputFlags,
    ...hostnameFlag,
    ...bridgeModelFlags,
    ...deploymentTargetFlags,
    ...azureFlags,
    namespace: eventGridFlags.namespace,
    'topic-template': eventGridFlags['topic-template'],
    'max-client-sessions': eventGridFlags['max-client-sessions'],
  }

  async run(): Promise<RenderResult> {
    const {flags} = await this.parse(Render)
    const {buildBridgeModel} = await import('../model/bridge-model.js')
    const {assertBridgeModel} = await import('../model/checks.js')
    const {resolveTopicTemplates} = await import('../config/bridge-config.js')
    const {resolveRenderHostname} = await import('../model/hostname.js')
    const {checkEventGridName} = await import('../config/rules.js')
    const {invalidNamespace} = await import('../config/invalid.js')
    const {renderFiles, stdoutText, writeRenderedFiles} = await import('../render/files.js')
    if (flags['out-dir'] !== undefined)
      (await import('../output-files.js')).checkOutputDir(flags['out-dir'], '--out-dir')

    // A namespace no one can create is a typo: say so rather than look it up and fall back to the placeholder.
    const namespace = flags.hostname ? undefined : flags.namespace || process.env.EVENT_GRID_NAMESPACE
    const nsProblem = namespace ? checkEventGridName(namespace) : undefined
    if (namespace && nsProblem)
      throw invalidNamespace(namespace, nsProblem, flags.namespace ? undefined : 'EVENT_GRID_NAMESPACE')

    const host = await resolveRenderHostname({
      hostname: flags.hostname,
      azure: {flags, env: process.env},
      abortSignal: this.abortController.signal,
    })
    if (host.lookupError)
      this.note(`Could not read the hostname from the namespace (${host.lookupError}); using the placeholder.`)
    const model = buildBridgeModel({...flags, hostname: host.hostname})
    const topicTemplates = resolveTopicTemplates(flags['topic-template'])
    // Before anything is written: a bad map throws (exit 2) here.
    const warnings = assertBridgeModel(model, {topicTemplates, maxClientSessions: flags['max-client-sessions']})
    const theme = this.theme(process.stderr)
    for (const w of warnings) this.note(`${theme.warn('Warning:')} ${w.message}\n  ${theme.bold('Fix:')} ${w.fix}`)

    const format = flags.format as RenderFormat
    const files = renderFiles(model, {
      format,
      client: flags.client,
      crdVersion: flags['crd-version'] as 'v1' | 'v1beta1',
    })
    const result: RenderResult = {
      format,
      files: files.map((f) => ({name: f.name, content: f.content})),
      hostname: {value: model.endpoint.properties.mqttSettings.host, source: host.source},
      warnings,
    }
    if (flags['out-dir'] === undefined) {
      this.out(stdoutText(files, format).replace(/\n$/, ''))
      const hidden = files.filter((f) => !f.stdout).map((f) => f.name)
      if (hidden.length) this.note(theme.dim(`Not printed: ${hidden.join(', ')} (use --out-dir or --json).`))
      return result
    }
    const paths = await writeRenderedFiles(files, flags['out-dir'])
    result.files = result.files.map((f, i) => ({...f, path: paths[i]}))
    result.outDir = resolve(flags['out-dir'])
    for (const p of paths) this.out(`Wrote ${p}`)
    return result
  }
}
