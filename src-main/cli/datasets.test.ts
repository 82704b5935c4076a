import { spawn } from 'node:child_process'
import { cp, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeCifarPython, writeIdx } from '../../src-worker/data/fixtures'
import { pickleDictFlood } from '../../src-worker/data/hostileFixtures'
import type { DatasetInfo, DownloadProgress } from '../core/datasets'
import { idxGzFiles, startServer } from '../core/datasets/testing'
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
    expect(h.stdout).toMatch(/^name\s+source\s+format\s+train\s+test\s+split\s+shape\s+classes\s+size$/m)
    // The split column is what runs use, as the datasets page shows it.
    expect(h.stdout).toMatch(
      /^fashion-mnist-small\s+builtin\s+idx\s+6000\s+1000\s+5400\/600\/1000\s+1x28x28\s+10\s+[\d.]+ MB$/m,
    )
    expect(small).toMatchObject({ splits: { numTraining: 5400, numValidation: 600, numTest: 1000 } })
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
    expect(r.stdout).toContain('  split    5400 train / 600 val / 1000 test (as runs use it)')

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

  it('rm removes an imported dataset (its folder stays); a built-in is refused', async () => {
    const folder = join(tmp.path, 'to-rm')
    await writeIdx(folder, { train: 30, test: 10 })
    expect((await cli(['datasets', 'import', folder, '--name', 'to-rm', '--data-dir', dataDir])).code).toBe(0)
    const r = await cli(['datasets', 'rm', 'to-rm', '--data-dir', dataDir])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Dataset to-rm removed (runs that used it keep their records)')
    const list = (await cli(['datasets', 'ls', '--json', '--data-dir', dataDir])).json<DatasetInfo[]>()
    expect(list.some((d) => d.name === 'to-rm')).toBe(false)
    const builtin = await cli(['datasets', 'rm', 'fashion-mnist-small', '--json', '--data-dir', dataDir])
    expect(builtin.code).toBe(3)
    expect(JSON.parse(builtin.stderr)).toMatchObject({ error: { code: 'read-only' } })
    const again = await cli(['datasets', 'rm', 'to-rm', '--json', '--data-dir', dataDir])
    expect(again.code).toBe(3)
    expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: 'not-found' } })
  })

  it('download --mirror fetches <mirror>/<source>/<file> and still checks the published md5', async () => {
    const server = await startServer()
    try {
      for (const [name, data] of Object.entries(idxGzFiles(20, 10))) server.files.set(`mnist/${name}`, data)
      const r = await cli([
        'datasets',
        'download',
        'mnist',
        '--mirror',
        server.url,
        '--json',
        '--data-dir',
        dataDir,
      ])
      expect(r.code).toBe(3)
      expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: 'checksum' } })
      expect(server.requests[0]).toMatchObject({ path: 'mnist/train-images-idx3-ubyte.gz', status: 200 })
    } finally {
      await server.close()
    }
  })

  it('import of a folder that does not exist is a usage error', async () => {
    const r = await cli(['datasets', 'import', 'nowhere', '--data-dir', dataDir], { cwd: tmp.path })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(join(tmp.path, 'nowhere'))
  })
})

interface ProcessResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * The CLI in a process of its own, so stderr is the real one: Node's warnings and fatal errors land there
 * too, not only what the CLI writes. The heap is capped at 192 MB, standing in for a machine's memory (a
 * hostile file of a real batch's size exhausts a default heap the same way).
 */
function cliProcess(args: string[]): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=192', '--import', 'tsx', join(__dirname, 'main.ts'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const count = (text: string, part: string): number => text.split(part).length - 1

