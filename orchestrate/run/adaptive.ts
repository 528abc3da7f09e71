// Adaptive repetitions: after `min` repetitions of every point, which points
// get one more. Pure: what has been measured in, experiments out; run.mts
// asks after every round (through the campaign's `more`) until none is left.
//
// A point gets another repetition while the 95 % interval of its throughput
// (results/stats.ts levelInterval: a t-interval on the logs) is wider than
// ±target_ci_pct and it has fewer than `max`. A round adds at most one
// repetition per point, in plan order, so repetitions stay the outer loop;
// when the time left does not cover the whole round, the widest intervals
// go first. A point whose first `min` did not all succeed is left to --resume.
import { estimateCountSeconds } from '../config/estimate.ts';
import { IMPLEMENTATIONS, MODES, type Implementation, type Mode } from '../config/domain.ts';
import { matchesOnly, planPoints, rxOf, plannedRepetition, pointKey, type Experiment, type OnlyFilter, type Point } from '../config/plan.ts';
import { repetitionPolicy } from '../config/repetitions.ts';
import type { Config } from '../config/schema.ts';
import { levelInterval } from '../results/stats.ts';

/** One measured repetition of a point: its throughput. */
export interface Measured {
  point: Point;
  rep: number;
  throughputGbps: number;
}

/** results.csv's records (store.ts readResultRecords) → what adaptive repetitions need of them. */
export function measuredOf(records: readonly Record<string, string>[]): Measured[] {
  return records.flatMap((r) => {
    const impl = r['implementation'] as Implementation;
    const mode = r['mode'] as Mode;
    const rep = Number(r['rep']);
    const throughputGbps = Number(r['throughput_gbps']);
    if (!IMPLEMENTATIONS.includes(impl) || !MODES.includes(mode) || !Number.isInteger(rep) || !Number.isFinite(throughputGbps)) return [];
    return [{ point: { impl, mode, msgSize: Number(r['msg_size']), threads: Number(r['threads']), rx: rxOf(r) }, rep, throughputGbps }];
  });
}

/** The time all adaptive rounds together may take: the config's budget, else the estimate for `max` repetitions of the points selected. */
export function adaptiveBudgetS(config: Config, only: OnlyFilter): number {
  const policy = repetitionPolicy(config);
  if (policy.timeBudgetS !== null) return policy.timeBudgetS;
  const points = planPoints(config).filter((p) => matchesOnly({ ...p, rep: 1, index: 0 }, { ...only, rep: undefined }));
  return estimateCountSeconds(points.length * policy.max, config);
}

export interface MoreRequest {
  config: Config;
  measured: readonly Measured[];
  only: OnlyFilter;
  /** Seconds of the budget left. */
  remainingS: number;
}

/** The next round: one more repetition of every point still too uncertain, as far as the time left allows. */
export function moreRepetitions({ config, measured, only, remainingS }: MoreRequest): Experiment[] {
  const policy = repetitionPolicy(config);
  if (policy.targetCiPct === null) return [];
  const byPoint = new Map<string, Measured[]>();
  for (const m of measured) byPoint.set(pointKey(m.point), [...(byPoint.get(pointKey(m.point)) ?? []), m]);
  const wanted: { experiment: Experiment; halfWidthPct: number }[] = [];
  for (const point of planPoints(config)) {
    const mine = byPoint.get(pointKey(point)) ?? [];
    if (mine.length < policy.min || mine.length >= policy.max) continue;
    const ci = levelInterval(mine.map((m) => m.throughputGbps));
    if (!ci || ci.halfWidthPct <= policy.targetCiPct) continue;
    const experiment = plannedRepetition(config, point, Math.max(...mine.map((m) => m.rep)) + 1);
    if (experiment.rep > policy.max || !matchesOnly(experiment, only)) continue;
    wanted.push({ experiment, halfWidthPct: ci.halfWidthPct });
  }
  const fits = Math.max(0, Math.floor(remainingS / estimateCountSeconds(1, config)));
  return wanted
    .sort((a, b) => b.halfWidthPct - a.halfWidthPct)
    .slice(0, fits)
    .map((w) => w.experiment)
    .sort((a, b) => a.index - b.index);
}
