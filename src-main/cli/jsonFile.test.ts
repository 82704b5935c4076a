import { describe, expect, it } from 'vitest'
import { CliError } from './errors'
import { decodeUtf8, lineColumn, parseJsonText, syntaxErrorOffset } from './jsonFile'

function failure(text: string): CliError {
  try {
    parseJsonText(text, 'f.json')
  } catch (e) {
    return e as CliError
  }
  throw new Error('expected a failure')
}

describe('parseJsonText', () => {
  it('parses JSON, with or without a byte-order mark', () => {
    expect(parseJsonText('{"a": [1, 2.5e3, "x\\n", true, null]}', 'f.json')).toEqual({
      a: [1, 2500, 'x\n', true, null],
    })
    expect(parseJsonText('\ufeff{"a": 1}', 'f.json')).toEqual({ a: 1 })
  })

  it.each([
    ['{"a": 1,}', 1, 9, 'Expected double-quoted property name'],
    ['{"a": tru}', 1, 7, ''],
    ['xyz', 1, 1, "Unexpected token 'x'"],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, "Expected ',' or '}' after property value"],
    ['[1, 2', 1, 6, "Expected ',' or ']'"],
    ['', 1, 1, 'unexpected end of file'],
    ['{"a": 1} x', 1, 10, 'Unexpected non-whitespace character after JSON'],
    ['{"a": "\u0001"}', 1, 8, 'Bad control character'],
  ])('%j fails at line %i, column %i', (text, line, column, reason) => {
    const e = failure(text)
    expect(e).toBeInstanceOf(CliError)
    expect(e.exitCode).toBe(2)
    expect(e.code).toBe('invalid-json')
    expect(e.message).toMatch(
      new RegExp(`^f\\.json: invalid JSON at line ${line}, column ${column} \\(position \\d+\\)`),
    )
    expect(e.message).toContain(reason)
    expect(e.message).not.toContain('is not valid JSON')
  })
})

describe('syntaxErrorOffset', () => {
  it('agrees with JSON.parse on what is valid', () => {
    for (const ok of ['0', '-1.5E+3', '"\\u00e9\\"\\/"', ' [ ] ', '{"a":{"b":[{}]}}', 'true']) {
      expect(syntaxErrorOffset(ok)).toBeNull()
    }
    for (const bad of ['01', '1.', '"\\x"', '[1,]', '{"a"}', "'a'", 'nul', '"abc']) {
      expect(() => JSON.parse(bad)).toThrow()
      expect(syntaxErrorOffset(bad)).not.toBeNull()
    }
  })

  it('counts lines and columns from 1', () => {
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 })
    expect(lineColumn('ab', 0)).toEqual({ line: 1, column: 1 })
  })
})

describe('decodeUtf8', () => {
  it('refuses a Latin-1 name, naming the field and the byte, instead of storing U+FFFD', () => {
    const bytes = Buffer.concat([
      Buffer.from('{\n  "name": "caf'),
      Buffer.from([0xe9]),
      Buffer.from('",\n  "tags": ["ok"]\n}\n'),
    ])
    let err: unknown
    try {
      decodeUtf8(bytes, 'run.json')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(CliError)
    expect((err as CliError).message).toBe(
      'run.json: not valid UTF-8: byte 0xE9 at line 2, column 15 (in name); save the file as UTF-8',
    )
    expect((err as CliError).fields).toEqual([
      { path: 'name', message: 'not valid UTF-8: save the file as UTF-8' },
    ])
    expect((err as CliError).exitCode).toBe(2)
  })

  it('accepts every well-formed UTF-8 text, with or without a byte-order mark', () => {
    const text = '{"name": "café 实验 😀", "notes": "ok"}'
    expect(decodeUtf8(Buffer.from(text), 'f')).toBe(text)
    expect(decodeUtf8(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'f')).toBe(text)
  })

  it('refuses overlong forms and encoded surrogates, which decoders would also replace', () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
    ]) {
      const bytes = Buffer.concat([Buffer.from('{"name": "'), Buffer.from(bad), Buffer.from('"}')])
      expect(() => decodeUtf8(bytes, 'f')).toThrow(
        /not valid UTF-8: byte 0x.. at line 1, column 11 \(in name\)/,
      )
    }
  })
})
