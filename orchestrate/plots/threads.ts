// Thread count: each variant's total throughput at n threads ÷ its own at the
// smallest thread count, per mode and message size, with the 95 % interval
// of that ratio (compare.ts pointRatio: Welch on the logs). Stream and rr
// apart: a stream fills a core with copying, a round trip mostly waits.
// Pure: points in, ratios and per-mode trends out.
import { MODES, type Mode } from '../config/domain.ts';
import { pointRatio, type Comparison } from './compare.ts';
import type { FigureName, PointStats } from './points.ts';
import { summarise, type RatioAt, type RatioSummary } from './ratios.ts';

export interface ThreadRatio extends RatioAt {
  impl: Comparison['impl'];
  baseThreads: number;
  point: PointStats;
  basePoint: PointStats;
}

/**
 * Every point at more threads than its variant's smallest, against that
 * smallest (same mode and size): throughput unless another figure is named
 * (cache misses per KiB: lower is better).
 */
export function threadRatios(points: readonly PointStats[], figure: FigureName = 'throughput_gbps', higherIsBetter = true): ThreadRatio[] {
  return points.flatMap((p) => {
    const same = points.filter((q) => q.impl === p.impl && q.mode === p.mode && q.msgSize === p.msgSize);
    const base = same.reduce<PointStats | null>((m, q) => (m === null || q.threads < m.threads ? q : m), null);
    if (!base || base.threads === p.threads) return [];
    const r = pointRatio(p, base, figure, higherIsBetter);
    if (!r) return [];
    return [{ impl: p.impl, mode: p.mode, msgSize: p.msgSize, threads: p.threads, baseThreads: base.threads, ratio: r.ratio, ci: r.ci, verdict: r.verdict, point: p, basePoint: base }];
  });
}

/** Within this factor of 1 (median over sizes and variants), total throughput counts as flat. */
export const FLAT_BAND = 1.1;

export interface ModeScaling {
  mode: Mode;
  baseThreads: number;
  /** The largest thread count: the ratios summarised are at it. */
  threads: number;
  summary: RatioSummary;
  /** Per variant at the largest thread count: median and range over sizes. */
  byImpl: { impl: Comparison['impl']; median: number; min: number; max: number }[];
  trend: 'scales' | 'flat' | 'falls';
}

/** Per mode: total throughput at the largest thread count ÷ at the smallest, over sizes and variants. */
export function modeScaling(ratios: readonly ThreadRatio[]): ModeScaling[] {
  return MODES.flatMap((mode) => {
    const mine = ratios.filter((r) => r.mode === mode);
    if (mine.length === 0) return [];
    const threads = Math.max(...mine.map((r) => r.threads));
    const atMax = mine.filter((r) => r.threads === threads);
    const summary = summarise(atMax);
    if (!summary) return [];
    const byImpl = [...new Set(atMax.map((r) => r.impl))].flatMap((impl) => {
      const s = summarise(atMax.filter((r) => r.impl === impl));
      return s ? [{ impl, median: s.median, min: s.min, max: s.max }] : [];
    });
    const trend = summary.median >= FLAT_BAND ? 'scales' : summary.median <= 1 / FLAT_BAND ? 'falls' : 'flat';
    return [{ mode, baseThreads: atMax[0]!.baseThreads, threads, summary, byImpl, trend }];
  });
}
