import assert from 'node:assert/strict'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {describe, it} from 'node:test'
import {CASES} from '../corpus/cases.js'
import {remedyOnlyNamesFlag} from '../helpers/remedy.js'

/**
 * Walks every place src/ makes an error with a code, and the remedy it gives: a remedy written out in the source is
 * checked here; one computed at run time (a bad value's corrected form, a check's fix) must have a case in the
 * bad-input corpus, which checks the remedy the built CLI prints. A remedy that only names its flag fails either way.
 */

const root = new URL('../../../', import.meta.url)

interface Site {
  file: string
  code: string
  /** The remedy expression as written, or undefined when the site gives none. */
  remedy?: string
}

/** Splits the arguments of a call starting at `open` (the index of its '('): strings, templates and nesting respected. */
function callArguments(src: string, open: number): string[] {
  const args: string[] = []
  let depth = 0
  let start = open + 1
  for (let i = open; i < src.length; i++) {
    const c = src[i] as string
    if (c === "'" || c === '"') {
      i = skipString(src, i, c)
      continue
    }
    if (c === '`') {
      i = skipTemplate(src, i)
      continue
    }
    if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') {
      depth--
      if (depth === 0) {
        args.push(src.slice(start, i).trim())
        return args
      }
    } else if (c === ',' && depth === 1) {
      args.push(src.slice(start, i).trim())
      start = i + 1
    }
  }
  return args
}

function skipString(src: string, i: number, quote: string): number {
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === '\\') j++
    else if (src[j] === quote) return j
  }
  return src.length
}

function skipTemplate(src: string, i: number): number {
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === '\\') j++
    else if (src[j] === '`') return j
    else if (src[j] === '$' && src[j + 1] === '{') {
      let depth = 0
      for (let k = j + 1; k < src.length; k++) {
        if (src[k] === '`') k = skipTemplate(src, k)
        else if (src[k] === '{') depth++
        else if (src[k] === '}' && --depth === 0) {
          j = k
          break
        }
      }
    }
  }
  return src.length
}

/** The value of `remedy:` in an options object literal. */
function remedyProperty(options: string): string | undefined {
  const at = /(^|[{,\s])remedy\s*:/.exec(options)
  if (!at) return /(^|[{,\s])remedy\s*[,}]/.test(options) ? 'remedy' : undefined
  const rest = `(${options.slice(at.index + at[0].length)}`
  return callArguments(`${rest})`, 0)[0]
}

/**
 * The literal text of an expression: its string and template parts, each `${…}` standing for what it holds (a flag
 * name when it is one, `${flag}`, else some value); undefined when the expression holds no text of its own.
 */
function literalText(expr: string): string[] | undefined {
  const parts: string[] = []
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string
    if (c === "'" || c === '"') {
      const end = skipString(expr, i, c)
      parts.push(expr.slice(i + 1, end))
      i = end
    } else if (c === '`') {
      const end = skipTemplate(expr, i)
      parts.push(
        expr
          .slice(i + 1, end)
          .replace(/\$\{([^}]*)\}/g, (_m, inner: string) => (/flag|key/i.test(inner) ? '--flag' : 'X1')),
      )
      i = end
    }
  }
  // A part made only of `${…}` is computed at run time: the corpus checks what it prints.
  const own = parts.filter((p) => /\p{L}/u.test(p.replace(/X1|--flag/g, '')))
  return own.length > 0 ? own : undefined
}

/**
 * A remedy given by name: a `const` of the same file, or an entry of the verify hop-remedy tables (`remedies.dns`),
 * whose every entry is checked as a literal.
 */
