import { mkdir, open, readdir, readFile, writeFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { writeFileAtomic, writeJsonAtomic } from './atomic'
import { makeTempDir } from './testing'

let tmp: { dir: string; cleanup: () => Promise<void> }

beforeEach(async () => {
  tmp = await makeTempDir()
})

afterEach(async () => {
  vi.restoreAllMocks()
  await tmp.cleanup()
})

/** FileHandle's class is not exported; its prototype is reachable through any open handle. */
async function fileHandlePrototype(): Promise<FileHandle> {
  const fh = await open(join(tmp.dir, '.probe'), 'w')
  await fh.close()
  return Object.getPrototypeOf(fh) as FileHandle
}

describe('writeFileAtomic', () => {
  it('creates and replaces a file, leaving no temp files behind', async () => {
    const path = join(tmp.dir, 'a.txt')
    await writeFileAtomic(path, 'first')
    await writeFileAtomic(path, new TextEncoder().encode('second'))
    expect(await readFile(path, 'utf8')).toBe('second')
    expect(await readdir(tmp.dir)).toEqual(['a.txt'])
  })

  it('keeps the old file whole when the write fails half-way', async () => {
    const path = join(tmp.dir, 'run.json')
    await writeFile(path, 'old contents')
    const proto = await fileHandlePrototype()
    const original = proto.writeFile
    vi.spyOn(proto, 'writeFile').mockImplementationOnce(async function (this: FileHandle, data) {
      await original.call(this, String(data).slice(0, 3))
      throw Object.assign(new Error('ENOSPC: no space left on device (simulated)'), { code: 'ENOSPC' })
    })
    await expect(writeFileAtomic(path, 'new contents')).rejects.toThrow(/ENOSPC/)
    expect(await readFile(path, 'utf8')).toBe('old contents')
    expect((await readdir(tmp.dir)).filter((n) => n !== '.probe')).toEqual(['run.json'])
  })

  it('keeps the old file when fsync fails', async () => {
    const path = join(tmp.dir, 'run.json')
    await writeFile(path, 'old')
    const proto = await fileHandlePrototype()
    vi.spyOn(proto, 'sync').mockRejectedValueOnce(
      Object.assign(new Error('EIO (simulated)'), { code: 'EIO' }),
    )
    await expect(writeFileAtomic(path, 'new')).rejects.toThrow(/EIO/)
    expect(await readFile(path, 'utf8')).toBe('old')
    expect((await readdir(tmp.dir)).filter((n) => n !== '.probe')).toEqual(['run.json'])
  })

  it('fails cleanly when the target is a folder (rename refused)', async () => {
    const path = join(tmp.dir, 'target')
    await mkdir(path)
    await writeFile(join(path, 'inside'), 'x')
    await expect(writeFileAtomic(path, 'data')).rejects.toThrow()
    expect(await readdir(tmp.dir)).toEqual(['target'])
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('x')
  })

  it('fails without creating anything when the folder does not exist', async () => {
    await expect(writeFileAtomic(join(tmp.dir, 'missing', 'a.txt'), 'x')).rejects.toMatchObject({
      code: 'ENOENT',
    })
    expect(await readdir(tmp.dir)).toEqual([])
  })

  it('leaves one complete version when writers race', async () => {
    const path = join(tmp.dir, 'a.txt')
    const versions = Array.from({ length: 20 }, (_, i) => String(i).repeat(10_000 + i))
    await Promise.all(versions.map((v) => writeFileAtomic(path, v)))
    expect(versions).toContain(await readFile(path, 'utf8'))
    expect(await readdir(tmp.dir)).toEqual(['a.txt'])
  })
})

describe('writeJsonAtomic', () => {
  it('writes pretty JSON with a trailing newline', async () => {
    const path = join(tmp.dir, 'run.json')
    await writeJsonAtomic(path, { a: 1, b: [true] })
    expect(await readFile(path, 'utf8')).toBe('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}\n')
  })
})
