import {DEFAULTS} from '../config/bridge-config.js'
import {ConfigError} from '../errors.js'
import {type BridgeModel, type DataflowModel, destinationOf, LOCAL_ENDPOINT, sourceOf} from './bridge-model.js'
import {destinationHasWildcard, intersectPatterns, resolveDestination, templatesCover} from './topics.js'

/**
 * Checks of the topic map and the dataflow profile, run before anything is written or applied. Pure: the model and
 * what is known of the Event Grid side in, problems out. Errors stop render/setup with exit 2; warnings are printed.
 */

export interface BridgeProblem {
  code: string
  severity: 'error' | 'warning'
  /** One line: what is wrong. */
  message: string
  /** The exact flag or change that fixes it. */
  fix: string
  /** The dataflow concerned, when one is. */
  dataflow?: string
}

export interface BridgeCheckResult {
  errors: BridgeProblem[]
  warnings: BridgeProblem[]
}

export interface CheckBridgeModelOptions {
  /** The topic space's templates (default DEFAULTS.topicTemplates, the tutorial's telemetry/#). */
  topicTemplates?: string[]
  /** The namespace's maximumClientSessionsPerAuthenticationName, when known. */
  maxClientSessions?: number
}

/** The flag that sets a dataflow's source or destination topic. */
function topicFlag(df: DataflowModel, end: 'source' | 'destination'): string {
  if (df.direction === 'local-to-remote') return end === 'source' ? '--local-source' : '--remote-destination'
  return end === 'source' ? '--remote-source' : '--local-destination'
}

