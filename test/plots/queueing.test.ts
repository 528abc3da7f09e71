// Little's law on points with known answers, and the answer it gives to
// "What is stream 'latency'?". Pure.
import { describe, expect, it } from 'vitest';
import { pointStats } from '../../orchestrate/plots/points.ts';
import {
  LITTLE_FACTOR,
  NO_QUEUE_COLUMNS,
  formatBytes,
  formatDelay,
  littleCheck,
  queueingAnswer,
} from '../../orchestrate/plots/queueing.ts';
import { TWO_CLOCKS, type Row } from '../../orchestrate/results/row.ts';
import { matrix, row } from './synthetic.ts';

// λ = 1 GB/s (8 Gbit/s) and W = 1 ms (1000 µs): λ·W = 1 MB, and L = 1 MB measured (0.8 MB + 0.2 MB).
const exact = row({ impl: 'two_copy', size: 65536, gbps: 8, latencyMeanUs: 1000, latencyP50Us: 900, queue: { server: 8e5, client: 2e5 } });
// λ·W = 8 Gbit/s × 5 ms = 5 MB against L = 1 MB: ratio 5, beyond the factor.
const off = row({ impl: 'one_copy', size: 65536, gbps: 8, latencyMeanUs: 5000, latencyP50Us: 4000, queue: { server: 5e5, client: 5e5 } });
const rr = [20, 30].map((p50, i) => row({ impl: 'two_copy', mode: 'rr', size: 1024, threads: i + 1, gbps: 1, latencyP50Us: p50 }));

describe('littleCheck', () => {
  it('λ = 1 GB/s, W = 1 ms, L = 1 MB: λ·W = 1 MB, ratio 1', () => {
    const check = littleCheck(pointStats([exact]));
    expect(check.missing).toBeNull();
    expect(check.points).toHaveLength(1);
    const [p] = check.points;
    expect(p!.predicted.median).toBeCloseTo(1e6, 6);
    expect(p!.measured!.median).toBe(1e6);
    expect(p!.ratio).toBeCloseTo(1, 12);
    expect(check.summary).toMatchObject({ n: 1, within: 1 });
    expect(check.summary!.median).toBeCloseTo(1, 12);
  });

  it('summarises the ratios: median, range, and how many lie within the factor', () => {
    const check = littleCheck(pointStats([exact, off, ...rr]));
    expect(check.points.map((p) => p.impl)).toEqual(['two_copy', 'one_copy']); // stream points only
    expect(check.summary!.min).toBeCloseTo(1, 9);
    expect(check.summary!.max).toBeCloseTo(5, 9);
    expect(check.summary!.median).toBeCloseTo(3, 9);
    expect(check.summary!.within).toBe(1);
    expect(LITTLE_FACTOR).toBe(2);
  });

  it('takes each side of a point over its repetitions (medians)', () => {
    const reps = [1, 2, 3].map((k) => row({ impl: 'two_copy', size: 1024, rep: k, gbps: 8, latencyMeanUs: 1000 * k, queue: { server: 1e6 * k, client: 0 } }));
    const [p] = littleCheck(pointStats(reps)).points;
    expect(p!.predicted).toMatchObject({ median: 2e6, n: 3 });
    expect(p!.predicted.min).toBeCloseTo(1e6, 6);
    expect(p!.measured).toMatchObject({ median: 2e6, min: 1e6, max: 3e6 });
    expect(p!.ratio).toBeCloseTo(1, 9);
  });

  it('says why there is no check: no queue columns, or no stream rows', () => {
    const old = littleCheck(pointStats(matrix({ repetitions: 1 })));
    expect(old.summary).toBeNull();
    expect(old.missing).toBe(NO_QUEUE_COLUMNS);
    expect(old.points.every((p) => p.measured === null && p.ratio === null)).toBe(true);
    expect(littleCheck(pointStats(rr)).missing).toBe('this run has no stream rows');
  });

  it('leaves a point with one side unknown unchecked (never as if that side were 0)', () => {
    const half = row({ impl: 'two_copy', size: 1024, gbps: 8, latencyMeanUs: 1000, queue: { server: 1e6, client: null } });
    const check = littleCheck(pointStats([half]));
    expect(check.points[0]!.measured).toBeNull();
    expect(check.summary).toBeNull();
  });
});

