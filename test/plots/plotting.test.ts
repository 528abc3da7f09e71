// plotting.ts reads a run folder's results.csv and meta.json, and nothing
// else: every figure, the per-byte ones included, comes out of a folder
// without raw/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyse } from '../../orchestrate/plots/analysis.ts';
import { allFigures } from '../../orchestrate/plots/figures.ts';
import { loadRun, plotRun, type PlotResult } from '../../orchestrate/plots/plotting.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { DataError } from '../../orchestrate/results/table.ts';
import { FIGURE_FILES, matrix, writeRunDir } from './synthetic.ts';

let tmp: string;
let dir: string;
let result: PlotResult;
const rows = matrix({ counters: true });

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-plotting-'));
  dir = writeRunDir(path.join(tmp, 'results', 'csv-only'), rows);
  result = await plotRun(dir);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a run folder with results.csv and meta.json only', () => {
  it('has no raw/ folder', () => {
    expect(readdirSync(dir).sort()).toEqual(['meta.json', 'results.csv']);
    expect(existsSync(path.join(dir, 'raw'))).toBe(false);
  });

  it('plots every figure with its data: none is a "missing" panel', () => {
    expect(result.empty).toEqual([]);
    expect(readdirSync(result.outDir).sort()).toEqual([...FIGURE_FILES, 'report.html', 'report.md'].sort());
  });

  it('divides the per-byte figures by server_bytes_sent from results.csv', () => {
    const data = loadRun(dir);
    const points = pointStats(data.rows);
    const figures = allFigures(points, analyse(points, data));
    for (const id of ['3-cache-misses', '4-cycles-per-byte', '4b-cpu-time-per-byte']) {
      const f = figures.find((x) => x.id === id)!;
      expect(f.hasData, id).toBe(true);
      expect(f.missing, id).toEqual([]);
    }
    // synthetic: task-clock 900 ms per side, server_bytes_sent = 1.8 s of the row's throughput
    const r = rows.find((x) => x.implementation === 'one_copy' && x.msg_size === 1024 && x.threads === 1 && x.mode === 'stream' && x.rep === 2)!;
    const p = points.find((x) => x.impl === 'one_copy' && x.msgSize === 1024 && x.threads === 1 && x.mode === 'stream')!;
    expect(p.figures.cpu_ns_per_byte!.median).toBeCloseTo((1800 * 1e6) / r.server_bytes_sent);
    expect(p.figures.cycles_per_byte!.median).toBeCloseTo(r.cpu_cycles! / r.server_bytes_sent);
  });
});

describe('meta.json', () => {
  it('present but not ours: a DataError naming the file', () => {
    const bad = writeRunDir(path.join(tmp, 'results', 'bad-meta'), rows.slice(0, 3));
    writeFileSync(path.join(bad, 'meta.json'), JSON.stringify({ run_id: 'x', status: 'sleeping' }));
    expect(() => loadRun(bad)).toThrow(DataError);
    expect(() => loadRun(bad)).toThrow(/bad-meta\/meta\.json: not a copybench meta\.json: .*status/);
  });

  it('missing: the run still loads, its facts unknown', () => {
    const bare = writeRunDir(path.join(tmp, 'results', 'no-meta'), rows.slice(0, 3), { meta: false });
    expect(loadRun(bare)).toMatchObject({ runId: 'no-meta', meta: null, config: null });
  });
});
