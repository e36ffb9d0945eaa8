import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv2020} from 'ajv/dist/2020.js'
import {REPO_ROOT} from './cli.js'

/** The --json contracts in schemas/ (one per command, plus the shared error), compiled once per test process. */
let ajv: Ajv2020 | undefined

function compiled(): Ajv2020 {
  if (ajv) return ajv
  ajv = new Ajv2020({allErrors: true, strict: true})
  const dir = join(REPO_ROOT, 'schemas')
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')))
    ajv.addSchema(JSON.parse(readFileSync(join(dir, name), 'utf8')))
  return ajv
}

/** The schema file name of a command id: `sandbox:up` → `sandbox-up`. */
export function schemaName(commandId: string): string {
  return commandId.replaceAll(':', '-')
}

/** Fails with ajv's messages when `output` (a command's --json stdout) does not match schemas/<name>.json. */
export function assertMatchesSchema(name: string, output: string): Record<string, unknown> {
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(output)
  } catch {
    assert.fail(`${name} --json printed something that is not JSON:\n${output.slice(0, 500)}`)
  }
  const validate = compiled().getSchema(`urn:aio-bridge:schema:${name}`)
  assert.ok(validate, `schemas/${name}.json is missing`)
  if (!validate(doc))
    assert.fail(
      `${name} --json does not match schemas/${name}.json: ${compiled().errorsText(validate.errors)}\n${output.slice(0, 800)}`,
    )
  return doc
}
