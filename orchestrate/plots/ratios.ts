// Many ratios in one: a ratio at a point (variant ÷ variant, n threads ÷ 1,
// ...) with its 95 % interval, and a summary of many such ratios that keeps
// one real interval to quote (the middle point's) instead of inventing one
// for the median. Pure.
import type { Implementation, Mode } from '../config/domain.ts';
import { median, type Interval } from '../results/stats.ts';
import type { Verdict } from './compare.ts';

/** A ratio at one point, with where it was measured. */
export interface RatioAt {
  ratio: number;
  ci: Interval | null;
  verdict: Verdict;
  mode: Mode;
  msgSize: number;
  threads: number;
  impl?: Implementation;
}

/** Many ratios in one: median, range, how many beyond noise each way, and the middle point (its interval stands for them). */
export interface RatioSummary {
  median: number;
  min: number;
  max: number;
  points: number;
  /** Beyond noise above 1 and below 1 (whatever "better" means for the figure). */
  above: number;
  below: number;
  /** The point at the middle of the sorted ratios: its interval is the one quoted. */
  middle: RatioAt;
}

export function summarise(list: readonly RatioAt[]): RatioSummary | null {
  const judged = list.filter((r) => r.verdict !== 'mixed_regimes');
  if (judged.length === 0) return null;
  const sorted = [...judged].sort((a, b) => a.ratio - b.ratio);
  const beyond = (r: RatioAt) => r.ci !== null && (r.ci.lo > 1 || r.ci.hi < 1);
  return {
    median: median(sorted.map((r) => r.ratio))!,
    min: sorted[0]!.ratio,
    max: sorted[sorted.length - 1]!.ratio,
    points: sorted.length,
    above: sorted.filter((r) => beyond(r) && r.ci!.lo > 1).length,
    below: sorted.filter((r) => beyond(r) && r.ci!.hi < 1).length,
    middle: sorted[Math.floor(sorted.length / 2)]!,
  };
}