export function checkBridgeModel(model: BridgeModel, options: CheckBridgeModelOptions = {}): BridgeCheckResult {
  const templates = options.topicTemplates?.length ? options.topicTemplates : DEFAULTS.topicTemplates
  const remote = model.endpoint.name
  const problems: BridgeProblem[] = []
  const add = (p: BridgeProblem) => problems.push(p)

  if (model.hostnameIsPlaceholder) {
    add({
      code: 'HOSTNAME_PLACEHOLDER',
      severity: 'warning',
      message: `The Event Grid hostname is unknown: the files contain ${model.endpoint.properties.mqttSettings.host}.`,
      fix: 'Pass --hostname <namespace>.<region>-1.ts.eventgrid.azure.net (az eventgrid namespace show --query topicSpacesConfiguration.hostname).',
    })
  }

  for (const df of model.dataflows) {
    const source = sourceOf(df)
    const dest = destinationOf(df)

    if (destinationHasWildcard(dest.dataDestination)) {
      add({
        code: 'MAP_DESTINATION_WILDCARD',
        severity: 'error',
        dataflow: df.name,
        message: `Dataflow ${df.name} publishes to '${dest.dataDestination}': a destination is a topic name and cannot contain '+' or '#'.`,
        fix: `Pass ${topicFlag(df, 'destination')} with a topic without wildcards (\${inputTopic} keeps the source topic).`,
      })
    }

    // Patterns of the topics this dataflow can publish, one per data source.
    const published = source.dataSources.map((s) => resolveDestination(dest.dataDestination, s))
    for (const r of published) {
      for (const v of r.neverResolves) {
        add({
          code: 'MAP_DESTINATION_UNRESOLVABLE',
          severity: 'error',
          dataflow: df.name,
          message: `Dataflow ${df.name}: ${v} in '${dest.dataDestination}' names a level no source topic has; every message would be dropped.`,
          fix: `Pass ${topicFlag(df, 'destination')} with \${inputTopic.N} no larger than the levels of ${topicFlag(df, 'source')}.`,
        })
      }
      for (const v of r.mayNotResolve) {
        add({
          code: 'MAP_DESTINATION_MAY_NOT_RESOLVE',
          severity: 'warning',
          dataflow: df.name,
          message: `Dataflow ${df.name}: ${v} in '${dest.dataDestination}' is missing from shorter topics under the source's '#'; those messages are dropped.`,
          fix: `Use ${topicFlag(df, 'source')} with '+' levels up to that position, or a smaller N.`,
        })
      }
      for (const v of r.unknownVariables) {
        add({
          code: 'MAP_DESTINATION_UNKNOWN_VARIABLE',
          severity: 'warning',
          dataflow: df.name,
          message: `Dataflow ${df.name}: '${v}' in '${dest.dataDestination}' is not \${inputTopic} or \${inputTopic.N}.`,
          fix: `Pass ${topicFlag(df, 'destination')} with only \${inputTopic} or \${inputTopic.N} as variables.`,
        })
      }
    }

    // Event Grid authorizes a publish or subscribe only inside the topic space's templates.
    const remoteTopics: Array<{pattern: string; what: string; flag: string}> = []
    if (source.endpointRef === remote) {
      for (const s of source.dataSources)
        remoteTopics.push({pattern: s, what: 'subscribes to', flag: topicFlag(df, 'source')})
    }
    if (dest.endpointRef === remote && !destinationHasWildcard(dest.dataDestination)) {
      for (const r of published) {
        remoteTopics.push({pattern: r.pattern, what: 'publishes to', flag: topicFlag(df, 'destination')})
      }
    }
    for (const t of remoteTopics) {
      const covered = templatesCover(templates, t.pattern)
      if (covered === true) continue
      add({
        code: covered === false ? 'MAP_TOPIC_OUTSIDE_TOPIC_SPACE' : 'MAP_TOPIC_SPACE_UNCERTAIN',
        severity: covered === false ? 'error' : 'warning',
        dataflow: df.name,
        message:
          covered === false
            ? `Dataflow ${df.name} ${t.what} '${t.pattern}' on Event Grid, outside the topic space's templates (${templates.join(', ')}): Event Grid would refuse it as not authorized.`
            : `Dataflow ${df.name} ${t.what} '${t.pattern}' on Event Grid; whether the templates (${templates.join(', ')}) cover it depends on their \${client.…} variables.`,
        fix: `Pass ${t.flag} with a topic under ${templates.join(' or ')}, or add --topic-template '${t.pattern}'.`,
      })
    }
  }

  checkLoops(model, add)

  const egDataflows = model.dataflows.filter(
    (df) => sourceOf(df).endpointRef === remote || destinationOf(df).endpointRef === remote,
  )
  const instances = model.profileInstanceCount ?? 1
  // Every instance of every dataflow that talks to Event Grid holds one MQTT session, all under the one
  // authentication name of the IoT Operations extension's managed identity.
  const sessionsNeeded = instances * egDataflows.length
  if (options.maxClientSessions !== undefined && options.maxClientSessions < sessionsNeeded) {
    add({
      code: 'EVENTGRID_SESSION_LIMIT',
      severity: 'error',
      message: `The dataflows need ${sessionsNeeded} Event Grid sessions (${instances} instance(s) × ${egDataflows.length} dataflows) but the namespace allows ${options.maxClientSessions} per authentication name.`,
      fix: `Pass --max-client-sessions ${Math.max(sessionsNeeded, 3)} (setup updates the namespace).`,
    })
  }

  if (instances > 1) {
    for (const df of model.dataflows.filter((d) => sourceOf(d).endpointRef === remote)) {
      add({
        code: 'EVENTGRID_SOURCE_MULTI_INSTANCE',
        severity: 'error',
        dataflow: df.name,
        message: `Dataflow ${df.name} reads from Event Grid in profile ${model.profile} with ${instances} instances: Event Grid has no shared subscriptions, so every instance would receive (and forward) every message.`,
        fix: 'Use a dataflow profile with instanceCount 1: pass --profile <name of a one-instance profile> (or --profile-instances 1).',
      })
    }
  }

  return {
    errors: problems.filter((p) => p.severity === 'error'),
    warnings: problems.filter((p) => p.severity === 'warning'),
  }
}

/**
 * A loop: some message comes out of a chain of dataflows on a topic that the chain's first dataflow reads again, and
 * so circulates for ever. The tutorial's round trip (local tutorial/local → Event Grid telemetry/aio → local
 * tutorial/cloud) ends, because tutorial/cloud is not read again. Candidate cycles come from coarse pattern overlap;
 * each is then confirmed by carrying the set of topics around it until it is empty (no loop) or stops shrinking (loop),
 * so `${inputTopic.N}` destinations that only look circular are not reported.
 */
