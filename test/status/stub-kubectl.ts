import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {AIO_NAMESPACE, buildBridgeModel} from '../../src/model/bridge-model.js'
import {MANAGED_BY_LABEL} from '../../src/render/kubernetes.js'

/**
 * A stand-in kubectl for status: prints canned `kubectl get -o json` output (or, with `stderr`, prints that and exits
 * 1) and records each call's arguments (one call per line, tab-separated). It uses only shell builtins and /bin/cat,
 * so the PATH given to status can hold its folder alone (this machine has a real /usr/bin/kubectl).
 */
export interface StubKubectl {
  dir: string
  calls: () => string[][]
  remove: () => void
}

export function stubKubectl(opts: {stdout?: string; stderr?: string}): StubKubectl {
  const dir = mkdtempSync(join(tmpdir(), 'aio-bridge-status-kubectl-'))
  writeFileSync(join(dir, 'out.json'), opts.stdout ?? '')
  if (opts.stderr !== undefined) writeFileSync(join(dir, 'err.txt'), opts.stderr)
  const path = join(dir, 'kubectl')
  writeFileSync(
    path,
    `#!/bin/sh
d="${dir}"
(IFS="$(printf '\\t')"; printf '%s\\n' "$*") >> "$d/calls.txt"
if [ -f "$d/err.txt" ]; then /bin/cat "$d/err.txt" >&2; exit 1; fi
/bin/cat "$d/out.json"
exit 0
`,
  )
  chmodSync(path, 0o755)
  return {
    dir,
    calls: () => {
      let text = ''
      try {
        text = readFileSync(join(dir, 'calls.txt'), 'utf8')
      } catch {
        // never called
      }
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t'))
    },
    remove: () => rmSync(dir, {recursive: true, force: true}),
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a custom resource as kubectl prints it
type Cr = Record<string, any>

/**
 * The endpoint and dataflows as `setup --target kubernetes` leaves them in the cluster (spec = the model's properties,
 * with the namespace hostname; the label on each), as kubectl prints them: a List.
 */
export function clusterObjects(hostname: string): {endpoint: Cr; dataflows: Record<string, Cr>} {
  const model = buildBridgeModel({hostname})
  const metadata = (name: string) => ({
    name,
    namespace: AIO_NAMESPACE,
    labels: {[MANAGED_BY_LABEL.key]: MANAGED_BY_LABEL.value},
    uid: `uid-${name}`,
  })
  const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T
  return {
    endpoint: {
      apiVersion: 'connectivity.iotoperations.azure.com/v1',
      kind: 'DataflowEndpoint',
      metadata: metadata(model.endpoint.name),
      spec: clone(model.endpoint.properties),
    },
    dataflows: Object.fromEntries(
      model.dataflows.map((df) => [
        df.name,
        {
          apiVersion: 'connectivity.iotoperations.azure.com/v1',
          kind: 'Dataflow',
          metadata: metadata(df.name),
          spec: {profileRef: model.profile, ...clone(df.properties)},
          status: {},
        },
      ]),
    ),
  }
}

export function kubectlList(items: Cr[]): string {
  return `${JSON.stringify({apiVersion: 'v1', kind: 'List', items, metadata: {resourceVersion: ''}}, null, 4)}\n`
}
