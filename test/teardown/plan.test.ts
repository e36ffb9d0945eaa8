import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {MANAGED_TAG, namespaceId, ROLES, roleAssignmentName} from '../../src/azure/ids.js'
import {deploymentRecordTags} from '../../src/model/bridge-record.js'
import {
  type ClusterObject,
  isSetupRoleAssignment,
  type KubernetesObject,
  type ObservedInstance,
  planTeardown,
  scopeOfAssignmentId,
  type TeardownObserved,
  teardownPhases,
} from '../../src/plan/teardown-plan.js'
import {
  assignment,
  DATAFLOW_IDS,
  DEPLOYMENT_ID,
  DEPLOYMENT_NAME,
  ENDPOINT_ID,
  HOSTNAME,
  INSTANCE,
  NS,
  NS_ID,
  namespace,
  OTHER_PRINCIPAL,
  PRINCIPAL,
  RG,
  SUB,
  TS_ID,
  teardownConfig,
  topicSpace,
} from './fixtures.js'

const config = teardownConfig
const HOST = `${HOSTNAME}:8883`
const OTHER_NS = 'aio-bridge-ns'
const OTHER_HOST = `${OTHER_NS}.westus2-1.ts.eventgrid.azure.net:8883`
/** The deployment tags setup writes for namespace `ns` (default: this one) and its host. */
const recordFor = (ns = NS, host = ns === NS ? HOST : OTHER_HOST) =>
  deploymentRecordTags(namespaceId(SUB, RG, ns), host)

/**
 * An instance as setup leaves it: the deployment record with setup's tags (`tags: undefined`: a record of an older
 * aio-bridge, without them), the endpoint pointing at this namespace, the dataflows using it and the local broker.
 */
function instance(
  opts: {
    deployment?: boolean
    exists?: boolean | Record<string, boolean>
    name?: string
    host?: string
    tags?: Record<string, string> | undefined
    /** Endpoints a dataflow uses, by dataflow name. */
    refs?: Record<string, string[]>
  } = {},
): ObservedInstance {
  const exists = (id: string) => (typeof opts.exists === 'object' ? (opts.exists[id] ?? true) : (opts.exists ?? true))
  const tags = 'tags' in opts ? opts.tags : recordFor()
  const dataflow = (name: 'local-to-remote' | 'remote-to-local') => ({
    id: DATAFLOW_IDS[name],
    kind: 'dataflow' as const,
    name,
    exists: exists(DATAFLOW_IDS[name]),
    endpointRefs: opts.refs?.[name] ?? ['default', 'eventgrid'],
  })
  return {
    name: opts.name ?? INSTANCE,
    ...(opts.deployment === false
      ? {}
      : {deployment: {id: DEPLOYMENT_ID, name: DEPLOYMENT_NAME, ...(tags ? {tags} : {})}}),
    resources: [
      {
        id: ENDPOINT_ID,
        kind: 'dataflowEndpoint',
        name: 'eventgrid',
        exists: exists(ENDPOINT_ID),
        host: opts.host ?? HOST,
      },
      dataflow('local-to-remote'),
      dataflow('remote-to-local'),
    ],
  }
}

/** Everything setup makes, as Azure shows it after setup. */
function afterSetup(over: Partial<TeardownObserved> = {}): TeardownObserved {
  return {
    namespace: namespace(),
    topicSpace: topicSpace(),
    roleAssignments: [assignment('publisher'), assignment('subscriber')],
    instances: [instance()],
    ...over,
  }
}

const kinds = (o: TeardownObserved, c = config()) => planTeardown(c, o).deletions.map((d) => `${d.kind}:${d.name}`)

