import { describe, expect, it } from 'vitest'
import { cli } from './testing'

describe('usage', () => {
  it('--help lists the commands, the global options and the exit codes', async () => {
    const r = await cli(['--help'])
    expect(r.code).toBe(0)
    for (const c of ['run', 'sweep', 'ls', 'show', 'cancel', 'resume', 'export', 'checkpoint', 'datasets']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'))
    }
    expect(r.stdout).toContain('--data-dir <dir>')
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*130/)
  })

  it('a command help shows the global options', async () => {
    const r = await cli(['run', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('--threads <n>')
    expect(r.stdout).toContain('--json')
  })

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['run'], /missing required argument 'config.json'/],
    [['run', 'x.json', '--threads', '0'], /an integer from 1 to 256/],
    [
      ['datasets', 'download', 'imagenet'],
      /Allowed choices are cifar10, cifar10-binary, fashion-mnist, mnist/,
    ],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await cli(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })

  it('usage errors are JSON under --json', async () => {
    const r = await cli(['run', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stderr)).toEqual({
      error: { code: 'usage', message: "missing required argument 'config.json'", fields: [] },
    })
  })
})