function checkLoops(model: BridgeModel, add: (p: BridgeProblem) => void): void {
  // A destination with a wildcard is already an error; its "topics" would only add noise here.
  const flows = model.dataflows.filter((df) => !destinationHasWildcard(destinationOf(df).dataDestination))
  const output = (df: DataflowModel, input: string): string =>
    resolveDestination(destinationOf(df).dataDestination, input).pattern
  const accepts = (df: DataflowModel, endpoint: string, topics: string): string | undefined => {
    if (sourceOf(df).endpointRef !== endpoint) return undefined
    for (const filter of sourceOf(df).dataSources) {
      const both = intersectPatterns(topics, filter)
      if (both !== undefined) return both
    }
    return undefined
  }
  const feeds = (a: DataflowModel, b: DataflowModel): boolean =>
    sourceOf(a).dataSources.some((s) => accepts(b, destinationOf(a).endpointRef, output(a, s)) !== undefined)

  /** Carries the start's topics around the cycle until they die out or settle. */
  const circulates = (cycle: DataflowModel[]): boolean => {
    const first = cycle[0] as DataflowModel
    for (const source of sourceOf(first).dataSources) {
      let topics: string | undefined = source
      for (let round = 0; round < 8 && topics !== undefined; round++) {
        let t: string | undefined = topics
        for (let i = 0; i < cycle.length && t !== undefined; i++) {
          const from = cycle[i] as DataflowModel
          const to = cycle[(i + 1) % cycle.length] as DataflowModel
          t = accepts(to, destinationOf(from).endpointRef, output(from, t))
        }
        if (t === topics) return true
        topics = t
      }
    }
    return false
  }

  const cycles: DataflowModel[][] = []
  const walk = (path: DataflowModel[]) => {
    const last = path[path.length - 1] as DataflowModel
    for (const next of flows) {
      if (!feeds(last, next)) continue
      if (next === path[0]) cycles.push([...path])
      else if (!path.includes(next) && flows.indexOf(next) > flows.indexOf(path[0] as DataflowModel)) {
        walk([...path, next])
      }
    }
  }
  // Each simple cycle once: it is started from its earliest dataflow.
  for (const df of flows) walk([df])

  for (const cycle of cycles) {
    // Any rotation may be the one whose topics keep circulating.
    const rotations = cycle.map((_d, i) => [...cycle.slice(i), ...cycle.slice(0, i)])
    if (!rotations.some(circulates)) continue
    const hops = cycle
      .map((d) => {
        const dest = destinationOf(d)
        return `${d.name} → ${dest.endpointRef === LOCAL_ENDPOINT ? 'local' : dest.endpointRef}:${dest.dataDestination}`
      })
      .join(', ')
    const first = cycle[0] as DataflowModel
    add({
      code: 'MAP_LOOP',
      severity: 'error',
      dataflow: first.name,
      message:
        cycle.length === 1
          ? `Dataflow ${first.name} publishes to a topic it reads itself (${hops}): every message would circulate for ever.`
          : `The dataflows form a loop (${hops}, back to ${first.name}): every message would circulate for ever.`,
      // Breaking the loop on the local side keeps the round trip through Event Grid that the tutorial wants.
      fix: 'Pass --local-destination with a topic that --local-source does not match (the tutorial: tutorial/local → tutorial/cloud).',
    })
  }
}

/** Throws the first error as a ConfigError (exit 2) carrying every problem in its details; returns the warnings. */
export function assertBridgeModel(model: BridgeModel, options: CheckBridgeModelOptions = {}): BridgeProblem[] {
  const {errors, warnings} = checkBridgeModel(model, options)
  const first = errors[0]
  if (first) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''
    throw new ConfigError(first.code, `${first.message}${more}`, first.fix, {problems: errors, warnings})
  }
  return warnings
}
