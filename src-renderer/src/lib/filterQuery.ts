/**
 * The filter box's language: a lexer and a recursive-descent parser into a small tree, and what is
 * wrong where when the text is not a filter. The grammar (README, "Experiments table"):
 *
 *   query      = [ or ] end
 *   or         = and { "or" and }
 *   and        = unary { [ "and" ] unary }            (side by side means and; a comma is a space)
 *   unary      = "not" unary | primary
 *   primary    = "(" or ")" | comparison | match | word
 *   comparison = field ( "<" | "<=" | ">" | ">=" | "=" | "==" | "!=" ) number [ unit ]
 *   match      = prefix ":" ( word | quoted )          (tag:, name:, status:, model:, dataset:, …)
 *   word       = any other text, or "quoted text"      (in the name, id or a tag)
 *
 * Keywords are case-insensitive; a word with a colon whose prefix is not a field (`sweep:lr`) is a word.
 * Positions are 0-based offsets into the text, in UTF-16 code units as the input box counts them.
 */
import { nearestField, numericField, prefixField, type NumericField, type PrefixField } from './filterFields'

export type Op = '<' | '<=' | '>' | '>=' | '=' | '!='

export type FilterNode =
  | { type: 'and'; items: FilterNode[] }
  | { type: 'or'; items: FilterNode[] }
  | { type: 'not'; item: FilterNode }
  | { type: 'compare'; field: NumericField; op: Op; value: number }
  /** A value of a prefix field: exact (any case), `*` matching any run of characters. */
  | { type: 'match'; field: PrefixField; value: string }
  /** Lowercased text found in the name, the id or a tag. */
  | { type: 'word'; value: string }

export type FilterErrorCode =
  | 'expectedValue'
  | 'notNumber'
  | 'badUnit'
  | 'unknownField'
  | 'unclosedParen'
  | 'unexpectedParen'
  | 'emptyParens'
  | 'missingOperand'
  | 'missingField'
  | 'unclosedQuote'
  | 'emptyMatch'
  | 'badChoice'

export interface FilterError {
  code: FilterErrorCode
  /** The offending text: [start, end) of the input; start === end at the end of the text. */
  start: number
  end: number
  params: Record<string, string>
}

export type ParsedFilter = { ok: true; tree: FilterNode | null } | { ok: false; error: FilterError }

// ---- lexer ----

type TokenKind = 'word' | 'quoted' | 'op' | '(' | ')' | 'and' | 'or' | 'not' | 'end'

interface Token {
  kind: TokenKind
  text: string
  start: number
  end: number
}

class FilterSyntaxError extends Error {
  constructor(readonly detail: FilterError) {
    super(detail.code)
  }
}

function fail(code: FilterErrorCode, start: number, end: number, params: Record<string, string> = {}): never {
  throw new FilterSyntaxError({ code, start, end, params })
}

const OPS = ['<=', '>=', '!=', '==', '<', '>', '='] as const
/** What ends a word: space, parentheses, a comma, a quote, a comparison. */
const WORD_END = /[\s(),"<>=]/

function lex(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    // A comma separates like a space (`lr < 1e-3, best > 85%`).
    if (/[\s,]/.test(c)) {
      i++
      continue
    }
    if (c === '(' || c === ')') {
      tokens.push({ kind: c, text: c, start: i, end: i + 1 })
      i++
      continue
    }
    const op = OPS.find((o) => text.startsWith(o, i))
    if (op) {
      tokens.push({ kind: 'op', text: op, start: i, end: i + op.length })
      i += op.length
      continue
    }
    if (c === '"') {
      const close = text.indexOf('"', i + 1)
      if (close < 0) fail('unclosedQuote', i, text.length)
      tokens.push({ kind: 'quoted', text: text.slice(i + 1, close), start: i, end: close + 1 })
      i = close + 1
      continue
    }
    let j = i
    // `!` starts `!=` only; elsewhere it is part of a word.
    while (j < text.length && !WORD_END.test(text[j]!) && !text.startsWith('!=', j)) j++
    const word = text.slice(i, j)
    const lower = word.toLowerCase()
    const kind: TokenKind = lower === 'and' || lower === 'or' || lower === 'not' ? lower : 'word'
    tokens.push({ kind, text: word, start: i, end: j })
    i = j
  }
  tokens.push({ kind: 'end', text: '', start: text.length, end: text.length })
  return tokens
}

// ---- values ----

const NUMBER = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)([a-z%]*)$/i
const UNITS: Record<string, string[]> = { fraction: ['%'], seconds: ['ms', 's', 'm', 'h'] }
const ALL_UNITS = new Set(Object.values(UNITS).flat())

function numberValue(field: NumericField, op: Token, token: Token): number {
  const m = NUMBER.exec(token.text)
  // Letters that are no unit at all (`1e`, `3x`) make it not a number; a unit of another field is named.
  if (!m || !Number.isFinite(Number(m[1])) || (m[2] && !ALL_UNITS.has(m[2].toLowerCase()))) {
    fail('notNumber', token.start, token.end, { field: field.name, op: op.text, value: token.text })
  }
  const raw = Number(m[1])
  const unit = (m[2] ?? '').toLowerCase()
  const allowed = field.unit ? UNITS[field.unit]! : []
  if (unit && !allowed.includes(unit)) {
    const at = token.start + m[1]!.length
    fail('badUnit', at, token.end, { field: field.name, unit: m[2]!, allowed: allowed.join(' ') })
  }
  if (field.unit === 'fraction') return unit === '%' || raw > 1 ? raw / 100 : raw
  if (field.unit === 'seconds') {
    return unit === 'h' ? raw * 3600 : unit === 'm' ? raw * 60 : unit === 'ms' ? raw / 1000 : raw
  }
  return raw
}

