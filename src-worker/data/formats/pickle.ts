/**
 * A minimal, safe unpickler: enough of Python's pickle protocols 2-4 for CIFAR-10's python batches and
 * for Python 3 pickles of the same structure. It never executes anything: GLOBAL / STACK_GLOBAL accept
 * only a whitelist (numpy's array reconstruction, scalars and dtype; `_codecs.encode` and `bytes`, which
 * Python 3 uses for bytes at protocol 2), and REDUCE / BUILD on those build plain values.
 *
 * Values: None -> null, bool -> boolean, int -> number (bigint beyond 2^53), float -> number, str ->
 * string, bytes and Python 2 str (BINSTRING) -> Uint8Array (a view into the input, no copy), list and
 * tuple -> array, dict -> Map (bytes keys decoded as latin-1, so b'data' and 'data' are the same key),
 * numpy array -> NdArray (its data a view into the input), numpy scalar -> number or boolean.
 *
 * What a pickle may build is bounded by its size: every value, stack slot and memo entry is charged its
 * approximate heap size (measured on V8) against `unpickleBudget(file size)`, and the unpickler refuses a
 * file past that, so a small file cannot allocate much (a few bytes of BINGET + REDUCE can copy a
 * memoized megabyte string, one EMPTY_DICT byte builds a 184-byte Map). A CIFAR-10 batch builds about 2 MB
 * of values besides the views into its own bytes.
 */
import { DatasetError } from './common'

export type PickleKey = string | number | bigint | boolean | null
export type PickleDict = Map<PickleKey, PickleValue>
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleDict
  | NdArray
  | NumpyDType
  | PickleGlobal

/** numpy dtype of a plain (non-structured) array: kind, item size and byte order. */
export class NumpyDType {
  constructor(
    /** 'b' bool, 'i' signed int, 'u' unsigned int, 'f' float */
    readonly kind: 'b' | 'i' | 'u' | 'f',
    readonly itemSize: number,
    /** '<' little, '>' big, '|' not applicable (one byte), '=' native (little on supported machines) */
    public byteOrder: '<' | '>' | '|' | '=',
  ) {}

  /** numpy's dtype.str, e.g. '|u1', '<i8'. */
  get str(): string {
    const order = this.itemSize === 1 ? '|' : this.byteOrder === '=' ? '<' : this.byteOrder
    return `${order}${this.kind}${this.itemSize}`
  }
}

/** A numpy ndarray: `data` holds the raw bytes, C order unless `fortranOrder`. */
export class NdArray {
  dtype = new NumpyDType('i', 1, '|')
  shape: number[] = [0]
  fortranOrder = false
  data: Uint8Array = new Uint8Array(0)
}

/** A whitelisted global (a callable or class), by its qualified name. */
export class PickleGlobal {
  constructor(readonly name: GlobalName) {}
}

type GlobalName = 'reconstruct' | 'scalar' | 'ndarray' | 'dtype' | 'encode' | 'bytes'

const GLOBALS = new Map<string, GlobalName>([
  ['numpy.core.multiarray._reconstruct', 'reconstruct'],
  ['numpy._core.multiarray._reconstruct', 'reconstruct'],
  ['numpy.core.multiarray.scalar', 'scalar'],
  ['numpy._core.multiarray.scalar', 'scalar'],
  ['numpy.ndarray', 'ndarray'],
  ['numpy.dtype', 'dtype'],
  ['_codecs.encode', 'encode'],
  ['__builtin__.bytes', 'bytes'],
  ['builtins.bytes', 'bytes'],
])

