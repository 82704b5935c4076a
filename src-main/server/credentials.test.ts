import { chmod, lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  CREDENTIALS_FILE,
  DEFAULT_PORT,
  DEFAULT_PORT_TRIES,
  loadCredentials,
  portCandidates,
  saveCredentials,
} from './credentials'

let dir: string
let file: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wb-cred-'))
  file = join(dir, CREDENTIALS_FILE)
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const posix = process.platform !== 'win32'
const TOKEN = 'kept-token-0123456789abcdef'

async function modeOf(path: string): Promise<number> {
  return (await lstat(path)).mode & 0o777
}

describe('the kept token and port', () => {
  it('makes a token the first time, and keeps it with the port in a file only its owner can read', async () => {
    const first = await loadCredentials(dir)
    expect(first).toMatchObject({ file, port: null, renewed: null, dirty: true })
    expect(first.token).toMatch(/^[0-9a-f]{64}$/)
    await saveCredentials(file, { token: first.token, port: 8231 })
    if (posix) expect(await modeOf(file)).toBe(0o600)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, token: first.token, port: 8231 })
    const again = await loadCredentials(dir)
    expect(again).toEqual({ file, token: first.token, port: 8231, renewed: null, dirty: false })
  })

  it('creates the file with mode 0600 whatever the umask, replacing a wider one', async () => {
    if (!posix) return console.log('skipped: no POSIX file modes on Windows')
    const old = process.umask(0)
    try {
      await writeFile(file, 'old', { mode: 0o644 })
      await saveCredentials(file, { token: TOKEN, port: null })
      expect(await modeOf(file)).toBe(0o600)
    } finally {
      process.umask(old)
    }
  })

  it('--new-token: a new token, the same port', async () => {
    await saveCredentials(file, { token: TOKEN, port: 9000 })
    const rotated = await loadCredentials(dir, { rotate: true })
    expect(rotated).toMatchObject({ port: 9000, renewed: '--new-token', dirty: true })
    expect(rotated.token).not.toBe(TOKEN)
  })

  it('replaces a file other users could read or change, and says why', async () => {
    if (!posix) return console.log('skipped: no POSIX file modes on Windows')
    await saveCredentials(file, { token: TOKEN, port: 9000 })
    for (const mode of [0o644, 0o640, 0o602]) {
      await chmod(file, mode)
      const c = await loadCredentials(dir)
      expect(c.token).not.toBe(TOKEN)
      expect(c).toMatchObject({ port: null, dirty: true })
      expect(c.renewed).toBe(`other users could read or change it (mode ${mode.toString(8)}, expected 600)`)
    }
  })

  it('replaces a damaged file with a new token, naming what is wrong', async () => {
    const cases: [string, RegExp][] = [
      ['', /not valid JSON/],
      ['{"version": 1, "token": "kept-tok', /not valid JSON/],
      ['null', /\(the whole file\)/],
      ['[]', /\(the whole file\)/],
      [JSON.stringify({ version: 1, port: 9000 }), /^token: /],
      [JSON.stringify({ version: 1, token: 'has space 0123456', port: 9000 }), /^token: expected 8 to 256/],
      [JSON.stringify({ version: 1, token: 'short', port: 9000 }), /^token: /],
      [JSON.stringify({ version: 1, token: TOKEN, port: 70000 }), /^port: /],
      [JSON.stringify({ version: 1, token: TOKEN, port: '9000' }), /^port: /],
      [JSON.stringify({ version: 2, token: TOKEN, port: 9000 }), /^version: /],
      [JSON.stringify({ version: 1, token: TOKEN, port: 9000, extra: 1 }), /extra/],
      ['x'.repeat(100_000), /100000 bytes, not a token file/],
    ]
    for (const [text, reason] of cases) {
      await rm(file, { force: true })
      await writeFile(file, text, { mode: 0o600 })
      const c = await loadCredentials(dir)
      expect(c.renewed, text.slice(0, 60)).toMatch(reason)
      expect(c.token, text.slice(0, 60)).not.toBe(TOKEN)
      expect(c.token).toMatch(/^[0-9a-f]{64}$/)
      expect(c).toMatchObject({ port: null, dirty: true })
    }
    await rm(file)
    await mkdir(file)
    expect((await loadCredentials(dir)).renewed).toBe('it is not a regular file')
  })
})

describe('portCandidates', () => {
  it('an explicit port alone; else the remembered one, the default range, then any free port', () => {
    expect(portCandidates(5000, 9000)).toEqual([5000])
    expect(portCandidates(0, 9000)).toEqual([0])
    const fresh = portCandidates(undefined, null)
    expect(fresh[0]).toBe(DEFAULT_PORT)
    expect(fresh).toHaveLength(DEFAULT_PORT_TRIES + 1)
    expect(fresh.at(-1)).toBe(0)
    const remembered = portCandidates(undefined, DEFAULT_PORT + 3)
    expect(remembered.slice(0, 3)).toEqual([DEFAULT_PORT + 3, DEFAULT_PORT, DEFAULT_PORT + 1])
    expect(new Set(remembered).size).toBe(remembered.length)
    expect(portCandidates(undefined, null, 65534)).toEqual([65534, 65535, 0])
  })
})
