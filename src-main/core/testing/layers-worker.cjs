// A pool worker for tests of layer captures without the engine's capture: the real training task
// (checkpointing at every epoch end), with a 'layers' message after each metrics batch holding one
// capture (testingLayers.ts, seeded with the attempt: 1 the first, 2 any later) per iteration in the
// batch. A run named "fail at N" fails on its first attempt once iteration N has been captured; the
// attempt is counted with a file per run in the folder $WB_LAYERS_TEST_DIR.
require('tsx/cjs')
const { existsSync, writeFileSync } = require('node:fs')
const { join } = require('node:path')
const real = require('../../../src-worker/worker.ts')
const { makeCapture } = require('../store/testingLayers.ts')

module.exports = function task(t) {
  const port = t.port
  const post = port.postMessage.bind(port)
  const marks = process.env.WB_LAYERS_TEST_DIR
  if (!marks) throw new Error('layers-worker.cjs: set WB_LAYERS_TEST_DIR')
  const mark = join(marks, t.runId)
  const seed = existsSync(mark) ? 2 : 1
  const failAt = /^fail at (\d+)$/.exec(t.config.name)
  let failed = false
  port.postMessage = (m, transfer) => {
    post(m, transfer)
    if (!m || m.type !== 'metrics') return
    const its = m.events.filter((e) => e.type === 'iteration').map((e) => e.iteration)
    if (its.length === 0) return
    post({ type: 'layers', captures: its.map((i) => makeCapture(i, { seed, epoch: m.progress.epoch })) })
    if (failAt && seed === 1 && !failed && its.at(-1) >= Number(failAt[1])) {
      failed = true
      writeFileSync(mark, '')
      throw new Error(`test worker: failing at iteration ${its.at(-1)}`)
    }
  }
  // The engine's own captures are off: only this worker's seeded ones reach main.
  return real.default({ ...t, config: { ...t.config, captureLayers: false }, checkpointIntervalMs: 0 })
}
