import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * Template files ship in the package's `templates/` folder. They are found from this module's own location (src/ in
 * development, dist/src/ when built, node_modules/aio-bridge/dist/src/ when installed), never from the cwd.
 */
let root: string | undefined

export function packageRoot(): string {
  if (root) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'templates')) && existsSync(join(dir, 'package.json'))) {
      root = dir
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('aio-bridge: the templates/ folder is missing from the installed package')
    dir = parent
  }
}

const cache = new Map<string, string>()

export function loadTemplate(relativePath: string): string {
  let text = cache.get(relativePath)
  if (text === undefined) {
    text = readFileSync(join(packageRoot(), 'templates', relativePath), 'utf8')
    cache.set(relativePath, text)
  }
  return text
}

/**
 * Fills `{{name}}` slots. Values arrive already escaped for the target language by the renderer. Every line after the
 * first of a multi-line value takes the indentation of the line the slot is on, so nested blocks line up. An unknown
 * or unused slot is a bug in aio-bridge, not a user error.
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  const used = new Set<string>()
  const lines = template.split('\n').map((line) => {
    const indent = /^[ \t]*/.exec(line)?.[0] ?? ''
    return line.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
      const value = values[key]
      if (value === undefined) throw new Error(`template slot {{${key}}} has no value`)
      used.add(key)
      return value
        .split('\n')
        .map((l, i) => (i === 0 || l === '' ? l : `${indent}${l}`))
        .join('\n')
    })
  })
  for (const key of Object.keys(values)) {
    if (!used.has(key)) throw new Error(`template has no slot {{${key}}}`)
  }
  return lines.join('\n')
}