const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK',
  0x2e: 'STOP',
  0x30: 'POP',
  0x31: 'POP_MARK',
  0x32: 'DUP',
  0x46: 'FLOAT',
  0x49: 'INT',
  0x4a: 'BININT',
  0x4b: 'BININT1',
  0x4c: 'LONG',
  0x4d: 'BININT2',
  0x4e: 'NONE',
  0x50: 'PERSID',
  0x51: 'BINPERSID',
  0x52: 'REDUCE',
  0x53: 'STRING',
  0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE',
  0x58: 'BINUNICODE',
  0x61: 'APPEND',
  0x62: 'BUILD',
  0x63: 'GLOBAL',
  0x64: 'DICT',
  0x7d: 'EMPTY_DICT',
  0x65: 'APPENDS',
  0x67: 'GET',
  0x68: 'BINGET',
  0x69: 'INST',
  0x6a: 'LONG_BINGET',
  0x6c: 'LIST',
  0x5d: 'EMPTY_LIST',
  0x6f: 'OBJ',
  0x70: 'PUT',
  0x71: 'BINPUT',
  0x72: 'LONG_BINPUT',
  0x73: 'SETITEM',
  0x74: 'TUPLE',
  0x29: 'EMPTY_TUPLE',
  0x75: 'SETITEMS',
  0x47: 'BINFLOAT',
  0x80: 'PROTO',
  0x81: 'NEWOBJ',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x85: 'TUPLE1',
  0x86: 'TUPLE2',
  0x87: 'TUPLE3',
  0x88: 'NEWTRUE',
  0x89: 'NEWFALSE',
  0x8a: 'LONG1',
  0x8b: 'LONG4',
  0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES',
  0x8c: 'SHORT_BINUNICODE',
  0x8d: 'BINUNICODE8',
  0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x92: 'NEWOBJ_EX',
  0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE',
  0x95: 'FRAME',
  0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
}

const utf8 = new TextDecoder('utf-8')
/** ISO-8859-1 (TextDecoder's 'latin1' is windows-1252). */
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')

/**
 * The most an unpickle of `inputBytes` may build, in estimated heap bytes: 64 MiB, plus 4 per byte of file
 * (a Python 3 protocol-2 batch decodes its pixels from a str and encodes them to bytes: about 3 per byte).
 */
export function unpickleBudget(inputBytes: number): number {
  return 64 * 2 ** 20 + 4 * inputBytes
}

/** Approximate V8 heap sizes (64-bit, measured with --expose-gc) charged against the budget. */
const COST = {
  slot: 8,
  array: 32,
  map: 184,
  mapEntry: 24,
  view: 96,
  heapNumber: 16,
  bigint: 32,
  string: 24,
  ndarray: 192,
  dtype: 64,
  global: 32,
  memoEntry: 32,
}

/**
 * Unpickles `bytes` (the contents of `file`, named in errors). Throws DatasetError for anything it cannot
 * or will not read: unknown or unsupported opcodes, non-whitelisted globals, truncation, malformed data,
 * and a pickle that builds more than `budgetBytes` (default `unpickleBudget(bytes.length)`) of values.
 */
export function unpickle(
  bytes: Uint8Array,
  file: string,
  options: { budgetBytes?: number } = {},
): PickleValue {
  return new Unpickler(bytes, file, options.budgetBytes ?? unpickleBudget(bytes.length)).load()
}

/** A short description of a value's type for error messages ("dict", "list of 3", "uint8 array (2, 5)"). */
export function describe(value: PickleValue | undefined): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'None'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'bigint') return 'int'
  if (typeof value === 'string') return 'str'
  if (value instanceof Uint8Array) return `bytes of length ${value.length}`
  if (Array.isArray(value)) return `list of ${value.length}`
  if (value instanceof Map) return 'dict'
  if (value instanceof NdArray) return `${dtypeName(value.dtype)} array of shape (${value.shape.join(', ')})`
  if (value instanceof NumpyDType) return 'numpy dtype'
  return `global ${value.name}`
}

/** numpy's name for a dtype: uint8, int64, float32, bool. */
export function dtypeName(d: NumpyDType): string {
  if (d.kind === 'b') return 'bool'
  return `${d.kind === 'u' ? 'uint' : d.kind === 'i' ? 'int' : 'float'}${d.itemSize * 8}`
}

/** str or bytes (decoded as UTF-8) as a string; undefined for anything else. */
export function asText(value: PickleValue | undefined): string | undefined {
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) return utf8.decode(value)
  return undefined
}

/**
 * The elements of a 1-D integer (or bool) array as numbers, or undefined if the array is not that.
 * 64-bit values beyond 2^53 lose precision (labels never are).
 */
export function ndarrayIntegers(a: NdArray): number[] | undefined {
  const d = a.dtype
  if (a.shape.length !== 1 || d.kind === 'f') return undefined
  const n = a.shape[0]!
  const view = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength)
  const little = d.byteOrder !== '>'
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const at = i * d.itemSize
    switch (d.itemSize) {
      case 1:
        out[i] = d.kind === 'i' ? view.getInt8(at) : view.getUint8(at)
        break
      case 2:
        out[i] = d.kind === 'i' ? view.getInt16(at, little) : view.getUint16(at, little)
        break
      case 4:
        out[i] = d.kind === 'i' ? view.getInt32(at, little) : view.getUint32(at, little)
        break
      default:
        out[i] = Number(d.kind === 'i' ? view.getBigInt64(at, little) : view.getBigUint64(at, little))
    }
  }
  return out
}

