/**
 * Secrets never reach output: bearer tokens, JWTs (K8S-SAT, Entra), private keys and passwords are masked in
 * anything aio-bridge prints, including --debug traces and error causes.
 */
const PATTERNS: RegExp[] = [
  /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, // JWT
  /(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // `password=x`, `"accessToken": "x"`: the value, never a flag name after a colon in prose (`password: --password-file`).
  /("?(?:access_?token|accessToken|password|client_?secret|authenticationData)"?\s*[:=]\s*"?)(?!-{1,2}[a-z])(?!\*\*\*)[^"\s,}]+/gi,
]

const extraSecrets = new Set<string>()

/** Registers a value read at run time (a token from a file, a password flag) so it is masked wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) extraSecrets.add(value)
}

export function redact(text: string): string {
  let out = text
  for (const secret of extraSecrets) out = out.split(secret).join('***')
  for (const p of PATTERNS)
    out = out.replace(p, (_m, prefix?: string) => `${typeof prefix === 'string' ? prefix : ''}***`)
  return out
}
