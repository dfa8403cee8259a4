/**
 * The playground in a real browser (Debian's chromium via playwright-core): the page bundles our
 * packages, picks a backend (WebGPU when chromium gives an adapter, else WebGL — here on
 * SwiftShader, chromium's software GPU — else the CPU backend), fetches a few hundred
 * Fashion-MNIST images from the server (the synthetic shapes where Debian's Fashion-MNIST is not
 * installed), trains the tiny I-JEPA for 20 steps and scores kNN. It checks that
 * - 20 steps ran and the loss fell (mean of the last five below the mean of the first five, all finite);
 * - the masks canvas was drawn (not blank) and the loss chart is a vega SVG with a line;
 * - a kNN top-1 in [0, 1] was shown for step 0 and step 20;
 * - the console shows no errors and the page throws none.
 * The backend it ran on is reported as a test diagnostic. A screenshot goes to a temp folder, and
 * to docs/img/playground.png when JEPA_UPDATE_SCREENSHOTS=1.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { startServer } from '../../../packages/cli/src/serve/server.ts'

const CHROMIUM = '/usr/bin/chromium'
const screenshotTarget = join(import.meta.dirname, '..', '..', '..', 'docs', 'img', 'playground.png')
/** Flags that give headless chromium a GPU in software: WebGL through ANGLE on SwiftShader. */
const SOFTWARE_GPU_FLAGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist']

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length

test('the playground in headless chromium: 20 I-JEPA steps in the page, the loss falls, masks and kNN shown, no console errors', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium; scripts/setup.sh does)`, timeout: 300_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'jepa-playground-'))
  const server = await startServer({ root, port: 0 })
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: SOFTWARE_GPU_FLAGS })
  const problems: string[] = []
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } })
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`) })
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`))
    await page.goto(`${server.url}playground?family=ijepa&train=256&test=64&batch=8&steps=20&knnEvery=20&autostart=1`)
    await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#pg-status')?.getAttribute('data-state') ?? ''), undefined, { timeout: 280_000 })
    const state = await page.locator('#pg-status').getAttribute('data-state')
    assert.equal(state, 'done', `the page says: ${await page.locator('#pg-status').textContent()}`)
    const backend = await page.locator('#pg-status').getAttribute('data-backend')
    t.diagnostic(`backend: ${backend} (${await page.locator('#pg-backend').getAttribute('title')})`)
    assert.ok(backend === 'webgpu' || backend === 'webgl' || backend === 'cpu')

    const losses = JSON.parse((await page.locator('#pg-log').getAttribute('data-losses')) ?? '[]') as number[]
    t.diagnostic(`losses: ${losses.map((l) => l.toFixed(4)).join(' ')}`)
    assert.equal(losses.length, 20, 'twenty steps')
    assert.ok(losses.every(Number.isFinite), 'finite losses')
    assert.ok(mean(losses.slice(-5)) < mean(losses.slice(0, 5)), `the loss falls: first five ${mean(losses.slice(0, 5))}, last five ${mean(losses.slice(-5))}`)
    assert.equal(await page.locator('#pg-status').getAttribute('data-steps'), '20')

    const knn = JSON.parse((await page.locator('#pg-log').getAttribute('data-knn')) ?? '[]') as Array<{ step: number; top1: number }>
    t.diagnostic(`kNN top-1: ${knn.map((k) => `step ${k.step} ${(k.top1 * 100).toFixed(1)}%`).join(', ')}`)
    assert.deepEqual(knn.map((k) => k.step), [0, 20])
    assert.ok(knn.every((k) => k.top1 >= 0 && k.top1 <= 1))

    const painted = await page.locator('#pg-masks').evaluate((c) => {
      const data = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 256, 256).data
      let coloured = 0
      for (let i = 0; i < data.length; i += 4) if (data[i + 2]! > data[i]! + 40) coloured++
      return coloured
    })
    assert.ok(painted > 100, `the masks canvas shows blue context tokens (${painted} bluish pixels)`)
    assert.equal(await page.locator('#pg-loss svg path[aria-roledescription="line mark"]').count(), 1, 'the loss line')

    const shot = join(root, 'playground.png')
    await page.screenshot({ path: shot, fullPage: true })
    if (process.env['JEPA_UPDATE_SCREENSHOTS'] === '1') copyFileSync(shot, screenshotTarget)
    t.diagnostic(`screenshot: ${shot}`)
    assert.deepEqual(problems, [], 'no console errors, no page errors, no failed requests')
  } finally {
    await browser.close()
    await server.close()
  }
})
