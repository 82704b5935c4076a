// Runs the TypeScript worker straight from source (CLI via tsx, tests via vitest): tsx's CommonJS hook
// has to be registered inside each worker thread. Bundled builds use out/main/worker.js instead.
require('tsx/cjs')
module.exports = require('./worker.ts')
