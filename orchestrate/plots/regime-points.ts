// The points whose spread the analysis does not judge: repetitions in
// different TCP regimes, and points that varied widely within one regime.
// Pure: point statistics in, lists out.
import type { Implementation, Mode } from '../config/domain.ts';
import { coefficientOfVariation } from '../results/stats.ts';
import type { PointStats } from './points.ts';
import { UNSTEADY_CV_PCT, type RegimeSplit, type RepetitionRegime } from './regimes.ts';

/** A point whose repetitions ran in different TCP regimes (regimes.ts): each repetition's regime and throughput. */
export interface RegimePoint {
  impl: Implementation;
  mode: Mode;
  msgSize: number;
  threads: number;
  split: RegimeSplit;
}

export function regimePoints(points: readonly PointStats[]): RegimePoint[] {
  return points.flatMap((p) => (p.regimes ? [{ impl: p.impl, mode: p.mode, msgSize: p.msgSize, threads: p.threads, split: p.regimes }] : []));
}

/** A point whose throughput varied by more than UNSTEADY_CV_PCT within one regime: its repetitions, named. */
export interface UnsteadyPoint {
  impl: Implementation;
  mode: Mode;
  msgSize: number;
  threads: number;
  cvPct: number;
  reps: RepetitionRegime[];
}

export function unsteadyPoints(points: readonly PointStats[]): UnsteadyPoint[] {
  return points.flatMap((p) => {
    const v = p.figures.throughput_gbps?.values ?? [];
    if (p.regimes || v.length < 2) return [];
    const cvPct = (coefficientOfVariation(v) ?? 0) * 100;
    return cvPct > UNSTEADY_CV_PCT ? [{ impl: p.impl, mode: p.mode, msgSize: p.msgSize, threads: p.threads, cvPct, reps: p.repetitions }] : [];
  });
}