function resolveRemedy(text: string, expr: string): string {
  const id = /^[A-Za-z_$][\w$]*$/.exec(expr)?.[0]
  if (id) {
    const at = new RegExp(`\\bconst ${id}\\s*=`).exec(text)
    if (at) return callArguments(`(${text.slice(at.index + at[0].length)})`, 0)[0] ?? expr
  }
  const member = /^(?:remedies|o)\.(\w+)$/.exec(expr)?.[1]
  if (member) {
    const values = [...text.matchAll(/: HopRemedies = \{/g)].flatMap((m) => {
      const body = callArguments(text, (m.index as number) + m[0].length - 1).join(',')
      const key = member === 'remedy' ? '\\w+' : member
      return [...body.matchAll(new RegExp(`\\b${key}:\\s*`, 'g'))].map(
        (v) => callArguments(`(${body.slice((v.index as number) + v[0].length)})`, 0)[0] ?? '',
      )
    })
    if (values.length > 0) return values.join(' + ')
  }
  return expr
}

function sources(): Array<{file: string; text: string}> {
  const out: Array<{file: string; text: string}> = []
  const walk = (dir: URL, rel: string) => {
    for (const name of readdirSync(dir)) {
      const u = new URL(name, dir)
      if (statSync(u).isDirectory()) walk(new URL(`${name}/`, dir), `${rel}${name}/`)
      else if (name.endsWith('.ts')) out.push({file: `${rel}${name}`, text: readFileSync(u, 'utf8')})
    }
  }
  walk(new URL('src/', root), 'src/')
  return out
}

function errorSites(): Site[] {
  const sites: Site[] = []
  const call = /\b(AioBridgeError|ConfigError|AzureError|VerifyError|KubectlApplyError|make)\(\s*'([A-Z][A-Z0-9_]+)'/g
  for (const {file, text} of sources()) {
    // The emulator's own errors answer aio-bridge's requests as Azure would: they are not shown to a user.
    if (file.startsWith('src/emulator/arm/')) continue
    for (const m of text.matchAll(call)) {
      const open = (m.index as number) + m[0].indexOf('(')
      const args = callArguments(text, open)
      const third = args[2]
      const remedy =
        m[1] === 'ConfigError' || m[1] === 'make' ? third : third === undefined ? undefined : remedyProperty(third)
      sites.push({file, code: m[2] as string, remedy: remedy === undefined ? undefined : resolveRemedy(text, remedy)})
    }
  }
  return sites
}

describe('every error code has a remedy that fixes it', () => {
  const sites = errorSites()
  const corpusCodes = new Set(CASES.map((c) => c.code))

  it(`finds the error sites of src/ (${sites.length})`, () => {
    assert.ok(sites.length > 60, `found ${sites.length}`)
    assert.ok(new Set(sites.map((s) => s.code)).size > 40)
  })

  it('the check itself fails on remedies that only name the flag, and passes real ones', () => {
    for (const bad of [
      'Fix --namespace.',
      'Pass --username.',
      'Fix --topic-template.',
      'Set a valid --hostname value.',
    ])
      assert.ok(remedyOnlyNamesFlag(bad), bad)
    for (const good of ['Pass --namespace my-eg-ns.', 'Drop --no-tls.', "Run 'az login'.", 'Pass --format bicep.'])
      assert.ok(!remedyOnlyNamesFlag(good), good)
  })

  it('no remedy written in src/ only names a flag', () => {
    const bad = sites
      .filter((s) => s.remedy !== undefined)
      .flatMap((s) => (literalText(s.remedy as string) ?? []).map((t) => ({...s, text: t})))
      .filter((s) => s.text.trim() !== '' && remedyOnlyNamesFlag(s.text))
    assert.deepEqual(
      bad.map((s) => `${s.file} ${s.code}: ${s.text}`),
      [],
    )
  })

  it('the fixes of the topic-map checks (remedies of MAP_* and EVENTGRID_* errors) say more than the flag', () => {
    const checks = readFileSync(new URL('src/model/checks.ts', root), 'utf8')
    const fixes = [...checks.matchAll(/\bfix:\s*/g)].flatMap(
      (m) => literalText(callArguments(`(${checks.slice((m.index as number) + m[0].length)})`, 0)[0] ?? '') ?? [],
    )
    assert.ok(fixes.length >= 5, `found ${fixes.length} fixes`)
    assert.deepEqual(
      fixes.filter((f) => f.trim() !== '' && remedyOnlyNamesFlag(f)),
      [],
    )
  })

  it('every code whose remedy is computed at run time is exercised by the bad-input corpus, or has a literal remedy too', () => {
    const byCode = new Map<string, Site[]>()
    for (const s of sites) byCode.set(s.code, [...(byCode.get(s.code) ?? []), s])
    const uncovered = [...byCode]
      .filter(([code, list]) => {
        const literal = list.some((s) => s.remedy !== undefined && literalText(s.remedy) !== undefined)
        return !literal && !corpusCodes.has(code)
      })
      .map(([code, list]) => `${code} (${list.map((s) => s.file).join(', ')})`)
    assert.deepEqual(uncovered, [], 'give these a written remedy, or a corpus case that shows the computed one')
  })

  it('every error a user can meet has a remedy', () => {
    // Verify's failures carry their remedy in a variable built from the reason code (src/verify/failures.ts).
    const none = sites.filter((s) => s.remedy === undefined).map((s) => `${s.file} ${s.code}`)
    assert.deepEqual(none, [])
  })
})
