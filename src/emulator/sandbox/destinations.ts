/**
 * IoT Operations' dataflow destination topics: `${inputTopic}` is the whole source topic and `${inputTopic.N}` its
 * N-th segment (1-based). A destination that names a segment the topic does not have cannot be resolved: the
 * dataflow drops that message (and says so), as IoT Operations does.
 */
const PLACEHOLDER = /\$\{inputTopic(?:\.(\d+))?\}/g

export function resolveDestination(template: string, inputTopic: string): string | undefined {
  const segments = inputTopic.split('/')
  let missing = false
  const out = template.replace(PLACEHOLDER, (_m, n: string | undefined) => {
    if (n === undefined) return inputTopic
    const seg = segments[Number(n) - 1]
    if (seg === undefined || Number(n) < 1) missing = true
    return seg ?? ''
  })
  return missing ? undefined : out
}
