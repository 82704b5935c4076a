/** Reads the JSON files users write by hand (configs, sweeps), with errors that point at the mistake. */
import { readFile } from 'node:fs/promises'
import { CliError } from './errors'
import { EXIT } from './exitCodes'

export async function readJsonFile(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as { code?: unknown }).code
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message
    throw new CliError('unreadable-file', `cannot read ${path}: ${why}`, EXIT.usage)
  }
  return parseJsonText(text, path)
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
