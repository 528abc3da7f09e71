// report.html and report.md: self-contained, with the machine, the config,
// the analysis, every figure and a summary table, all from the run's data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { speedupsOf } from '../../orchestrate/plots/compare.ts';
import { plotRun } from '../../orchestrate/plots/plotting.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { escapeHtml } from '../../orchestrate/plots/report.ts';
import { summaryLines } from '../../orchestrate/plots/report-tables.ts';
import { HARDWARE_EVENTS, matrix, writeRunDir } from './synthetic.ts';

let tmp: string;
let html: string;
let md: string;
let out: string;
let noPmuHtml: string;
let noRawHtml: string;

const rows = matrix({ counters: true, factor: (impl, size) => (impl === 'one_copy' && size >= 1024 ? 1.3 : 1) });

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-report-'));
  const r = await plotRun(writeRunDir(path.join(tmp, 'results', 'synthetic'), rows), undefined, new Date('2026-01-02T03:04:05Z'));
  out = r.outDir;
  html = readFileSync(path.join(out, 'report.html'), 'utf8');
  md = readFileSync(path.join(out, 'report.md'), 'utf8');
  const noPmu = await plotRun(writeRunDir(path.join(tmp, 'results', 'nopmu'), matrix({}), { unsupported: HARDWARE_EVENTS }));
  noPmuHtml = readFileSync(path.join(noPmu.outDir, 'report.html'), 'utf8');
  const noRaw = await plotRun(writeRunDir(path.join(tmp, 'results', 'noraw'), matrix({}), { meta: false }));
  noRawHtml = readFileSync(path.join(noRaw.outDir, 'report.html'), 'utf8');
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('report.html', () => {
  it('is one self-contained file: no scripts, no stylesheets or images from elsewhere', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(/i);
    const images = [...html.matchAll(/<img [^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    expect(images).toHaveLength(8);
    expect(images.every((src) => src.startsWith('data:image/svg+xml;base64,'))).toBe(true);
  });

  it('names the machine: CPU, cores, kernel, perf version', () => {
    for (const fact of ['Synthetic CPU @ 3.0GHz', '<th>cores</th><td>4</td>', 'Linux 6.1.0-test', 'perf version 6.1']) expect(html).toContain(fact);
  });

  it('gives the config', () => {
    expect(html).toContain('128, 1024, 65536 bytes');
    expect(html).toContain('server CPU 0, client CPU 1');
    expect(html).toMatch(/netns: cb-srv ↔ cb-cli over veth/);
  });

  it('answers the questions from the data', () => {
    expect(html).toContain('At what message size does one_copy beat two_copy?');
    expect(html).toContain('1 thread: from 1K and at every larger size');
    expect(html).toContain('Which cache level shows the largest relative reduction');
    expect(html).toContain('What share of zero_copy sends were copied after all?');
    expect(html).toContain('100.0% of');
  });

  it('has a summary table with a line per mode, size and thread count', () => {
    const points = pointStats(rows);
    const lines = summaryLines(points, speedupsOf(points));
    expect(lines).toHaveLength(2 * 3 * 2);
    const body = /<table class="summary">.*?<tbody>(.*?)<\/tbody>/s.exec(html)![1]!;
    expect(body.match(/<tr>/g)).toHaveLength(lines.length);
    expect(lines.find((l) => l.mode === 'stream' && l.msgSize === 1024 && l.threads === 1)!.speedup.one_copy).toMatch(/^1\.30× \[1\.\d\d, 1\.\d\d\]$/);
  });

  it('without a PMU says what is not measurable and why, and still shows CPU time', () => {
    expect(noPmuHtml).toContain('not measurable in this run: perf could not count L1-dcache-load-misses');
    expect(noPmuHtml).toContain('no hardware PMU');
    expect(noPmuHtml).toContain('CPU ns/B');
    expect(noPmuHtml).not.toContain('cycles/B');
  });

  it('without meta.json, says what it lacks; without raw/, lacks nothing (bytes sent are in results.csv)', () => {
    expect(noRawHtml).not.toContain('raw/');
    expect(noRawHtml).toContain('CPU ns/B');
    expect(noRawHtml).toContain('unknown (not in meta.json)');
  });

  it('escapes what it quotes', () => {
    expect(escapeHtml(`<not supported> & "x"`)).toBe('&lt;not supported&gt; &amp; &quot;x&quot;');
  });
});

describe('report.md', () => {
  it('links the PNGs beside it, each of which exists', () => {
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links).toHaveLength(8);
    for (const l of links) expect(existsSync(path.join(out, l)), l).toBe(true);
  });

  it('has the machine, the analysis and the summary table', () => {
    expect(md).toContain('| CPU | Synthetic CPU @ 3.0GHz |');
    expect(md).toContain('### At what message size does zero_copy beat two_copy?');
    expect(md).toMatch(/\| mode \| size \| threads \| two_copy Gbit\/s \|/);
    expect(md).toContain('generated 2026-01-02T03:04:05.000Z');
  });
});
