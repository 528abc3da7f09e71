// Intervals over repetitions: the t quantile and the Welch interval on logs, on data with known answers.
import { describe, expect, it } from 'vitest';
import { levelInterval, ratioInterval, studentTCdf, tQuantile } from '../../orchestrate/results/stats.ts';

describe('tQuantile', () => {
  it('matches the tables at 97.5 %', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.3027, 3);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.7764, 3);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.0423, 3);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-2.7764, 3);
  });

  it('takes fractional degrees of freedom (Welch) and inverts the CDF', () => {
    const t = tQuantile(0.975, 3.5);
    expect(t).toBeGreaterThan(tQuantile(0.975, 4));
    expect(t).toBeLessThan(tQuantile(0.975, 3));
    expect(studentTCdf(t, 3.5)).toBeCloseTo(0.975, 9);
  });
});

describe('ratioInterval', () => {
  const e = Math.exp;
  it('is exp(mean log difference ± t·se) with Welch degrees of freedom', () => {
    // logs [1,2,3] + 0.5 against [1,2,3]: difference 0.5, variances 1, se √(2/3), df 4.
    const ci = ratioInterval([e(1.5), e(2.5), e(3.5)], [e(1), e(2), e(3)])!;
    const h = 2.776445 * Math.sqrt(2 / 3);
    expect(ci.df).toBeCloseTo(4, 9);
    expect(Math.log(ci.estimate)).toBeCloseTo(0.5, 9);
    expect(Math.log(ci.lo)).toBeCloseTo(0.5 - h, 5);
    expect(Math.log(ci.hi)).toBeCloseTo(0.5 + h, 5);
    expect(ci.halfWidthPct).toBeCloseTo((e(h) - 1) * 100, 3);
  });

  it('is the same whatever the order of the repetitions (deterministic, no resampling)', () => {
    expect(ratioInterval([12, 11.5, 12.5], [10, 9.5, 10.5])).toEqual(ratioInterval([12.5, 12, 11.5], [10.5, 10, 9.5]));
  });

  it('excludes 1 for a clear difference, holds it for an overlapping one', () => {
    expect(ratioInterval([11.5, 12, 12.5], [9.5, 10, 10.5])!.lo).toBeGreaterThan(1);
    expect(ratioInterval([10.4, 10.6, 10.8], [9.5, 10, 10.5])!.lo).toBeLessThan(1);
  });

  it('is the point itself when no repetition differs, and null with fewer than two per side', () => {
    expect(ratioInterval([2, 2], [1, 1])).toMatchObject({ estimate: 2, lo: 2, hi: 2, halfWidthPct: 0 });
    expect(ratioInterval([2], [1, 1])).toBeNull();
    expect(ratioInterval([2, 0], [1, 1])).toBeNull();
  });
});

describe('levelInterval', () => {
  it('is the geometric mean with n − 1 degrees of freedom', () => {
    const ci = levelInterval([e1(0), e1(1), e1(2)])!;
    expect(ci.df).toBe(2);
    expect(Math.log(ci.estimate)).toBeCloseTo(1, 9);
    expect(Math.log(ci.hi) - 1).toBeCloseTo(4.302653 * Math.sqrt(1 / 3), 5);
  });
});

function e1(x: number) {
  return Math.exp(x);
}
