import { describe, expect, it } from 'vitest';
import { pointStats, spread } from '../../orchestrate/plots/points.ts';
import { row } from './synthetic.ts';

describe('pointStats', () => {
  it('groups repetitions by point: median, min, max and how many had a value', () => {
    const rows = [1, 3, 2].map((gbps, i) => row({ impl: 'one_copy', size: 512, threads: 4, rep: i + 1, gbps }));
    const [p] = pointStats(rows);
    expect(p).toMatchObject({ impl: 'one_copy', mode: 'stream', msgSize: 512, threads: 4, reps: 3 });
    expect(p!.figures.throughput_gbps).toEqual({ median: 2, min: 1, max: 3, n: 3, values: [1, 3, 2] });
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
    expect(spread([null, 4, null, 2])).toEqual({ median: 3, min: 2, max: 4, n: 2, values: [4, 2] });
    expect(spread([null])).toBeNull();
  });
});
