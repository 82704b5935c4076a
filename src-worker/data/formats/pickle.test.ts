import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cifarPythonBatchBytes, cifarPythonMetaBytes, fixtureSplit } from '../fixtures'
import { pickleCopyBomb, pickleDictFlood } from '../hostileFixtures'
import { CIFAR10_CLASSES, DatasetError } from './common'
import {
  NdArray,
  ndarrayIntegers,
  unpickle,
  unpickleBudget,
  type PickleDict,
  type PickleValue,
} from './pickle'

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(__dirname, '__fixtures__', name)))

/** Pickle bytes from opcodes (numbers) and latin-1 text. */
function pk(...parts: (number | string)[]): Uint8Array {
  const out: number[] = []
  for (const p of parts) {
    if (typeof p === 'number') out.push(p)
    else for (const ch of p) out.push(ch.charCodeAt(0))
  }
  return Uint8Array.from(out)
}

function errorOf(f: () => unknown): DatasetError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError)
    return e as DatasetError
  }
  throw new Error('expected a DatasetError, nothing was thrown')
}

const asDict = (v: PickleValue): PickleDict => {
  expect(v).toBeInstanceOf(Map)
  return v as PickleDict
}

describe('unpickle: Python 3 pickles (written by CPython 3.11 + numpy 2)', () => {
  for (const protocol of [2, 4]) {
    it(`reads assorted values at protocol ${protocol}`, () => {
      const d = asDict(unpickle(fixture(`py3-misc-protocol${protocol}.pkl`), 'misc.pkl'))
      expect(d.get('int')).toBe(5)
      expect(d.get('neg')).toBe(-70000)
      expect(d.get('big')).toBe(2n ** 70n)
      expect(d.get('negbig')).toBe(-(2n ** 70n))
      expect(d.get('float')).toBe(1.5)
      expect(d.get('none')).toBeNull()
      expect(d.get('t')).toBe(true)
      expect(d.get('f')).toBe(false)
      expect(d.get('tuple')).toEqual([1, 'a', new Uint8Array([120, 121])])
      expect(d.get('empty')).toEqual(new Uint8Array(0))
      expect(d.get('text')).toBe('h\u00e9llo \u2713')
      expect(d.get('nested')).toEqual(new Map([['k', [new Map(), []]]]))
      expect(d.get(7)).toBe('int key')
      expect(d.get('scalars')).toEqual([-5, 200, 0.25, -1.5, true])
      const shared = d.get('shared') as PickleValue[]
      expect(shared[0]).toBe(d.get('list')) // the memo gives back the same object
      expect(shared[1]).toBe(d.get('list'))
      const be = d.get('be') as NdArray
      expect(be).toBeInstanceOf(NdArray)
      expect(be.dtype.str).toBe('>i4')
      expect(ndarrayIntegers(be)).toEqual([1, 2, 3])
      const f32 = d.get('f32') as NdArray
      expect([f32.dtype.str, f32.shape]).toEqual(['<f4', [1, 2]])
      expect([...new Float32Array(f32.data.slice().buffer)]).toEqual([1.5, -2])
      expect(ndarrayIntegers(f32)).toBeUndefined()
    })
  }

  it('reads a protocol 4 CIFAR-style batch with its uint8 array', () => {
    const d = asDict(unpickle(fixture('py3-batch-protocol4.pkl'), 'p4.pkl'))
    const data = d.get('data') as NdArray
    expect([data.dtype.str, data.shape, data.fortranOrder]).toEqual(['|u1', [3, 3072], false])
    expect(data.data[3072 + 5]).toBe((7 + 5) % 256)
    expect(d.get('labels')).toEqual([3, 1, 4])
    expect(d.get('filenames')).toEqual(['a.png', 'b.png', 'c.png'])
  })

  it("reads protocol 2's _codecs.encode(str, 'latin1') bytes", () => {
    const d = asDict(unpickle(fixture('py3-batch-protocol2.pkl'), 'p2.pkl'))
    const data = d.get('data') as NdArray
    expect(data.shape).toEqual([1, 3072])
    expect([...data.data.subarray(0, 4)]).toEqual([101, 102, 103, 104])
    expect(data.data[200]).toBe((200 + 101) % 256)
    expect(ndarrayIntegers(d.get('labels') as NdArray)).toEqual([7])
  })
})

