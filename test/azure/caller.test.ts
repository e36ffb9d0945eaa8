import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {callerFromToken} from '../../src/azure/caller.js'

const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`

describe('callerFromToken', () => {
  it('a user signed in with az (delegated scope) is a User', () => {
    assert.deepEqual(callerFromToken(jwt({oid: 'u1', appid: 'cli', scp: 'user_impersonation'})), {
      principalId: 'u1',
      principalType: 'User',
    })
  })
  it('an app-only token (service principal, managed identity, OIDC in CI) is a ServicePrincipal', () => {
    assert.deepEqual(callerFromToken(jwt({oid: 'a1', appid: 'x', idtyp: 'app', roles: []})), {
      principalId: 'a1',
      principalType: 'ServicePrincipal',
    })
    assert.deepEqual(callerFromToken(jwt({oid: 'a2', appid: 'x'})), {
      principalId: 'a2',
      principalType: 'ServicePrincipal',
    })
  })
  it('a token without oid is refused with CALLER_UNKNOWN', () => {
    assert.throws(
      () => callerFromToken(jwt({appid: 'x'})),
      (e: {code?: string}) => e.code === 'CALLER_UNKNOWN',
    )
    assert.throws(
      () => callerFromToken('not-a-jwt'),
      (e: {code?: string}) => e.code === 'CALLER_UNKNOWN',
    )
  })
})
