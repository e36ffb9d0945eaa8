import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {resourceGroupId, subscriptionId} from '../../src/azure/ids.js'
import {buildBridgeModel} from '../../src/model/bridge-model.js'
import {assessStatus, describeScope, type StatusObserved, setupCommand} from '../../src/plan/status.js'
import {formatStatus} from '../../src/ui/status-format.js'
import {makeChalk, makeTheme} from '../../src/ui/theme.js'
import {
  assignment,
  dataflow,
  endpoint,
  HOSTNAME,
  INSTANCE,
  model,
  NS_ID,
  namespace,
  OTHER_PRINCIPAL,
  PRINCIPAL,
  RG,
  SUB,
  statusConfig,
  TS_ID,
  topicSpace,
} from '../teardown/fixtures.js'

const config = statusConfig

/** Azure as setup leaves it. */
function good(over: Partial<StatusObserved> = {}): StatusObserved {
  return {
    namespace: namespace(),
    topicSpace: topicSpace(),
    principal: {principalId: PRINCIPAL, extension: 'azure-iot-operations'},
    roleAssignments: [assignment('publisher'), assignment('subscriber')],
    iotOps: {
      instance: INSTANCE,
      endpoint: endpoint(),
      dataflows: {'local-to-remote': dataflow('local-to-remote'), 'remote-to-local': dataflow('remote-to-local')},
    },
    ...over,
  }
}

const ALL = [
  'namespace.exists',
  'namespace.mqtt',
  'namespace.sessions',
  'namespace.hostname',
  'topicSpace.exists',
  'topicSpace.templates',
  'principal',
  'role.publisher',
  'role.subscriber',
  'instance',
  'endpoint.exists',
  'endpoint.host',
  'dataflow.local-to-remote',
  'dataflow.remote-to-local',
]

const check = (o: StatusObserved, id: string, c = config()) => {
  const found = assessStatus(c, o).checks.find((x) => x.id === id)
  assert.ok(found, `no check ${id}`)
  return found
}

describe('assessStatus: clean', () => {
  it('after setup every check passes, in the tutorial’s order, and none carries a fix', () => {
    const a = assessStatus(config(), good())
    assert.equal(a.clean, true)
    assert.deepEqual(a.gaps, [])
    assert.deepEqual(a.skipped, [])
    assert.deepEqual(
      a.checks.map((c) => c.id),
      ALL,
    )
    for (const c of a.checks) {
      assert.equal(c.ok, true, c.id)
      assert.equal(c.fix, undefined, c.id)
    }
    assert.match(check(good(), 'namespace.hostname').detail, new RegExp(HOSTNAME.replace(/\./g, '\\.')))
  })
})