describe('unpickle: CIFAR-10 python batches as Python 2 cPickle wrote them', () => {
  it('reads the dict, the labels and the pixels, the pixels as a view into the file bytes', () => {
    const split = fixtureSplit('train', 5, 3072)
    const bytes = cifarPythonBatchBytes(split.images, split.labels, { batchLabel: 'training batch 1 of 5' })
    const d = asDict(unpickle(bytes, 'data_batch_1'))
    expect([...d.keys()]).toEqual(['batch_label', 'labels', 'data', 'filenames'])
    expect(new TextDecoder().decode(d.get('batch_label') as Uint8Array)).toBe('training batch 1 of 5')
    expect(d.get('labels')).toEqual([...split.labels])
    const data = d.get('data') as NdArray
    expect([data.dtype.str, data.shape]).toEqual(['|u1', [5, 3072]])
    expect(data.data.buffer).toBe(bytes.buffer)
    expect(Buffer.from(data.data).equals(Buffer.from(split.images))).toBe(true)
    expect((d.get('filenames') as PickleValue[]).length).toBe(5)
  })

  it('reads batches past 1000 items (several APPENDS) and 255 memo entries (LONG_BINPUT)', () => {
    const split = fixtureSplit('train', 1001, 3072)
    const d = asDict(unpickle(cifarPythonBatchBytes(split.images, split.labels, { batchLabel: 'b' }), 'big'))
    expect(d.get('labels')).toEqual([...split.labels])
    expect((d.get('filenames') as Uint8Array[])[1000]).toEqual(
      new Uint8Array(Buffer.from('fixture_image_s_1000.png')),
    )
  })

  it('reads batches.meta', () => {
    const d = asDict(unpickle(cifarPythonMetaBytes(CIFAR10_CLASSES, 10000), 'batches.meta'))
    expect(d.get('num_cases_per_batch')).toBe(10000)
    expect(d.get('num_vis')).toBe(3072)
    expect((d.get('label_names') as Uint8Array[]).map((b) => Buffer.from(b).toString())).toEqual(
      CIFAR10_CLASSES,
    )
  })
})

describe('unpickle: other opcodes', () => {
  it('reads LONG1, BINFLOAT, MEMOIZE/BINGET, DUP, POP, POP_MARK, LIST, DICT, SETITEM, APPEND', () => {
    const v = unpickle(
      pk(
        0x80,
        4,
        0x95,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0, // PROTO 4, FRAME
        0x28, // MARK
        0x8a,
        2,
        0x00,
        0x80, // LONG1 -32768
        0x47,
        0x40,
        0x09,
        0x21,
        0xfb,
        0x54,
        0x44,
        0x2d,
        0x18, // BINFLOAT pi
        0x8c,
        1,
        'x',
        0x94, // SHORT_BINUNICODE 'x', MEMOIZE
        0x32,
        0x30, // DUP, POP
        0x68,
        0, // BINGET 0
        0x28,
        0x4b,
        9,
        0x31, // MARK 9 POP_MARK
        0x6c, // LIST
        0x28,
        0x8c,
        1,
        'k',
        0x4a,
        0xff,
        0xff,
        0xff,
        0xff,
        0x64, // MARK 'k' -1 DICT
        0x8c,
        1,
        'j',
        0x5d,
        0x4b,
        1,
        0x61,
        0x73, // 'j' [] 1 APPEND SETITEM
        0x86,
        0x2e, // TUPLE2 STOP
      ),
      'ops.pkl',
    )
    expect(v).toEqual([
      [-32768, Math.PI, 'x', 'x'],
      new Map<string, PickleValue>([
        ['k', -1],
        ['j', [1]],
      ]),
    ])
  })

  it('reads SHORT_BINBYTES, BINBYTES, BINUNICODE, EMPTY_TUPLE, TUPLE1, TUPLE3, BININT2, LONG4 and INT', () => {
    const v = unpickle(
      pk(0x80, 3, 0x43, 2, 'ab', 0x42, 1, 0, 0, 0, 'c', 0x58, 2, 0, 0, 0, 'hi', 0x87, 0x29, 0x85, 0x86, 0x2e),
      'x',
    )
    expect(v).toEqual([[new Uint8Array([97, 98]), new Uint8Array([99]), 'hi'], [[]]])
    expect(unpickle(pk(0x80, 2, 0x4d, 0x01, 0x02, 0x2e), 'x')).toBe(0x0201)
    expect(unpickle(pk(0x80, 2, 0x8b, 1, 0, 0, 0, 0xff, 0x2e), 'x')).toBe(-1)
    // Python 2 cPickle writes ints beyond 32 bits as text INT even at protocol 2.
    expect(unpickle(pk(0x80, 2, 0x49, '-9007199254740993\n', 0x49, '01\n', 0x86, 0x2e), 'x')).toEqual([
      -9007199254740993n,
      true,
    ])
    expect(() => unpickle(pk(0x49, '1e5\n', 0x2e), 'x')).toThrow(
      'INT opcode with "1e5", expected decimal digits',
    )
  })
})

