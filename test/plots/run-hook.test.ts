// The end of a run draws its plots; a plotting failure loses no result and
// is reported. Real binaries on loopback (no root), a three-experiment run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsvRecords } from '../../orchestrate/results/table.ts';
import { perfWorks, runDirIn, runOrchestrator } from '../run/orchestrator.ts';
import { FIGURE_FILES } from './synthetic.ts';

const canRun = perfWorks();
if (!canRun) console.warn('run-hook.test.ts skipped: perf cannot count on this machine');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-hook-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tinyConfig(): string {
  const file = path.join(tmp, 'tiny.yaml');
  writeFileSync(
    file,
    ['name: tiny', 'topology: { kind: loopback }', 'modes: [stream]', 'message_sizes: [4096]', 'threads: [1]', 'duration_s: 0.2', 'warmup_s: 0.05', 'repetitions: 1'].join('\n'),
  );
  return file;
}

describe.skipIf(!canRun)('plots at the end of a run', () => {
  it('are drawn into plots/<run-id> beside the results folder', async () => {
    const out = path.join(tmp, 'a', 'results');
    const r = await runOrchestrator([tinyConfig(), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const runId = path.basename(runDirIn(out));
    const plots = path.join(tmp, 'a', 'plots', runId);
    expect(r.stderr).toContain(`plots: ${FIGURE_FILES.length + 2} files in ${plots}`);
    expect(readdirSync(plots)).toEqual(expect.arrayContaining([...FIGURE_FILES, 'report.html', 'report.md']));
    expect(readFileSync(path.join(plots, 'report.html'), 'utf8')).toContain(runId);
  });

  it('a plotting failure keeps every row, says how to retry, and exits 1', async () => {
    const base = path.join(tmp, 'b');
    const out = path.join(base, 'results');
    // A file where the plots folder would go: plotting cannot write.
    mkdirSync(base, { recursive: true });
    writeFileSync(path.join(base, 'plots'), 'not a folder');
    const r = await runOrchestrator([tinyConfig(), '--out', out]);
    expect(r.code).toBe(1);
    const dir = runDirIn(out);
    expect(r.stderr).toMatch(/plots: FAILED: /);
    expect(r.stderr).toContain(`the results are intact in ${dir}; draw them again with: npx zx orchestrate/plot.mts ${dir}`);
    const { records } = parseCsvRecords(readFileSync(path.join(dir, 'results.csv'), 'utf8'));
    expect(records.map((x) => x.implementation)).toEqual(['two_copy', 'one_copy', 'zero_copy']);
    expect(existsSync(path.join(dir, 'summary.csv'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')).status).toBe('done');
  });
});