function matchValue(field: PrefixField, token: Token, valueStart: number): string {
  const value = token.kind === 'quoted' ? token.text : token.text.slice(valueStart - token.start)
  const lower = value.toLowerCase()
  if (!field.values) return lower
  const known = field.aliases?.[lower] ?? lower
  if (field.values.includes(known) || (known.includes('*') && field.values.some((v) => glob(known)(v)))) {
    return known
  }
  fail('badChoice', valueStart, token.end, { field: field.name, value, allowed: field.values.join(', ') })
}

/** A lowercased pattern where `*` matches any run of characters. */
export function glob(pattern: string): (value: string) => boolean {
  if (!pattern.includes('*')) return (v) => v === pattern
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  const re = new RegExp(`^${source}$`, 's')
  return (v) => re.test(v)
}

// ---- parser ----

class Parser {
  private at = 0

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.at]!
  }

  private next(): Token {
    return this.tokens[this.at++]!
  }

  parseQuery(): FilterNode | null {
    if (this.peek().kind === 'end') return null
    const tree = this.parseOr()
    const rest = this.peek()
    if (rest.kind === ')') fail('unexpectedParen', rest.start, rest.end)
    return tree
  }

  private parseOr(): FilterNode {
    const items = [this.parseAnd()]
    while (this.peek().kind === 'or') {
      const or = this.next()
      this.operand(or)
      items.push(this.parseAnd())
    }
    return items.length === 1 ? items[0]! : { type: 'or', items }
  }

  private parseAnd(): FilterNode {
    const items = [this.parseUnary()]
    for (;;) {
      const t = this.peek()
      if (t.kind === 'and') {
        this.next()
        this.operand(t)
      } else if (t.kind === 'end' || t.kind === 'or' || t.kind === ')') {
        break
      }
      items.push(this.parseUnary())
    }
    return items.length === 1 ? items[0]! : { type: 'and', items }
  }

  /** After `and`, `or` or `not`: something to apply it to must follow. */
  private operand(keyword: Token): void {
    const t = this.peek()
    if (t.kind === 'end' || t.kind === ')' || t.kind === 'or' || t.kind === 'and') {
      fail('missingOperand', keyword.start, keyword.end, { keyword: keyword.text })
    }
  }

  private parseUnary(): FilterNode {
    const t = this.peek()
    if (t.kind === 'not') {
      this.next()
      this.operand(t)
      return { type: 'not', item: this.parseUnary() }
    }
    return this.parsePrimary()
  }

  private parsePrimary(): FilterNode {
    const t = this.next()
    switch (t.kind) {
      case '(': {
        if (this.peek().kind === ')') fail('emptyParens', t.start, this.peek().end)
        if (this.peek().kind === 'end') fail('unclosedParen', t.start, t.end)
        const inner = this.parseOr()
        const close = this.peek()
        if (close.kind !== ')') fail('unclosedParen', t.start, t.end)
        this.next()
        return inner
      }
      case ')':
        return fail('unexpectedParen', t.start, t.end)
      case 'op':
        return fail('missingField', t.start, t.end, { op: t.text })
      case 'quoted':
        return { type: 'word', value: t.text.toLowerCase() }
      case 'word':
        return this.peek().kind === 'op' ? this.parseComparison(t) : this.parseWord(t)
      case 'and':
      case 'or':
        return fail('missingOperand', t.start, t.end, { keyword: t.text })
      default:
        // 'not' and 'end' are handled by the callers.
        return fail('missingOperand', t.start, t.end, { keyword: t.text })
    }
  }

  private parseComparison(name: Token): FilterNode {
    const field = numericField(name.text)
    if (!field) {
      fail('unknownField', name.start, name.end, {
        name: name.text,
        suggestion: nearestField(name.text) ?? '',
      })
    }
    const op = this.next()
    const value = this.peek()
    if (value.kind === 'quoted') {
      fail('notNumber', value.start, value.end, { field: field.name, op: op.text, value: value.text })
    }
    if (value.kind !== 'word') {
      fail('expectedValue', value.kind === 'end' ? op.end : value.start, value.end, {
        field: field.name,
        op: op.text,
      })
    }
    this.next()
    return {
      type: 'compare',
      field,
      op: (op.text === '==' ? '=' : op.text) as Op,
      value: numberValue(field, op, value),
    }
  }

  private parseWord(t: Token): FilterNode {
    const colon = t.text.indexOf(':')
    const field = colon > 0 ? prefixField(t.text.slice(0, colon)) : null
    if (!field) return { type: 'word', value: t.text.toLowerCase() }
    const valueStart = t.start + colon + 1
    if (valueStart < t.end) return { type: 'match', field, value: matchValue(field, t, valueStart) }
    // `tag:"two words"`: the quote follows the colon directly.
    const quoted = this.peek()
    if (quoted.kind === 'quoted' && quoted.start === t.end && quoted.text !== '') {
      this.next()
      return { type: 'match', field, value: matchValue(field, quoted, quoted.start) }
    }
    return fail('emptyMatch', t.start, t.end, { field: field.name })
  }
}

/** The text as a filter tree (null for an empty filter), or what is wrong and where. */
export function parseFilter(text: string): ParsedFilter {
  try {
    return { ok: true, tree: new Parser(lex(text)).parseQuery() }
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { ok: false, error: err.detail }
    throw err
  }
}

/** Whether the tree reads the clock (a duration), so a list filtered by it changes as time passes. */
export function usesNow(tree: FilterNode | null): boolean {
  if (!tree) return false
  switch (tree.type) {
    case 'and':
    case 'or':
      return tree.items.some(usesNow)
    case 'not':
      return usesNow(tree.item)
    case 'compare':
      return tree.field.usesNow === true
    default:
      return false
  }
}
