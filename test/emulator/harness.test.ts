import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {startFakeArm} from '../helpers/arm-harness.js'
import {cleanEnv, runCli} from '../helpers/cli.js'

describe('black-box harness: runCli and startFakeArm', () => {
  it('runs the built CLI with a clean environment (no host Azure variables)', async () => {
    process.env.AZURE_CLIENT_ID = 'host-value'
    process.env.SUBSCRIPTION_ID = 'host-value'
    try {
      const env = cleanEnv({EXTRA: '1'})
      assert.equal(env.AZURE_CLIENT_ID, undefined)
      assert.equal(env.SUBSCRIPTION_ID, undefined)
      assert.deepEqual([env.NO_COLOR, env.CI, env.EXTRA], ['1', 'true', '1'])
    } finally {
      delete process.env.AZURE_CLIENT_ID
      delete process.env.SUBSCRIPTION_ID
    }
    const r = await runCli(['--version'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^aio-bridge\/\d+\.\d+\.\d+/)
  })

  it('gives the environment that points the CLI at the fake ARM, for a scenario and options', async () => {
    const fake = await startFakeArm({scenario: 'two-instances', lroPolls: 2})
    try {
      const {env, emulator} = fake
      assert.equal(env.AIO_BRIDGE_ARM_ENDPOINT, emulator.url)
      assert.equal(env.NODE_EXTRA_CA_CERTS, emulator.caCertPath)
      assert.equal(env.AZURE_TOKEN_CREDENTIALS, 'AzureCliCredential')
      assert.ok(env.PATH?.startsWith(`${fake.az.dir}:`))
      assert.deepEqual(
        [env.SUBSCRIPTION_ID, env.RESOURCE_GROUP, env.LOCATION, env.EVENT_GRID_NAMESPACE, env.CLUSTER_NAME],
        [emulator.seed.subscriptionId, 'aio-bridge-rg', 'eastus', 'aio-bridge-ns', 'aio-cluster'],
      )
      assert.equal(emulator.state.list('Microsoft.IoTOperations/instances').length, 2)
    } finally {
      await fake.stop()
    }
  })
})
