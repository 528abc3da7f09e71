// report.html and report.md: self-contained, answers first (each with its
// figure beside it), then the details, every figure, a summary table, and the
// machine, run and config, all from the run's data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { speedupsOf } from '../../orchestrate/plots/compare.ts';
import { plotRun } from '../../orchestrate/plots/plotting.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { escapeHtml, reportHtml, reportMarkdown, type RenderedFigure, type ReportInput } from '../../orchestrate/plots/report.ts';
import { analyse } from '../../orchestrate/plots/analysis.ts';
import type { KeyAnswer } from '../../orchestrate/plots/report-answers.ts';
import { summaryLines } from '../../orchestrate/plots/report-tables.ts';
import { HARDWARE_EVENTS, matrix, runData, writeRunDir } from './synthetic.ts';

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
    expect(images.every((src) => src.startsWith('data:image/svg+xml;base64,'))).toBe(true);
    // Every figure once under "All figures", and again beside each answer that points to it.
    const all = html.slice(html.indexOf('<h2>All figures</h2>'));
    expect([...all.matchAll(/<figure id="[^"]+"><h3>Figure [0-9a-z]+: /g)]).toHaveLength(7);
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
    expect(html).toContain('100% (all 36,000)');
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
    expect(new Set(links).size).toBe(7);
    for (const l of links) expect(existsSync(path.join(out, l)), l).toBe(true);
  });

  it('has the machine, the analysis and the summary table', () => {
    expect(md).toContain('| CPU | Synthetic CPU @ 3.0GHz |');
    expect(md).toContain('### At what message size does zero_copy beat two_copy?');
    expect(md).toMatch(/\| mode \| size \| threads \| two_copy Gbit\/s \|/);
    expect(md).toContain('generated 2026-01-02T03:04:05.000Z');
  });
});

