#!/usr/bin/env node
// The `workbench` command (package.json "bin"). A built app runs the bundled CLI (out/main/cli.js); a
// checkout without a build runs the TypeScript source through tsx's CommonJS hook.
'use strict'
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const bundled = join(__dirname, '..', '..', 'out', 'main', 'cli.js')
let cli
if (existsSync(bundled)) {
  cli = require(bundled)
} else {
  require('tsx/cjs')
  cli = require('./main.ts')
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err) => {
    console.error(err)
    process.exitCode = 1
  },
)
