// A pool worker for tests: a run named "crash" kills its worker thread mid-task, any other trains
// normally. The pool must fail that run only and keep serving the others.
require('tsx/cjs')
const real = require('../../../src-worker/worker.ts')

module.exports = function task(t) {
  if (t.config.name === 'crash') process.exit(3)
  return real.default(t)
}
