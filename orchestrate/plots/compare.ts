// Comparing a variant with two_copy at each point, and telling a
// difference from run-to-run noise. Pure: per-point statistics in,
// comparisons out.
//
// Noise. Every ratio variant ÷ two_copy comes with a 95 % confidence
// interval from the repetitions (results/stats.ts ratioInterval: a Welch
// t-interval on the logs, the ratio being one of geometric means). A
// difference is beyond noise when the interval excludes 1. The interval's
// half-width (in %) is the smallest difference the run could resolve at that
// point. With fewer than two repetitions on either side there is no interval
// and nothing is claimed. Where the repetitions of either point ran in
// different TCP regimes (regimes.ts) the verdict is `mixed_regimes`: the
// spread is a change of regime, not noise, and is shown as such.
import { MODES, type Implementation, type Mode } from '../config/domain.ts';
import { ratioInterval, type Interval } from '../results/stats.ts';
import type { FigureName, PointStats, Spread } from './points.ts';

export const BASELINE: Implementation = 'two_copy';
export const CHALLENGERS: Implementation[] = ['one_copy', 'zero_copy', 'uring_zero_copy'];
/** The course asks about these whether or not they ran; the others are answered only when they did. */
export const COURSE_CHALLENGERS: readonly Implementation[] = ['one_copy', 'zero_copy'];

/** How a variant's figure compares with two_copy's at one point. */
export type Verdict = 'better' | 'worse' | 'within_noise' | 'noise_unknown' | 'mixed_regimes';

/** The verdict of an interval of variant ÷ two_copy; `higherIsBetter` for throughput, not for misses or time per byte. */
export function verdictOf(ci: Interval | null, higherIsBetter: boolean): Verdict {
  if (!ci) return 'noise_unknown';
  if (ci.lo > 1) return higherIsBetter ? 'better' : 'worse';
  if (ci.hi < 1) return higherIsBetter ? 'worse' : 'better';
  return 'within_noise';
}

/** Compare two spreads through the interval of their ratio. */
export function verdict(other: Spread, base: Spread, higherIsBetter: boolean): Verdict {
  return verdictOf(ratioInterval(other.values, base.values), higherIsBetter);
}

export interface Comparison {
  impl: Implementation;
  mode: Mode;
  msgSize: number;
  threads: number;
  /** Variant ÷ two_copy: the ratio of geometric means where there is an interval, else of medians. */
  ratio: number;
  /** Its 95 % interval; null with fewer than two repetitions on a side. */
  ci: Interval | null;
  verdict: Verdict;
  other: Spread;
  base: Spread;
  /** The points themselves, for their regimes. */
  otherPoint: PointStats;
  basePoint: PointStats;
}

/** One point's figure ÷ another's, with its interval and verdict; null where either lacks the figure (or the base is 0). */
export function pointRatio(other: PointStats, base: PointStats, figure: FigureName, higherIsBetter: boolean): Pick<Comparison, 'ratio' | 'ci' | 'verdict' | 'other' | 'base'> | null {
  const o = other.figures[figure];
  const b = base.figures[figure];
  if (!o || !b || b.median === 0) return null;
  const ci = ratioInterval(o.values, b.values);
  return {
    ratio: ci?.estimate ?? o.median / b.median,
    ci,
    verdict: other.regimes || base.regimes ? 'mixed_regimes' : verdictOf(ci, higherIsBetter),
    other: o,
    base: b,
  };
}

/** Every point where both the variant and `baseline` (two_copy unless said) have the figure, compared. */
export function compareWithBaseline(
  points: readonly PointStats[],
  figure: FigureName,
  higherIsBetter: boolean,
  baseline: Implementation = BASELINE,
): Comparison[] {
  const baseOf = new Map<string, PointStats>();
  for (const p of points) if (p.impl === baseline) baseOf.set(`${p.mode}/${p.msgSize}/${p.threads}`, p);
  const out: Comparison[] = [];
  for (const p of points) {
    if (p.impl === baseline) continue;
    const b = baseOf.get(`${p.mode}/${p.msgSize}/${p.threads}`);
    const r = b ? pointRatio(p, b, figure, higherIsBetter) : null;
    if (!b || !r) continue;
    out.push({ impl: p.impl, mode: p.mode, msgSize: p.msgSize, threads: p.threads, ...r, otherPoint: p, basePoint: b });
  }
  return out;
}

/** `1.23× [1.10, 1.37]`, or `1.23×` without an interval. */
export function ratioText(c: Pick<Comparison, 'ratio' | 'ci'>): string {
  return c.ci ? `${c.ratio.toFixed(2)}× [${c.ci.lo.toFixed(2)}, ${c.ci.hi.toFixed(2)}]` : `${c.ratio.toFixed(2)}×`;
}

/** Throughput of each variant ÷ two_copy's, at every point both have: the speedups. */
export function speedupsOf(points: readonly PointStats[]): Comparison[] {
  return compareWithBaseline(points, 'throughput_gbps', true);
}

/** The mode the per-byte figures use: stream where measured (it moves the most bytes), else rr. */
export function primaryMode(points: readonly { mode: Mode }[]): Mode | null {
  return MODES.find((m) => points.some((p) => p.mode === m)) ?? null;
}
