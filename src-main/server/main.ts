/**
 * `npm run serve [-- --data-dir DIR --port N --host H]`: browser mode from a checkout. The same command as
 * `workbench serve`, parsed and reported by the CLI, so options, help, errors and exit codes agree.
 */
import { main } from '../cli/main'

if (require.main === module) {
  void main(['serve', ...process.argv.slice(2)]).then((code) => {
    process.exitCode = code
  })
}
