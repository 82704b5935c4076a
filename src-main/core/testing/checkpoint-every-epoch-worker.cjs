// A pool worker for tests: the real training task, checkpointing at every epoch end (the default waits
// 5 s between checkpoints), so a short test run has a checkpoint to resume from and the most messages.
require('tsx/cjs')
const real = require('../../../src-worker/worker.ts')

module.exports = function task(t) {
  return real.default({ ...t, checkpointIntervalMs: 0 })
}
