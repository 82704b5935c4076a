// A pool worker for tests: a run named "hog" grows its JavaScript heap until Node stops the thread at its
// resourceLimits; any other trains normally. The pool must fail that run only, on memory, and go on.
// A thread without a limit (below 256 MB) is not stopped: the hog then gives up and says so.
require('tsx/cjs')
const real = require('../../../src-worker/worker.ts')

module.exports = function task(t) {
  if (t.config.name === 'hog') {
    const keep = []
    // 100,000 small integers: 800 KB an array.
    while (keep.length < 320) keep.push(new Array(100_000).fill(keep.length))
    throw new Error(`the heap grew to ${keep.length * 0.8} MB and the thread was not stopped`)
  }
  return real.default(t)
}
