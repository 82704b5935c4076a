import { describe, expect, it } from 'vitest'
import { Workbench } from '../core/workbench'
import { startServer } from './server'
import { connect, cookie, get, RejectedUpgrade, startHarness, TOKEN } from './testing'

describe('remote access', () => {
  it('refuses a non-loopback address unless allowed', async () => {
    const wb = { subscribe: () => () => undefined } as unknown as Workbench
    const options = { workbench: wb, dataDir: '/d', staticDir: __dirname, examplesDir: '/e' }
    await expect(startServer({ ...options, host: '0.0.0.0' })).rejects.toThrow(
      /refusing to listen on 0.0.0.0/,
    )
    await expect(startServer({ ...options, token: 'short' })).rejects.toThrow(/token/)
  })

  it('when allowed: warns, still needs the token, takes any Host, and the Origin must match it', async () => {
    const warnings: string[] = []
    const h = await startHarness({ host: '0.0.0.0', allowRemote: true, warn: (m) => warnings.push(m) })
    try {
      const port = h.server.port
      expect(warnings.join('\n')).toMatch(/reachable from other machines/)
      expect(h.server.url).toBe(`http://127.0.0.1:${port}/?token=${TOKEN}`)
      const lan = `workstation.lan:${port}`
      expect((await get(port, '/', { Host: lan })).status).toBe(401)
      expect((await get(port, '/', { Host: lan, ...cookie() })).status).toBe(200)
      const c = await connect(port, { host: lan, origin: `http://${lan}`, cookie: `wb_token=${TOKEN}` })
      c.close()
      await expect(
        connect(port, { host: lan, origin: 'http://evil.example', cookie: `wb_token=${TOKEN}` }),
      ).rejects.toEqual(new RejectedUpgrade(403))
      await expect(connect(port, { host: lan, origin: `http://${lan}` })).rejects.toEqual(
        new RejectedUpgrade(401),
      )
    } finally {
      await h.close()
    }
  })
})
