// orchestrate/plot.mts as a person runs it: usage, errors, exit codes, and
// the files it writes for a run folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPlotDir } from '../../orchestrate/plots/plotting.ts';
import { FIGURE_FILES, HARDWARE_EVENTS, matrix, writeRunDir } from './synthetic.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ZX_CLI = path.join(ROOT, 'node_modules/zx/build/cli.js');

function plot(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ZX_CLI, path.join(ROOT, 'orchestrate/plot.mts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}


let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-plot-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('plot.mts usage', () => {
  it('--help prints the usage and exits 0', () => {
    const r = plot(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: npx zx orchestrate\/plot.mts RUN_DIR \[--out DIR\]/);
  });

  it('exits 2 without a run folder, with two, or with an unknown option', () => {
    const none = plot([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/RUN_DIR is required/);
    expect(plot(['a', 'b']).code).toBe(2);
    expect(plot(['a', '--colour']).code).toBe(2);
  });

  it('exits 1 naming a folder that does not exist', () => {
    const r = plot([path.join(tmp, 'nope')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope: no such run folder/);
  });

  it('exits 1 on an empty results.csv, and on a folder without one', () => {
    const empty = path.join(tmp, 'results', 'empty');
    mkdirSync(empty, { recursive: true });
    expect(plot([empty]).stderr).toMatch(/results.csv: missing/);
    writeFileSync(path.join(empty, 'results.csv'), '');
    const r = plot([empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/results.csv: empty file/);
    expect(existsSync(defaultPlotDir(empty))).toBe(false);
  });
});

describe('plot.mts output', () => {
  it('draws every figure as SVG and PNG, and the report, into plots/<run-id> beside results/', () => {
    const dir = writeRunDir(path.join(tmp, 'results', 'synthetic-1'), matrix({ counters: true }));
    const r = plot([dir]);
    expect(r.code, r.stderr).toBe(0);
    const out = path.join(tmp, 'plots', 'synthetic-1');
    expect(r.stderr).toContain(out);
    expect(readdirSync(out).sort()).toEqual([...FIGURE_FILES, 'report.html', 'report.md'].sort());
  });

  it('on a machine without a PMU: every file, and a note for each figure without data', () => {
    const dir = writeRunDir(path.join(tmp, 'results', 'nopmu'), matrix({ counters: false }), { unsupported: HARDWARE_EVENTS });
    const out = path.join(tmp, 'elsewhere');
    const r = plot([dir, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(FIGURE_FILES));
    expect(r.stderr).toMatch(/note: 3-cache-misses: no data: .*no hardware PMU/);
    expect(r.stderr).toMatch(/note: 4-cycles-per-byte: no data: perf could not count cycles on this machine: no hardware PMU/);
  });
});

describe('defaultPlotDir', () => {
  it('is plots/<run-id> beside the folder that holds the run', () => {
    expect(defaultPlotDir('/x/results/full-1')).toBe('/x/plots/full-1');
    expect(defaultPlotDir('results/example')).toBe(path.resolve('plots/example'));
  });
});
