import {ROLE_IDS} from '../arm/seed.js'
import type {ArmState} from '../arm/state.js'
import type {ArmResource} from '../arm/types.js'

/**
 * Event Grid's MQTT authorization for Microsoft Entra clients, evaluated against the Resource Manager emulator's
 * state at the moment of each SUBSCRIBE and PUBLISH (so a role assignment or template changed through the emulator
 * takes effect at once): a client may publish to a topic when it holds **EventGrid TopicSpaces Publisher** at a topic
 * space (or at a scope above it: namespace, resource group, subscription) whose templates match the topic, and
 * subscribe to a filter when it holds **TopicSpaces Subscriber** on a topic space with a template covering the whole
 * filter. Everything else is refused (the broker answers 0x87). Owner/Contributor give no data rights, as in Azure.
 */

const TOPIC_SPACE = 'microsoft.eventgrid/namespaces/topicspaces'
const NAMESPACE = 'microsoft.eventgrid/namespaces'
const ROLE_ASSIGNMENT = 'microsoft.authorization/roleassignments'

export type MqttAction = 'publish' | 'subscribe'

export interface AuthorizationDecision {
  allowed: boolean
  /** One line: which role or template allowed or refused it (for the sandbox log). */
  reason: string
}

/** Does a topic-space template (a filter, `${client.authenticationName}` substituted) cover every topic of `filter`? */
export function templateCovers(template: string, filter: string): boolean {
  const t = template.split('/')
  const f = filter.split('/')
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '#') return true
    if (i >= f.length) return false
    if (f[i] === '#') return false
    if (t[i] === '+') continue
    if (f[i] === '+' || t[i] !== f[i]) return false
  }
  return t.length === f.length
}

/** Templates with the variables Event Grid substitutes; a template with an unknown variable matches nothing. */
export function expandTemplate(template: string, client: {authenticationName?: string}): string | undefined {
  let out = template
  if (client.authenticationName !== undefined) {
    out = out.replaceAll('$' + '{client.authenticationName}', client.authenticationName)
  }
  return out.includes('$' + '{') ? undefined : out
}

function atOrAbove(scope: string, id: string): boolean {
  const s = scope.toLowerCase().replace(/\/+$/, '')
  const i = id.toLowerCase()
  return i === s || i.startsWith(`${s}/`)
}

function roleGuid(r: ArmResource): string {
  return String(r.properties.roleDefinitionId ?? '')
    .split('/')
    .pop()
    ?.toLowerCase() as string
}

function mqttEnabled(state: ArmState, topicSpaceId: string): boolean {
  const nsId = topicSpaceId.split('/').slice(0, -2).join('/')
  const ns = state.get(nsId)
  if (!ns || ns.type.toLowerCase() !== NAMESPACE) return false
  const cfg = ns.properties.topicSpacesConfiguration as {state?: string} | undefined
  return cfg?.state === 'Enabled'
}

/** Decides one MQTT request of principal `principalId` from the emulator's current state. */
export function authorizeMqtt(
  state: ArmState,
  req: {principalId?: string; action: MqttAction; topic: string},
): AuthorizationDecision {
  const principal = req.principalId?.toLowerCase()
  if (!principal) return {allowed: false, reason: 'the token names no principal (oid)'}
  const wanted = req.action === 'publish' ? ROLE_IDS.topicSpacesPublisher : ROLE_IDS.topicSpacesSubscriber
  const roleName = req.action === 'publish' ? 'EventGrid TopicSpaces Publisher' : 'EventGrid TopicSpaces Subscriber'
  const assignments: ArmResource[] = []
  for (const r of state.resources.values()) {
    if (r.type.toLowerCase() !== ROLE_ASSIGNMENT) continue
    if (String(r.properties.principalId).toLowerCase() !== principal) continue
    if (roleGuid(r) === wanted) assignments.push(r)
  }
  if (assignments.length === 0) return {allowed: false, reason: `${principal} holds no ${roleName} role`}
  let granted = 0
  for (const ts of state.resources.values()) {
    if (ts.type.toLowerCase() !== TOPIC_SPACE) continue
    if (!assignments.some((a) => atOrAbove(String(a.properties.scope), ts.id))) continue
    if (!mqttEnabled(state, ts.id)) continue
    granted++
    const templates = (ts.properties.topicTemplates as string[] | undefined) ?? []
    for (const raw of templates) {
      const t = expandTemplate(raw, {authenticationName: principal})
      if (t && templateCovers(t, req.topic)) {
        return {allowed: true, reason: `${roleName} on topic space ${ts.name}, template ${raw}`}
      }
    }
  }
  if (granted === 0) return {allowed: false, reason: `${roleName} is held on no topic space of an MQTT namespace`}
  return {allowed: false, reason: `no topic template of the topic spaces where ${principal} is ${roleName} matches`}
}