describe('unpickle: refuses what it must not run or cannot read', () => {
  it('refuses a global outside the whitelist, naming file, global and offset, and runs nothing', () => {
    // What pickle.dumps of an object whose __reduce__ returns (os.system, ('echo hi',)) looks like.
    const bytes = pk(0x80, 2, 0x63, 'posix\nsystem\n', 0x71, 0, 0x55, 7, 'echo hi', 0x85, 0x52, 0x2e)
    const e = errorOf(() => unpickle(bytes, '/data/evil.pkl'))
    expect(e.file).toBe('/data/evil.pkl')
    expect(e.message).toContain('/data/evil.pkl')
    expect(e.message).toContain('"posix.system"')
    expect(e.message).toContain('GLOBAL')
    expect(e.message).toContain('at byte 2')
  })

  it('refuses STACK_GLOBAL for builtins.eval', () => {
    const bytes = pk(0x80, 4, 0x8c, 8, 'builtins', 0x8c, 4, 'eval', 0x93, 0x2e)
    expect(errorOf(() => unpickle(bytes, 'x')).message).toContain('"builtins.eval"')
  })

  it('refuses unsupported and unknown opcodes', () => {
    expect(errorOf(() => unpickle(pk(0x80, 2, 0x81, 0x2e), 'f')).message).toMatch(
      /unsupported pickle opcode \(pickle opcode NEWOBJ 0x81 at byte 2\)/,
    )
    expect(errorOf(() => unpickle(pk(0xff), 'f')).message).toContain('not a pickle opcode')
    expect(errorOf(() => unpickle(pk(0x80, 9), 'f')).message).toContain('unsupported pickle protocol 9')
  })

  it('reports truncation, underflow, missing marks and memo entries, bad dict/list targets', () => {
    expect(errorOf(() => unpickle(pk(0x80, 2, 0x4b, 1), 'f')).message).toContain('before its STOP')
    expect(errorOf(() => unpickle(pk(0x80, 2, 0x54, 9, 0, 0, 0, 'abc'), 'f')).message).toContain('truncated')
    expect(errorOf(() => unpickle(pk(0x80, 2, 0x2e), 'f')).message).toContain('underflow')
    expect(errorOf(() => unpickle(pk(0x4b, 1, 0x28, 0x85), 'f')).message).toContain('underflow')
    expect(errorOf(() => unpickle(pk(0x4b, 1, 0x65), 'f')).message).toContain('no MARK')
    expect(errorOf(() => unpickle(pk(0x68, 3), 'f')).message).toContain('memo entry 3')
    expect(errorOf(() => unpickle(pk(0x4b, 1, 0x4b, 2, 0x61), 'f')).message).toContain('expected a list')
    expect(errorOf(() => unpickle(pk(0x5d, 0x4b, 1, 0x4b, 2, 0x73), 'f')).message).toContain(
      'expected a dict',
    )
    expect(errorOf(() => unpickle(pk(0x7d, 0x5d, 0x4b, 2, 0x73), 'f')).message).toContain(
      'unsupported dict key',
    )
  })

  it('refuses numpy arrays whose data does not match shape and dtype, and object or odd dtypes', () => {
    const split = fixtureSplit('train', 1, 3072)
    const bytes = cifarPythonBatchBytes(split.images, split.labels, { batchLabel: 'b' })
    const find = (seq: number[]): number => Buffer.from(bytes).indexOf(Buffer.from(seq))
    const bad = bytes.slice()
    bad[find([0x4d, 0x00, 0x0c, 0x86]) + 2] = 0x0d // shape (1, 3072) -> (1, 3328)
    expect(errorOf(() => unpickle(bad, 'f')).message).toMatch(/needs 3328 bytes, the pickle holds 3072/)
    const o8 = bytes.slice()
    o8.set([0x4f, 0x38], find([0x55, 0x02, 0x75, 0x31]) + 2) // dtype 'u1' -> 'O8'
    expect(errorOf(() => unpickle(o8, 'f')).message).toContain('unsupported numpy dtype "O8"')
  })
})

