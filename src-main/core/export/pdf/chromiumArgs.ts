/**
 * Chromium's command line wherever this project starts it headless (PDF export, the e2e suite, the UI
 * benchmark), in its own module so that test configs can take it without loading playwright-core: no
 * sandbox (often unavailable to root and in containers; the pages run no untrusted script), and none of
 * Chrome's background traffic, which a closed network refuses many times over.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]