describe('planTeardown: what setup made goes, in reverse dependency order', () => {
  it('after setup: dataflows, endpoint, deployment record, both roles, topic space, namespace', () => {
    const plan = planTeardown(config(), afterSetup())
    assert.deepEqual(
      plan.deletions.map((d) => d.kind),
      [
        'dataflow',
        'dataflow',
        'dataflowEndpoint',
        'deployment',
        'roleAssignment',
        'roleAssignment',
        'topicSpace',
        'namespace',
      ],
    )
    assert.deepEqual(plan.kept, [])
    assert.deepEqual(
      plan.deletions.map((d) => d.id),
      [
        DATAFLOW_IDS['local-to-remote'],
        DATAFLOW_IDS['remote-to-local'],
        ENDPOINT_ID,
        DEPLOYMENT_ID,
        assignment('publisher').id,
        assignment('subscriber').id,
        TS_ID,
        NS_ID,
      ],
    )
    // Keys are unique: they name the progress lines.
    assert.equal(new Set(plan.deletions.map((d) => d.key)).size, plan.deletions.length)
  })

  it('phases never go backwards, and each phase holds one dependency level', () => {
    const plan = planTeardown(config(), afterSetup())
    const phases = teardownPhases(plan)
    assert.deepEqual(
      phases.map((p) => [...new Set(p.map((d) => d.kind))]),
      [['dataflow'], ['dataflowEndpoint'], ['deployment'], ['roleAssignment'], ['topicSpace'], ['namespace']],
    )
    assert.equal(phases.flat().length, plan.deletions.length)
  })

  it('after teardown (nothing left) there is nothing to delete: a second run changes nothing', () => {
    const plan = planTeardown(config(), {
      roleAssignments: [],
      instances: [instance({deployment: false, exists: false})],
    })
    assert.deepEqual(plan.deletions, [])
    assert.deepEqual(plan.kept, [])
  })

  it('no instance in the group: only the Event Grid side, and a note', () => {
    const plan = planTeardown(config(), afterSetup({instances: []}))
    assert.equal(plan.deletions.filter((d) => d.kind.startsWith('dataflow') || d.kind === 'deployment').length, 0)
    assert.match(plan.notes.join('\n'), /No IoT Operations instance/)
  })
})

describe('planTeardown: the namespace', () => {
  it('a namespace the user brought (no managed-by tag) is kept, with the reason', () => {
    const plan = planTeardown(config(), afterSetup({namespace: namespace({managed: false})}))
    assert.ok(!plan.deletions.some((d) => d.kind === 'namespace'))
    const kept = plan.kept.find((k) => k.kind === 'namespace')
    assert.equal(kept?.id, NS_ID)
    assert.match(kept?.reason ?? '', /managed-by: aio-bridge/)
    // What setup made inside it still goes.
    assert.ok(plan.deletions.some((d) => d.kind === 'topicSpace'))
    assert.equal(plan.deletions.filter((d) => d.kind === 'roleAssignment').length, 2)
  })

  it('a managed-by tag with another value is not ours', () => {
    const plan = planTeardown(config(), afterSetup({namespace: namespace({tags: {[MANAGED_TAG.key]: 'terraform'}})}))
    assert.ok(plan.kept.some((k) => k.kind === 'namespace'))
    assert.ok(!plan.deletions.some((d) => d.kind === 'namespace'))
  })

  it('a tag key in other case is not ours either (tags are matched exactly)', () => {
    const plan = planTeardown(config(), afterSetup({namespace: namespace({tags: {'Managed-By': 'aio-bridge'}})}))
    assert.ok(!plan.deletions.some((d) => d.kind === 'namespace'))
  })

  it('--keep-namespace keeps a managed namespace and says why; the topic space still goes', () => {
    const plan = planTeardown(config({keepNamespace: true}), afterSetup())
    assert.deepEqual(
      plan.kept.map((k) => [k.kind, k.reason]),
      [['namespace', '--keep-namespace']],
    )
    assert.ok(plan.deletions.some((d) => d.kind === 'topicSpace'))
  })

  it('a managed namespace holding a topic space someone else made is kept (deleting it would delete theirs)', () => {
    const plan = planTeardown(config(), afterSetup({topicSpace: topicSpace({managed: false})}))
    assert.deepEqual(
      plan.deletions.filter((d) => d.kind === 'namespace' || d.kind === 'topicSpace'),
      [],
    )
    assert.deepEqual(plan.kept.map((k) => k.kind).sort(), ['namespace', 'topicSpace'])
    assert.match(plan.kept.find((k) => k.kind === 'namespace')?.reason ?? '', /holds topic space 'tutorial'/)
  })

  it('a managed namespace holding another topic space someone made is kept, whatever --topic-space names', () => {
    const theirs = {...topicSpace({managed: false}), id: `${NS_ID}/topicSpaces/factory`, name: 'factory'}
    // --topic-space mistyped: the named one does not exist, so only the list shows what the namespace holds.
    const plan = planTeardown(
      config({topicSpace: 'tutorail'}),
      afterSetup({topicSpace: undefined, topicSpaces: [topicSpace(), theirs]}),
    )
    assert.ok(!plan.deletions.some((d) => d.kind === 'namespace'))
    const ns = plan.kept.find((k) => k.kind === 'namespace')
    assert.match(ns?.reason ?? '', /holds topic space 'factory', which aio-bridge did not create/)
    assert.doesNotMatch(ns?.reason ?? '', /'tutorial'/)
  })

  it('a managed namespace holding only aio-bridge’s topic spaces is deleted', () => {
    const plan = planTeardown(config(), afterSetup({topicSpaces: [topicSpace()]}))
    assert.ok(plan.deletions.some((d) => d.kind === 'namespace'))
  })

  it('a managed namespace whose topic space is already gone is deleted', () => {
    assert.deepEqual(kinds({namespace: namespace(), roleAssignments: [], instances: []}), ['namespace:eg-bridge'])
  })
})

