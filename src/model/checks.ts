import {ConfigError} from '../errors.js'
import {type BridgeModel, type DataflowModel, destinationOf, LOCAL_ENDPOINT, sourceOf} from './bridge-model.js'
import {destinationHasWildcard, patternsOverlap, resolveDestination, templatesCover} from './topics.js'

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
  /** The topic space's templates (default telemetry/#). */
  topicTemplates?: string[]
  /** The namespace's maximumClientSessionsPerAuthenticationName, when known. */
  maxClientSessions?: number
}

const DEFAULT_TEMPLATES = ['telemetry/#']

/** The flag that sets a dataflow's source or destination topic. */
function topicFlag(df: DataflowModel, end: 'source' | 'destination'): string {
  if (df.direction === 'local-to-remote') return end === 'source' ? '--local-source' : '--remote-destination'
  return end === 'source' ? '--remote-source' : '--local-destination'
}

export function checkBridgeModel(model: BridgeModel, options: CheckBridgeModelOptions = {}): BridgeCheckResult {
  const templates = options.topicTemplates?.length ? options.topicTemplates : DEFAULT_TEMPLATES
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
      for (const s of source.dataSources) remoteTopics.push({pattern: s, what: 'subscribes to', flag: topicFlag(df, 'source')})
    }
    if (dest.endpointRef === remote) {
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
 * A loop: a dataflow's output reaches its own input again, through itself or through other dataflows, so one message
 * circulates for ever. The tutorial's round trip (local → Event Grid → back to a *different* local topic) is a path
 * that ends, not a loop.
 */
function checkLoops(model: BridgeModel, add: (p: BridgeProblem) => void): void {
  const flows = model.dataflows
  const feeds = (a: DataflowModel, b: DataflowModel): boolean => {
    const dest = destinationOf(a)
    const src = sourceOf(b)
    if (dest.endpointRef !== src.endpointRef) return false
    return sourceOf(a).dataSources.some((s) => {
      const published = resolveDestination(dest.dataDestination, s).pattern
      return src.dataSources.some((filter) => patternsOverlap(published, filter))
    })
  }
  const reported = new Set<string>()
  for (const start of flows) {
    // Depth-first search for a path back to `start`.
    const path: DataflowModel[] = []
    const visit = (df: DataflowModel, seen: Set<DataflowModel>): DataflowModel[] | undefined => {
      for (const next of flows) {
        if (!feeds(df, next)) continue
        if (next === start) return [...path, df, start]
        if (seen.has(next)) continue
        seen.add(next)
        path.push(df)
        const found = visit(next, seen)
        path.pop()
        if (found) return found
      }
      return undefined
    }
    const cycle = visit(start, new Set([start]))
    if (!cycle) continue
    const key = [...new Set(cycle.map((d) => d.name))].sort().join(',')
    if (reported.has(key)) continue
    reported.add(key)
    const hops = cycle
      .slice(0, -1)
      .map((d) => {
        const dest = destinationOf(d)
        return `${d.name} → ${dest.endpointRef === LOCAL_ENDPOINT ? 'local' : dest.endpointRef}:${dest.dataDestination}`
      })
      .join(', ')
    const self = cycle.length === 2
    add({
      code: 'MAP_LOOP',
      severity: 'error',
      dataflow: start.name,
      message: self
        ? `Dataflow ${start.name} publishes to a topic it reads itself (${hops}): every message would circulate for ever.`
        : `The dataflows form a loop (${hops}, back to ${start.name}): every message would circulate for ever.`,
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
