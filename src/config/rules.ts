/**
 * Local checks of the names and values Azure would otherwise reject with a raw error, with the documented rules
 * (shared/reference/azure-api.md and the Event Grid / IoT Operations type references). Each returns a problem
 * string, or undefined when the value is fine: callers turn problems into ConfigErrors with the flag to fix.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function checkSubscriptionId(value: string): string | undefined {
  return GUID.test(value)
    ? undefined
    : 'is not a subscription id: ids are GUIDs such as 00000000-0000-0000-0000-000000000000 (a subscription’s name is not accepted)'
}

/** The GUID inside what was typed (`{guid}`, an ARM id `/subscriptions/<guid>/…`), when there is exactly one. */
export function suggestSubscriptionId(value: string): string | undefined {
  const found = value.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? []
  return found.length === 1 ? (found[0] as string).toLowerCase() : undefined
}

/** A value still holding a tutorial placeholder: `<SUBSCRIPTION_ID>`, `<your namespace>`, or the docs' `…`. */
export function isPlaceholder(value: string): boolean {
  return /^<[^<>]*>$/.test(value.trim()) || /^(…|\.\.\.)$/.test(value.trim())
}

export const EVENT_GRID_NAME_RULE =
  'use 3 to 50 letters, digits and hyphens, starting and ending with a letter or digit'

/**
 * Event Grid namespace and topic space names: 3–50 characters, letters, digits and hyphens (Azure's pattern), and a
 * letter or digit at both ends — the namespace name is the first DNS label of its MQTT hostname
 * (`<name>.<region>-1.ts.eventgrid.azure.net`), and a DNS label cannot start or end with a hyphen.
 */
export function checkEventGridName(value: string): string | undefined {
  if (value.length < 3 || value.length > 50) return `must be 3 to 50 characters long (it has ${value.length})`
  if (!/^[a-zA-Z0-9-]+$/.test(value)) return 'may contain only letters, digits and hyphens'
  if (value.startsWith('-') || value.endsWith('-'))
    return 'must start and end with a letter or digit (it becomes a DNS label of the MQTT hostname)'
  return undefined
}

/** `my_eg_ns` → `my-eg-ns`: other characters become hyphens, none at the ends; undefined when nothing valid is left. */
export function suggestEventGridName(value: string): string | undefined {
  const s = value
    .trim()
    .replace(/[^a-zA-Z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '')
    .slice(0, 50)
    .replace(/-+$/, '')
  return checkEventGridName(s) === undefined ? s : undefined
}

/** Resource group names: 1–90 characters, letters, digits, underscores, parentheses, hyphens, periods; no final period. */
export function checkResourceGroupName(value: string): string | undefined {
  if (value.length < 1 || value.length > 90) return `must be 1 to 90 characters long (it has ${value.length})`
  if (!/^[-\p{L}\p{N}_.()]+$/u.test(value))
    return 'may contain only letters, digits, underscores, parentheses, hyphens and periods'
  if (value.endsWith('.')) return 'must not end with a period'
  return undefined
}

/** Arc-enabled (connected) cluster names: 1–63 characters, letters, digits, hyphens, underscores, periods. */
export function checkClusterName(value: string): string | undefined {
  if (value.length < 1 || value.length > 63) return `must be 1 to 63 characters long (it has ${value.length})`
  if (!/^[a-zA-Z0-9]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(value)) {
    return 'must start and end with a letter or digit and contain only letters, digits, hyphens, underscores and periods'
  }
  return undefined
}

/** Azure region names as ARM wants them: "West US 2" → "westus2". */
export function normalizeLocation(value: string): string {
  return value.replace(/\s+/g, '').toLowerCase()
}

export function checkLocation(value: string): string | undefined {
  return /^[a-z0-9]+$/.test(value) ? undefined : 'is not a region name such as westus2 or eastus (letters and digits)'
}

/** `west-us-2` → `westus2`. */
export function suggestLocation(value: string): string | undefined {
  const s = value.toLowerCase().replace(/[^a-z0-9]/g, '')
  return s.length > 0 ? s : undefined
}

/** `rg/evil` → `rg-evil`: characters a group name cannot hold become hyphens, no final period. */
export function suggestResourceGroupName(value: string): string | undefined {
  const s = value
    .trim()
    .replace(/[^-\p{L}\p{N}_.()]+/gu, '-')
    .replace(/\.+$/, '')
    .slice(0, 90)
  return checkResourceGroupName(s) === undefined ? s : undefined
}

/** `my cluster` → `my-cluster`. */
export function suggestClusterName(value: string): string | undefined {
  const s = value
    .trim()
    .replace(/[^-_.a-zA-Z0-9]+/g, '-')
    .replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, '')
    .slice(0, 63)
  return checkClusterName(s) === undefined ? s : undefined
}

