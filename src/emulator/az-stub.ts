import {randomBytes} from 'node:crypto'
import {chmod, mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

/**
 * A stand-in `az` for the local emulation and the black-box tests: it answers `az account get-access-token
 * --output json --resource <r>` exactly as @azure/identity's AzureCliCredential parses it (accessToken, expiresOn,
 * expires_on), so the CLI's real credential chain runs unchanged. Tokens are JWT-shaped (unsigned) with the `oid`,
 * `tid`, `aud` and `exp` claims the emulators read. They live in files beside the script, never in an argument list.
 */

export interface AzStubOptions {
  /** A fixed token for every resource; default: one made per resource with `makeFakeJwt`. */
  token?: string
  tenantId: string
  subscriptionId: string
  /** Object id of the signed-in principal (`oid`). */
  principalId?: string
  /** Token lifetime from now, in seconds (negative: already expired). Default 3600. */
  expiresInSeconds?: number
  /** Simulate `az` without a login: the stub prints az's "Please run 'az login'" error and exits 1. */
  loggedOut?: boolean
  /** Extra resources to mint tokens for (management and Event Grid are always included). */
  resources?: string[]
}

export interface AzStub {
  /** Directory holding the executable `az`: put it first on PATH. */
  dir: string
  path: string
  /** Token per resource (without trailing slash), for tests that search output for leaked secrets. */
  tokens: Record<string, string>
  /** File with one line per `az account get-access-token` run: the resource it was asked for. */
  callLog: string
}

/** An unsigned JWT-shaped token (header.payload.signature, base64url) carrying the given claims. */
export function makeFakeJwt(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${enc({typ: 'JWT', alg: 'RS256', kid: 'aio-bridge-emulator'})}.${enc(claims)}.${randomBytes(32).toString('base64url')}`
}

const DEFAULT_RESOURCES = [
  'https://management.azure.com',
  'https://management.core.windows.net',
  'https://eventgrid.azure.net',
]

/** Writes `<dir>/az` (a POSIX sh script) and its token files; returns where they are. */
export async function writeAzStub(dir: string, opts: AzStubOptions): Promise<AzStub> {
  await mkdir(dir, {recursive: true})
  const expiresIn = opts.expiresInSeconds ?? 3600
  const exp = Math.floor(Date.now() / 1000) + expiresIn
  const resources = [...new Set([...DEFAULT_RESOURCES, ...(opts.resources ?? [])].map((r) => r.replace(/\/+$/, '')))]
  const tokens: Record<string, string> = {}
  const cases: string[] = []
  for (const [i, resource] of resources.entries()) {
    const token =
      opts.token ??
      makeFakeJwt({
        aud: resource.includes('eventgrid') ? `${resource}/` : resource,
        iss: `https://sts.windows.net/${opts.tenantId}/`,
        iat: exp - 3600 - 60,
        nbf: exp - 3600 - 60,
        exp,
        oid: opts.principalId,
        tid: opts.tenantId,
        sub: opts.principalId,
        // A user signed in with az: Azure CLI's client id, delegated scope, user claims.
        appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
        idtyp: 'user',
        scp: 'user_impersonation',
        upn: 'operator@example.com',
      })
    tokens[resource] = token
    const file = `token-${i}.json`
    await writeFile(
      join(dir, file),
      `${JSON.stringify(
        {
          accessToken: token,
          expiresOn: new Date(exp * 1000)
            .toISOString()
            .replace('T', ' ')
            .replace(/\.\d+Z$/, '.000000'),
          expires_on: exp,
          subscription: opts.subscriptionId,
          tenant: opts.tenantId,
          tokenType: 'Bearer',
        },
        null,
        2,
      )}\n`,
      {mode: 0o600},
    )
    // Match with and without the trailing slash the caller may add.
    cases.push(`    '${resource}'|'${resource}/') cat "$dir/${file}" ;;`)
  }
  await writeFile(
    join(dir, 'account.json'),
    `${JSON.stringify(
      {
        environmentName: 'AzureCloud',
        id: opts.subscriptionId,
        isDefault: true,
        name: 'aio-bridge emulator',
        state: 'Enabled',
        tenantId: opts.tenantId,
        user: {name: opts.principalId ?? 'emulator-user', type: 'user'},
      },
      null,
      2,
    )}\n`,
  )
  const script = `#!/bin/sh
# Stand-in az written by aio-bridge (src/emulator/az-stub.ts): answers only what aio-bridge asks.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
${opts.loggedOut ? `echo "ERROR: Please run 'az login' to setup account." >&2\nexit 1\n` : ''}if [ "$1" = "account" ] && [ "$2" = "get-access-token" ]; then
  resource="https://management.azure.com"
  while [ $# -gt 0 ]; do
    case "$1" in
      --resource) resource="$2"; shift ;;
      --scope) resource=$(printf '%s' "$2" | sed 's#/\\.default$##'); shift ;;
    esac
    shift
  done
  # One line per token request: a test counts them (AzureCliCredential runs az once per getToken).
  printf '%s\n' "$resource" >> "$dir/calls.log"
  case "$resource" in
${cases.join('\n')}
    *) echo "ERROR: AADSTS500011: The resource principal named $resource was not found in the tenant." >&2; exit 1 ;;
  esac
  exit 0
fi
if [ "$1" = "account" ] && [ "$2" = "show" ]; then
  cat "$dir/account.json"
  exit 0
fi
echo "ERROR: the aio-bridge az stub only answers 'az account get-access-token' and 'az account show'." >&2
exit 2
`
  const path = join(dir, 'az')
  await writeFile(path, script)
  await chmod(path, 0o755)
  return {dir, path, tokens, callLog: join(dir, 'calls.log')}
}
