import { describe, expect, it } from 'vitest'
import { appCluster } from './appCluster'

describe('appCluster: the cluster of the app and serve', () => {
  it('is none when neither --redis nor $WORKBENCH_REDIS_URL is set', () => {
    expect(appCluster({}, {})).toEqual({ ok: true, cluster: undefined, display: null })
  })

  it('takes --redis over the environment, and masks the password', () => {
    const r = appCluster(
      { redis: 'redis://:s3cret@10.0.0.5:6380' },
      { WORKBENCH_REDIS_URL: 'redis://other:1' },
    )
    expect(r).toMatchObject({ ok: true, display: 'redis://:***@10.0.0.5:6380' })
    expect(r.ok && typeof r.cluster).toBe('function')
  })

  it('reads $WORKBENCH_REDIS_URL and the password from $WORKBENCH_REDIS_PASSWORD', () => {
    const r = appCluster({}, { WORKBENCH_REDIS_URL: 'rediss://lab:7000', WORKBENCH_REDIS_PASSWORD: 'pw' })
    expect(r).toMatchObject({ ok: true, display: 'rediss://:***@lab:7000' })
  })

  it('names where a bad URL or queue came from', () => {
    expect(appCluster({ redis: 'http://x' }, {})).toMatchObject({ ok: false, field: '--redis' })
    expect(appCluster({}, { WORKBENCH_REDIS_URL: 'nope' })).toMatchObject({
      ok: false,
      field: '$WORKBENCH_REDIS_URL',
    })
    expect(appCluster({ redis: 'redis://x', queue: 'a b' }, {})).toMatchObject({
      ok: false,
      field: '--queue',
      message: 'letters, digits, - and _ only, at most 64',
    })
    expect(appCluster({}, { WORKBENCH_REDIS_URL: 'redis://x', WORKBENCH_REDIS_QUEUE: 'a:b' })).toMatchObject({
      ok: false,
      field: '$WORKBENCH_REDIS_QUEUE',
    })
    expect(appCluster({ queue: 'q' }, {})).toMatchObject({ ok: false, field: '--queue' })
  })
})
