// The bundled worker and the chunks it requires, as paths relative to the project root: electron-builder
// unpacks them from app.asar (asarUnpack) so the training threads load plain files from disk. Chunk
// names carry a content hash, so the list is read from the build output rather than written down.
'use strict'
const { existsSync, readFileSync } = require('node:fs')
const { dirname, join, posix, relative } = require('node:path')

const RELATIVE_REQUIRE = /require\((["'])(\.{1,2}\/[^"']+)\1\)/g

/** out/main/worker.js and every built file it reaches through relative requires (root-relative, posix). */
function workerFiles(root, entry = 'out/main/worker.js') {
  const start = join(root, entry)
  if (!existsSync(start)) {
    throw new Error(
      `${entry} is not built: run \`npx electron-vite build\` (npm run dist does) before packaging`,
    )
  }
  const seen = new Set()
  const queue = [start]
  while (queue.length > 0) {
    const file = queue.pop()
    if (seen.has(file)) continue
    seen.add(file)
    for (const m of readFileSync(file, 'utf8').matchAll(RELATIVE_REQUIRE)) {
      const target = join(dirname(file), m[2])
      queue.push(existsSync(target) ? target : `${target}.js`)
    }
  }
  return [...seen].map((f) => relative(root, f).split(/[\\/]/).join(posix.sep)).sort()
}

module.exports = { workerFiles }