describe('planTeardown: the topic space', () => {
  it('a topic space without the managed description is kept; setup’s role assignments on it still go', () => {
    const plan = planTeardown(
      config(),
      afterSetup({namespace: namespace({managed: false}), topicSpace: topicSpace({managed: false})}),
    )
    assert.deepEqual(
      plan.deletions.map((d) => d.kind),
      ['dataflow', 'dataflow', 'dataflowEndpoint', 'deployment', 'roleAssignment', 'roleAssignment'],
    )
    assert.match(plan.kept.find((k) => k.kind === 'topicSpace')?.reason ?? '', /not created by aio-bridge/)
  })
})

describe('planTeardown: role assignments, by their deterministic names', () => {
  it('keeps an equivalent assignment made by hand (another name), and lists it', () => {
    const byHand = assignment('publisher', {name: '0b7c5d1e-0000-4000-8000-000000000001'})
    const plan = planTeardown(config(), afterSetup({roleAssignments: [byHand, assignment('subscriber')]}))
    const roles = plan.deletions.filter((d) => d.kind === 'roleAssignment')
    assert.deepEqual(
      roles.map((r) => r.name),
      [assignment('subscriber').name],
    )
    assert.deepEqual(
      plan.kept.map((k) => k.name),
      [byHand.name],
    )
    assert.match(plan.kept[0]?.reason ?? '', /EventGrid TopicSpaces Publisher/)
  })

  it('deletes setup-named assignments for any principal (e.g. --grant-caller’s), not only the extension’s', () => {
    const plan = planTeardown(
      config(),
      afterSetup({roleAssignments: [assignment('publisher', {principalId: OTHER_PRINCIPAL})]}),
    )
    assert.deepEqual(
      plan.deletions.filter((d) => d.kind === 'roleAssignment').map((d) => d.name),
      [roleAssignmentName(TS_ID, ROLES.publisher.id, OTHER_PRINCIPAL)],
    )
  })

  it('ignores inherited assignments (namespace, group, subscription) and other roles', () => {
    const inherited = assignment('publisher', {
      scope: NS_ID,
      name: roleAssignmentName(NS_ID, ROLES.publisher.id, PRINCIPAL),
    })
    const otherRole = assignment('publisher', {
      roleGuid: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
      name: roleAssignmentName(TS_ID, 'b24988ac-6180-42a0-ab88-20f7382dd24c', PRINCIPAL),
    })
    const plan = planTeardown(config(), afterSetup({roleAssignments: [inherited, otherRole]}))
    assert.deepEqual(
      plan.deletions.filter((d) => d.kind === 'roleAssignment'),
      [],
    )
    assert.deepEqual(plan.kept, [])
  })

  it('a name derived for another scope, placed at the topic space, is not setup’s', () => {
    const wrong = assignment('subscriber', {name: roleAssignmentName(NS_ID, ROLES.subscriber.id, PRINCIPAL)})
    assert.equal(isSetupRoleAssignment(wrong, TS_ID), false)
    const plan = planTeardown(config(), afterSetup({roleAssignments: [wrong]}))
    assert.deepEqual(
      plan.deletions.filter((d) => d.kind === 'roleAssignment'),
      [],
    )
    assert.equal(plan.kept.length, 1)
  })

  it('matches names, scopes and role ids without regard to case', () => {
    const a = assignment('publisher')
    const upper = {
      ...a,
      name: a.name.toUpperCase(),
      properties: {...a.properties, scope: TS_ID.toUpperCase(), principalId: PRINCIPAL.toUpperCase()},
    }
    assert.equal(isSetupRoleAssignment(upper, TS_ID), true)
  })

  it('an assignment without properties.scope takes the scope from its id', () => {
    const a = assignment('publisher')
    const {scope: _s, ...props} = a.properties
    assert.equal(scopeOfAssignmentId(a.id), TS_ID)
    assert.equal(isSetupRoleAssignment({...a, properties: props}, TS_ID), true)
  })
})

