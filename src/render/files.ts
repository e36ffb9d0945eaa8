import {join, resolve} from 'node:path'
import type {BridgeModel, CrdVersion} from '../model/bridge-model.js'
import {writeFileReplacing} from '../output-files.js'
import {ARM_PARAMETERS_FILE_NAME, ARM_TEMPLATE_FILE_NAME, renderArmParametersFile, renderArmTemplate} from './arm.js'
import {BICEP_FILE_NAME, renderBicep} from './bicep.js'
import type {RenderFormat} from './formats.js'
import {KUBERNETES_FILE_NAME, MQTT_CLIENT_FILE_NAME, renderKubernetes, renderMqttClient} from './kubernetes.js'

export {RENDER_FORMATS, type RenderFormat} from './formats.js'

export interface RenderedFile {
  name: string
  content: string
  /** Printed on stdout without --out-dir; the others (ARM parameter values) only land in files and --json. */
  stdout: boolean
}

export interface RenderFilesOptions {
  format: RenderFormat
  /** Add the tutorial's mqtt-client ServiceAccount and Pod (a Kubernetes manifest, whatever the format). */
  client?: boolean
  crdVersion?: CrdVersion
}

/** Every file a format consists of, in the order they are printed or written. */
export function renderFiles(model: BridgeModel, options: RenderFilesOptions): RenderedFile[] {
  const files: RenderedFile[] = []
  switch (options.format) {
    case 'bicep':
      files.push({name: BICEP_FILE_NAME, content: renderBicep(model), stdout: true})
      break
    case 'arm': {
      const {template, parameters} = renderArmTemplate(model)
      files.push({name: ARM_TEMPLATE_FILE_NAME, content: `${JSON.stringify(template, null, 2)}\n`, stdout: true})
      files.push({name: ARM_PARAMETERS_FILE_NAME, content: renderArmParametersFile(parameters), stdout: false})
      break
    }
    case 'kubernetes':
      files.push({
        name: KUBERNETES_FILE_NAME,
        content: renderKubernetes(model, {crdVersion: options.crdVersion}),
        stdout: true,
      })
      break
  }
  if (options.client) {
    // Bicep cannot deploy a pod (the tutorial says so too): the client is a Kubernetes manifest in every format.
    files.push({name: MQTT_CLIENT_FILE_NAME, content: renderMqttClient(), stdout: options.format === 'kubernetes'})
  }
  return files
}

/** What goes to stdout without --out-dir: YAML documents join with '---'; other formats print their main file. */
export function stdoutText(files: RenderedFile[], format: RenderFormat): string {
  const shown = files.filter((f) => f.stdout)
  return format === 'kubernetes' ? shown.map((f) => f.content).join('---\n') : shown.map((f) => f.content).join('')
}

/** Writes the files into dir (made if missing; a link already at a file's path is replaced); returns their paths. */
export async function writeRenderedFiles(files: RenderedFile[], dir: string): Promise<string[]> {
  const outDir = resolve(dir)
  const paths: string[] = []
  for (const file of files) {
    const path = join(outDir, file.name)
    await writeFileReplacing(path, file.content)
    paths.push(path)
  }
  return paths
}
