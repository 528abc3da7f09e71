import { describe, expect, it } from 'vitest';
import {
  chooseLastLevel,
  pointStats,
  readMeta,
  rowFigures,
  sideValue,
  spread,
} from '../../orchestrate/plots/dataset.ts';
import { EVENTS, metaJson, row } from './synthetic.ts';

describe('readMeta', () => {
  it('takes machine, config and unsupported events from meta.json', () => {
    const meta = readMeta(metaJson({ unsupported: ['cycles'] }));
    expect(meta.machine.cpu_model).toBe('Synthetic CPU @ 3.0GHz');
    expect(meta.config?.topology.kind).toBe('netns');
    expect(meta.perfUnsupported).toEqual(['cycles']);
  });

  it('tolerates a missing or foreign meta.json', () => {
    const meta = readMeta(null);
    expect(meta.config).toBeNull();
    expect(meta.machine).toEqual({});
    expect(readMeta({ config: { threads: 'four' } }).config).toBeNull();
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

describe('pointStats', () => {
  it('groups repetitions by point: median, min, max and how many had a value', () => {
    const rows = [1, 3, 2].map((gbps, i) => row({ impl: 'one_copy', size: 512, threads: 4, rep: i + 1, gbps }));
    const [p] = pointStats(rows);
    expect(p).toMatchObject({ impl: 'one_copy', mode: 'stream', msgSize: 512, threads: 4, reps: 3 });
    expect(p!.figures.throughput_gbps).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(p!.figures.cycles_per_byte).toBeNull();
  });

  it('sums zero-copy completions over repetitions', () => {
    const rows = [1, 2].map((rep) => row({ impl: 'zero_copy', size: 512, rep, gbps: 1, zc: { completions: 100, copied: 40 } }));
    expect(pointStats(rows)[0]!.zc).toMatchObject({ completions: 200, copied: 80 });
  });

  it('orders points by mode, variant, size, threads', () => {
    const rows = [
      row({ impl: 'zero_copy', size: 128, gbps: 1 }),
      row({ impl: 'two_copy', mode: 'rr', size: 128, gbps: 1 }),
      row({ impl: 'two_copy', size: 4096, gbps: 1 }),
      row({ impl: 'two_copy', size: 128, gbps: 1 }),
    ];
    expect(pointStats(rows).map((p) => `${p.mode}/${p.impl}/${p.msgSize}`)).toEqual([
      'stream/two_copy/128',
      'stream/two_copy/4096',
      'stream/zero_copy/128',
      'rr/two_copy/128',
    ]);
  });
});

describe('helpers', () => {
  it('spread ignores unknown values', () => {
    expect(spread([null, 4, null, 2])).toEqual({ median: 3, min: 2, max: 4, n: 2 });
    expect(spread([null])).toBeNull();
  });
});
