/**
 * What README.md tells a new user about their machine, checked against the code and the lockfile: the
 * embedded set's split, where the data folder is, which Node versions the dependencies ask for.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { defaultSplits } from '../src-shared/splits'
import { defaultDataDir } from './cli/dataDir'

const ROOT = join(__dirname, '..')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ')
const fmt = (n: number): string => n.toLocaleString('en-US')

/** The image count in an IDX file's header (big-endian, after the magic number). */
function idxCount(file: string): number {
  return gunzipSync(readFileSync(join(ROOT, 'resources/datasets/fashion-mnist-small', file))).readUInt32BE(4)
}

describe('README', () => {
  it('gives the embedded set’s split as runs use it', () => {
    const train = idxCount('train-images-idx3-ubyte.gz')
    const test = idxCount('t10k-images-idx3-ubyte.gz')
    const s = defaultSplits({ format: 'idx', train: { count: train }, test: { count: test } })
    expect([s.numTraining, s.numValidation, s.numTest]).toEqual([5400, 600, 1000])
    expect(README).toContain(
      `split as ${fmt(s.numTraining)} training, ${fmt(s.numValidation)} validation (taken from the training images) and ${fmt(s.numTest)} test images`,
    )
  })

  it('names the data folder of every platform and the variable that moves it', () => {
    const home = '~'
    expect(README).toContain(`\`${defaultDataDir({}, 'linux', home)}\` on Linux`)
    expect(README).toContain(`\`${defaultDataDir({}, 'darwin', home)}\` on macOS`)
    expect(README).toContain('`%APPDATA%\\Workbench` on Windows')
    expect(defaultDataDir({ APPDATA: '%APPDATA%' }, 'win32', home)).toBe('%APPDATA%\\Workbench')
    expect(README).toContain('WORKBENCH_DATA_DIR=~/cs231n-runs npm start')
    expect(README).toContain('npm start -- --browser --data-dir ~/cs231n-runs')
  })

  it('names the Node versions the locked dependencies declare', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string } }>
    }
    const engine = (name: string): string => lock.packages[`node_modules/${name}`]?.engines?.node ?? ''
    expect(engine('electron')).toMatch(/>=\s*22\.12/)
    expect(README).toContain('declare Node >= 22.12')
    expect(engine('nopt')).toBe('^22.22.2 || ^24.15.0 || >=26.0.0')
    expect(README).toContain('declare ^22.22.2 or ^24.15')
    const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
    expect(own.engines.node).toBe('>=20.19')
    expect(README).toContain('run on Node 20.19 and later')
  })
})
