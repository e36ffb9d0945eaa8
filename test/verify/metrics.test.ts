import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'
import nock from 'nock'
import {ArmClient} from '../../src/azure/arm-client.js'
import {MonitorGateway, PUBLISHED_METRIC} from '../../src/azure/monitor-gateway.js'

const ARM = 'https://management.azure.com'
const NS =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.EventGrid/namespaces/ns1'
const credential = {getToken: async () => ({token: 'fixed-test-token', expiresOnTimestamp: Date.now() + 3_600_000})}

/** Shaped like Azure Monitor's metrics list response (api-version 2018-01-01). */
function metrics(totals: Array<number | null>) {
  return {
    cost: 0,
    timespan: 'x',
    interval: 'PT1M',
    value: [
      {
        id: `${NS}/providers/Microsoft.Insights/metrics/${PUBLISHED_METRIC}`,
        type: 'Microsoft.Insights/metrics',
        name: {value: PUBLISHED_METRIC, localizedValue: 'MQTT: Successful Published Messages'},
        unit: 'Count',
        timeseries: [
          {
            metadatavalues: [],
            data: totals.map((t, i) => ({timeStamp: `2025-01-01T00:0${i}:00Z`, ...(t === null ? {} : {total: t})})),
          },
        ],
        errorCode: 'Success',
      },
    ],
    namespace: 'Microsoft.EventGrid/namespaces',
    resourceregion: 'westus2',
  }
}

describe('MonitorGateway (Azure Monitor metrics, nock)', () => {
  before(() => nock.disableNetConnect())
  after(() => nock.enableNetConnect())
  afterEach(() => nock.cleanAll())

  const arm = () => new ArmClient({credential, endpoint: ARM, audience: ARM, maxRetries: 0})

  it('sends the documented query and sums the totals', async () => {
    const scope = nock(ARM, {reqheaders: {authorization: 'Bearer fixed-test-token'}})
      .get(`${NS}/providers/Microsoft.Insights/metrics`)
      .query((q) => {
        assert.equal(q['api-version'], '2018-01-01')
        assert.equal(q.metricnames, PUBLISHED_METRIC)
        assert.equal(q.aggregation, 'Total')
        assert.equal(q.interval, 'PT1M')
        assert.match(String(q.timespan), /^\d{4}-\d\d-\d\dT[\d:.]+Z\/\d{4}-\d\d-\d\dT[\d:.]+Z$/)
        return true
      })
      .reply(200, metrics([3, null, 4]))
    const total = await new MonitorGateway(arm()).getMetricTotal(NS, PUBLISHED_METRIC, new Date(0), new Date())
    assert.equal(total, 7)
    scope.done()
  })

  it('polls until the difference reaches the expected count, and reports it', async () => {
    const path = `${NS}/providers/Microsoft.Insights/metrics`
    const scope = nock(ARM)
      .get(path)
      .query(true)
      .reply(200, metrics([10]))
      .get(path)
      .query(true)
      .reply(200, metrics([10, 2]))
      .get(path)
      .query(true)
      .reply(200, metrics([10, 5]))
    const probe = new MonitorGateway(arm()).publishedProbe(NS, {maxWaitInMs: 5000, pollIntervalInMs: 1})
    await probe.begin()
    const d = await probe.finish(5)
    assert.equal(d.before, 10)
    assert.equal(d.after, 15)
    assert.equal(d.delta, 5)
    assert.equal(d.settled, true)
    scope.done()
  })

  it('gives up at the bound and says it did not settle', async () => {
    const path = `${NS}/providers/Microsoft.Insights/metrics`
    nock(ARM)
      .get(path)
      .query(true)
      .times(50)
      .reply(200, metrics([1]))
    const probe = new MonitorGateway(arm()).publishedProbe(NS, {maxWaitInMs: 30, pollIntervalInMs: 10})
    await probe.begin()
    const d = await probe.finish(5)
    assert.equal(d.delta, 0)
    assert.equal(d.settled, false)
  })

  it('a 403 surfaces as an ARM error', async () => {
    nock(ARM)
      .get(`${NS}/providers/Microsoft.Insights/metrics`)
      .query(true)
      .reply(403, {error: {code: 'AuthorizationFailed', message: 'no read on metrics'}})
    await assert.rejects(new MonitorGateway(arm()).getMetricTotal(NS, PUBLISHED_METRIC, new Date(0), new Date()), {
      statusCode: 403,
      code: 'AuthorizationFailed',
    })
  })
})
