import assert from 'node:assert/strict'
import {PassThrough} from 'node:stream'
import {describe, it} from 'node:test'
import type {AioBridgeError} from '../../src/errors.js'
import {planTeardown} from '../../src/plan/teardown-plan.js'
import {askYesNo, confirmTeardown} from '../../src/teardown/confirm.js'
import {formatTeardownPlan, formatTeardownSummary} from '../../src/teardown/format.js'
import type {TeardownResult} from '../../src/teardown/run-teardown.js'
import {makeChalk, makeTheme} from '../../src/ui/theme.js'
import {assignment, namespace, RG, SUB, topicSpace} from './fixtures.js'

const theme = makeTheme(makeChalk({json: true}))

function ask(answer: string | null): Promise<{yes: boolean; prompt: string}> {
  const input = new PassThrough()
  const output = new PassThrough()
  let prompt = ''
  output.on('data', (d: Buffer) => {
    prompt += d.toString()
  })
  const p = askYesNo('Delete these 3 resources? [y/N] ', {input, output})
  if (answer === null) input.end()
  else input.write(answer)
  return p.then((yes) => ({yes, prompt}))
}

describe('the confirmation prompt', () => {
  for (const [answer, yes] of [
    ['y\n', true],
    ['YES\n', true],
    [' yes \n', true],
    ['n\n', false],
    ['\n', false],
    ['yep\n', false],
    [null, false],
  ] as const) {
    it(`${JSON.stringify(answer)} → ${yes ? 'delete' : 'keep everything'}`, async () => {
      const r = await ask(answer)
      assert.equal(r.yes, yes)
      assert.match(r.prompt, /\[y\/N\]/)
    })
  }
})

describe('teardown text', () => {
  const config = {
    subscriptionId: SUB,
    resourceGroup: RG,
    namespace: 'eg-bridge',
    topicSpace: 'tutorial',
    target: 'arm' as const,
    keepNamespace: false,
  }

  it('lists the deletions in order, what is kept with the reason, and the notes', () => {
    const plan = planTeardown(config, {
      namespace: namespace({managed: false}),
      topicSpace: topicSpace(),
      roleAssignments: [assignment('publisher')],
      instances: [],
    })
    const text = formatTeardownPlan(plan, theme)
    const lines = text.split('\n')
    assert.equal(lines[0], 'Will delete, in this order:')
    assert.match(lines[1] ?? '', /^ {2}- Role EventGrid TopicSpaces Publisher for /)
    assert.equal(lines[2], '  - Topic space tutorial')
    assert.equal(lines[3], 'Keeps:')
    assert.match(lines[4] ?? '', /namespace eg-bridge: not created by aio-bridge/)
    assert.match(text, /note: No IoT Operations instance/)
    assert.match(
      formatTeardownPlan(plan, theme, {dryRun: true, resourceGroup: RG}),
      /^Would delete, in this order \(resource group rg-bridge\):/,
    )
  })

  it('says first what the inputs name that does not exist, then that there is nothing to delete', () => {
    const lines = formatTeardownPlan(planTeardown(config, {roleAssignments: [], instances: []}), theme).split('\n')
    assert.equal(lines[0], 'warning: namespace eg-bridge not found in rg-bridge: nothing of it to delete')
    assert.equal(lines[1], 'Nothing to delete: nothing aio-bridge made is left.')
  })

  it('nothing of this bridge to delete, and another bridge’s endpoint kept: the warning, then why it stays', () => {
    const plan = planTeardown(
      {...config, namespace: 'typo-ns'},
      {
        roleAssignments: [],
        instances: [
          {
            name: 'aio-1',
            deployment: {id: 'd', name: 'aio-bridge-aio-1'},
            resources: [
              {
                id: 'e',
                kind: 'dataflowEndpoint',
                name: 'eventgrid',
                exists: true,
                host: 'aio-bridge-ns.westus2-1.ts.eventgrid.azure.net:8883',
              },
            ],
          },
        ],
      },
    )
    assert.deepEqual(formatTeardownPlan(plan, theme).split('\n').slice(0, 4), [
      'warning: namespace typo-ns not found in rg-bridge: nothing of it to delete',
      'Nothing to delete of this bridge.',
      'Keeps:',
      '  = dataflowEndpoint eventgrid: points at aio-bridge-ns.westus2-1.ts.eventgrid.azure.net:8883; namespace typo-ns does not exist in rg-bridge, and deployment aio-bridge-aio-1 does not record the namespace setup made it for (made by an aio-bridge older than that record)',
    ])
  })

  it('sums up the outcomes', () => {
    const base: TeardownResult = {
      dryRun: false,
      confirmed: true,
      subscriptionId: SUB,
      resourceGroup: RG,
      namespace: 'eg-bridge',
      topicSpace: 'tutorial',
      target: 'arm',
      deletions: [
        {kind: 'topicSpace', name: 't', id: 'x', outcome: 'deleted'},
        {kind: 'namespace', name: 'n', id: 'y', outcome: 'already-gone'},
      ],
      notFound: [],
      kept: [{kind: 'roleAssignment', name: 'r', id: 'z', reason: 'by hand'}],
      notes: [],
    }
    assert.equal(formatTeardownSummary(base, theme), 'Teardown done: 1 deleted, 1 already gone, 1 kept.')
    assert.equal(formatTeardownSummary({...base, dryRun: true}, theme), 'Dry run: nothing was deleted.')
    assert.equal(formatTeardownSummary({...base, confirmed: false}, theme), 'Cancelled: nothing was deleted.')
    assert.equal(formatTeardownSummary({...base, deletions: []}, theme), 'Teardown done: there was nothing to delete.')
  })
})

describe('confirmTeardown without a terminal', () => {
  it('refuses with TEARDOWN_CONFIRM_REQUIRED (exit 2), the list as progress and as details', async () => {
    const config = {
      subscriptionId: SUB,
      resourceGroup: RG,
      namespace: 'eg-bridge',
      topicSpace: 'tutorial',
      target: 'arm' as const,
      keepNamespace: false,
    }
    const plan = planTeardown(config, {
      namespace: namespace(),
      topicSpace: topicSpace(),
      roleAssignments: [],
      instances: [],
    })
    await assert.rejects(confirmTeardown({interactive: false, theme, resourceGroup: RG})(plan), (e: AioBridgeError) => {
      assert.equal(e.code, 'TEARDOWN_CONFIRM_REQUIRED')
      assert.equal(e.exitCode, 2)
      assert.match(e.message, /would delete 2 resources/)
      assert.match(e.remedy ?? '', /--yes/)
      assert.match(
        e.progress ?? '',
        /Will delete, in this order \(resource group rg-bridge\):\n {2}- Topic space tutorial\n {2}- Event Grid namespace eg-bridge/,
      )
      assert.deepEqual(
        ((e.details?.deletions ?? []) as Array<{kind: string}>).map((d) => d.kind),
        ['topicSpace', 'namespace'],
      )
      assert.deepEqual(e.details?.notFound, [])
      return true
    })
  })
})