describe('unpickle: a small pickle cannot build much more than its size', () => {
  const MIB = 2 ** 20
  /** The byte offset the refusal names. */
  const at = (e: DatasetError): number => Number(/at byte (\d+)\)$/.exec(e.message)?.[1])

  it('refuses copying a memoized string over and over (_codecs.encode from BINGET + REDUCE)', () => {
    const bytes = pickleCopyBomb(MIB, 200) // 1 MB of file that built 200 MB of bytes objects
    const e = errorOf(() => unpickle(bytes, '/d/data_batch_1'))
    expect(e.message).toBe(
      `/d/data_batch_1: expected a pickle that builds at most ${unpickleBudget(bytes.length)} bytes of values ` +
        `for its ${bytes.length} bytes (64 MiB + 4 per byte; a CIFAR-10 batch builds a few MB), this one ` +
        `builds more (pickle opcode REDUCE 0x52 at byte ${at(e)})`,
    )
    // Stopped near the budget: 64 MiB + 4 MiB, less the 2 MiB string, is 66 copies of 1 MiB, not 200.
    const firstCopy = bytes.length - 1 - 5 * 200 // the copies' opcodes come last, before STOP
    const copies = Math.floor((at(e) - firstCopy) / 5)
    expect(copies).toBeGreaterThan(60)
    expect(copies).toBeLessThan(70)
  })

  it('refuses a flood of one-byte containers (EMPTY_DICT builds a 184-byte Map) before the end', () => {
    const bytes = pickleDictFlood(2 * MIB)
    const e = errorOf(() => unpickle(bytes, 'f'))
    expect(e.message).toContain('this one builds more (pickle opcode EMPTY_DICT 0x7d at byte')
    expect(at(e)).toBeLessThan(bytes.length / 4)
  })

  it('charges what real batches build: a 10000-image CIFAR-10 batch fits, a smaller budget refuses it', () => {
    const split = fixtureSplit('train', 10000, 3072)
    const bytes = cifarPythonBatchBytes(split.images, split.labels, { batchLabel: 'training batch 1 of 5' })
    expect(asDict(unpickle(bytes, 'data_batch_1')).get('data')).toBeInstanceOf(NdArray)
    expect(() => unpickle(bytes, 'data_batch_1', { budgetBytes: MIB })).toThrow('this one builds more')
    expect(asDict(unpickle(bytes, 'data_batch_1', { budgetBytes: 2 * MIB })).size).toBe(4)
    // Python 3's protocol 2 decodes the pixels from a str and encodes them: about 3 bytes per byte.
    const p2 = fixture('py3-batch-protocol2.pkl')
    expect(() => unpickle(p2, 'p2', { budgetBytes: 2 * p2.length })).toThrow('this one builds more')
    expect(asDict(unpickle(p2, 'p2', { budgetBytes: 4 * p2.length })).get('data')).toBeInstanceOf(NdArray)
  })
})