describe('planTeardown: dataflows and endpoint (ARM)', () => {
  it('without the deployment aio-bridge-<instance>, existing endpoint and dataflows are kept (setup did not deploy them)', () => {
    const plan = planTeardown(config(), afterSetup({instances: [instance({deployment: false})]}))
    assert.ok(!plan.deletions.some((d) => ['dataflow', 'dataflowEndpoint', 'deployment'].includes(d.kind)))
    assert.deepEqual(plan.kept.map((k) => k.kind).sort(), ['dataflow', 'dataflow', 'dataflowEndpoint'])
    assert.match(plan.kept[0]?.reason ?? '', /no deployment aio-bridge-aio-1/)
  })

  it('with the deployment but the resources already gone: only the record goes', () => {
    assert.deepEqual(
      kinds(
        afterSetup({
          instances: [instance({exists: false})],
          roleAssignments: [],
          namespace: undefined,
          topicSpace: undefined,
        }),
      ),
      [`deployment:${DEPLOYMENT_NAME}`],
    )
  })

  it('deletes only what still exists (a teardown interrupted half way continues)', () => {
    const plan = planTeardown(config(), {
      roleAssignments: [],
      instances: [instance({exists: {[DATAFLOW_IDS['local-to-remote']]: false}})],
    })
    assert.deepEqual(
      plan.deletions.map((d) => d.name),
      ['remote-to-local', 'eventgrid', DEPLOYMENT_NAME],
    )
  })

  it('several instances: only the one with an aio-bridge deployment is touched', () => {
    const plan = planTeardown(config(), {
      roleAssignments: [],
      instances: [instance({name: 'aio-2', deployment: false}), instance()],
    })
    assert.ok(plan.deletions.every((d) => !d.title.includes('aio-2')))
    assert.equal(plan.deletions.length, 4)
    assert.equal(plan.kept.length, 3)
  })
})

