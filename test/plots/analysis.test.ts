import { describe, expect, it } from 'vitest';
import {
  analyse,
  cacheFinding,
  counterAbsence,
  cpuCount,
  crossovers,
  pinningNote,
  threadScaling,
  zeroCopyFinding,
} from '../../orchestrate/plots/analysis.ts';
import { speedupsOf, verdict } from '../../orchestrate/plots/compare.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { answerTo, answersOf, textOf } from './answers.ts';
import type { Row } from '../../orchestrate/results/row.ts';
import type { Implementation } from '../../orchestrate/config/domain.ts';
import { HARDWARE_EVENTS, matrix, reps, row, runData } from './synthetic.ts';

/** Three repetitions min, median, max (or one, at the median). */
const spread = (median: number, min: number, max: number, n = 3) => ({ median, min, max, n, values: n === 1 ? [median] : [min, median, max] });

describe('verdict', () => {
  it('is beyond noise only when the 95 % interval of the ratio excludes 1', () => {
    expect(verdict(spread(12, 11.5, 12.5), spread(10, 9.5, 10.5), true)).toBe('better');
    expect(verdict(spread(8, 7.5, 8.5), spread(10, 9.5, 10.5), true)).toBe('worse');
    expect(verdict(spread(10.6, 10.4, 10.8), spread(10, 9.5, 10.5), true)).toBe('within_noise');
  });

  it('turns around when lower is better (misses, time per byte)', () => {
    expect(verdict(spread(8, 7.5, 8.5), spread(10, 9.5, 10.5), false)).toBe('better');
  });

  it('cannot tell with a single repetition', () => {
    expect(verdict(spread(20, 20, 20, 1), spread(10, 9.5, 10.5), true)).toBe('noise_unknown');
  });
});

/** two_copy at 10 Gbit/s everywhere (±2 % over 3 repetitions); the others as `ratio` says. */
function race(ratio: (impl: Implementation, size: number, threads: number) => number, opts: { sizes?: number[]; threads?: number[]; n?: number } = {}): Row[] {
  const sizes = opts.sizes ?? [128, 1024, 65536];
  const out: Row[] = [];
  for (const impl of ['two_copy', 'one_copy', 'zero_copy'] as const)
    for (const size of sizes)
      for (const threads of opts.threads ?? [1, 2]) {
        const gbps = 10 * (impl === 'two_copy' ? 1 : ratio(impl, size, threads));
        out.push(...(opts.n === 1 ? [row({ impl, size, threads, gbps })] : reps({ impl, size, threads, gbps }, 0.02)));
      }
  return out;
}

describe('crossovers', () => {
  const rows = race((impl, size, threads) => {
    if (impl === 'zero_copy') return 0.5;
    if (threads === 1) return size >= 1024 ? 1.2 : 1.01;
    return size === 65536 ? 1.2 : 1.0;
  });
  const found = crossovers(speedupsOf(pointStats(rows)));
  const get = (impl: Implementation, threads: number) => found.find((c) => c.impl === impl && c.threads === threads && c.mode === 'stream')!;

  it('finds the smallest size beating two_copy beyond noise, per thread count', () => {
    expect(get('one_copy', 1)).toMatchObject({ status: 'found', smallest: 1024, beatsAt: [1024, 65536], holdsAbove: true, withinNoiseAt: [128] });
    expect(get('one_copy', 2)).toMatchObject({ status: 'found', smallest: 65536, beatsAt: [65536] });
  });

  it('says never when no size beats it, and where it was slower', () => {
    expect(get('zero_copy', 1)).toMatchObject({ status: 'never', smallest: null, worseAt: [128, 1024, 65536] });
  });

  it('says never when every difference is within noise', () => {
    const c = crossovers(speedupsOf(pointStats(race(() => 1.01))));
    expect(c.every((x) => x.status === 'never')).toBe(true);
    expect(c[0]!.withinNoiseAt).toEqual([128, 1024, 65536]);
  });

  it('notices a win that does not hold at larger sizes', () => {
    const c = crossovers(speedupsOf(pointStats(race((impl, size) => (impl === 'one_copy' && size === 1024 ? 1.3 : 1)))));
    expect(c.find((x) => x.impl === 'one_copy')).toMatchObject({ status: 'found', smallest: 1024, holdsAbove: false });
  });

  it('claims nothing from a single repetition', () => {
    const c = crossovers(speedupsOf(pointStats(race(() => 2, { n: 1 }))));
    expect(c.every((x) => x.status === 'undecided' && x.smallest === null)).toBe(true);
    const text = textOf(answersOf(race(() => 2, { n: 1 })));
    expect(text).toMatch(/one repetition per point/);
    expect(text).toMatch(/cannot tell/);
  });

  it('reads as "never in this run" in the answers', () => {
    const text = answerTo(answersOf(rows), /zero_copy beat/).details.join('\n');
    expect(text).toMatch(/1 thread: never in this run \(slower beyond noise at 128, 1K, 64K\)/);
    const one = answerTo(answersOf(rows), /one_copy beat/).details.join('\n');
    expect(one).toMatch(/1 thread: from 1K and at every larger size/);
  });
});

