/**
 * A time limit for printing a PDF: a browser that stops answering (a renderer stuck in layout, a print
 * call that never returns) must not hang the export, nor keep the browser it runs in.
 */
import { WorkbenchError } from '../../errors'

/** Far above a 200-run report (about 30 s on a laptop), far below "is it hung?". */
export const PDF_TIMEOUT_MS = 180_000

/**
 * `work`'s result, or a WorkbenchError ('unavailable') once `ms` have passed. The caller's `finally`
 * then closes the browser, which ends `work`; its late rejection is swallowed here.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new WorkbenchError(
          'unavailable',
          `PDF export timed out: the browser did not finish printing the report within ${Math.round(ms / 1000)} s ` +
            '(try fewer runs, or export HTML and print it from a browser)',
        ),
      )
    }, ms)
  })
  work.catch(() => {})
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}
