// report.html in a real browser: Debian's Chromium, headless, driven by
// playwright-core (which never downloads a browser of its own). The page
// must load from the file alone, log no error, show every figure, and not be
// blank. Without /usr/bin/chromium this fails, saying how to install it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { plotRun } from '../../orchestrate/plots/plotting.ts';
import { decodePng, inkStats, pngSize } from './png.ts';
import { HARDWARE_EVENTS, matrix, writeRunDir } from './synthetic.ts';

const CHROMIUM = '/usr/bin/chromium';
// As the machine notes advise: no GPU, and none of Chromium's own network
// traffic (updates, sync, first-run), which a closed network refuses.
const ARGS = ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

let tmp: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the report's browser test needs Debian's Chromium (apt-get install chromium; .ci/run installs it)`);
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-browser-'));
  // playwright gives the browser a fresh, temporary profile of its own.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, chromiumSandbox: false, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function openReport(runName: string, rows: ReturnType<typeof matrix>, opts: { unsupported?: string[] } = {}) {
  const { outDir } = await plotRun(writeRunDir(path.join(tmp, 'results', runName), rows, opts));
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('request', (r) => {
    if (!/^(file|data):/.test(r.url())) foreign.push(r.url());
  });
  await page.goto(pathToFileURL(path.join(outDir, 'report.html')).href, { waitUntil: 'load' });
  return { page, errors, foreign };
}

describe('report.html in Chromium', () => {
  it('loads with no console errors and nothing fetched from elsewhere, every figure drawn, not blank', async () => {
    const { page, errors, foreign } = await openReport('browser', matrix({ counters: true }));
    try {
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
      const images = await page.$$eval('img', (imgs) => imgs.map((i) => ({ ok: i.complete && i.naturalWidth > 0, alt: i.alt, w: i.naturalWidth })));
      expect(await page.locator('figure[id] img').count()).toBe(7);
      expect(images.filter((i) => !i.ok)).toEqual([]);

      // Answers first, two columns: the words on the left, the figure beside them on the right, at a readable width.
      const words = await page.locator('section.key').first().locator('.words').boundingBox();
      const fig = await page.locator('section.key').first().locator('.figs img').first().boundingBox();
      expect(fig!.x).toBeGreaterThanOrEqual(words!.x + words!.width);
      expect(fig!.y).toBeLessThan(words!.y + words!.height);
      expect(fig!.width).toBeGreaterThan(600);
      expect(await page.title()).toMatch(/^copybench report: synthetic-/);

      const shot = await page.screenshot();
      expect(pngSize(shot)).toEqual({ width: 1280, height: 900 });
      const { ink, colours } = inkStats(decodePng(shot).pixels);
      expect(ink).toBeGreaterThan(0.02);
      expect(colours).toBeGreaterThan(5);

      // A figure on its own: drawn, with colour in it (the variants' lines).
      const figure = await page.locator('figure#\\31-throughput img').screenshot();
      const f = inkStats(decodePng(figure).pixels);
      expect(f.ink).toBeGreaterThan(0.02);
      expect(f.colours).toBeGreaterThan(20);
    } finally {
      await page.close();
    }
  });

  it('a run without hardware counters loads just as cleanly', async () => {
    const { page, errors } = await openReport('browser-nopmu', matrix({}), { unsupported: HARDWARE_EVENTS });
    try {
      expect(errors).toEqual([]);
      expect(await page.locator('body').innerText()).toContain('no hardware PMU');
      const broken = await page.$$eval('img', (imgs) => imgs.filter((i) => !(i.complete && i.naturalWidth > 0)).length);
      expect(broken).toBe(0);
    } finally {
      await page.close();
    }
  });
});
