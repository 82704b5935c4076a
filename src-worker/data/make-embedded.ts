/**
 * Builds the embedded default dataset, resources/datasets/fashion-mnist-small/, from the full
 * Fashion-MNIST of Debian's `dataset-fashion-mnist` package: the first TRAIN training images (prepareData
 * holds out the last 10% of them for validation) and the first TEST test images, as gzipped IDX files,
 * with the class names and Fashion-MNIST's MIT licence notice. 3 MB; the seed's two-layer net reaches
 * about 85% validation accuracy on it in half a second.
 *   apt-get install -y dataset-fashion-mnist && npm run make:embedded
 * Deterministic: the same package gives byte-identical files.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { loadDataset } from './load'
import type { ImageSplit } from './types'

export const EMBEDDED_NAME = 'fashion-mnist-small'
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist'
export const EMBEDDED_DIR = resolve(__dirname, '../../resources/datasets', EMBEDDED_NAME)
const TRAIN = 6000
const TEST = 1000

function idx(magic: number, dims: number[], body: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length)
  header.writeUInt32BE(magic, 0)
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i))
  // mtime 0 in the gzip header keeps the output byte-identical between runs.
  return gzipSync(Buffer.concat([header, body]), { level: 9 })
}

function files(split: ImageSplit, n: number, rows: number, cols: number, prefix: string): [string, Buffer][] {
  return [
    [
      `${prefix}-images-idx3-ubyte.gz`,
      idx(0x803, [n, rows, cols], split.images.subarray(0, n * rows * cols)),
    ],
    [`${prefix}-labels-idx1-ubyte.gz`, idx(0x801, [n], split.labels.subarray(0, n))],
  ]
}

const LICENSE = `The MIT License (MIT) Copyright © [2017] Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without
limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the
Software, and to permit persons to whom the Software is furnished to do so, subject to the following
conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions
of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED
TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL
THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
DEALINGS IN THE SOFTWARE.
`

/** Writes the subset of the Fashion-MNIST folder `source` into `out`, replacing it whole. */
export async function makeEmbedded(source: string, out: string): Promise<void> {
  const raw = await loadDataset(source, { kind: 'fashion-mnist' })
  const [, rows, cols] = raw.shape
  const tmp = `${out}.tmp`
  await rm(tmp, { recursive: true, force: true })
  await mkdir(tmp, { recursive: true })
  const all = [...files(raw.train, TRAIN, rows, cols, 'train'), ...files(raw.test, TEST, rows, cols, 't10k')]
  for (const [name, bytes] of all) {
    await writeFile(join(tmp, name), bytes)
  }
  await writeFile(join(tmp, 'classes.txt'), raw.classNames.join('\n') + '\n')
  await writeFile(join(tmp, 'LICENSE'), LICENSE)
  await writeFile(
    join(tmp, 'README.md'),
    `# ${EMBEDDED_NAME}\n\nThe first ${TRAIN} training and first ${TEST} test images of Fashion-MNIST ` +
      `(Xiao, Rasul & Vollgraf 2017, https://github.com/zalandoresearch/fashion-mnist), 28x28 grayscale, ` +
      `10 classes, as gzipped IDX files. Made by src-worker/data/make-embedded.ts from Debian's ` +
      `dataset-fashion-mnist package. The prepared splits hold out the last 10% of the training images for validation. Licence: MIT (LICENSE).\n`,
  )
  // Replace the folder whole so a reader never sees a half-written dataset.
  await rm(out, { recursive: true, force: true })
  await rename(tmp, out)
}

if (require.main === module) {
  const source = process.env['FASHION_MNIST_DIR'] ?? DEBIAN_FASHION_MNIST
  makeEmbedded(source, EMBEDDED_DIR).then(
    () => console.log(`wrote ${EMBEDDED_DIR}`),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e)
      process.exit(1)
    },
  )
}