describe('planTeardown: one bridge’s endpoint and dataflows, never another’s (ARM)', () => {
  const bridgeKinds = ['dataflow', 'dataflowEndpoint', 'deployment']
  const bridgeDeletions = (plan: ReturnType<typeof planTeardown>) =>
    plan.deletions.filter((d) => bridgeKinds.includes(d.kind)).map((d) => `${d.kind}:${d.name}`)
  const keptReason = (plan: ReturnType<typeof planTeardown>, name: string) =>
    plan.kept.find((k) => k.name === name)?.reason ?? ''

  it('the endpoint points at this namespace’s host (any case): it, its dataflows and the record go', () => {
    const plan = planTeardown(config(), afterSetup({instances: [instance({host: HOST.toUpperCase()})]}))
    assert.deepEqual(bridgeDeletions(plan), [
      'dataflow:local-to-remote',
      'dataflow:remote-to-local',
      'dataflowEndpoint:eventgrid',
      `deployment:${DEPLOYMENT_NAME}`,
    ])
    assert.deepEqual(plan.notFound, [])
  })

  it('a record without setup’s tags (an older aio-bridge): the host alone decides while the namespace exists', () => {
    const plan = planTeardown(config(), afterSetup({instances: [instance({tags: undefined})]}))
    assert.equal(bridgeDeletions(plan).length, 4)
  })

  it('the endpoint points at another host: it, the dataflows using it and the record are kept, with the reason', () => {
    const plan = planTeardown(config(), afterSetup({instances: [instance({host: OTHER_HOST})]}))
    assert.deepEqual(bridgeDeletions(plan), [])
    assert.equal(
      keptReason(plan, 'eventgrid'),
      `points at ${OTHER_HOST}, not at ${HOST} (the MQTT hostname of namespace ${NS})`,
    )
    assert.match(
      keptReason(plan, 'local-to-remote'),
      /^uses endpoint eventgrid, which is kept \(it points at aio-bridge-ns\.westus2-1\.ts\.eventgrid\.azure\.net:8883\)$/,
    )
    assert.match(
      keptReason(plan, DEPLOYMENT_NAME),
      /records eventgrid, local-to-remote, remote-to-local, which are kept/,
    )
    // What is this namespace's own still goes.
    assert.deepEqual(
      plan.deletions.map((d) => d.kind),
      ['roleAssignment', 'roleAssignment', 'topicSpace', 'namespace'],
    )
    assert.deepEqual(plan.notes, [], 'provably another’s: no hint to delete it by hand')
  })

  it('the named namespace does not exist and the record names another (a mistyped -n): nothing goes, all is said', () => {
    const plan = planTeardown(config({namespace: 'typo-ns'}), {
      roleAssignments: [],
      instances: [instance({host: OTHER_HOST, tags: recordFor(OTHER_NS)})],
    })
    assert.deepEqual(plan.deletions, [])
    assert.deepEqual(plan.notFound, [
      {
        kind: 'namespace',
        name: 'typo-ns',
        id: namespaceId(SUB, RG, 'typo-ns'),
        message: 'namespace typo-ns not found in rg-bridge: nothing of it to delete',
      },
    ])
    assert.equal(
      keptReason(plan, 'eventgrid'),
      `points at ${OTHER_HOST}: deployment ${DEPLOYMENT_NAME} records that setup made it for namespace ${OTHER_NS}, not typo-ns`,
    )
    assert.match(keptReason(plan, 'remote-to-local'), /^uses endpoint eventgrid, which is kept/)
    assert.equal(keptReason(plan, DEPLOYMENT_NAME), `records that setup made it for namespace ${OTHER_NS}, not typo-ns`)
    assert.deepEqual(
      plan.kept.map((k) => k.kind),
      ['dataflowEndpoint', 'dataflow', 'dataflow', 'deployment'],
    )
  })

  it('the namespace deleted by hand: the record says setup made them for it, so they go', () => {
    const plan = planTeardown(config(), {roleAssignments: [], instances: [instance()]})
    assert.equal(bridgeDeletions(plan).length, 4)
    assert.equal(
      plan.notFound[0]?.message,
      'namespace eg-bridge not found in rg-bridge: deleting only what the deployment record says setup made for it',
    )
  })

  it('the namespace gone and a record without setup’s tags: kept (whose it is cannot be told), with how to remove it', () => {
    const plan = planTeardown(config(), {roleAssignments: [], instances: [instance({tags: undefined})]})
    assert.deepEqual(plan.deletions, [])
    assert.match(keptReason(plan, 'eventgrid'), /does not record the namespace setup made it for/)
    assert.match(keptReason(plan, DEPLOYMENT_NAME), /which are kept/)
    assert.match(plan.notes.join('\n'), new RegExp(`az resource delete --ids ${ENDPOINT_ID} `))
    assert.equal(plan.notFound[0]?.message, 'namespace eg-bridge not found in rg-bridge: nothing of it to delete')
  })

  it('the namespace gone and the endpoint re-pointed since setup: kept', () => {
    const plan = planTeardown(config(), {roleAssignments: [], instances: [instance({host: OTHER_HOST})]})
    assert.deepEqual(plan.deletions, [])
    assert.match(
      keptReason(plan, 'eventgrid'),
      new RegExp(`not at ${HOST.replace(/\./g, '\\.')} where setup pointed it`),
    )
  })

  it('the namespace without a hostname yet: the record decides, as when it is gone', () => {
    const provisioning = namespace({hostname: null, provisioningState: 'Creating'})
    const mine = planTeardown(config(), afterSetup({namespace: provisioning}))
    assert.equal(bridgeDeletions(mine).length, 4)
    const theirs = planTeardown(
      config(),
      afterSetup({namespace: provisioning, instances: [instance({host: OTHER_HOST, tags: recordFor(OTHER_NS)})]}),
    )
    assert.deepEqual(bridgeDeletions(theirs), [])
  })

  it('a dataflow on another endpoint is not this bridge’s: kept; the endpoint still goes, the record stays with it', () => {
    const plan = planTeardown(
      config(),
      afterSetup({instances: [instance({refs: {'local-to-remote': ['default', 'kafka']}})]}),
    )
    assert.deepEqual(bridgeDeletions(plan), ['dataflow:remote-to-local', 'dataflowEndpoint:eventgrid'])
    assert.equal(
      keptReason(plan, 'local-to-remote'),
      'uses endpoints default, kafka, not eventgrid: not part of this bridge',
    )
    assert.equal(keptReason(plan, DEPLOYMENT_NAME), 'it records local-to-remote, which is kept')
  })

  it('a dataflow whose endpoint is gone bridges nothing: it goes, unless the record names another namespace', () => {
    const gone = {exists: {[ENDPOINT_ID]: false}}
    assert.deepEqual(bridgeDeletions(planTeardown(config(), afterSetup({instances: [instance(gone)]}))), [
      'dataflow:local-to-remote',
      'dataflow:remote-to-local',
      `deployment:${DEPLOYMENT_NAME}`,
    ])
    const theirs = planTeardown(config(), afterSetup({instances: [instance({...gone, tags: recordFor(OTHER_NS)})]}))
    assert.deepEqual(bridgeDeletions(theirs), [])
    assert.match(
      keptReason(theirs, 'local-to-remote'),
      /its endpoint eventgrid is gone, and deployment .* namespace aio-bridge-ns/,
    )
  })

  it('--instance naming no instance in the group is said first, beside the namespace’s own deletions', () => {
    const plan = planTeardown(config(), afterSetup({instances: [], instanceNames: ['aio-1'], missingInstance: 'aio-x'}))
    assert.deepEqual(
      plan.notFound.map((n) => n.message),
      ['IoT Operations instance aio-x not found in rg-bridge (found: aio-1): no dataflows of it to delete'],
    )
    assert.deepEqual(plan.notes, [], 'not also "no instance in the group"')
  })

  it('the topic space not found in an existing namespace is said', () => {
    const plan = planTeardown(config({topicSpace: 'tutorail'}), afterSetup({topicSpace: undefined}))
    assert.deepEqual(
      plan.notFound.map((n) => [n.kind, n.message]),
      [
        [
          'topicSpace',
          'topic space tutorail not found in namespace eg-bridge: no topic space or role assignments of it to delete',
        ],
      ],
    )
  })
})

