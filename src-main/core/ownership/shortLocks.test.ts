import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTempDir } from '../store/testing'
import { currentIdentity } from './identity'
import { ShortLocks } from './shortLocks'

let tmp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  tmp = await makeTempDir()
})
afterEach(() => tmp.cleanup())

const ID = '20261126-194501-ab12cd'

describe('ShortLocks', () => {
  it('two owners on one key take turns; different keys do not wait', async () => {
    const a = new ShortLocks(tmp.dir, currentIdentity(), 'edits')
    const b = new ShortLocks(tmp.dir, currentIdentity(), 'edits')
    const order: string[] = []
    const hold = (who: string, ms: number) => async () => {
      order.push(`${who} in`)
      await new Promise((r) => setTimeout(r, ms))
      order.push(`${who} out`)
    }
    await Promise.all([a.with(ID, 'run', hold('a', 80)), b.with(ID, 'run', hold('b', 10))])
    // Either may win the race to the lock; what matters is that the second enters only after the first left.
    expect([
      ['a in', 'a out', 'b in', 'b out'],
      ['b in', 'b out', 'a in', 'a out'],
    ]).toContainEqual(order)
    order.length = 0
    await Promise.all([
      a.with(ID, 'run', hold('a', 500)),
      b.with('20261126-194502-ab12cd', 'run', hold('b', 1)),
    ])
    // On another key b does not wait for a: it is in and out while a still holds its own.
    expect(order.indexOf('b out')).toBeLessThan(order.indexOf('a out'))
  })

  it("breaks a dead holder's lock; a live one that never lets go is a conflict naming it", async () => {
    await mkdir(join(tmp.dir, 'locks', 'edits'), { recursive: true })
    const dead = {
      pid: 999_999,
      host: currentIdentity().host,
      bootId: null,
      startTime: null,
      nonce: 'x',
      since: 't',
    }
    await writeFile(join(tmp.dir, 'locks', 'edits', `${ID}.lock`), JSON.stringify(dead))
    const a = new ShortLocks(tmp.dir, currentIdentity(), 'edits')
    expect(await a.with(ID, 'run x', async () => 'done')).toBe('done')

    const stuck = new ShortLocks(tmp.dir, currentIdentity(), 'edits')
    let release = (): void => undefined
    const held = stuck.with(ID, 'run x', () => new Promise<void>((r) => (release = r)))
    await new Promise((r) => setTimeout(r, 50))
    await expect(a.with(ID, `run ${ID}`, async () => 'never')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(
        new RegExp(`^run ${ID} is being changed by another process \\(pid ${process.pid} on `),
      ),
    })
    release()
    await held
  }, 15_000)
})
