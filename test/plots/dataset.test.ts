import { describe, expect, it } from 'vitest';
import {
  chooseLastLevel,
  readRunMeta,
  rowFigures,
  runFromFiles,
  sideValue,
} from '../../orchestrate/plots/dataset.ts';
import { csvHeader, formatCsvLine, rowCells } from '../../orchestrate/results/row.ts';
import { DataError } from '../../orchestrate/results/table.ts';
import { EVENTS, metaJson, row } from './synthetic.ts';

const metaText = (opts: Parameters<typeof metaJson>[0] = {}) => JSON.stringify(metaJson(opts));

describe('readRunMeta', () => {
  it('takes machine, config and unsupported events from meta.json (read through results/meta.ts)', () => {
    const { meta, config } = readRunMeta(metaText({ unsupported: ['cycles'] }), 'meta.json');
    expect(meta!.machine.cpu_model).toBe('Synthetic CPU @ 3.0GHz');
    expect(config?.topology.kind).toBe('netns');
    expect(meta!.perf_unsupported).toEqual(['cycles']);
  });

  it('tolerates a missing meta.json, and a config this version no longer reads', () => {
    expect(readRunMeta(null, 'meta.json')).toEqual({ meta: null, config: null });
    const old = readRunMeta(JSON.stringify({ ...metaJson(), config: { threads: 'four' } }), 'meta.json');
    expect(old.config).toBeNull();
    expect(old.meta!.run_id).toBe('synthetic-20260101-000000');
  });

  it('rejects a meta.json that is present but not ours, naming the file and the field', () => {
    expect(() => readRunMeta('{"config": {}}', 'r/meta.json')).toThrow(DataError);
    expect(() => readRunMeta('{"config": {}}', 'r/meta.json')).toThrow(/r\/meta\.json: not a copybench meta\.json: .*run_id/);
    expect(() => readRunMeta('{not json', 'r/meta.json')).toThrow(/r\/meta\.json: not JSON/);
  });
});

describe('runFromFiles', () => {
  const csv = { text: [formatCsvLine(csvHeader(EVENTS)), formatCsvLine(rowCells(row({ impl: 'one_copy', size: 512, gbps: 2, bytesSent: 4096 }), EVENTS))].join(''), source: 'results.csv' };

  it('takes the run id from meta.json, or else from the folder', () => {
    expect(runFromFiles({ folder: 'f', csv, meta: { text: metaText(), source: 'meta.json' } }).runId).toBe('synthetic-20260101-000000');
    const bare = runFromFiles({ folder: 'f', csv, meta: { text: null, source: 'meta.json' } });
    expect(bare).toMatchObject({ runId: 'f', events: EVENTS, meta: null, config: null });
    expect(bare.rows[0]!.server_bytes_sent).toBe(4096);
  });
});

describe('per-row figures', () => {
  it('CPU time per byte: server + client task-clock (ms) over the bytes the server sent, in ns', () => {
    const r = row({ impl: 'two_copy', size: 1024, gbps: 1, taskClockMs: 500, bytesSent: 1e9 });
    // (500 + 500) ms = 1e9 ns over 1e9 bytes
    expect(rowFigures(r, chooseLastLevel([r])).cpu_ns_per_byte).toBeCloseTo(1);
  });

  it('cache misses per KiB sent, per side', () => {
    const r = row({ impl: 'two_copy', size: 1024, gbps: 1, bytesSent: 1024 * 1000, counters: { cycles: 1, l1: 5000, llc: 100 } });
    const f = rowFigures(r, chooseLastLevel([r]));
    expect(f.l1_server_per_kib).toBeCloseTo(5);
    expect(f.l1_client_per_kib).toBeCloseTo(4);
    expect(f.ll_server_per_kib).toBeCloseTo(0.1);
    expect(f.l1_per_kib).toBeCloseTo(9);
  });

  it('per-byte figures are unknown when the server sent nothing, and without counters', () => {
    const noBytes = row({ impl: 'two_copy', size: 1024, gbps: 1, bytesSent: 0 });
    expect(rowFigures(noBytes, chooseLastLevel([noBytes])).cpu_ns_per_byte).toBeNull();
    const noPmu = row({ impl: 'two_copy', size: 1024, gbps: 1, counters: null });
    expect(rowFigures(noPmu, chooseLastLevel([noPmu])).l1_server_per_kib).toBeNull();
  });

  it('the last level is LLC-load-misses where counted, else cache-misses, else nothing', () => {
    expect(chooseLastLevel([row({ impl: 'two_copy', size: 1, gbps: 1, counters: { cycles: 1, l1: 1, llc: 1 } })]).event).toBe('LLC-load-misses');
    const fallback = chooseLastLevel([row({ impl: 'two_copy', size: 1, gbps: 1, counters: { cycles: 1, l1: 1, llc: 1 }, onlyCacheMisses: true })]);
    expect(fallback.event).toBe('cache-misses');
    expect(fallback.label).toMatch(/does not count LLC-load-misses/);
    expect(chooseLastLevel([row({ impl: 'two_copy', size: 1, gbps: 1 })]).event).toBeNull();
  });

  it('sums :u and :k halves of a split counter', () => {
    const r = row({ impl: 'two_copy', size: 1, gbps: 1 });
    r.perf = { 'server_cycles:u': 10, 'server_cycles:k': 30, 'client_cycles:u': 5, 'client_cycles:k': null };
    expect(sideValue(r, 'server', ['cycles'])).toBe(40);
    expect(sideValue(r, 'client', ['cycles'])).toBeNull();
  });
});
