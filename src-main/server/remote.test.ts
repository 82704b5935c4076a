import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/workbench'
import { startServer } from './server'
import { closeOf, connect, get, RejectedUpgrade, startHarness, TOKEN } from './testing'

describe('remote access', () => {
  it('refuses a non-loopback address unless allowed', async () => {
    const wb = { subscribe: () => () => undefined } as unknown as Workbench
    const options = { workbench: wb, dataDir: '/d', staticDir: __dirname, examplesDir: '/e' }
    await expect(startServer({ ...options, host: '0.0.0.0' })).rejects.toThrow(
      /refusing to listen on 0.0.0.0/,
    )
    await expect(startServer({ ...options, token: 'short' })).rejects.toThrow(/token/)
  })

  it('when allowed: warns, the API still needs the token, takes any Host, and the Origin must match it', async () => {
    const warnings: string[] = []
    const h = await startHarness({ host: '0.0.0.0', allowRemote: true, warn: (m) => warnings.push(m) })
    try {
      const port = h.server.port
      expect(warnings.join('\n')).toMatch(/reachable from other machines/)
      expect(h.server.url).toBe(`http://127.0.0.1:${port}/#token=${TOKEN}`)
      const lan = `workstation.lan:${port}`
      expect((await get(port, '/', { Host: lan })).status).toBe(200)
      const c = await connect(port, { host: lan, origin: `http://${lan}` })
      expect((await c.call('runs.list')) as unknown).toEqual({ id: 1, result: [] })
      c.close()
      await expect(connect(port, { host: lan, origin: 'http://evil.example' })).rejects.toEqual(
        new RejectedUpgrade(403),
      )
      const guess = await connect(port, { host: lan, origin: `http://${lan}`, token: 'guessed-token-0123' })
      expect(await closeOf(guess)).toEqual({ code: 4401, frames: 0 })
    } finally {
      await h.close()
    }
  })
})