describe('assessStatus: each single piece missing or wrong is named', () => {
  const cases: Array<[string, StatusObserved, string[]]> = [
    ['MQTT disabled', good({namespace: namespace({state: 'Disabled'})}), ['namespace.mqtt']],
    ['too few sessions', good({namespace: namespace({sessions: 1})}), ['namespace.sessions']],
    ['topic template missing', good({topicSpace: topicSpace({templates: ['other/#']})}), ['topicSpace.templates']],
    ['publisher missing', good({roleAssignments: [assignment('subscriber')]}), ['role.publisher']],
    ['subscriber missing', good({roleAssignments: [assignment('publisher')]}), ['role.subscriber']],
    ['both roles missing', good({roleAssignments: []}), ['role.publisher', 'role.subscriber']],
    ['endpoint missing', good({iotOps: {...good().iotOps, endpoint: undefined}}), ['endpoint.exists']],
    [
      'endpoint at another host',
      good({iotOps: {...good().iotOps, endpoint: endpoint({host: 'other.westus2-1.ts.eventgrid.azure.net:8883'})}}),
      ['endpoint.host'],
    ],
    [
      'endpoint on another port',
      good({iotOps: {...good().iotOps, endpoint: endpoint({host: `${HOSTNAME}:1883`})}}),
      ['endpoint.host'],
    ],
    [
      'endpoint failed',
      good({iotOps: {...good().iotOps, endpoint: endpoint({provisioningState: 'Failed'})}}),
      ['endpoint.exists'],
    ],
    [
      'dataflow missing',
      good({
        iotOps: {
          ...good().iotOps,
          dataflows: {'local-to-remote': dataflow('local-to-remote'), 'remote-to-local': undefined},
        },
      }),
      ['dataflow.remote-to-local'],
    ],
    [
      'dataflow failed',
      good({
        iotOps: {
          ...good().iotOps,
          dataflows: {
            'local-to-remote': dataflow('local-to-remote', {provisioningState: 'Failed'}),
            'remote-to-local': dataflow('remote-to-local'),
          },
        },
      }),
      ['dataflow.local-to-remote'],
    ],
    [
      'dataflow still provisioning',
      good({
        iotOps: {
          ...good().iotOps,
          dataflows: {
            'local-to-remote': dataflow('local-to-remote'),
            'remote-to-local': dataflow('remote-to-local', {provisioningState: 'Provisioning'}),
          },
        },
      }),
      ['dataflow.remote-to-local'],
    ],
    [
      'dataflow with another source',
      good({
        iotOps: {
          ...good().iotOps,
          dataflows: {
            'local-to-remote': dataflow('local-to-remote', {dataSources: ['other/topic']}),
            'remote-to-local': dataflow('remote-to-local'),
          },
        },
      }),
      ['dataflow.local-to-remote'],
    ],
  ]
  for (const [name, observed, gaps] of cases) {
    it(`${name} → ${gaps.join(', ')}`, () => {
      const a = assessStatus(config(), observed)
      assert.equal(a.clean, false)
      assert.deepEqual(a.gaps, gaps)
      assert.deepEqual(
        a.skipped,
        gaps.includes('endpoint.exists') && !observed.iotOps.endpoint ? ['endpoint.host'] : [],
      )
      for (const g of a.checks.filter((c) => !c.ok && !c.skipped)) assert.match(g.fix ?? '', /\S/, `${g.id} has a fix`)
    })
  }

  it('the namespace missing: that gap, the topic space gap, an endpoint that cannot be its; what depends on them is not checked', () => {
    const a = assessStatus(config(), good({namespace: undefined, topicSpace: undefined, roleAssignments: []}))
    assert.deepEqual(a.gaps, ['namespace.exists', 'topicSpace.exists', 'endpoint.host'])
    assert.deepEqual(a.skipped, [
      'namespace.mqtt',
      'namespace.sessions',
      'namespace.hostname',
      'topicSpace.templates',
      'role.publisher',
      'role.subscriber',
    ])
    assert.equal(
      check(good({namespace: undefined}), 'endpoint.host').detail,
      `${HOSTNAME}:8883: points elsewhere (not namespace eg-bridge's, which does not exist in rg-bridge)`,
    )
    assert.match(
      check(good({namespace: undefined}), 'namespace.exists').fix ?? '',
      /^aio-bridge setup .*-g rg-bridge -n eg-bridge -c arc-1/,
    )
  })

  it('a mistyped -n: the missing namespace is named, and the endpoint pointing at another namespace is a gap naming it', () => {
    const typo = config({namespace: 'typo-ns'})
    const other = 'aio-bridge-ns.westus2-1.ts.eventgrid.azure.net:8883'
    const o = good({
      namespace: undefined,
      topicSpace: undefined,
      roleAssignments: [],
      iotOps: {...good().iotOps, endpoint: endpoint({host: other})},
    })
    const a = assessStatus(typo, o)
    assert.equal(a.clean, false)
    assert.deepEqual(a.gaps, ['namespace.exists', 'topicSpace.exists', 'endpoint.host'])
    const ns = check(o, 'namespace.exists', typo)
    assert.equal(
      ns.detail,
      'typo-ns does not exist in rg-bridge (the endpoint eventgrid points at namespace aio-bridge-ns: did you mean -n aio-bridge-ns?)',
    )
    assert.match(
      ns.fix ?? '',
      /^If you meant the bridge of namespace aio-bridge-ns: aio-bridge status .*-n aio-bridge-ns -c arc-1\. To make this one's instead: aio-bridge setup .*-n typo-ns /,
    )
    const host = check(o, 'endpoint.host', typo)
    assert.equal(
      host.detail,
      `${other}: points elsewhere (namespace aio-bridge-ns's, not namespace typo-ns's, which does not exist in rg-bridge)`,
    )
    // Another namespace that exists: named the same way.
    const there = check(good({iotOps: {...good().iotOps, endpoint: endpoint({host: other})}}), 'endpoint.host')
    assert.equal(
      there.detail,
      `${other}: points elsewhere (namespace aio-bridge-ns's, not ${HOSTNAME}:8883, the MQTT hostname of namespace eg-bridge)`,
    )
    assert.match(there.fix ?? '', /^If you meant the bridge of namespace aio-bridge-ns: aio-bridge status /)
  })

  it('no hostname yet (still provisioning): hostname gap, endpoint host not checked', () => {
    const a = assessStatus(config(), good({namespace: namespace({hostname: null, provisioningState: 'Creating'})}))
    assert.deepEqual(a.gaps, ['namespace.hostname'])
    assert.deepEqual(a.skipped, ['endpoint.host'])
    assert.match(
      check(good({namespace: namespace({hostname: null, provisioningState: 'Creating'})}), 'namespace.hostname').fix ??
        '',
      /az eventgrid namespace show/,
    )
  })

  it('a hostname on a namespace that failed provisioning is a gap', () => {
    assert.deepEqual(assessStatus(config(), good({namespace: namespace({provisioningState: 'Failed'})})).gaps, [
      'namespace.hostname',
    ])
  })

  it('sessions above the wanted value are fine; the wanted value comes from config', () => {
    assert.equal(check(good({namespace: namespace({sessions: 10})}), 'namespace.sessions').ok, true)
    const c = check(good(), 'namespace.sessions', config({maxClientSessions: 5}))
    assert.equal(c.ok, false)
    assert.match(c.fix ?? '', /--max-client-sessions 5/)
  })

  it('templates: a superset is fine, each missing one is named', () => {
    assert.equal(
      check(good({topicSpace: topicSpace({templates: ['x/#', 'telemetry/#']})}), 'topicSpace.templates').ok,
      true,
    )
    const c = check(good(), 'topicSpace.templates', config({topicTemplates: ['telemetry/#', 'alerts/#']}))
    assert.equal(c.ok, false)
    assert.match(c.detail, /missing alerts\/#/)
  })
})

describe('assessStatus: the identity and where its roles come from', () => {
  it('without --cluster the identity and roles are not checked, and that is not a gap', () => {
    const a = assessStatus(config({cluster: undefined}), good({principal: undefined, roleAssignments: []}))
    assert.equal(a.clean, true)
    assert.deepEqual(a.skipped, ['principal', 'role.publisher', 'role.subscriber'])
    assert.match(check(good({principal: undefined}), 'principal').detail, /--cluster/)
  })

  it('a lookup problem (no IoT Operations extension) is a gap with its own remedy; the roles are not checked', () => {
    const a = assessStatus(
      config(),
      good({
        principal: {
          problem: {code: 'IOT_OPERATIONS_EXTENSION_NOT_FOUND', message: 'no extension', remedy: 'az iot ops create'},
        },
        roleAssignments: [],
      }),
    )
    assert.deepEqual(a.gaps, ['principal'])
    assert.deepEqual(a.skipped, ['role.publisher', 'role.subscriber'])
    assert.equal(a.checks.find((c) => c.id === 'principal')?.fix, 'az iot ops create')
  })

  it('an assignment inherited from the namespace, group or subscription counts, and says where it comes from', () => {
    for (const [scope, where] of [
      [NS_ID, /inherited from the namespace/],
      [resourceGroupId(SUB, RG), /inherited from resource group rg-bridge/],
      [subscriptionId(SUB), /inherited from subscription/],
      ['/', /inherited from \//],
    ] as const) {
      const c = check(
        good({roleAssignments: [assignment('publisher', {scope, name: 'x'}), assignment('subscriber')]}),
        'role.publisher',
      )
      assert.equal(c.ok, true, scope)
      assert.match(c.detail, where)
    }
  })

  it('the one at the topic space is preferred when there are several', () => {
    const c = check(
      good({
        roleAssignments: [
          assignment('publisher', {scope: NS_ID, name: 'ns-level'}),
          assignment('publisher'),
          assignment('subscriber'),
        ],
      }),
      'role.publisher',
    )
    assert.match(c.detail, /at the topic space/)
  })

  it('does not count another principal, another role, a scope below the topic space, or another namespace', () => {
    const notOurs = [
      assignment('publisher', {principalId: OTHER_PRINCIPAL}),
      assignment('publisher', {roleGuid: 'b24988ac-6180-42a0-ab88-20f7382dd24c'}),
      assignment('publisher', {scope: `${TS_ID}/child/x`}),
      assignment('publisher', {scope: `${NS_ID}2`}),
      {...assignment('publisher'), properties: {...assignment('publisher').properties, scope: ''}},
    ]
    for (const a of notOurs) {
      assert.equal(
        check(good({roleAssignments: [a, assignment('subscriber')]}), 'role.publisher').ok,
        false,
        JSON.stringify(a.properties),
      )
    }
  })

  it('principal ids and scopes compare without regard to case', () => {
    const a = assignment('publisher')
    const upper = {
      ...a,
      properties: {...a.properties, principalId: PRINCIPAL.toUpperCase(), scope: TS_ID.toUpperCase()},
    }
    assert.equal(check(good({roleAssignments: [upper, assignment('subscriber')]}), 'role.publisher').ok, true)
  })

  it('describeScope names a management group', () => {
    assert.equal(
      describeScope('/providers/Microsoft.Management/managementGroups/corp', config()),
      'inherited from management group corp',
    )
  })
})

describe('assessStatus: the instance', () => {
  it('no instance: a gap with the lookup’s remedy; the endpoint and dataflows are not checked', () => {
    const a = assessStatus(
      config(),
      good({
        iotOps: {
          problem: {
            code: 'IOT_OPERATIONS_INSTANCE_NOT_FOUND',
            message: 'No IoT Operations instance',
            remedy: 'az iot ops create',
          },
          dataflows: {},
        },
      }),
    )
    assert.deepEqual(a.gaps, ['instance'])
    assert.deepEqual(a.skipped, [
      'endpoint.exists',
      'endpoint.host',
      'dataflow.local-to-remote',
      'dataflow.remote-to-local',
    ])
  })

  it('a missing provisioningState reads the same for the endpoint and a dataflow: provisioned (a Failed one is a gap)', () => {
    const drop = (r: ReturnType<typeof endpoint>) => {
      const {provisioningState: _s, ...properties} = r.properties ?? {}
      return {...r, properties}
    }
    const o = good({
      iotOps: {
        instance: INSTANCE,
        endpoint: drop(endpoint()),
        dataflows: {
          'local-to-remote': drop(dataflow('local-to-remote')),
          'remote-to-local': dataflow('remote-to-local', {provisioningState: 'Failed'}),
        },
      },
    })
    const a = assessStatus(config(), o)
    assert.equal(check(o, 'endpoint.exists').ok, true)
    assert.equal(check(o, 'dataflow.local-to-remote').ok, true)
    assert.deepEqual(a.gaps, ['dataflow.remote-to-local'])
  })

  it('--target kubernetes without kubectl: the endpoint and dataflows are not checked (not a gap), no fix deploys them to ARM', () => {
    const c = config({target: 'kubernetes'})
    const a = assessStatus(c, good({iotOps: {instance: INSTANCE, dataflows: {}}}))
    assert.equal(a.clean, true)
    assert.deepEqual(a.skipped, [
      'endpoint.exists',
      'endpoint.host',
      'dataflow.local-to-remote',
      'dataflow.remote-to-local',
    ])
    for (const id of a.skipped)
      assert.match(
        check(good(), id, c).detail,
        /kubectl is not on PATH.*kubectl get .*dataflows -n azure-iot-operations/,
      )
    const gap = assessStatus(c, good({namespace: undefined, iotOps: {instance: INSTANCE, dataflows: {}}}))
    for (const x of gap.checks) if (x.fix?.startsWith('aio-bridge setup')) assert.match(x.fix, /--target kubernetes/)
  })

  it('custom dataflow names come from the model', () => {
    const a = assessStatus(config({model: model()}), good())
    assert.ok(a.checks.some((c) => c.id === 'dataflow.local-to-remote'))
  })
})

// A literal `${inputTopic}` (a dataflow destination variable), which the shell must not expand.
const INPUT_TOPIC_DESTINATION = ['factory/$', '{inputTopic}'].join('')

describe('setupCommand and the table', () => {
  it('the fix command carries the inputs, a non-default topic space and --instance', () => {
    assert.equal(
      setupCommand(config({topicSpace: 'ts2', instance: 'aio-9'})),
      `aio-bridge setup --subscription ${SUB} -g rg-bridge -n eg-bridge -c arc-1 --topic-space ts2 --instance aio-9`,
    )
    assert.match(setupCommand(config({cluster: undefined})), /-c <cluster>/)
  })

  it('the fix command carries every non-default model flag, templates, sessions and target, quoted for a shell', () => {
    const m = buildBridgeModel({
      'endpoint-name': 'eg2',
      profile: 'profile-2',
      'local-source': 'plant/+/temp',
      'remote-destination': INPUT_TOPIC_DESTINATION,
      'remote-source': 'cmd/#',
      'local-destination': 'tutorial/in',
      'aio-api-version': '2025-10-01',
    })
    const cmd = setupCommand(
      config({model: m, topicTemplates: ['factory/#', 'cmd/#'], maxClientSessions: 5, target: 'kubernetes'}),
    )
    for (const f of [
      '--endpoint-name eg2',
      '--profile profile-2',
      '--local-source plant/+/temp',
      `--remote-destination '${INPUT_TOPIC_DESTINATION}'`,
      "--remote-source 'cmd/#'",
      '--local-destination tutorial/in',
      '--aio-api-version 2025-10-01',
      "--topic-template 'factory/#' --topic-template 'cmd/#'",
      '--max-client-sessions 5',
      '--target kubernetes',
    ])
      assert.ok(cmd.includes(f), `${f} in ${cmd}`)
    // Defaults stay out, except where the check is about them.
    assert.doesNotMatch(setupCommand(config()), /--(endpoint-name|profile|topic-template|max-client-sessions|target)/)
    assert.match(
      check(good({namespace: namespace({sessions: 1})}), 'namespace.sessions').fix ?? '',
      /--max-client-sessions 3/,
    )
  })

  it('formats a line per check, a fix under each gap, and the summary', () => {
    const theme = makeTheme(makeChalk({json: true}))
    const clean = formatStatus(assessStatus(config(), good()), theme, config())
    assert.equal(clean.split('\n').filter((l) => l.startsWith('  ✔')).length, ALL.length)
    assert.match(clean, /Clean: every piece matches/)
    const gap = formatStatus(
      assessStatus(config(), good({roleAssignments: [assignment('subscriber')]})),
      theme,
      config(),
    )
    assert.match(gap, /✘ Publisher/)
    assert.match(gap, /fix: aio-bridge setup/)
    assert.match(gap, /1 gap: role\.publisher/)
    assert.match(gap, /exit 10/)
  })
})
