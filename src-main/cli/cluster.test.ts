import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/runs'
import { parseRedisUrl } from '../core/cluster/connection'
import { SKIP_MESSAGE, testRedis, type TestRedis } from '../core/cluster/testing/redisServer'
import { ClusterWorker } from '../core/cluster/worker'
import { cli, tempDir, tinyConfig, type TempDir } from './testing'

let tmp: TempDir
let redis: TestRedis | null = null
beforeAll(async () => {
  tmp = await tempDir()
  redis = await testRedis()
  if (!redis) console.log(`cli/cluster.test.ts: ${SKIP_MESSAGE}`)
})
afterAll(async () => {
  await redis?.stop()
  await tmp.remove()
})

describe('run, sweep and worker with --redis', () => {
  it('refuses a malformed --redis or --queue with exit 2, naming the option', async () => {
    const file = await tmp.file('run.json', tinyConfig({ name: 'x' }))
    const bad = await cli(['run', file, '--redis', 'http://h', '--data-dir', `${tmp.path}/d`, '--json'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--redis: expected a redis:\/\/ or rediss:\/\/ URL/)
    const queue = await cli([
      'run',
      file,
      '--redis',
      'redis://h',
      '--queue',
      'a:b',
      '--data-dir',
      `${tmp.path}/d`,
    ])
    expect(queue.code).toBe(2)
    expect(queue.stderr).toMatch(/--queue: letters, digits/)
    const worker = await cli(['worker', '--data-dir', `${tmp.path}/w`])
    expect(worker.code).toBe(2)
    expect(worker.stderr).toMatch(/--redis/)
  })

  it('`run --redis` waits for the cluster, shows progress and exits 0 with the run trained on a worker', async (ctx) => {
    if (!redis) return ctx.skip()
    const queue = `c${randomBytes(4).toString('hex')}`
    const url = new URL(redis.url)
    const password = decodeURIComponent(url.password)
    url.password = ''
    const parsed = parseRedisUrl(redis.url)
    if (!parsed.ok) throw new Error(parsed.message)
    const worker = new ClusterWorker({
      address: parsed.value,
      queue,
      concurrency: 1,
      dataDir: `${tmp.path}/worker`,
    })
    await worker.start()
    try {
      const file = await tmp.file('remote.json', tinyConfig({ name: 'remote run' }))
      const dataDir = `${tmp.path}/submit`
      // The password from the environment, not the command line.
      const env = { WORKBENCH_REDIS_PASSWORD: password }
      const r = await cli(['run', file, '--redis', url.toString(), '--queue', queue, '--data-dir', dataDir], {
        env,
      })
      expect(r.stderr).toMatch(/1 worker \(1 at a time\)/)
      expect(r.stderr).toMatch(/epoch 1\/1/)
      expect(r.stderr).not.toContain(password)
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/"remote run": completed in/)
      const shown = await cli(['ls', '--json', '--data-dir', dataDir])
      const [summary] = shown.json<{ id: string }[]>()
      const rec = (await cli(['show', summary!.id, '--json', '--data-dir', dataDir])).json<
        { run: RunRecord } & RunRecord
      >()
      const record = (rec.run ?? rec) as RunRecord
      expect(record.placement?.worker?.id).toBe(worker.id)
    } finally {
      await worker.close()
    }
  })
})
