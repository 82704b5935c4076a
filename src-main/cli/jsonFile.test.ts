import { describe, expect, it } from 'vitest'
import { CliError } from './errors'
import { lineColumn, parseJsonText, syntaxErrorOffset } from './jsonFile'

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