describe('queueingAnswer', () => {
  it('quotes the check, the stream p50 range and rr’s for comparison', () => {
    const a = queueingAnswer(pointStats([exact, off, ...rr]));
    expect(a.question).toBe('What is stream "latency"?');
    expect(a.figures).toEqual(['2b-queueing-delay', '2-latency']);
    expect(a.paragraph).toContain('from 900 µs (two_copy 64 KiB, 1 thread) to 4 ms (one_copy 64 KiB, 1 thread) across 2 stream points');
    expect(a.paragraph).toContain('median of 3.00 (range 1.00–5.00; 1 of 2 points within a factor of 2)');
    expect(a.paragraph).toContain('Little’s law holds at 1 of 2 stream points');
    expect(a.paragraph).toContain('rr’s round trip: its p50 ranges from 20 µs (two_copy 1 KiB, 1 thread) to 30 µs (two_copy 1 KiB, 2 threads)');
    expect(a.paragraph).toMatch(/one repetition per point/);
    expect(a.details.some((d) => d.startsWith('two_copy 64 KiB, 1 thread: λ·W = 980 KiB, L = 980 KiB, ratio 1.00'))).toBe(true);
    expect(a.details.some((d) => /one_copy 64 KiB, 1 thread: .*ratio 5\.00 \(beyond a factor of 2\)/.test(d))).toBe(true);
  });

  it('says the law holds everywhere when it does, and names the least repeatable point', () => {
    const reps = [1, 2, 3].map((k) =>
      row({ impl: 'zero_copy', size: 128, rep: k, gbps: 8, latencyMeanUs: 1000 * k, latencyP50Us: [1900, 17800, 26900][k - 1], queue: { server: 1e6 * k, client: 0 } }),
    );
    const a = queueingAnswer(pointStats([exact, ...reps]));
    expect(a.paragraph).toContain('Little’s law holds at every stream point');
    expect(a.paragraph).toContain('a queueing delay, which says how full the buffers were');
    expect(a.paragraph).toContain('varies most at zero_copy 128 B, 1 thread: p50 from 1.9 ms to 27 ms (14.2×)');
    expect(a.paragraph).toContain('This run has no rr rows');
  });

  it('says what is missing when the run has no queue columns', () => {
    const a = queueingAnswer(pointStats(matrix({ repetitions: 1 })));
    expect(a.paragraph).toContain(`Little’s law cannot be checked: ${NO_QUEUE_COLUMNS}.`);
    expect(a.details).toContain(NO_QUEUE_COLUMNS);
  });

  it('has nothing to explain without stream rows', () => {
    const a = queueingAnswer(pointStats(rr));
    expect(a.paragraph).toMatch(/^This run has no stream rows/);
    expect(a.details).toEqual([]);
  });

  it('says why stream rows across two hosts have no delay', () => {
    const twoHosts = matrix({ repetitions: 1 }).map((r): Row =>
      r.mode === 'stream' ? { ...r, latency_kind: TWO_CLOCKS, latency_us: null, latency_p50_us: null, latency_p99_us: null, latency_max_us: null } : r,
    );
    const a = queueingAnswer(pointStats(twoHosts));
    expect(a.paragraph).toMatch(/^Its stream rows have no one-way delay: server and client ran on two hosts, two clocks/);
    expect(a.paragraph).toMatch(/rr round trips \(the latency\): p50 /);
  });
});

describe('units for people', () => {
  it('writes delays and byte counts in the unit that reads best', () => {
    expect([11, 1900, 161000, 2.5e6].map(formatDelay)).toEqual(['11 µs', '1.9 ms', '160 ms', '2.5 s']);
    expect([900, 1536, 6.4 * 1024 * 1024].map(formatBytes)).toEqual(['900 B', '1.5 KiB', '6.4 MiB']);
  });
});