describe('datasets import: each error once; under --json, stderr is JSON only', () => {
  const cases: {
    name: string
    folder: () => Promise<string>
    code: number
    errorCode?: string
    text: string
  }[] = [
    {
      name: 'a folder whose images file is not IDX',
      folder: async () => {
        const dir = join(tmp.path, 'not-idx')
        await writeIdx(dir)
        await writeFile(join(dir, 'train-images-idx3-ubyte'), 'hi\n')
        return dir
      },
      code: 3,
      errorCode: 'invalid-data',
      text: 'expected an IDX file (magic 00 00 08 0n) or gzip data (1f 8b), found 68 69 0a',
    },
    {
      name: 'a folder that does not exist',
      folder: async () => join(tmp.path, 'nowhere'),
      code: 2,
      errorCode: 'invalid-argument',
      text: 'does not exist or cannot be read',
    },
    {
      name: 'a hostile pickle (2 MB of EMPTY_DICT: 2 million Maps)',
      folder: async () => {
        const dir = join(tmp.path, 'dict-flood')
        await writeCifarPython(dir, { perBatch: 3 })
        await writeFile(join(dir, 'data_batch_1'), pickleDictFlood(2 * 2 ** 20))
        return dir
      },
      code: 3,
      errorCode: 'invalid-data',
      text: 'this one builds more (pickle opcode EMPTY_DICT',
    },
    {
      name: 'a valid folder (success, with the progress note)',
      folder: async () => {
        const dir = join(tmp.path, 'valid')
        await cp(join(DEFAULT_BUILTIN_DATASETS, 'fashion-mnist-small'), dir, { recursive: true })
        return dir
      },
      code: 0,
      text: '(by reference)…',
    },
  ]

  it(
    'for an invalid folder, a missing folder, a hostile file and a success',
    { timeout: 120_000 },
    async () => {
      const runs = await Promise.all(
        cases.map(async (c, i) => {
          const folder = await c.folder()
          const args = (mode: string): string[] => [
            '--data-dir',
            join(tmp.path, `data-${i}-${mode}`),
            'datasets',
            'import',
            folder,
          ]
          const [text, json] = await Promise.all([
            cliProcess(args('text')),
            cliProcess(['--json', ...args('json')]),
          ])
          return { c, folder, text, json }
        }),
      )
      for (const { c, folder, text, json } of runs) {
        const what = `${c.name}: text stderr ${JSON.stringify(text.stderr)}, json stderr ${JSON.stringify(json.stderr)}`
        expect([text.code, json.code], what).toEqual([c.code, c.code])
        // Text: the note (the import's progress), then the error once, nothing else.
        const lines = text.stderr.split('\n').filter((l) => l !== '')
        expect(lines[0], what).toBe(`Importing ${folder} (by reference)…`)
        expect(count(text.stderr, c.text), what).toBe(1)
        if (c.errorCode === undefined) {
          expect(lines, what).toHaveLength(1)
          expect(json.stderr, what).toBe('')
          expect(JSON.parse(json.stdout), what).toMatchObject({ source: 'import', reference: true })
          continue
        }
        expect(lines, what).toHaveLength(2)
        expect(lines[1]!.startsWith('error: '), what).toBe(true)
        // --json: stderr is exactly one JSON document, stdout nothing.
        expect(json.stdout, what).toBe('')
        const doc = JSON.parse(json.stderr) as { error: { code: string; message: string } }
        expect(doc.error.code, what).toBe(c.errorCode)
        expect(doc.error.message, what).toContain(c.text)
      }
    },
  )
})

describe('download progress', () => {
  const steps: DownloadProgress[] = [
    { phase: 'download', file: 'a.gz', bytes: 0, total: 2_000_000, fraction: 0, ...all(0) },
    { phase: 'download', file: 'a.gz', bytes: 1_000_000, total: 2_000_000, fraction: 0.5, ...all(1e6) },
    {
      phase: 'retry',
      file: 'a.gz',
      bytes: 1_000_000,
      total: 2_000_000,
      fraction: 0.5,
      ...all(1e6),
      retry: {
        attempt: 2,
        of: 5,
        inMs: 2000,
        reason: 'connect ECONNREFUSED',
        code: 'ECONNREFUSED',
        host: 'h',
      },
    },
    { phase: 'verify', file: 'a.gz', bytes: 2_000_000, total: 2_000_000, fraction: 1, ...all(2e6) },
    { phase: 'done', file: 'fashion-mnist', bytes: 0, total: null, fraction: 1, ...all(2e6) },
  ]
  function all(bytes: number): { overallBytes: number; overallTotal: number } {
    return { overallBytes: bytes, overallTotal: 2_000_000 }
  }
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
      'retry a.gz 50% connect ECONNREFUSED: attempt 2 of 5 in 2 s\n',
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
