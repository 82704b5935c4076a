/**
 * Exit codes, one meaning each so scripts can branch on them (also printed by --help):
 *
 *   0    ok; the run(s) completed
 *   1    a run failed (diverged, crashed) or was cancelled; or an unexpected error
 *   2    usage or invalid input: bad arguments, a config with field errors, an unknown run id, a file that
 *        cannot be read or is not JSON, an action the run's status does not allow
 *   3    dataset or download error (including a run that failed because its dataset did not load)
 *   4    the data folder cannot be written (disk full, permissions, read-only, removed); runs that met it
 *        failed with reason `storage` and resume once it is fixed
 *   130  interrupted by Ctrl-C: running runs are left `interrupted`, resumable with `workbench resume <id>`
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  dataset: 3,
  storage: 4,
  interrupted: 130,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export const EXIT_CODES_HELP = `
Exit codes:
  0    ok; the run(s) completed
  1    a run failed (diverged, crashed) or was cancelled; or an unexpected error
  2    usage or invalid input (bad config with field errors, unknown id, unreadable or malformed file)
  3    dataset or download error
  4    the data folder cannot be written (disk full, permissions, read-only, removed): fix it, then resume
  130  interrupted by Ctrl-C (running runs become interrupted; resume them with \`workbench resume <id>\`)
`