class Unpickler {
  private pos = 0
  private opStart = 0
  private op = 0
  private readonly view: DataView
  private stack: PickleValue[] = []
  /** Stack lengths at each open MARK (CPython's metastack). */
  private readonly marks: number[] = []
  private readonly memo = new Map<number, PickleValue>()
  /** Estimated heap bytes allocated so far (never decreases: a bound on what was built, not what is live). */
  private spent = 0

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
    private readonly budget: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  private spend(n: number): void {
    this.spent += n
    if (this.spent > this.budget) {
      this.fail(
        `expected a pickle that builds at most ${this.budget} bytes of values for its ${this.bytes.length} ` +
          'bytes (64 MiB + 4 per byte; a CIFAR-10 batch builds a few MB), this one builds more',
      )
    }
  }

  /** The heap size of a value just built (views into the input count their header only). */
  private cost(v: PickleValue): number {
    if (v === null || typeof v === 'boolean') return 0
    if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 30 ? 0 : COST.heapNumber
    if (typeof v === 'bigint') return COST.bigint
    if (typeof v === 'string') return COST.string + 2 * v.length
    if (v instanceof Uint8Array) return COST.view
    if (Array.isArray(v)) return COST.array + COST.slot * v.length
    if (v instanceof Map) return COST.map + COST.mapEntry * v.size
    if (v instanceof NdArray) return COST.ndarray
    if (v instanceof NumpyDType) return COST.dtype
    return COST.global
  }

  private fail(message: string): never {
    const name = OPCODE_NAMES[this.op] ?? 'unknown'
    throw new DatasetError(
      this.file,
      `${message} (pickle opcode ${name} 0x${this.op.toString(16).padStart(2, '0')} at byte ${this.opStart})`,
    )
  }

  private need(n: number): void {
    if (n > this.bytes.length - this.pos) {
      this.fail(
        `truncated pickle: needs ${n} more bytes, file ends ${this.bytes.length - this.pos} bytes later`,
      )
    }
  }

  private u8(): number {
    this.need(1)
    return this.bytes[this.pos++]!
  }

  private u16(): number {
    this.need(2)
    const v = this.view.getUint16(this.pos, true)
    this.pos += 2
    return v
  }

  private i32(): number {
    this.need(4)
    const v = this.view.getInt32(this.pos, true)
    this.pos += 4
    return v
  }

  private u32(): number {
    this.need(4)
    const v = this.view.getUint32(this.pos, true)
    this.pos += 4
    return v
  }

  /** An 8-byte little-endian length; anything beyond the file is reported as truncation by `take`. */
  private u64(): number {
    this.need(8)
    const lo = this.view.getUint32(this.pos, true)
    const hi = this.view.getUint32(this.pos + 4, true)
    this.pos += 8
    return hi * 2 ** 32 + lo
  }

