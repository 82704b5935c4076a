import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetInfo, DownloadProgress } from '../core/datasets'
import { DEFAULT_BUILTIN_DATASETS } from '../core/workbench'
import { Context } from './context'
import { downloadView } from './datasets'
import { ANSI_ESCAPE, cli, fakeTerminal, tempDir, type TempDir } from './testing'

let tmp: TempDir
let dataDir: string

beforeAll(async () => {
  tmp = await tempDir()
  dataDir = join(tmp.path, 'data')
})
afterAll(async () => {
  await tmp.remove()
})

describe('datasets', () => {
  it('ls lists the built-in fashion-mnist-small', async () => {
    const j = await cli(['datasets', 'ls', '--json', '--data-dir', dataDir])
    expect(j.code).toBe(0)
    const small = j.json<DatasetInfo[]>().find((d) => d.name === 'fashion-mnist-small')
    expect(small).toMatchObject({ source: 'builtin', format: 'idx', shape: [1, 28, 28], readOnly: true })

    const h = await cli(['datasets', 'ls', '--data-dir', dataDir])
    expect(h.stdout).toMatch(/^name\s+source\s+format\s+train\s+test\s+shape\s+classes\s+size$/m)
    expect(h.stdout).toMatch(/^fashion-mnist-small\s+builtin\s+idx\s+\d+\s+\d+\s+1x28x28\s+10\s+[\d.]+ MB$/m)
    expect(h.stdout).not.toMatch(ANSI_ESCAPE)
  })

  it('import registers a folder by reference; a second import of the name is a dataset error', async () => {
    const folder = join(tmp.path, 'my fashion')
    await cp(join(DEFAULT_BUILTIN_DATASETS, 'fashion-mnist-small'), folder, { recursive: true })
    const r = await cli(['datasets', 'import', folder, '--name', 'mine', '--data-dir', dataDir])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /Dataset mine imported by reference: idx, \d+ train \/ \d+ test images of 1x28x28/,
    )

    const list = (await cli(['datasets', 'ls', '--json', '--data-dir', dataDir])).json<DatasetInfo[]>()
    expect(list.find((d) => d.name === 'mine')).toMatchObject({
      source: 'import',
      reference: true,
      path: folder,
    })

    const again = await cli(['datasets', 'import', folder, '--name', 'mine', '--json', '--data-dir', dataDir])
    expect(again.code).toBe(3)
    expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: 'exists' } })
  })

  it('import of a folder that does not exist is a usage error', async () => {
    const r = await cli(['datasets', 'import', 'nowhere', '--data-dir', dataDir], { cwd: tmp.path })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(join(tmp.path, 'nowhere'))
  })
})

describe('download progress', () => {
  const steps: DownloadProgress[] = [
    { phase: 'download', file: 'a.gz', bytes: 0, total: 2_000_000, fraction: 0 },
    { phase: 'download', file: 'a.gz', bytes: 1_000_000, total: 2_000_000, fraction: 0.5 },
    { phase: 'verify', file: 'a.gz', bytes: 2_000_000, total: 2_000_000, fraction: 1 },
    { phase: 'done', file: 'fashion-mnist', bytes: 0, total: null, fraction: 1 },
  ]
  const context = (terminal: NodeJS.WriteStream | null, lines: string[]): Context =>
    new Context(
      {
        stdout: () => {},
        stderr: (s) => void lines.push(s),
        terminal,
        stdoutIsTerminal: false,
        env: {},
        cwd: '/',
        interrupt: new AbortController().signal,
      },
      { dataDir: '/data' },
    )

  it('prints a line per phase (and periodically) without a terminal', () => {
    const lines: string[] = []
    const view = downloadView(context(null, lines), 60_000)
    for (const p of steps) view.update(p)
    view.stop()
    expect(lines).toEqual([
      'download a.gz 0% 0 B / 2.0 MB\n',
      'verify a.gz 100%\n',
      'done fashion-mnist 100%\n',
    ])
  })

  it('draws a bar on a terminal', () => {
    const terminal = fakeTerminal()
    const view = downloadView(context(terminal, []))
    for (const p of steps) view.update(p)
    view.stop()
    expect(terminal.output).toContain('100%')
    expect(terminal.output).toContain('a.gz')
  })
})
