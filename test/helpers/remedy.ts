/**
 * A remedy that only names the flag (`Fix --namespace.`, `Pass --username.`) tells the user nothing they did not know:
 * after the flags and the words that carry no fix are taken out, nothing is left.
 */
const EMPTY_WORDS =
  /\b(fix|pass|set|use|give|check|correct|change|the|a|an|its|value|values|flag|flags|option|again|it|with|or|and|valid|right|proper|another|different|to|of|instead|please|then)\b/gi

export function remedyOnlyNamesFlag(remedy: string): boolean {
  const rest = remedy
    .replace(/`/g, ' ')
    .replace(/(^|[\s(/'"])-{1,2}[a-z][\w-]*/gi, ' ')
    .replace(EMPTY_WORDS, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, '')
  return rest.length === 0
}