  private take(n: number): Uint8Array {
    this.need(n)
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  /** A newline-terminated ASCII line (GLOBAL's module and name, INT's digits). */
  private line(what: string): string {
    const end = this.bytes.subarray(this.pos, this.pos + 1001).indexOf(0x0a)
    if (end < 0) {
      if (this.bytes.length - this.pos > 1000) this.fail(`${what} longer than 1000 bytes`)
      this.fail(`truncated pickle: no newline after ${what}`)
    }
    const text = latin1(this.bytes.subarray(this.pos, this.pos + end))
    this.pos += end + 1
    return text
  }

  private base(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0
  }

  /** Pushes a value; `fresh` values (not a DUP or memo reference) are charged their size too. */
  private push(v: PickleValue, fresh = true): void {
    this.spend(COST.slot + (fresh ? this.cost(v) : 0))
    this.stack.push(v)
  }

  private pop(): PickleValue {
    if (this.stack.length <= this.base()) this.fail('pickle stack underflow')
    return this.stack.pop()!
  }

  private top(): PickleValue {
    if (this.stack.length <= this.base()) this.fail('pickle stack underflow')
    return this.stack[this.stack.length - 1]!
  }

  private popMark(): PickleValue[] {
    const at = this.marks.pop()
    if (at === undefined) this.fail('no MARK before this opcode')
    return this.stack.splice(at)
  }

  private memoPut(index: number): void {
    this.spend(COST.memoEntry)
    this.memo.set(index, this.top())
  }

  private memoGet(index: number): PickleValue {
    const v = this.memo.get(index)
    if (v === undefined) this.fail(`memo entry ${index} was never stored`)
    return v
  }

  private key(k: PickleValue): PickleKey {
    if (k instanceof Uint8Array) {
      this.spend(COST.string + 2 * k.length)
      return latin1(k)
    }
    if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint') return k
    if (typeof k === 'boolean') return k
    this.fail(`unsupported dict key: ${describe(k)}`)
  }

  private setItems(dict: PickleValue, items: PickleValue[]): void {
    if (!(dict instanceof Map)) this.fail(`setting items on ${describe(dict)}, expected a dict`)
    if (items.length % 2 !== 0) this.fail('odd number of items for a dict')
    this.spend((COST.mapEntry * items.length) / 2)
    for (let i = 0; i < items.length; i += 2) dict.set(this.key(items[i]!), items[i + 1]!)
  }

  private appendTo(list: PickleValue, items: PickleValue[]): void {
    if (!Array.isArray(list)) this.fail(`appending to ${describe(list)}, expected a list`)
    this.spend(COST.slot * items.length)
    for (const item of items) list.push(item)
  }

  private global(module: string, name: string): PickleGlobal {
    const known = GLOBALS.get(`${module}.${name}`)
    if (known === undefined) {
      this.fail(
        `refusing global ${JSON.stringify(`${module}.${name}`)} (only numpy arrays and dtypes are read)`,
      )
    }
    return new PickleGlobal(known)
  }

  private int(v: bigint): number | bigint {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
  }

  /** LONG1 / LONG4 payload: little-endian two's complement. */
  private long(n: number): number | bigint {
    const b = this.take(n)
    if (n === 0) return 0
    let v = 0n
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!)
    if (b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n)
    return this.int(v)
  }

