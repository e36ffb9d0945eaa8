import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ArmHttpError, evaluateTemplate} from '../../src/emulator/arm/index.js'

const scope = {subscriptionId: 'sub-1', resourceGroup: 'rg-1'}
const template = (resources: unknown[], extra: Record<string, unknown> = {}) => ({
  contentVersion: '1.0.0.0',
  resources,
  ...extra,
})
const res = (name: string, more: Record<string, unknown> = {}) => ({
  type: 'Microsoft.IoTOperations/instances/dataflowEndpoints',
  apiVersion: '2024-11-01',
  name,
  ...more,
})

function invalid(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ArmHttpError)
    assert.equal(err.code, 'InvalidTemplate')
    assert.equal(err.status, 400)
    if (pattern) assert.match(err.message, pattern)
    return true
  })
}

describe('ARM template evaluation (the renderer subset)', () => {
  it('evaluates parameters, variables, format, concat and resourceId, nested, anywhere in a resource', () => {
    const t = template(
      [
        res("[format('{0}/{1}', parameters('inst'), variables('ep'))]", {
          extendedLocation: {
            name: "[resourceId('Microsoft.ExtendedLocation/customLocations', parameters('cl'))]",
            type: 'CustomLocation',
          },
          properties: {
            host: "[concat(parameters('host'), ':', '8883')]",
            literal: '[[not an expression]',
            quoted: "[format('it''s {0}', 'ok')]",
          },
        }),
      ],
      {
        parameters: {
          inst: {type: 'string', defaultValue: 'aio-instance'},
          cl: {type: 'string'},
          host: {type: 'string', defaultValue: "[concat('h', '.example')]"},
        },
        variables: {ep: "[concat('event', 'grid')]"},
      },
    )
    const out = evaluateTemplate(t, {cl: {value: 'aio-cl'}}, scope)
    const r = out.resources[0]
    assert.equal(r?.name, 'aio-instance/eventgrid')
    assert.equal(
      r?.id,
      '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.IoTOperations/instances/aio-instance/dataflowEndpoints/eventgrid',
    )
    assert.deepEqual(r?.body.extendedLocation, {
      name: '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.ExtendedLocation/customLocations/aio-cl',
      type: 'CustomLocation',
    })
    assert.deepEqual(r?.body.properties, {host: 'h.example:8883', literal: '[not an expression]', quoted: "it's ok"})
  })

  it('orders resources by dependsOn (ids, symbolic names) and rejects unknown or circular dependencies', () => {
    const a = res('i/a')
    const b = res('i/b', {dependsOn: ["[resourceId('Microsoft.IoTOperations/instances/dataflowEndpoints', 'i', 'a')]"]})
    const out = evaluateTemplate(template([b, a]), {}, scope)
    assert.deepEqual(
      out.resources.map((r) => r.name),
      ['i/a', 'i/b'],
    )
    invalid(
      () => evaluateTemplate(template([res('i/x', {dependsOn: ['nope']})]), {}, scope),
      /not defined in the template/,
    )
    invalid(
      () => evaluateTemplate(template([res('i/x', {dependsOn: ['1']}), res('i/y', {dependsOn: ['0']})]), {}, scope),
      /Circular/,
    )
  })

  it('answers InvalidTemplate for unsupported functions, bad syntax, segment mismatch and parameter problems', () => {
    invalid(
      () => evaluateTemplate(template([res("[toLower('A/B')]")]), {}, scope),
      /template function 'toLower' is not valid/,
    )
    invalid(() => evaluateTemplate(template([res("[format('{0}/{1}', 'a']")]), {}, scope))
    invalid(() => evaluateTemplate(template([res('only-one-segment')]), {}, scope), /incorrect segment lengths/)
    invalid(() => evaluateTemplate(template([res("[parameters('missing')]")]), {}, scope))
    invalid(() => evaluateTemplate(template([], {parameters: {p: {type: 'int'}}}), {p: {value: 'x'}}, scope))
    invalid(() => evaluateTemplate({resources: []}, {}, scope), /contentVersion/)
  })
})
