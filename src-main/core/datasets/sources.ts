/**
 * The datasets Workbench can download, from their official hosts, with the checksums those hosts publish.
 * Plain data: no Node imports, so the UI contract can show the list (names, sizes, licences) as is.
 */
import type { DatasetFormat } from '../../../src-worker/data/types'
import { CIFAR10_CLASSES } from '../../../src-worker/data/formats/common'
import { FASHION_MNIST_CLASSES } from '../../../src-worker/data/formats/idx'

/** What to do with a file once it is downloaded and verified. */
export type UnpackMode =
  /** Keep the file as downloaded (IDX `.gz` files: the loader reads them gzipped). */
  | 'keep'
  /** Extract a gzipped tarball; a single top-level folder in it is flattened into the dataset folder. */
  | 'tar.gz'

export interface SourceFile {
  /** Absolute http(s) URL. The file name on disk is the last path segment. */
  url: string
  /** The published MD5 checksum, 32 lowercase hex digits. */
  md5: string
  /** Published size in bytes, if known: drives progress before the server answers. Not a check (md5 is). */
  size?: number
  unpack: UnpackMode
}

export interface DatasetSource {
  /** The dataset's registry name: [a-z0-9_-]. */
  name: string
  /** Human-readable title for the UI. */
  title: string
  /** The format `loadDataset` detects in the assembled folder. */
  format: DatasetFormat
  /** Where the files come from (the project page), for the UI. */
  homepage: string
  files: SourceFile[]
  /** The class names the dataset's authors publish, label order. */
  classNames: string[]
  /** Terms of use, as the authors state them. */
  license: string
  /** How the authors ask to be cited. */
  citation: string
}

const CIFAR10_LICENSE =
  'No licence is published with CIFAR-10; its page asks that work using the dataset cite the technical ' +
  'report below. The images were collected from the web (80 Million Tiny Images).'

const CIFAR10_CITATION =
  'Alex Krizhevsky. Learning Multiple Layers of Features from Tiny Images. Technical report, ' +
  'University of Toronto, 2009. https://www.cs.toronto.edu/~kriz/learning-features-2009-TR.pdf'

const FASHION_MNIST_HOST = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'
/** The MNIST mirror torchvision uses; the original host (yann.lecun.com/exdb/mnist/) is often unavailable. */
const MNIST_HOST = 'https://ossci-datasets.s3.amazonaws.com/mnist/'

export const SOURCES: Readonly<Record<string, DatasetSource>> = deepFreeze({
  cifar10: {
    name: 'cifar10',
    title: 'CIFAR-10 (python version)',
    format: 'cifar10-python',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    files: [
      {
        url: 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz',
        md5: 'c58f30108f718f92721af3b95e74349a',
        size: 170_498_071,
        unpack: 'tar.gz',
      },
    ],
    classNames: [...CIFAR10_CLASSES],
    license: CIFAR10_LICENSE,
    citation: CIFAR10_CITATION,
  },
  'cifar10-binary': {
    name: 'cifar10-binary',
    title: 'CIFAR-10 (binary version)',
    format: 'cifar10-binary',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    files: [
      {
        url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
        md5: 'c32a1d4ab5d03f1284b67883e8d87530',
        size: 170_052_171,
        unpack: 'tar.gz',
      },
    ],
    classNames: [...CIFAR10_CLASSES],
    license: CIFAR10_LICENSE,
    citation: CIFAR10_CITATION,
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST',
    format: 'idx',
    homepage: 'https://github.com/zalandoresearch/fashion-mnist',
    files: [
      idxFile(
        FASHION_MNIST_HOST,
        'train-images-idx3-ubyte.gz',
        '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
        26_421_880,
      ),
      idxFile(FASHION_MNIST_HOST, 'train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe', 29_515),
      idxFile(FASHION_MNIST_HOST, 't10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79', 4_422_102),
      idxFile(FASHION_MNIST_HOST, 't10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310', 5_148),
    ],
    classNames: [...FASHION_MNIST_CLASSES],
    license: 'MIT License, Copyright (c) 2017 Zalando SE, https://tech.zalando.com',
    citation:
      'Han Xiao, Kashif Rasul, Roland Vollgraf. Fashion-MNIST: a Novel Image Dataset for Benchmarking ' +
      'Machine Learning Algorithms. arXiv:1708.07747, 2017.',
  },
  mnist: {
    name: 'mnist',
    title: 'MNIST',
    format: 'idx',
    homepage: 'http://yann.lecun.com/exdb/mnist/',
    files: [
      idxFile(MNIST_HOST, 'train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873', 9_912_422),
      idxFile(MNIST_HOST, 'train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432', 28_881),
      idxFile(MNIST_HOST, 't10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3', 1_648_877),
      idxFile(MNIST_HOST, 't10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c', 4_542),
    ],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    license:
      'Yann LeCun and Corinna Cortes hold the copyright of MNIST, a derivative work of the original NIST ' +
      'datasets; it is made available under the Creative Commons Attribution-Share Alike 3.0 licence.',
    citation:
      'Yann LeCun, Corinna Cortes, Christopher J.C. Burges. The MNIST database of handwritten digits. ' +
      'http://yann.lecun.com/exdb/mnist/. See also: Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. ' +
      'Gradient-based learning applied to document recognition. Proc. IEEE 86(11), 1998.',
  },
})

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

function idxFile(host: string, fileName: string, md5: string, size: number): SourceFile {
  return { url: host + fileName, md5, size, unpack: 'keep' }
}

/** The source with this name, or undefined. Own properties only (no `constructor`, `__proto__`...). */
export function getSource(name: string): DatasetSource | undefined {
  return Object.prototype.hasOwnProperty.call(SOURCES, name) ? SOURCES[name] : undefined
}

/** The file name a source file is stored under: the last segment of its URL path, decoded. */
export function sourceFileName(file: SourceFile): string {
  const path = new URL(file.url).pathname
  const name = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1))
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') {
    throw new Error(`source file URL ${file.url} does not end in a plain file name`)
  }
  return name
}