  private reduce(callable: PickleValue, args: PickleValue): PickleValue {
    if (!(callable instanceof PickleGlobal))
      this.fail(`calling ${describe(callable)}, expected a whitelisted global`)
    if (!Array.isArray(args)) this.fail(`arguments are ${describe(args)}, expected a tuple`)
    switch (callable.name) {
      case 'reconstruct': {
        const cls = args[0]
        if (!(cls instanceof PickleGlobal) || cls.name !== 'ndarray') {
          this.fail(`numpy _reconstruct of ${describe(cls)}, expected numpy.ndarray`)
        }
        return new NdArray()
      }
      case 'scalar': {
        // A numpy scalar (e.g. numpy.int64(3) in a list of labels): scalar(dtype, raw bytes).
        const [dtype, raw] = args
        if (!(dtype instanceof NumpyDType) || !(raw instanceof Uint8Array) || raw.length !== dtype.itemSize) {
          this.fail('numpy scalar is read only as scalar(dtype, bytes of its size)')
        }
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
        const little = dtype.byteOrder !== '>'
        if (dtype.kind === 'b') return raw[0] !== 0
        if (dtype.kind === 'f') {
          if (dtype.itemSize === 2) this.fail('float16 numpy scalars are not supported')
          return dtype.itemSize === 4 ? view.getFloat32(0, little) : view.getFloat64(0, little)
        }
        const scalar = new NdArray()
        scalar.dtype = dtype
        scalar.shape = [1]
        scalar.data = raw
        return ndarrayIntegers(scalar)![0]!
      }
      case 'dtype':
        return this.dtype(args)
      case 'encode': {
        const [text, encoding] = args
        if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
          this.fail('_codecs.encode is only read as encode(str, "latin1") (Python 3 bytes in protocol 2)')
        }
        for (let i = 0; i < text.length; i++) {
          if (text.charCodeAt(i) > 0xff) this.fail('_codecs.encode: character beyond latin-1')
        }
        this.spend(text.length) // a copy, not a view: charged beyond the view's header
        const buf = Buffer.from(text, 'latin1')
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
      }
      case 'bytes':
        if (args.length !== 0) this.fail('bytes(...) is only read without arguments (empty bytes)')
        return new Uint8Array(0)
      case 'ndarray':
        this.fail('calling numpy.ndarray directly is not supported')
    }
  }

  private dtype(args: PickleValue[]): NumpyDType {
    const spec = asText(args[0])
    const m = spec === undefined ? null : /^([<>|=]?)([biuf])(\d+)$/.exec(spec)
    if (m === null) this.fail(`unsupported numpy dtype ${JSON.stringify(spec ?? describe(args[0]))}`)
    const kind = m[2] as 'b' | 'i' | 'u' | 'f'
    const size = Number(m[3])
    const ok =
      kind === 'f'
        ? size === 2 || size === 4 || size === 8
        : kind === 'b'
          ? size === 1
          : [1, 2, 4, 8].includes(size)
    if (!ok) this.fail(`unsupported numpy dtype ${JSON.stringify(spec)}`)
    return new NumpyDType(kind, size, (m[1] || (size === 1 ? '|' : '=')) as NumpyDType['byteOrder'])
  }

  private build(target: PickleValue, state: PickleValue): void {
    if (target instanceof NumpyDType) {
      if (!Array.isArray(state) || state.length < 2) this.fail('numpy dtype state is not a tuple')
      const order = asText(state[1])
      if (order !== '<' && order !== '>' && order !== '|' && order !== '=') {
        this.fail(`numpy dtype byte order ${JSON.stringify(order ?? describe(state[1]))}`)
      }
      // (version, byteorder, subarray, names, fields, ...): structured and subarray dtypes are not plain arrays.
      if (state.length >= 5 && (state[2] != null || state[3] != null || state[4] != null)) {
        this.fail('structured numpy dtypes are not supported')
      }
      target.byteOrder = order
      return
    }
    if (target instanceof NdArray) {
      if (!Array.isArray(state) || (state.length !== 4 && state.length !== 5)) {
        this.fail(`numpy array state is ${describe(state)}, expected a tuple of 4 or 5`)
      }
      const [shape, dtype, fortran, raw] = state.length === 5 ? state.slice(1) : state
      if (!Array.isArray(shape)) this.fail(`numpy array shape is ${describe(shape)}`)
      const dims: number[] = []
      let size = 1
      for (const d of shape) {
        if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
          this.fail('numpy array shape is not sizes')
        dims.push(d)
        size *= d
      }
      if (!(dtype instanceof NumpyDType)) this.fail(`numpy array dtype is ${describe(dtype)}`)
      if (typeof fortran !== 'boolean' && fortran !== 0 && fortran !== 1) this.fail('numpy array order flag')
      if (Array.isArray(raw)) this.fail('numpy object arrays are not supported')
      if (!(raw instanceof Uint8Array)) this.fail(`numpy array data is ${describe(raw)}, expected bytes`)
      if (size * dtype.itemSize !== raw.length) {
        this.fail(
          `numpy array of shape (${dims.join(', ')}) and ${dtypeName(dtype)} needs ${size * dtype.itemSize} bytes, ` +
            `the pickle holds ${raw.length}`,
        )
      }
      target.shape = dims
      target.dtype = dtype
      target.fortranOrder = fortran === true || fortran === 1
      target.data = raw
      return
    }
    this.fail(`BUILD on ${describe(target)}, expected a numpy array or dtype`)
  }

  load(): PickleValue {
    const bytes = this.bytes
    for (;;) {
      this.opStart = this.pos
      if (this.pos >= bytes.length) {
        this.op = 0
        throw new DatasetError(this.file, `truncated pickle: ends at byte ${this.pos} before its STOP opcode`)
      }
      const op = bytes[this.pos++]!
      this.op = op
      switch (op) {
        case 0x80: {
          const proto = this.u8()
          if (proto > 5) this.fail(`unsupported pickle protocol ${proto}`)
          break
        }
        case 0x95: // FRAME: a length prefix for buffering; the data that follows is read as usual
          this.u64()
          break
        case 0x2e: // STOP
          return this.pop()
        case 0x28: // MARK
          this.spend(COST.slot)
          this.marks.push(this.stack.length)
          break
        case 0x30: // POP
          if (this.stack.length > this.base()) this.stack.pop()
          else this.popMark()
          break
        case 0x31: // POP_MARK
          this.popMark()
          break
        case 0x32: // DUP
          this.push(this.top(), false)
          break
        case 0x4e: // NONE
          this.push(null)
          break
        case 0x88: // NEWTRUE
          this.push(true)
          break
        case 0x89: // NEWFALSE
          this.push(false)
          break
        case 0x4a: // BININT
          this.push(this.i32())
          break
        case 0x49: {
          // INT: decimal text; Python 2's cPickle writes it even at protocol 2 for ints beyond 32 bits
          const text = this.line('INT')
          if (text === '00' || text === '01') this.push(text === '01')
          else if (/^[-+]?\d{1,400}$/.test(text)) this.push(this.int(BigInt(text)))
          else this.fail(`INT opcode with ${JSON.stringify(text.slice(0, 40))}, expected decimal digits`)
          break
        }
        case 0x4b: // BININT1
          this.push(this.u8())
          break
        case 0x4d: // BININT2
          this.push(this.u16())
          break
        case 0x8a: // LONG1
          this.push(this.long(this.u8()))
          break
        case 0x8b: {
          // LONG4
          const n = this.i32()
          if (n < 0) this.fail('negative length')
          if (n > 255) this.fail(`integer of ${n} bytes is too large`)
          this.push(this.long(n))
          break
        }
        case 0x47: {
          // BINFLOAT: big-endian double
          this.need(8)
          this.push(this.view.getFloat64(this.pos, false))
          this.pos += 8
          break
        }
        case 0x54: {
          // BINSTRING (Python 2 str; a signed length)
          const n = this.i32()
          if (n < 0) this.fail('negative length')
          this.push(this.take(n))
          break
        }
        case 0x55: // SHORT_BINSTRING
        case 0x43: // SHORT_BINBYTES
          this.push(this.take(this.u8()))
          break
        case 0x42: // BINBYTES
          this.push(this.take(this.u32()))
          break
        case 0x8e: // BINBYTES8
          this.push(this.take(this.u64()))
          break
        case 0x58: // BINUNICODE
          this.push(utf8.decode(this.take(this.u32())))
          break
        case 0x8c: // SHORT_BINUNICODE
          this.push(utf8.decode(this.take(this.u8())))
          break
        case 0x8d: // BINUNICODE8
          this.push(utf8.decode(this.take(this.u64())))
          break
        case 0x29: // EMPTY_TUPLE
          this.push([])
          break
        case 0x85: // TUPLE1
          this.push([this.pop()])
          break
        case 0x86: {
          // TUPLE2
          const b = this.pop()
          const a = this.pop()
          this.push([a, b])
          break
        }
        case 0x87: {
          // TUPLE3
          const c = this.pop()
          const b = this.pop()
          const a = this.pop()
          this.push([a, b, c])
          break
        }
        case 0x74: // TUPLE
        case 0x6c: // LIST
          this.push(this.popMark())
          break
        case 0x5d: // EMPTY_LIST
          this.push([])
          break
        case 0x7d: // EMPTY_DICT
          this.push(new Map())
          break
        case 0x64: {
          // DICT
          const items = this.popMark()
          const dict: PickleDict = new Map()
          this.setItems(dict, items)
          this.push(dict)
          break
        }
        case 0x61: {
          // APPEND
          const item = this.pop()
          this.appendTo(this.top(), [item])
          break
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark()
          this.appendTo(this.top(), items)
          break
        }
        case 0x73: {
          // SETITEM
          const value = this.pop()
          const key = this.pop()
          this.setItems(this.top(), [key, value])
          break
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark()
          this.setItems(this.top(), items)
          break
        }
        case 0x68: // BINGET
          this.push(this.memoGet(this.u8()), false)
          break
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.u32()), false)
          break
        case 0x71: // BINPUT
          this.memoPut(this.u8())
          break
        case 0x72: // LONG_BINPUT
          this.memoPut(this.u32())
          break
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size)
          break
        case 0x63: {
          // GLOBAL
          const module = this.line('GLOBAL module')
          const name = this.line('GLOBAL name')
          this.push(this.global(module, name))
          break
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop()
          const module = this.pop()
          if (typeof module !== 'string' || typeof name !== 'string')
            this.fail('STACK_GLOBAL needs two strings')
          this.push(this.global(module, name))
          break
        }
        case 0x52: {
          // REDUCE
          const args = this.pop()
          const callable = this.pop()
          this.push(this.reduce(callable, args))
          break
        }
        case 0x62: {
          // BUILD
          const state = this.pop()
          this.build(this.top(), state)
          break
        }
        default:
          this.fail(OPCODE_NAMES[op] ? 'unsupported pickle opcode' : 'not a pickle opcode')
      }
    }
  }
}