describe('cache levels', () => {
  it('names the level with the largest relative reduction, beyond noise', () => {
    // synthetic matrix: L1 misses ∝ 3 : 2 : 1.5, LLC ∝ 9 : 4 : 2.25 (two_copy : one_copy : zero_copy)
    const rows = matrix({ counters: true });
    const finding = cacheFinding(pointStats(rows), runData(rows));
    expect(finding.reason).toBeNull();
    expect(finding.largest).toMatchObject({ level: 'last level', impl: 'zero_copy' });
    expect(finding.largest!.medianReduction).toBeCloseTo(0.75, 1);
    const l1 = finding.reductions.find((r) => r.level === 'L1' && r.impl === 'one_copy')!;
    expect(l1.medianReduction).toBeCloseTo(1 / 3, 1);
    expect(l1.fewerBeyondNoise).toBe(l1.points);
  });

  it('claims no level when no reduction is beyond noise', () => {
    const rows = race(() => 1).map((r) => ({ ...r, perf: { ...r.perf, 'server_L1-dcache-load-misses': 1000, 'client_L1-dcache-load-misses': 1000 } }));
    const finding = cacheFinding(pointStats(rows), runData(rows));
    expect(finding.largest).toBeNull();
    expect(answerTo(answersOf(rows), /cache level/).paragraph).toMatch(/^No cache level shows a reduction beyond noise/);
  });

  it('is not measurable without a PMU, and says why', () => {
    const rows = matrix({ counters: false });
    const data = runData(rows, { unsupported: HARDWARE_EVENTS });
    const finding = cacheFinding(pointStats(rows), data);
    expect(finding.reductions).toEqual([]);
    expect(finding.reason).toMatch(/perf could not count L1-dcache-load-misses, LLC-load-misses, cache-misses on this machine: no hardware PMU/);
    const text = textOf(answersOf(rows, data));
    expect(text).toMatch(/not measurable in this run: perf could not count L1/);
    expect(text).toMatch(/cycles per byte: not measurable in this run: perf could not count cycles on this machine: no hardware PMU/);
    expect(text).toMatch(/CPU time per byte \(task-clock, not cycles\), server \+ client, zero_copy ÷ two_copy/);
    expect(text).toMatch(/CPU time per byte \(task-clock, not cycles\), server \(sender\), zero_copy ÷ two_copy .*resolution ±/);
  });
});

describe('counterAbsence', () => {
  const data = (unsupported: string[], events = ['cycles', 'LLC-load-misses', 'task-clock']) => ({ ...runData([], { unsupported }), events });

  it('blames the missing PMU only when even cycles is unsupported', () => {
    expect(counterAbsence(data(['cycles', 'LLC-load-misses']), ['LLC-load-misses'])).toMatch(/no hardware PMU/);
    expect(counterAbsence(data(['LLC-load-misses']), ['LLC-load-misses'])).toMatch(/on this CPU \(perf reported <not supported>\)/);
  });

  it('says when the run did not ask for the event', () => {
    expect(counterAbsence(data([]), ['L1-dcache-load-misses'])).toMatch(/did not ask perf for L1-dcache-load-misses/);
  });
});

