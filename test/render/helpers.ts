import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv, type ValidateFunction} from 'ajv'
import {packageRoot} from '../../src/render/templates.js'

/** Golden files live in the source tree (test/golden), refreshed only with UPDATE_GOLDEN=1. */
export function assertGolden(name: string, actual: string): void {
  const path = join(packageRoot(), 'test', 'golden', name)
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(path, actual)
    return
  }
  let expected: string
  try {
    expected = readFileSync(path, 'utf8')
  } catch {
    assert.fail(`golden file test/golden/${name} is missing: run UPDATE_GOLDEN=1 npm test to create it`)
  }
  assert.equal(actual, expected, `output differs from test/golden/${name} (UPDATE_GOLDEN=1 refreshes it)`)
}

/**
 * The official ARM schema of the IoT Operations resources (test/fixtures, extracted by iotoperations-schema-extract.mjs),
 * made strict: an unknown property anywhere below a resource's top level is an error, so a typo cannot pass.
 */
export function iotOperationsValidators(version: string): {
  endpoint: ValidateFunction
  dataflow: ValidateFunction
  properties: (def: string) => ValidateFunction
} {
  const schema = JSON.parse(
    readFileSync(join(packageRoot(), 'test', 'fixtures', `iotoperations-schema-${version}.json`), 'utf8'),
  )
  const strict = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strict)
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(node))
        out[k] =
          k === 'properties'
            ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, strict(pv)]))
            : strict(v)
      if ('properties' in out && out.additionalProperties === undefined && out.type === 'object')
        out.additionalProperties = false
      return out
    }
    return node
  }
  schema.definitions = strict(schema.definitions)
  const ajv = new Ajv({strict: false, allErrors: true})
  ajv.addSchema(schema)
  const ref = (path: string) => ajv.getSchema(`${schema.$id}#${path}`) as ValidateFunction
  return {
    endpoint: ref('/resourceDefinitions/dataflowEndpoint'),
    dataflow: ref('/resourceDefinitions/dataflow'),
    properties: (def: string) => ref(`/definitions/${def}`),
  }
}

export function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  const ok = validate(value)
  assert.ok(ok, `${what} does not match the IoT Operations schema: ${JSON.stringify(validate.errors, null, 1)}`)
}