describe('planTeardown: dataflows and endpoint (kubernetes)', () => {
  const L2R = 'dataflow.connectivity.iotoperations.azure.com/local-to-remote'
  const EP = 'dataflowendpoint.connectivity.iotoperations.azure.com/eventgrid'
  const objects: KubernetesObject[] = [
    {kind: 'Dataflow', name: 'local-to-remote', namespace: 'azure-iot-operations', ref: L2R},
    {kind: 'DataflowEndpoint', name: 'eventgrid', namespace: 'azure-iot-operations', ref: EP},
  ]
  /** The cluster holding `all` (those in `labelled` with aio-bridge's label), the endpoint pointing at `host`. */
  const kubernetes = (labelled: string[], all = labelled, host = HOST) => ({
    kubectl: '/usr/bin/kubectl',
    objects,
    cluster: all.map(
      (ref): ClusterObject => ({
        ref,
        labelled: labelled.includes(ref),
        ...(ref === EP ? {host} : {endpointRefs: ['default', 'eventgrid']}),
      }),
    ),
  })
  const plan = (k: TeardownObserved['kubernetes']) =>
    planTeardown(config({target: 'kubernetes'}), afterSetup({instances: undefined, kubernetes: k}))

  it('one kubectl delete first, of the labelled objects, then the Azure side; no ARM dataflow deletions', () => {
    const p = plan(kubernetes([L2R, EP]))
    assert.equal(p.deletions[0]?.kind, 'kubernetesObjects')
    assert.deepEqual(
      p.deletions[0]?.objects?.map((o) => o.ref),
      [L2R, EP],
    )
    assert.equal(p.deletions[0]?.kubectl, '/usr/bin/kubectl')
    assert.ok(!p.deletions.some((d) => d.kind === 'dataflow' || d.kind === 'deployment'))
    assert.equal(p.deletions.length, 5)
    assert.deepEqual(p.kept, [])
  })

  it('an object of the same name without aio-bridge’s label is kept and listed; the labelled one goes', () => {
    const p = plan(kubernetes([L2R], [L2R, EP]))
    assert.deepEqual(
      p.deletions[0]?.objects?.map((o) => o.name),
      ['local-to-remote'],
    )
    assert.deepEqual(
      p.kept.map((k) => [k.kind, k.name]),
      [['dataflowEndpoint', 'eventgrid']],
    )
    assert.match(p.kept[0]?.reason ?? '', /without the label app\.kubernetes\.io\/managed-by=aio-bridge/)
  })

  it('nothing labelled in the cluster: no kubectl step at all; absent objects are neither deleted nor kept', () => {
    const p = plan(kubernetes([], [EP]))
    assert.ok(!p.deletions.some((d) => d.kind === 'kubernetesObjects'))
    assert.deepEqual(
      p.kept.map((k) => k.name),
      ['eventgrid'],
    )
  })

  it('without kubectl the step is still listed (the cluster cannot be read), with a note', () => {
    const p = plan({objects})
    assert.equal(p.deletions[0]?.kind, 'kubernetesObjects')
    assert.equal(p.deletions[0]?.kubectl, undefined)
    assert.match(p.notes.join(), /kubectl is not on PATH/)
  })

  it('the endpoint points at another host: neither it nor the dataflows using it are deleted (no kubectl step)', () => {
    const p = plan(kubernetes([L2R, EP], [L2R, EP], OTHER_HOST))
    assert.ok(!p.deletions.some((d) => d.kind === 'kubernetesObjects'))
    assert.deepEqual(
      p.kept.map((k) => [k.kind, k.name]),
      [
        ['dataflow', 'local-to-remote'],
        ['dataflowEndpoint', 'eventgrid'],
      ],
    )
    assert.match(p.kept[1]?.reason ?? '', /^points at aio-bridge-ns\..*, not at eg-bridge\./)
    assert.match(p.kept[0]?.reason ?? '', /^uses endpoint eventgrid, which is kept/)
  })

  it('the namespace gone: nothing in the cluster is deleted (it keeps no record), and the note says how to', () => {
    const p = planTeardown(config({target: 'kubernetes'}), {roleAssignments: [], kubernetes: kubernetes([L2R, EP])})
    assert.deepEqual(p.deletions, [])
    assert.match(p.kept.find((k) => k.name === 'eventgrid')?.reason ?? '', /the cluster keeps no record/)
    assert.match(
      p.notes.join('\n'),
      new RegExp(`kubectl delete -n azure-iot-operations --ignore-not-found ${L2R} ${EP}`),
    )
    assert.equal(p.notFound[0]?.message, 'namespace eg-bridge not found in rg-bridge: nothing of it to delete')
  })

  it('an endpoint without the label that points here: kept by the label; the labelled dataflow using it goes', () => {
    const p = plan(kubernetes([L2R], [L2R, EP]))
    assert.deepEqual(
      p.deletions[0]?.objects?.map((o) => o.name),
      ['local-to-remote'],
    )
  })

  it('a labelled dataflow on another endpoint is kept', () => {
    const k = kubernetes([L2R, EP])
    const cluster = (k.cluster ?? []).map((c) => (c.ref === L2R ? {...c, endpointRefs: ['default', 'kafka']} : c))
    const p = plan({...k, cluster})
    assert.deepEqual(
      p.deletions[0]?.objects?.map((o) => o.name),
      ['eventgrid'],
    )
    assert.match(p.kept[0]?.reason ?? '', /uses endpoints default, kafka, not eventgrid/)
  })
})
