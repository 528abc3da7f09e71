// Comparing a variant with two_copy at each point, and telling a
// difference from run-to-run noise. Pure: per-point statistics in,
// comparisons out.
//
// Noise. A variant beats two_copy at a point only if its slowest repetition
// was faster than two_copy's fastest one — the ranges over repetitions do
// not overlap. With one repetition there is no range, so nothing is claimed.
import { MODES, type Implementation, type Mode } from '../config/domain.ts';
import type { FigureName, PointStats, Spread } from './points.ts';

export const BASELINE: Implementation = 'two_copy';
export const CHALLENGERS: Implementation[] = ['one_copy', 'zero_copy'];

/** How a variant's figure compares with two_copy's at one point, given the spread over repetitions. */
export type Verdict = 'better' | 'worse' | 'within_noise' | 'noise_unknown';

/** Compare two spreads; `higherIsBetter` for throughput, not for misses or time per byte. */
export function verdict(other: Spread, base: Spread, higherIsBetter: boolean): Verdict {
  if (other.n < 2 || base.n < 2) return 'noise_unknown';
  const [lo, hi] = higherIsBetter ? [base, other] : [other, base];
  if (hi.min > lo.max) return 'better';
  if (hi.max < lo.min) return 'worse';
  return 'within_noise';
}

export interface Comparison {
  impl: Implementation;
  mode: Mode;
  msgSize: number;
  threads: number;
  /** Median of the variant over median of two_copy. */
  ratio: number;
  verdict: Verdict;
  other: Spread;
  base: Spread;
}

/** Every point where both the variant and two_copy have the figure, compared. */
export function compareWithBaseline(
  points: readonly PointStats[],
  figure: FigureName,
  higherIsBetter: boolean,
): Comparison[] {
  const baseOf = new Map<string, PointStats>();
  for (const p of points) if (p.impl === BASELINE) baseOf.set(`${p.mode}/${p.msgSize}/${p.threads}`, p);
  const out: Comparison[] = [];
  for (const p of points) {
    if (p.impl === BASELINE) continue;
    const b = baseOf.get(`${p.mode}/${p.msgSize}/${p.threads}`);
    const other = p.figures[figure];
    const base = b?.figures[figure];
    if (!other || !base || base.median === 0) continue;
    out.push({
      impl: p.impl,
      mode: p.mode,
      msgSize: p.msgSize,
      threads: p.threads,
      ratio: other.median / base.median,
      verdict: verdict(other, base, higherIsBetter),
      other,
      base,
    });
  }
  return out;
}

/**
 * How often two variants that are really equal still give non-overlapping
 * ranges in a given direction: with a and b exchangeable repetitions, all a
 * above all b has probability 1 / C(a + b, a) — 1 in 20 for 3 against 3.
 */
export function chanceOfNonOverlap(a: number, b: number): number {
  let c = 1;
  for (let i = 1; i <= a; i++) c = (c * (b + i)) / i;
  return 1 / c;
}

/** Throughput of each variant ÷ two_copy's, at every point both have: the speedups. */
export function speedupsOf(points: readonly PointStats[]): Comparison[] {
  return compareWithBaseline(points, 'throughput_gbps', true);
}

/** The mode the per-byte figures use: stream where measured (it moves the most bytes), else rr. */
export function primaryMode(points: readonly { mode: Mode }[]): Mode | null {
  return MODES.find((m) => points.some((p) => p.mode === m)) ?? null;
}
