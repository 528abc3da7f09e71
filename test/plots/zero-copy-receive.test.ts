import { describe, expect, it } from 'vitest';
import type { Row } from '../../orchestrate/results/row.ts';
import { zeroCopyReceive, zeroCopyReceiveFigure } from '../../orchestrate/plots/zero-copy-receive.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { row } from './synthetic.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const rxRow = (impl: Row['implementation'], rx: 'copy' | 'zerocopy', mapped: number, copied: number, gbps: number, taskClockMs = 900): Row => ({
  ...row({ impl, size: 65536, gbps, taskClockMs }),
  rx,
  rx_mapped_bytes: mapped,
  rx_copied_bytes: copied,
});

const rows = [
  rxRow('one_copy', 'copy', 0, 1000, 4),
  rxRow('one_copy', 'zerocopy', 0, 1000, 3.8, 950),
  rxRow('zero_copy', 'copy', 0, 1000, 3),
  rxRow('zero_copy', 'zerocopy', 960, 40, 3.3, 600),
  rxRow('zero_copy', 'zerocopy', 980, 20, 3.5, 600),
];

describe('zero-copy receive', () => {
  it('none without rx: zerocopy rows (every older run)', () => {
    expect(zeroCopyReceive([row({ impl: 'two_copy', size: 1024, gbps: 1 })])).toBeNull();
  });

  it('the mapped share per sender and point, summed over repetitions, against the copying client at the same point', () => {
    const z = zeroCopyReceive(rows)!;
    expect(z.senders).toEqual([
      { impl: 'one_copy', mapped: 0, moved: 1000, fraction: 0 },
      { impl: 'zero_copy', mapped: 1940, moved: 2000, fraction: 0.97 },
    ]);
    const zc = z.points.find((p) => p.impl === 'zero_copy')!;
    expect(zc.reps).toBe(2);
    expect(zc.gbps).toEqual({ copy: 3, map: 3.4 });
    expect(zc.clientNsPerByte.map! / zc.clientNsPerByte.copy!).toBeCloseTo((600 / 3.3 + 600 / 3.5) / 2 / (900 / 3), 5); // each row: its task-clock over its bytes
  });

  it('leaves the mapping rows out of the sender figures: they compare senders under one receiver', () => {
    const points = pointStats(rows);
    expect(points.map((p) => [p.impl, p.reps])).toEqual([['one_copy', 1], ['zero_copy', 1]]);
  });

  it('figure 8: a bar per sender and size, the shares in the subtitle', () => {
    const f = zeroCopyReceiveFigure(zeroCopyReceive(rows)!, []);
    expect(f.hasData).toBe(true);
    expect((f.spec as Any).title.subtitle[0]).toBe('mapped share per sender: one_copy 0%, zero_copy 97%');
    const values = (f.spec as Any).vconcat[0].data.values;
    expect(values.map((v: Any) => [v.variant, v.fraction])).toEqual([['one_copy', 0], ['zero_copy', 0.97]]);
  });
});
