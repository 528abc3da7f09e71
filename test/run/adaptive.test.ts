// Adaptive repetitions: which points get one more, on measurements with known intervals.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../orchestrate/config/load.ts';
import { planExperiments, plannedRepetition, type Point } from '../../orchestrate/config/plan.ts';
import { adaptiveBudgetS, measuredOf, moreRepetitions, type Measured } from '../../orchestrate/run/adaptive.ts';
import { estimateCountSeconds } from '../../orchestrate/config/estimate.ts';

const config = parseConfig(
  `name: adaptive
topology: { kind: loopback }
variants: [two_copy, one_copy]
modes: [stream]
message_sizes: [1024, 65536]
threads: [1]
duration_s: 1
warmup_s: 0
repetitions: { min: 3, max: 5, target_ci_pct: 5 }
`,
  'adaptive.yaml',
);

const point = (impl: 'two_copy' | 'one_copy', msgSize: number): Point => ({ impl, mode: 'stream', msgSize, threads: 1, rx: 'copy' });
/** Repetitions 1..n of a point at these throughputs. */
const measured = (p: Point, values: number[]): Measured[] => values.map((throughputGbps, i) => ({ point: p, rep: i + 1, throughputGbps }));
const tight = [10, 10.05, 9.95]; // ±0.5 %: interval about ±1.2 %
const loose = [8, 10, 12]; // interval about ±60 %
const all = (a: number[], b: number[], c: number[], d: number[]) => [
  ...measured(point('two_copy', 1024), a),
  ...measured(point('one_copy', 1024), b),
  ...measured(point('two_copy', 65536), c),
  ...measured(point('one_copy', 65536), d),
];

describe('plan with adaptive repetitions', () => {
  it('plans min repetitions, repetitions outermost, with the indices of the max plan', () => {
    const plan = planExperiments(config);
    expect(plan).toHaveLength(4 * 3);
    expect(plan.map((e) => e.rep)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    expect(plan.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(plannedRepetition(config, point('one_copy', 65536), 4).index).toBe(16);
  });
});

describe('moreRepetitions', () => {
  const plenty = 1e6;

  it('asks for one more repetition only where the throughput interval is wider than the target', () => {
    const next = moreRepetitions({ config, measured: all(tight, loose, tight, tight), only: {}, remainingS: plenty });
    expect(next).toEqual([{ ...point('one_copy', 1024), rep: 4, index: 14 }]);
  });

  it('asks for none once every interval is narrow enough, or a point has max', () => {
    expect(moreRepetitions({ config, measured: all(tight, tight, tight, tight), only: {}, remainingS: plenty })).toEqual([]);
    expect(moreRepetitions({ config, measured: all(tight, [...loose, 9, 11], tight, tight), only: {}, remainingS: plenty })).toEqual([]);
  });

  it('leaves a point whose first repetitions did not all succeed (--resume runs them)', () => {
    expect(moreRepetitions({ config, measured: all(tight, [8, 12], tight, tight), only: {}, remainingS: plenty })).toEqual([]);
  });

  it('keeps to the time left, widest interval first, in plan order', () => {
    const wide = [5, 10, 15];
    const m = all(loose, tight, wide, tight);
    const one = estimateCountSeconds(1, config);
    expect(moreRepetitions({ config, measured: m, only: {}, remainingS: 2 * one }).map((e) => e.index)).toEqual([13, 15]);
    expect(moreRepetitions({ config, measured: m, only: {}, remainingS: 1.5 * one }).map((e) => e.msgSize)).toEqual([65536]);
    expect(moreRepetitions({ config, measured: m, only: {}, remainingS: 0 })).toEqual([]);
  });

  it('keeps to --only', () => {
    const m = all(loose, loose, loose, loose);
    expect(moreRepetitions({ config, measured: m, only: { impl: ['one_copy'] }, remainingS: plenty }).map((e) => e.impl)).toEqual(['one_copy', 'one_copy']);
    expect(moreRepetitions({ config, measured: m, only: { rep: [1, 2, 3] }, remainingS: plenty })).toEqual([]);
  });

  it('asks for nothing with a plain repetition count', () => {
    const fixed = { ...config, repetitions: 3 };
    expect(moreRepetitions({ config: fixed, measured: all(loose, loose, loose, loose), only: {}, remainingS: plenty })).toEqual([]);
  });
});

describe('budget and records', () => {
  it('defaults to the estimate for max repetitions of the points selected', () => {
    expect(adaptiveBudgetS(config, {})).toBeCloseTo(estimateCountSeconds(4 * 5, config));
    expect(adaptiveBudgetS(config, { impl: ['one_copy'] })).toBeCloseTo(estimateCountSeconds(2 * 5, config));
    expect(adaptiveBudgetS({ ...config, repetitions: { min: 3, max: 5, target_ci_pct: 5, time_budget_s: 60 } }, {})).toBe(60);
  });

  it('reads throughput per point and repetition from results.csv records, skipping what is not a row', () => {
    const records = [
      { implementation: 'one_copy', mode: 'stream', msg_size: '1024', threads: '1', rep: '2', throughput_gbps: '9.5' },
      { implementation: 'nope', mode: 'stream', msg_size: '1024', threads: '1', rep: '2', throughput_gbps: '9.5' },
    ];
    expect(measuredOf(records)).toEqual([{ point: point('one_copy', 1024), rep: 2, throughputGbps: 9.5 }]);
  });
});
