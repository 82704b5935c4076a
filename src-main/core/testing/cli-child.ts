/**
 * The CLI in a process of its own, for tests that measure it: runs `main` with the given arguments and
 * prints the process's peak resident memory as the last line of stderr (`maxRSS <KiB>`).
 */
import { main } from '../../cli/main'

void main(process.argv.slice(2)).then((code) => {
  process.stderr.write(`\nmaxRSS ${process.resourceUsage().maxRSS}\n`)
  process.exitCode = code
})