export const MAX_TOPIC_TEMPLATES = 10
export const MAX_TOPIC_SEGMENTS = 8
export const MAX_TOPIC_BYTES = 256

/**
 * Topic templates (Event Grid MQTT topic spaces): `+` is a whole segment, `#` a whole last segment, a `${…}` variable
 * stays within one segment, at most 8 segments and 256 bytes.
 */
export function checkTopicTemplate(value: string): string | undefined {
  if (value.length === 0) return 'is empty'
  // Event Grid: "Topics that start with $ are reserved for internal use" — a topic space refuses such a template.
  if (value.startsWith('$share/'))
    return 'is a shared-subscription filter ($share/<group>/…): a topic template names the topics themselves'
  if (value.startsWith('$') && !value.startsWith('${'))
    return "starts with '$': Event Grid reserves such topics for internal use"
  if (Buffer.byteLength(value) > MAX_TOPIC_BYTES) return `is longer than ${MAX_TOPIC_BYTES} bytes`
  if (value.includes('\u0000')) return 'contains a NUL character'
  const segments = value.split('/')
  if (segments.length > MAX_TOPIC_SEGMENTS) return `has ${segments.length} segments (at most ${MAX_TOPIC_SEGMENTS})`
  for (const [i, segment] of segments.entries()) {
    if (segment.includes('#') && (segment !== '#' || i !== segments.length - 1)) {
      return `puts '#' in segment ${i + 1} ('${segment}'): '#' must be the whole last segment, as in telemetry/#`
    }
    if (segment.includes('+') && segment !== '+') {
      return `puts '+' inside segment ${i + 1} ('${segment}'): '+' must be a whole segment, as in telemetry/+/temp`
    }
    const opens = segment.split('${').length - 1
    const closes = (segment.match(/}/g) ?? []).length
    if (opens !== closes) return `has a \${…} variable in segment ${i + 1} that is not closed within that segment`
    for (const match of segment.matchAll(/\$\{([^}]*)\}/g)) {
      if (
        !/^(client\.authenticationName|client\.attributes\.[A-Za-z0-9_.-]+|principal\.name|principal\.attributes\.[A-Za-z0-9_.-]+)(\|[^}]*)?$/.test(
          match[1] ?? '',
        )
      ) {
        return `uses the unknown variable \${${match[1]}} (known: client.authenticationName, client.attributes.<key>)`
      }
    }
  }
  return undefined
}

/**
 * The template corrected, when the mistake is one of placement: `$share/g/telemetry/#` → `telemetry/#`,
 * `telemetry/#/x` → `telemetry/x/#`, `tele+/x` → `tele/+/x`. Undefined when no valid template follows.
 */
export function suggestTopicTemplate(value: string): string | undefined {
  let segments = value.replace(/^\$share\/[^/]*\//, '').split('/')
  const hadHash = segments.some((s) => s.includes('#'))
  // A level that held only a misplaced wildcard goes; empty levels the user wrote (a//b) stay.
  segments = segments
    .filter((s) => s === '' || s.replace(/[#+]/g, '') !== '' || s === '+')
    .map((s) => s.replaceAll('#', ''))
    .flatMap((s) => (s.includes('+') && s !== '+' ? [s.replaceAll('+', ''), '+'] : [s]))
  if (hadHash) segments.push('#')
  const s = segments.join('/')
  return s !== value && checkTopicTemplate(s) === undefined ? s : undefined
}

/** An MQTT topic name to publish to (no wildcards), as used by the dataflows and verify. */
export function checkTopicName(value: string): string | undefined {
  if (value.length === 0) return 'is empty'
  if (Buffer.byteLength(value) > 65535) return 'is too long'
  if (/[#+]/.test(value)) return "contains a wildcard ('#' or '+'), which only a subscription may use"
  if (value.includes('\u0000')) return 'contains a NUL character'
  return undefined
}

/** An MQTT topic filter to subscribe to. */
export function checkTopicFilter(value: string): string | undefined {
  if (value.length === 0) return 'is empty'
  const segments = value.split('/')
  for (const [i, segment] of segments.entries()) {
    if (segment.includes('#') && (segment !== '#' || i !== segments.length - 1)) {
      return `puts '#' in segment ${i + 1} ('${segment}'): '#' must be the whole last segment`
    }
    if (segment.includes('+') && segment !== '+') return `puts '+' inside segment ${i + 1} ('${segment}')`
  }
  return undefined
}

/** Does an MQTT topic filter (with + and #) match a concrete topic name? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length) return false
    if (f[i] !== '+' && f[i] !== t[i]) return false
  }
  return f.length === t.length
}