describe('thread scaling', () => {
  it('efficiency = T(n) / (n × T(1)), median over sizes', () => {
    // one_copy doubles with 2 threads (100 %), two_copy stays flat (50 %)
    const rows = race((impl, _size, threads) => (impl === 'one_copy' ? threads : 1), { threads: [1, 2] });
    const s = threadScaling(pointStats(rows));
    expect(s.find((x) => x.impl === 'one_copy')!.byThreads[0]).toMatchObject({ threads: 2, sizes: 3 });
    expect(s.find((x) => x.impl === 'one_copy')!.byThreads[0]!.median).toBeCloseTo(1);
    expect(s.find((x) => x.impl === 'two_copy')!.byThreads[0]!.median).toBeCloseTo(0.5);
  });

  it('is relative to the smallest thread count measured', () => {
    const rows = race(() => 1, { threads: [2, 8] });
    const s = threadScaling(pointStats(rows));
    expect(s[0]).toMatchObject({ baseThreads: 2 });
    expect(s[0]!.byThreads[0]!.median).toBeCloseTo(0.25);
  });

  it('is not measurable with one thread count', () => {
    const rows = race(() => 1, { threads: [4] });
    const a = analyse(pointStats(rows), runData(rows));
    expect(a.scaling).toEqual([]);
    expect(answerTo(answersOf(rows), /thread count/).paragraph).toMatch(/^Not measurable in this run: one thread count \(4\)/);
  });

  it('explains flat scaling by the pinning when a side has fewer CPUs than threads', () => {
    expect(cpuCount('0')).toBe(1);
    expect(cpuCount('0-3,6')).toBe(5);
    const config = runData([]).config!;
    expect(pinningNote(config, 8)).toMatch(/server's threads share one CPU \(taskset 0\)/);
    expect(pinningNote({ ...config, pinning: { server: '0-7', client: null } }, 8)).toBeNull();
  });
});

describe('zero-copy completions', () => {
  const zcRows = (copied: number) => [row({ impl: 'zero_copy', size: 4096, gbps: 1, zc: { completions: 100, copied } }), row({ impl: 'zero_copy', size: 65536, gbps: 1, zc: { completions: 300, copied: 3 * copied } })];

  it('gives the copied fraction and, at 100 % over veth, the kernel’s reason', () => {
    const z = zeroCopyFinding(pointStats(zcRows(100)), runData([]).config)!;
    expect(z).toMatchObject({ completions: 400, copied: 400, fraction: 1, points: 2 });
    expect(z.reason).toMatch(/^over veth/);
    expect(z.reason).toMatch(/deferred copy/);
    expect(z.reason).toMatch(/SO_EE_CODE_ZEROCOPY_COPIED/);
  });

  it('names loopback when the run used it', () => {
    const z = zeroCopyFinding(pointStats(zcRows(100)), runData([], { topology: 'loopback' }).config)!;
    expect(z.reason).toMatch(/^over loopback/);
  });

  it('gives no reason when some sends really were zero-copy', () => {
    const z = zeroCopyFinding(pointStats(zcRows(25)), runData([]).config)!;
    expect(z.fraction).toBeCloseTo(0.25);
    expect(z.reason).toBeNull();
  });

  it('is absent without zero_copy rows', () => {
    expect(zeroCopyFinding(pointStats([row({ impl: 'two_copy', size: 1, gbps: 1 })]), null)).toBeNull();
  });
});

describe('chance', () => {
  it('the answers put the wins found next to what chance gives, and the resolution', () => {
    const rows = race((impl) => (impl === 'zero_copy' ? 0.5 : 1));
    const text = answerTo(answersOf(rows), /zero_copy beat/).details.join('\n');
    expect(text).toMatch(/Beyond noise: faster at 0, slower at 6 of 6 points; the smallest difference resolved is ±\d+\.\d% .* at 5% of points, about 0\.3 of 6 by chance/);
  });
});
