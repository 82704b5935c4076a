// Packaging (electron-builder; README "Install" says why this tool). `npm run dist` runs src-main/packaging/dist.ts,
// which builds the app and the icons first, then electron-builder with this file for the host platform.
// src-main/packaging/asar.test.ts packs the build with these same `files` and `asarUnpack` rules and checks the
// archive against what the main process and the worker require.
'use strict'
const { workerFiles } = require('./src-main/packaging/workerFiles.cjs')

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'io.github.cs231n-workbench.workbench',
  productName: 'Workbench',
  copyright: 'Copyright © Workbench contributors (MIT licence)',
  directories: {
    output: 'dist',
    // Not `build/`, electron-builder's default, which is node-gyp's folder and holds the addon we ship.
    buildResources: 'out/icons',
  },
  files: [
    'package.json',
    'out/main/**',
    // The headless CLI is not part of the desktop app (it runs from a clone: `npx workbench`).
    '!out/main/cli.js',
    'out/preload/**',
    'out/renderer/**',
    'build/Release/workbench_blas.node',
    '!**/*.map',
    // Dependencies' sources, types and other builds: only what require() reaches is kept
    // (src-main/packaging/asar.test.ts walks it).
    '!**/node_modules/echarts/{asset,extension,i18n,lib,licenses,ssr,theme,types}{,/**}',
    '!**/node_modules/echarts/dist/!(echarts.js)',
    '!**/node_modules/zod/{src,v3}{,/**}',
    '!**/node_modules/better-sqlite3/{deps,src}{,/**}',
    '!**/node_modules/better-sqlite3/build/!(Release)',
    '!**/node_modules/better-sqlite3/build/Release/!(better_sqlite3.node)',
    // Used by the CLI's PDF export only; the app prints through Electron.
    '!**/node_modules/playwright-core{,/**}',
  ],
  // Native code must be real files to be dlopen'ed; the worker (and the chunks it requires, which are
  // Node built-ins only) is unpacked so training threads load plain files, whatever asar support a
  // worker thread has.
  asarUnpack: ['build/Release/*', '**/*.node', ...workerFiles(__dirname)],
  // Where src-main/core/appPaths.ts and src-main/electron/paths.ts look when packaged.
  extraResources: [
    { from: 'resources/datasets', to: 'datasets' },
    { from: 'examples', to: 'examples', filter: ['*.json', 'README.md'] },
  ],
  // better-sqlite3 is rebuilt for Electron's ABI (prebuilt binaries via @electron/rebuild); the BLAS
  // addon is N-API and ABI-stable, but is rebuilt too so a macOS x64 build gets an x64 addon.
  npmRebuild: true,
  nodeGypRebuild: true,
  buildDependenciesFromSource: false,
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
    // Flipping fuses breaks the ad-hoc signature an arm64 Mac requires; re-sign ad hoc when unsigned.
    resetAdHocDarwinSignature: true,
  },
  // No auto-update feed: builds are uploaded by hand (README "Install").
  publish: null,
  linux: {
    target: ['AppImage', 'deb'],
    icon: 'out/icons/png',
    category: 'Education',
    executableName: 'workbench',
    maintainer: 'Workbench contributors <workbench@users.noreply.github.com>',
    synopsis: 'Queue, train and compare CS231n-style neural networks',
  },
  deb: {
    // Without OpenBLAS the engine runs on its TypeScript kernels and says so in the Environment panel.
    recommends: ['libopenblas0'],
  },
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: 'out/icons/icon.ico',
    // src-main/packaging/openblas.ts puts OpenBLAS's DLL here at dist time; the engine looks in resources/blas.
    extraResources: [{ from: 'out/blas', to: 'blas', filter: ['*.dll', 'LICENSE*'] }],
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
  },
  mac: {
    target: [{ target: 'dmg', arch: ['arm64', 'x64'] }],
    icon: 'out/icons/icon.icns',
    category: 'public.app-category.education',
    hardenedRuntime: true,
    // Signing and notarisation happen when their environment variables are set (README "Building an
    // installer"); without them the build is unsigned and Gatekeeper asks the user once.
  },
  dmg: {
    artifactName: '${productName}-${version}-${arch}.${ext}',
  },
}