describe('answers first', () => {
  const order = (text: string, marks: string[]) => marks.map((m) => [m, text.indexOf(m)] as const);

  it('report.md opens with the answers; details, figures, summary and the machine follow', () => {
    const marks = order(md, ['# copybench report', '## Answers', '## Details', '## All figures', '## Summary', '## Machine', '## Run', '## Config']);
    for (const [m, i] of marks) expect(i, m).toBeGreaterThanOrEqual(0);
    expect(marks.map(([, i]) => i)).toEqual([...marks.map(([, i]) => i)].sort((a, b) => a - b));
    // One line under the title: the run, the machine, the rows, the other format.
    expect(md.split('\n')[2]).toMatch(/^Run synthetic-20260101-000000 on Synthetic CPU @ 3\.0GHz, 4 cores, Linux 6\.1\.0-test; 108 rows \(36 points × 3 repetitions\); .*\[report\.html\]\(report\.html\)\.$/);
  });

  it('report.md shows each answer’s figure right under its paragraph', () => {
    const answers = md.slice(md.indexOf('## Answers'), md.indexOf('## Details'));
    const one = answers.slice(answers.indexOf('### At what message size does one_copy beat two_copy?'));
    const [, paragraph, figure] = one.split('\n\n');
    expect(paragraph).toMatch(/^In stream, one_copy beats two_copy beyond noise from 1K at 1 and 2 threads \(1\.30× \[.*\(figure 6\)\.$/);
    expect(figure).toBe('![Figure 6: Throughput speedup over two_copy](6-speedup.png)');
    // The per-thread lines are details, not answers.
    expect(answers).not.toMatch(/1 thread: from 1K/);
    expect(md.slice(md.indexOf('## Details'))).toMatch(/1 thread: from 1K and at every larger size/);
  });

  it('report.html puts each answer beside its figures, and the tables at the end', () => {
    expect(html.indexOf('<h2>Answers</h2>')).toBeLessThan(html.indexOf('<h2>Machine</h2>'));
    expect(html.indexOf('<h2>Details</h2>')).toBeGreaterThan(html.indexOf('<h2>Answers</h2>'));
    expect(html.indexOf('<h2>Details</h2>')).toBeLessThan(html.indexOf('<h2>All figures</h2>'));
    const sections = [...html.matchAll(/<section class="key" id="answer-(\d+)">(.*?)<\/section>/gs)].map((m) => m[2]!);
    expect(sections).toHaveLength(9);
    const why = sections[0]!;
    expect(why).toMatch(/^<div class="words"><h3>Why does zero-copy not always give the best throughput\?<\/h3><p>.*\(figure 6\).*<\/p><\/div><div class="figs"><figure><img alt="Throughput speedup over two_copy" src="data:image\/svg\+xml;base64,/s);
    expect(why).toContain('<a href="#6-speedup">Figure 6: Throughput speedup over two_copy</a>');
    // Figure 6 again beside a later answer: linked to where it is drawn, not drawn twice.
    const one = sections.find((s) => s.includes('At what message size does one_copy beat two_copy?'))!;
    expect(one).toMatch(/\(figure 6\)\.<\/p><\/div><div class="figs"><p class="seen"><a href="#answer-1">Figure 6: Throughput speedup over two_copy<\/a>, beside an answer above<\/p><\/div>$/);
    const answersPart = html.slice(html.indexOf('<h2>Answers</h2>'), html.indexOf('<h2>Details</h2>'));
    const drawn = [...answersPart.matchAll(/<img alt="([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(drawn).size).toBe(drawn.length);
    expect(html).toContain('<figure id="6-speedup">');
  });
});

describe('answers and sections from elsewhere', () => {
  const fake = (id: string, title: string): RenderedFigure => ({
    figure: { id, title, caption: `${title}.`, missing: [], hasData: true, spec: {} as RenderedFigure['figure']['spec'] },
    svg: '<svg xmlns="http://www.w3.org/2000/svg"/>',
    svgFile: `${id}.svg`,
    pngFile: `${id}.png`,
  });
  const queueing: KeyAnswer = {
    question: 'How long do stream messages wait in socket buffers?',
    paragraph: 'They wait 2.0 ms (figure 2b).',
    figures: ['2b-queueing-delay'],
    details: ["Little's law: 3 points checked"],
  };
  const input = (figures: RenderedFigure[]): ReportInput => {
    const data = runData(rows);
    const points = pointStats(rows);
    return {
      data,
      points,
      analysis: analyse(points, data),
      figures,
      generatedAt: '2026-01-02T03:04:05.000Z',
      extraAnswers: [queueing],
      extraSections: [{ title: 'MT25042 seeds', markdown: ['seed line'], html: '<p>seed line</p>' }],
    };
  };

  it('appends an extra answer after the course answers, with its figure beside it, and its details', () => {
    const text = reportMarkdown(input([fake('6-speedup', 'Speedup'), fake('2b-queueing-delay', 'Queueing delay')]));
    const answers = text.slice(text.indexOf('## Answers'), text.indexOf('## Details'));
    expect(answers.indexOf('### How long do stream messages wait in socket buffers?')).toBeGreaterThan(answers.indexOf('### Did every repetition'));
    expect(answers).toContain('They wait 2.0 ms (figure 2b).\n\n![Figure 2b: Queueing delay](2b-queueing-delay.png)');
    expect(text.slice(text.indexOf('## Details'))).toContain("- Little's law: 3 points checked");
  });

  it('leaves out an extra answer’s figure the report does not have', () => {
    const text = reportMarkdown(input([fake('6-speedup', 'Speedup')]));
    expect(text).not.toContain('2b-queueing-delay.png');
    const html = reportHtml(input([fake('6-speedup', 'Speedup')]));
    const section = /<section class="key" id="answer-\d+"><div class="words"><h3>How long do stream messages wait.*?<\/section>/s.exec(html)![0];
    expect(section).toContain('<div class="figs"></div>');
  });

  it('places extra sections after the details and before the figures', () => {
    const text = reportMarkdown(input([]));
    expect(text.indexOf('## MT25042 seeds\n\nseed line')).toBeGreaterThan(text.indexOf('## Details'));
    expect(text.indexOf('## MT25042 seeds')).toBeLessThan(text.indexOf('## All figures'));
    const html = reportHtml(input([]));
    expect(html.indexOf('<h2>MT25042 seeds</h2>\n<p>seed line</p>')).toBeLessThan(html.indexOf('<h2>All figures</h2>'));
  });
});
