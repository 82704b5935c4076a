/** Reads the JSON files users write by hand (configs, sweeps), with errors that point at the mistake. */
import { readFile } from 'node:fs/promises'
import { CliError } from './errors'
import { EXIT } from './exitCodes'

export async function readJsonFile(path: string): Promise<unknown> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (e) {
    const code = (e as { code?: unknown }).code
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message
    throw new CliError('unreadable-file', `cannot read ${path}: ${why}`, EXIT.usage)
  }
  return parseJsonText(decodeUtf8(bytes, path), path)
}

/**
 * The file's text, refusing bytes that are not UTF-8 (a name saved in Latin-1 or GBK would otherwise be
 * stored as U+FFFD forever): the error names each field holding such bytes, or the position.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    // Fall through: find where, and in which fields.
  }
  const at = firstInvalidUtf8(bytes)
  const lossy = new TextDecoder('utf-8').decode(bytes.subarray(0, at))
  const { line, column } = lineColumn(lossy, lossy.length)
  const where = `byte 0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')} at line ${line}, column ${column}`
  const hint = 'save the file as UTF-8'
  let fields: { path: string; message: string }[] = []
  try {
    const value = JSON.parse(new TextDecoder('utf-8').decode(bytes)) as unknown
    fields = replacedStrings(value).map((p) => ({ path: p, message: `not valid UTF-8: ${hint}` }))
  } catch {
    // Not JSON either: the position is all there is to say.
  }
  const named = fields.length > 0 ? ` (in ${fields.map((f) => f.path).join(', ')})` : ''
  throw new CliError(
    'invalid-encoding',
    `${file}: not valid UTF-8: ${where}${named}; ${hint}`,
    EXIT.usage,
    fields,
  )
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0
  while (i < b.length) {
    const c = b[i]!
    const n =
      c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1
    if (n < 0) return i
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i
    // Overlong 3- and 4-byte forms, surrogates and code points past U+10FFFF.
    if (n === 2 && ((c === 0xe0 && b[i + 1]! < 0xa0) || (c === 0xed && b[i + 1]! > 0x9f))) return i
    if (n === 3 && ((c === 0xf0 && b[i + 1]! < 0x90) || (c === 0xf4 && b[i + 1]! > 0x8f))) return i
    i += n + 1
  }
  return b.length
}

/** Dotted paths of the strings (and keys) that hold U+FFFD, the decoder's replacement character. */
function replacedStrings(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return value.includes('\uFFFD') ? [prefix || '(value)'] : []
  if (value === null || typeof value !== 'object') return []
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value)
  return entries.flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k
    return k.includes('\uFFFD') ? [path] : replacedStrings(v, path)
  })
}

/** JSON.parse, with a failure reported as `file: invalid JSON at line L, column C: reason`. */
export function parseJsonText(text: string, file: string): unknown {
  // Editors on Windows may save a byte-order mark, which JSON.parse rejects.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  try {
    return JSON.parse(body) as unknown
  } catch (e) {
    const raw = (e as Error).message
    const offset = syntaxErrorOffset(body) ?? Number(/position (\d+)/.exec(raw)?.[1] ?? body.length)
    const { line, column } = lineColumn(body, offset)
    const reason = raw
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/^Unexpected end of JSON input$/, 'unexpected end of file')
    throw new CliError(
      'invalid-json',
      `${file}: invalid JSON at line ${line}, column ${column} (position ${offset}): ${reason}`,
      EXIT.usage,
    )
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const lastBreak = before.lastIndexOf('\n')
  return { line: before.split('\n').length, column: offset - lastBreak }
}

class SyntaxAt {
  constructor(readonly offset: number) {}
}

/**
 * Where a JSON text stops being valid, or null if it is valid. JSON.parse's message has an offset for some
 * mistakes only (not for an unexpected token, on Node 20), and its wording changes between Node versions.
 */
export function syntaxErrorOffset(s: string): number | null {
  let i = 0
  const fail = (): never => {
    throw new SyntaxAt(i)
  }
  const skipSpace = (): void => {
    while (i < s.length && ' \t\n\r'.includes(s[i] as string)) i++
  }
  const expect = (c: string): void => {
    if (s[i] !== c) fail()
    i++
  }
  const string = (): void => {
    expect('"')
    while (i < s.length) {
      const c = s[i] as string
      if (c === '"') {
        i++
        return
      }
      if (c < ' ') fail()
      if (c === '\\') {
        i++
        const esc = s[i]
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) fail()
          i += 4
        } else if (esc === undefined || !'"\\/bfnrt'.includes(esc)) fail()
      }
      i++
    }
    fail()
  }
  const value = (): void => {
    skipSpace()
    const c = s[i]
    if (c === '{')
      return members('}', () => {
        string()
        skipSpace()
        expect(':')
        value()
      })
    if (c === '[') return members(']', value)
    if (c === '"') return string()
    const m = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
    m.lastIndex = i
    if (!m.test(s)) fail()
    i = m.lastIndex
  }
  const members = (close: string, member: () => void): void => {
    i++
    skipSpace()
    if (s[i] === close) {
      i++
      return
    }
    for (;;) {
      skipSpace()
      member()
      skipSpace()
      if (s[i] === ',') i++
      else return expect(close)
    }
  }
  try {
    value()
    skipSpace()
    if (i < s.length) fail()
    return null
  } catch (e) {
    if (e instanceof SyntaxAt) return e.offset
    // Nesting deep enough to overflow the stack: fall back to JSON.parse's own position.
    if (e instanceof RangeError) return null
    throw e
  }
}
