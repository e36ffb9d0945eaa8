import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {writeAzStub} from '../../src/emulator/az-stub.js'
import {type FakeArm, startFakeArm} from '../helpers/arm-harness.js'
import {cleanEnv} from '../helpers/cli.js'

const run = promisify(execFile)
const PROBE = join(dirname(fileURLToPath(import.meta.url)), 'probe.js')

async function probe(env: Record<string, string>): Promise<Record<string, unknown>> {
  const {stdout} = await run(process.execPath, [PROBE], {env: cleanEnv(env), timeout: 30_000})
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>
}

describe('stub az + AzureCliCredential + NODE_EXTRA_CA_CERTS against the emulator, in a child process', () => {
  let fake: FakeArm
  before(async () => {
    fake = await startFakeArm()
  })
  after(async () => fake.stop())

  it('answers az account get-access-token as AzureCliCredential parses it, token only in files', async () => {
    const {stdout} = await run(fake.az.path, [
      'account',
      'get-access-token',
      '--output',
      'json',
      '--resource',
      'https://management.azure.com',
    ])
    const json = JSON.parse(stdout) as Record<string, unknown>
    assert.equal(typeof json.accessToken, 'string')
    assert.ok(Number.isInteger(json.expires_on))
    assert.ok(!Number.isNaN(new Date(json.expiresOn as string).getTime()))
    const claims = JSON.parse(
      Buffer.from((json.accessToken as string).split('.')[1] as string, 'base64url').toString(),
    ) as Record<string, unknown>
    assert.equal(claims.oid, fake.emulator.seed.callerPrincipalId)
    assert.equal(claims.tid, fake.emulator.seed.tenantId)
    assert.equal(claims.aud, 'https://management.azure.com')
    const eg = JSON.parse(
      (
        await run(fake.az.path, [
          'account',
          'get-access-token',
          '--output',
          'json',
          '--resource',
          'https://eventgrid.azure.net/',
        ])
      ).stdout,
    ) as {accessToken: string}
    assert.notEqual(eg.accessToken, json.accessToken)
    const script = await readFile(fake.az.path, 'utf8')
    assert.ok(!script.includes(json.accessToken as string), 'the token is not in the script')
  })

  it('lets the product credential chain and ArmClient reach the emulator over HTTPS (paging included)', async () => {
    const out = await probe(fake.env)
    assert.deepEqual(out, {ok: true, subscriptionId: fake.emulator.seed.subscriptionId, extensions: 3})
    assert.ok(fake.emulator.requests.every((r) => r.status === 200))
    assert.ok(
      !JSON.stringify(fake.emulator.requests).includes(fake.az.tokens['https://management.azure.com'] as string),
    )
  })

  it('fails TLS without NODE_EXTRA_CA_CERTS, and 401 ExpiredAuthenticationToken with an expired token', async () => {
    const {NODE_EXTRA_CA_CERTS: _, ...noCa} = fake.env
    const tls = await probe(noCa)
    assert.equal(tls.ok, false)
    assert.equal(tls.statusCode, undefined)
    const dir = await mkdtemp(join(tmpdir(), 'aio-az-expired-'))
    try {
      const s = fake.emulator.seed
      // A token az says is valid for an hour but whose JWT exp is past, so the credential hands it over.
      const stale = await writeAzStub(dir, {
        tenantId: s.tenantId,
        subscriptionId: s.subscriptionId,
        principalId: s.callerPrincipalId,
        expiresInSeconds: -120,
      })
      const token = stale.tokens['https://management.azure.com'] as string
      await writeAzStub(dir, {tenantId: s.tenantId, subscriptionId: s.subscriptionId, token})
      const expired = await probe({...fake.env, PATH: `${dir}:${process.env.PATH}`})
      assert.deepEqual([expired.statusCode, expired.code], [401, 'ExpiredAuthenticationToken'])
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('reports a logged-out az the way AzureCliCredential expects', async () => {
    await fake.rewriteAz({loggedOut: true})
    try {
      const out = await probe(fake.env)
      assert.equal(out.ok, false)
      assert.equal(out.statusCode, undefined)
      const r = await run(fake.az.path, ['account', 'get-access-token']).catch((e: {stderr: string; code: number}) => e)
      assert.match((r as {stderr: string}).stderr, /az login/)
    } finally {
      await fake.rewriteAz({})
    }
  })
})
