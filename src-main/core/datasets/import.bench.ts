/**
 * Peak resident memory of importing a dataset folder (what `workbench datasets import` does), each case in
 * a fresh process: the real Fashion-MNIST for reference, then small hostile files that inflate or build far
 * more than they hold (gzip bombs with plausible IDX headers, pickles whose opcodes copy or allocate).
 * A reader that stops at what the dataset's headers and formats allow keeps the hostile cases near the
 * process's baseline.
 *   npx tsx src-main/core/datasets/import.bench.ts
 * BOMB_MB (default 2048) is what the single IDX bomb inflates to; the four-bomb case inflates BOMB_MB / 4
 * per file.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeCifarPython, writeIdx } from '../../../src-worker/data/fixtures'
import { pickleCopyBomb, pickleDictFlood, writeIdxBombFolder } from '../../../src-worker/data/hostileFixtures'
import { DatasetRegistry, type ImportMode } from './registry'

const MIB = 2 ** 20
const BOMB_MB = Number(process.env['BOMB_MB'] ?? 2048)
const FASHION = '/usr/share/datasets/fashion-mnist'

interface Row {
  ok: boolean
  message: string
  peakRssMB: number
}

/** Imports `dir` into a fresh data dir and reports how it went and the peak RSS. */
async function child(dir: string, mode: ImportMode): Promise<void> {
  const data = await mkdtemp(join(tmpdir(), 'wb-import-bench-'))
  let row: Row
  try {
    const info = await new DatasetRegistry(data).importFolder(dir, { mode })
    row = { ok: true, message: `${info.counts.train} + ${info.counts.test} images`, peakRssMB: 0 }
  } catch (e) {
    row = { ok: false, message: e instanceof Error ? e.message : String(e), peakRssMB: 0 }
  } finally {
    await rm(data, { recursive: true, force: true })
  }
  row.peakRssMB = process.resourceUsage().maxRSS / 1024
  console.log(JSON.stringify(row))
}

async function folderSize(files: string[]): Promise<number> {
  let total = 0
  for (const f of files) total += (await stat(f)).size
  return total
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'wb-hostile-'))
  try {
    const cases: { name: string; dir: string; hostile: boolean; files: string[]; mode?: ImportMode }[] = []
    const tiny = await writeIdx(join(root, 'tiny'), { train: 20, test: 10, gzip: true })
    cases.push({
      name: 'a tiny valid IDX folder (the baseline)',
      dir: join(root, 'tiny'),
      hostile: false,
      files: tiny.files,
    })
    if (existsSync(FASHION)) {
      const files = (await readdir(FASHION)).map((f) => join(FASHION, f))
      cases.push({ name: 'Fashion-MNIST (Debian, valid)', dir: FASHION, hostile: false, files })
      cases.push({ name: 'Fashion-MNIST, --copy', dir: FASHION, hostile: false, files, mode: 'copy' })
    } else {
      console.log(`skipped the valid reference: ${FASHION} not found (apt-get install dataset-fashion-mnist)`)
    }

    const one = await writeIdxBombFolder(join(root, 'idx-one'), {
      inflatedBytes: BOMB_MB * MIB,
      bombs: ['train-images'],
    })
    cases.push({
      name: `IDX: train-images.gz inflates to ${BOMB_MB} MB (header: 60000x28x28)`,
      dir: one.dir,
      hostile: true,
      files: one.bombs,
    })
    const four = await writeIdxBombFolder(join(root, 'idx-four'), {
      inflatedBytes: (BOMB_MB / 4) * MIB,
      bombs: ['train-images', 'train-labels', 't10k-images', 't10k-labels'],
    })
    cases.push({
      name: `IDX: all four .gz files inflate to ${BOMB_MB / 4} MB each`,
      dir: four.dir,
      hostile: true,
      files: four.bombs,
    })

    const copies = join(root, 'pickle-copies')
    await writeCifarPython(copies, { perBatch: 3 })
    const copyBomb = pickleCopyBomb(MIB, 2048)
    await writeFile(join(copies, 'data_batch_1'), copyBomb)
    cases.push({
      name: 'CIFAR-10 python: data_batch_1 encodes one 1 MB string 2048 times',
      dir: copies,
      hostile: true,
      files: [join(copies, 'data_batch_1')],
    })
    const flood = join(root, 'pickle-dicts')
    await writeCifarPython(flood, { perBatch: 3 })
    const dicts = pickleDictFlood(2 * MIB)
    await writeFile(join(flood, 'data_batch_1'), dicts)
    cases.push({
      name: 'CIFAR-10 python: data_batch_1 is 2M EMPTY_DICT opcodes',
      dir: flood,
      hostile: true,
      files: [join(flood, 'data_batch_1')],
    })

    console.log(
      'Peak RSS of importing a dataset folder (by reference unless said), one fresh process per case',
    )
    for (const c of cases) {
      const r = spawnSync(
        process.execPath,
        [...process.execArgv, __filename, '--child', c.dir, c.mode ?? 'reference'],
        {
          encoding: 'utf8',
          maxBuffer: 64 * MIB,
        },
      )
      const last = r.stdout.trim().split('\n').pop() ?? ''
      if (r.status !== 0 || !last.startsWith('{')) {
        console.log(
          `${c.name}: the process died (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(-400)}`,
        )
        continue
      }
      const row = JSON.parse(last) as Row
      const outcome = row.ok ? `imported (${row.message})` : `refused: ${row.message.slice(0, 300)}`
      const size = `${((await folderSize(c.files)) / MIB).toFixed(1)} MB ${c.hostile ? 'of hostile files' : 'on disk'}`
      console.log(`${c.name} [${size}]: peak RSS ${row.peakRssMB.toFixed(0)} MB, ${outcome}`)
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--child') void child(process.argv[3]!, process.argv[4] as ImportMode)
else void main()
