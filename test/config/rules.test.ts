// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Event Grid topic templates contain literal ${…} variables
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {
  checkClusterName,
  checkEventGridName,
  checkLocation,
  checkResourceGroupName,
  checkSubscriptionId,
  checkTopicFilter,
  checkTopicName,
  checkTopicTemplate,
  normalizeLocation,
  topicMatches,
} from '../../src/config/rules.js'

describe('checkTopicTemplate', () => {
  const ok = [
    'telemetry/#',
    '#',
    '+',
    'telemetry/+/temperature',
    'a/b/c/d/e/f/g/h',
    'clients/${client.authenticationName}/#',
    'machines/${client.authenticationName|.factory1}/temp',
    'sites/${client.attributes.site}/+',
    'x/${principal.name}/y',
    'x/${principal.attributes.team}',
    'pre-${client.authenticationName}-post/data',
  ]
  for (const t of ok) {
    it(`accepts ${t}`, () => assert.equal(checkTopicTemplate(t), undefined))
  }

  const bad: Array<[string, RegExp]> = [
    ['', /^is empty$/],
    ['a/#/b', /puts '#' in segment 2/],
    ['a/b#', /puts '#' in segment 2/],
    ['#/a', /puts '#' in segment 1/],
    ['a+/b', /puts '\+' inside segment 1/],
    ['a/+b', /puts '\+' inside segment 2/],
    ['a/b/c/d/e/f/g/h/i', /^has 9 segments \(at most 8\)$/],
    ['x/${client.name}', /unknown variable \$\{client\.name\}/],
    ['x/${foo}', /unknown variable \$\{foo\}/],
    ['x/${client.authenticationName/y}', /not closed within that segment/],
    ['x/${client.authenticationName', /not closed within that segment/],
    ['é'.repeat(129), /longer than 256 bytes/],
    ['a\u0000b', /NUL/],
  ]
  for (const [t, problem] of bad) {
    it(`refuses ${JSON.stringify(t.length > 20 ? `${t.slice(0, 20)}…` : t)}`, () => {
      assert.match(checkTopicTemplate(t) ?? '', problem)
    })
  }
})

describe('topicMatches', () => {
  const cases: Array<[string, string, boolean]> = [
    ['telemetry/#', 'telemetry/aio', true],
    ['telemetry/#', 'telemetry/a/b/c', true],
    ['telemetry/#', 'telemetry', true],
    ['telemetry/#', 'tutorial/local', false],
    ['#', 'anything/at/all', true],
    ['telemetry/+', 'telemetry/aio', true],
    ['telemetry/+', 'telemetry/aio/x', false],
    ['telemetry/+', 'telemetry', false],
    ['+/+', 'a/b', true],
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/d', false],
    ['tutorial/cloud', 'tutorial/cloud', true],
    ['tutorial/cloud', 'tutorial/cloud/x', false],
    ['tutorial/cloud/x', 'tutorial/cloud', false],
    ['Tutorial/cloud', 'tutorial/cloud', false],
  ]
  for (const [filter, topic, expected] of cases) {
    it(`${filter} ${expected ? 'matches' : 'does not match'} ${topic}`, () => {
      assert.equal(topicMatches(filter, topic), expected)
    })
  }
})

describe('name and value rules', () => {
  it('subscription ids are GUIDs', () => {
    assert.equal(checkSubscriptionId('8F6B6269-84f2-4d09-9e31-1127efcd1e40'), undefined)
    assert.ok(checkSubscriptionId('8f6b6269-84f2-4d09-9e31-1127efcd1e4'))
    assert.ok(checkSubscriptionId('my subscription'))
  })

  it('Event Grid names: 3–50 letters, digits, hyphens', () => {
    assert.equal(checkEventGridName('abc'), undefined)
    assert.equal(checkEventGridName(`a${'-'.repeat(48)}z`), undefined)
    assert.equal(checkEventGridName('ab'), 'must be 3 to 50 characters long (it has 2)')
    assert.equal(checkEventGridName('a'.repeat(51)), 'must be 3 to 50 characters long (it has 51)')
    assert.equal(checkEventGridName('a_b'), 'may contain only letters, digits and hyphens')
  })

  it('resource group names allow unicode letters, parentheses and periods, not a final period', () => {
    assert.equal(checkResourceGroupName('rg_(dev).été-1'), undefined)
    assert.ok(checkResourceGroupName('rg.'))
    assert.ok(checkResourceGroupName(''))
    assert.ok(checkResourceGroupName('r'.repeat(91)))
    assert.ok(checkResourceGroupName('rg 1'))
  })

  it('cluster names start and end with a letter or digit', () => {
    assert.equal(checkClusterName('arc-cluster_1.x'), undefined)
    assert.equal(checkClusterName('a'), undefined)
    assert.ok(checkClusterName('-a'))
    assert.ok(checkClusterName('a-'))
    assert.ok(checkClusterName('a'.repeat(64)))
  })

  it('locations: "West US 2" → westus2; ARM names only', () => {
    assert.equal(normalizeLocation('West US 2'), 'westus2')
    assert.equal(normalizeLocation('  East  US '), 'eastus')
    assert.equal(checkLocation('westus2'), undefined)
    assert.ok(checkLocation('west-us'))
    assert.ok(checkLocation('WestUS'))
  })

  it('topic names have no wildcard; filters have them only as whole segments', () => {
    assert.equal(checkTopicName('tutorial/local'), undefined)
    assert.ok(checkTopicName('tutorial/#'))
    assert.ok(checkTopicName('tutorial/+'))
    assert.ok(checkTopicName(''))
    assert.equal(checkTopicFilter('telemetry/#'), undefined)
    assert.equal(checkTopicFilter('+/x'), undefined)
    assert.ok(checkTopicFilter('a/#/b'))
    assert.ok(checkTopicFilter('a/b+'))
  })
})
