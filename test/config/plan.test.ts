import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../orchestrate/config/load.ts';
import { UsageError, estimateSeconds, experimentKey, experimentSlug, parseOnly, planExperiments, rxOf, selectExperiments } from '../../orchestrate/config/plan.ts';
import { formatDuration, matrixSize } from '../../orchestrate/config/estimate.ts';

const config = parseConfig(
  'variants: [two_copy, zero_copy]\nmodes: [stream, rr]\nmessage_sizes: [64, 4096]\nthreads: [1, 4]\nrepetitions: 2\nduration_s: 1\nwarmup_s: 0.5\n',
  'plan.yaml',
);
const plan = planExperiments(config);

describe('planExperiments', () => {
  it('has one experiment per point and repetition, each key once', () => {
    expect(plan).toHaveLength(2 * 2 * 2 * 2 * 2);
    expect(plan).toHaveLength(matrixSize(config));
    expect(new Set(plan.map(experimentKey)).size).toBe(plan.length);
  });

  it('numbers experiments from 1 in plan order', () => {
    expect(plan.map((e) => e.index)).toEqual(plan.map((_, i) => i + 1));
  });

  it('runs variants back to back and repetitions outermost', () => {
    expect(plan.slice(0, 3).map((e) => [e.impl, e.mode, e.msgSize, e.threads, e.rep])).toEqual([
      ['two_copy', 'stream', 64, 1, 1],
      ['zero_copy', 'stream', 64, 1, 1],
      ['two_copy', 'stream', 64, 4, 1],
    ]);
    const half = plan.length / 2;
    expect(plan.slice(0, half).every((e) => e.rep === 1)).toBe(true);
    expect(plan.slice(half).every((e) => e.rep === 2)).toBe(true);
  });
});

describe('rx: a matrix dimension', () => {
  const both = planExperiments(parseConfig('variants: [one_copy, zero_copy]\nmodes: [stream]\nmessage_sizes: [4096]\nthreads: [1]\nrx: [copy, zerocopy]\nrepetitions: 1\n', 'rx.yaml'));

  it('defaults to copy, whose keys and names are those of runs from before it', () => {
    expect(plan.every((e) => e.rx === 'copy')).toBe(true);
    expect(experimentKey(plan[0]!)).toBe('two_copy/stream/64/1/1');
    expect(experimentSlug(plan[0]!)).toBe('r1-two_copy-stream-64B-1t');
  });

  it('multiplies the points, variants back to back within each receive mode, zerocopy marked in key and name', () => {
    expect(both.map((e) => `${e.impl}:${e.rx}`)).toEqual(['one_copy:copy', 'zero_copy:copy', 'one_copy:zerocopy', 'zero_copy:zerocopy']);
    expect(new Set(both.map(experimentKey)).size).toBe(4);
    expect(experimentKey(both[3]!)).toBe('zero_copy/stream/4096/1/rx=zerocopy/1');
    expect(experimentSlug(both[3]!)).toBe('r1-zero_copy-stream-4096B-1t-rxzerocopy');
  });

  it('--only rx= selects a receive mode, and names the choices when wrong', () => {
    expect(selectExperiments(both, parseOnly('rx=zerocopy')).map((e) => e.rx)).toEqual(['zerocopy', 'zerocopy']);
    expect(() => parseOnly('rx=mmap')).toThrow(/--only: rx must be one of copy, zerocopy, got "mmap"/);
  });

  it('a results.csv record without rx (older runs) copied', () => {
    expect(rxOf({})).toBe('copy');
    expect(rxOf({ rx: '' })).toBe('copy');
    expect(rxOf({ rx: 'zerocopy' })).toBe('zerocopy');
  });
});

describe('--only', () => {
  it('selects by several keys at once', () => {
    const picked = selectExperiments(plan, parseOnly('impl=zero_copy,threads=4'));
    expect(picked).toHaveLength(8);
    expect(picked.every((e) => e.impl === 'zero_copy' && e.threads === 4)).toBe(true);
  });

  it('matches either value of a repeated key', () => {
    const picked = selectExperiments(plan, parseOnly('size=64,size=4096,mode=rr,rep=2'));
    expect(picked.map((e) => e.msgSize).sort()).toEqual([4096, 4096, 4096, 4096, 64, 64, 64, 64]);
    expect(picked.every((e) => e.mode === 'rr' && e.rep === 2)).toBe(true);
  });

  it('keeps plan indices', () => {
    expect(selectExperiments(plan, parseOnly('rep=2'))[0]!.index).toBe(plan.length / 2 + 1);
  });

  it.each([
    ['impl=four_copy', /impl must be one of/],
    ['color=red', /unknown key "color"/],
    ['threads=two', /threads must be a positive integer/],
    ['threads', /expected key=value/],
    ['mode=burst', /mode must be one of/],
  ])('rejects %s', (spec, message) => {
    expect(() => parseOnly(spec)).toThrow(UsageError);
    expect(() => parseOnly(spec)).toThrow(message);
  });

  it('an empty spec selects everything', () => {
    expect(selectExperiments(plan, parseOnly(''))).toHaveLength(plan.length);
  });
});

describe('resume', () => {
  it('leaves out what is done, and only that', () => {
    const done = new Set(plan.slice(0, 5).map(experimentKey));
    const rest = selectExperiments(plan, {}, done);
    expect(rest).toEqual(plan.slice(5));
  });

  it('combines with --only', () => {
    const done = new Set(plan.filter((e) => e.impl === 'zero_copy' && e.rep === 1).map(experimentKey));
    const rest = selectExperiments(plan, parseOnly('impl=zero_copy'), done);
    expect(rest.every((e) => e.impl === 'zero_copy' && e.rep === 2)).toBe(true);
    expect(rest).toHaveLength(8);
  });
});

describe('estimates', () => {
  it('adds warm-up, duration and overhead per experiment', () => {
    const one = estimateSeconds(plan.slice(0, 1), config);
    expect(one).toBeGreaterThan(1.5);
    expect(estimateSeconds(plan, config)).toBeCloseTo(one * plan.length);
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(3725)).toBe('1h02m05s');
  });
});
