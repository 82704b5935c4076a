/**
 * `workbench check <config.json>`: a config's sanity checks (initial loss, regularisation, gradient,
 * overfit) without queuing anything, as a table or as the report in JSON. Exit code 1 when a check fails,
 * so a script can refuse to queue a config that does not pass.
 */
import { parseRunConfig, type FieldError } from '../../src-shared/config'
import type { SanityCheckResult, SanityReport } from '../../src-shared/sanity'
import { WorkbenchError } from '../core/errors'
import type { Context } from './context'
import { CliError } from './errors'
import { EXIT } from './exitCodes'
import { duration, NONE, paint, table } from './format'
import { readJsonFile } from './jsonFile'

export async function checkCommand(ctx: Context, file: string): Promise<number> {
  const input = await readJsonFile(file)
  const parsed = parseRunConfig(input)
  if (!parsed.ok) throw invalidConfig(file, parsed.errors)
  // Read-only: checking must never adopt or start the data dir's queued runs.
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    ctx.note(`Checking "${parsed.value.name}" on ${parsed.value.dataset.name}…`)
    let report: SanityReport
    try {
      report = await wb.check(input)
    } catch (e) {
      if (e instanceof WorkbenchError && e.code === 'invalid-config' && e.fields.length > 0) {
        throw invalidConfig(file, e.fields)
      }
      throw e
    }
    if (ctx.json) ctx.printJson(report)
    else printReport(ctx, report)
    return report.passed ? EXIT.ok : EXIT.failed
  })
}

function invalidConfig(file: string, fields: FieldError[]): CliError {
  const count = fields.length === 1 ? '1 error' : `${fields.length} errors`
  return new CliError('invalid-config', `${file}: invalid run config (${count})`, EXIT.usage, fields)
}

function printReport(ctx: Context, report: SanityReport): void {
  ctx.out(renderReport(report, ctx.color).join('\n'))
}

/**
 * A report as lines: the table of checks, what each failed check says, and a summary line. `check`
 * prints it as it is; `show` indents it under the run's "Sanity checks" heading.
 */
export function renderReport(report: SanityReport, color: boolean): string[] {
  const rows = report.checks.map((check) => {
    const { measured, expected } = describe(check)
    const verdict = check.passed ? paint(color, 'green', 'pass') : paint(color, 'red', 'FAIL')
    return [check.name, verdict, measured, expected, duration(check.ms)]
  })
  const lines = table(['check', 'result', 'measured', 'expected', 'time'], rows, [
    'left',
    'left',
    'left',
    'left',
    'right',
  ])
    .trimEnd()
    .split('\n')
  for (const check of report.checks.filter((x) => !x.passed)) lines.push(`${check.name}: ${check.message}`)
  const failed = report.checks.filter((x) => !x.passed).length
  const summary = failed === 0 ? 'all checks passed' : `${failed} of ${report.checks.length} checks failed`
  lines.push(`${paint(color, 'bold', summary)} (seed ${report.seed}, ${duration(report.ms)})`)
  return lines
}

/** The numbers of a check in a cell each (keys as documented in src-shared/sanity.ts). */
export function describe(check: SanityCheckResult): { measured: string; expected: string } {
  const m = check.measured
  const e = check.expected
  switch (check.name) {
    case 'initial-loss':
      return { measured: `loss ${num(m.loss)}`, expected: `${num(e.loss)} ± ${num(e.tolerance)} (ln C)` }
    case 'regularization':
      return {
        measured: `${num(m.lossNoReg)} -> ${num(m.lossWithReg)} (reg ${num(m.reg)})`,
        expected: 'a higher loss with reg',
      }
    case 'gradient': {
      // The parameter with the largest error; a non-finite (null) error counts as the largest.
      const size = (v: number | null): number => (v === null ? Infinity : v)
      const worst = check.params?.reduce<(typeof check.params)[number] | null>(
        (w, p) => (w === null || size(p.relError) > size(w.relError) ? p : w),
        null,
      )
      // Checked at reg 0 and at a probe reg > 0 when the config has none: say where the worst was.
      const probed = m.probeReg !== undefined && m.probeReg !== null
      const atReg = probed && worst?.reg !== undefined ? ` at reg ${num(worst.reg)}` : ''
      const where = worst ? ` (${worst.name}${atReg})` : ''
      return {
        measured: `rel. error ${num(m.worstRelError)}${where}`,
        expected: `<= ${num(e.maxRelError)}` + (probed ? ` at reg 0 and ${num(m.probeReg)}` : ''),
      }
    }
    case 'overfit':
      return {
        measured: `${pctOf(m.trainAcc)} of ${num(m.examples)} in ${num(m.epochs)} epochs`,
        expected: `100% within ${num(e.maxEpochs)} epochs`,
      }
    default:
      return { measured: NONE, expected: NONE }
  }
}

function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return NONE
  const a = Math.abs(v)
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)))
}

function pctOf(v: number | null | undefined): string {
  return v === null || v === undefined ? NONE : `${Number((v * 100).toFixed(1))}%`
}
