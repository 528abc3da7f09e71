// Why zero-copy is not always fastest, from this run: where it comes closest
// to (or beats) two_copy and one_copy, what its sender pays per byte against
// one_copy's (pinning pages, reading completions), and, with attribution.csv,
// the sampled share of that overhead and of the deferred copy. The copied
// fraction is zero-copy.ts's. Pure: points in, the facts out.
import type { AttributionRow } from '../results/attribution-rows.ts';
import { compareWithBaseline, pointRatio, type Comparison } from './compare.ts';
import type { PointStats } from './points.ts';
import { summarise, type RatioAt, type RatioSummary } from './ratios.ts';

export interface ZeroCopyWhy {
  /** zero_copy ÷ two_copy throughput over every point both have. */
  vsTwo: RatioSummary;
  /** Points where zero_copy beats two_copy beyond noise. */
  beatsTwoAt: RatioAt[];
  /** Where zero_copy ÷ two_copy is highest (regime-mixed points left out): where it is fastest, if anywhere. */
  best: RatioAt;
  /** zero_copy ÷ one_copy throughput at `best`, and over every point. */
  vsOneAtBest: RatioAt | null;
  vsOne: RatioSummary | null;
  /** The sender's CPU time per byte, zero_copy ÷ one_copy, at `best` and over the points of its mode. */
  senderCpuAtBest: RatioAt | null;
  senderCpu: RatioSummary | null;
  /** With attribution.csv: the sampled share range of zc_overhead (sender) and deferred_copy (receiver) at zero_copy's points. */
  shares: { zcOverhead: ShareRange | null; deferredCopy: ShareRange | null } | null;
}

export interface ShareRange {
  min: number;
  max: number;
  points: number;
}

const at = (c: Comparison): RatioAt => ({ ratio: c.ratio, ci: c.ci, verdict: c.verdict, mode: c.mode, msgSize: c.msgSize, threads: c.threads, impl: c.impl });

function shareRange(rows: readonly AttributionRow[], side: AttributionRow['side'], site: AttributionRow['site']): ShareRange | null {
  const shares = rows.filter((r) => r.implementation === 'zero_copy' && r.side === side && r.site === site).map((r) => r.share);
  return shares.length ? { min: Math.min(...shares), max: Math.max(...shares), points: shares.length } : null;
}

export function zeroCopyWhy(points: readonly PointStats[], speedups: readonly Comparison[], attribution?: readonly AttributionRow[]): ZeroCopyWhy | null {
  const vsTwoList = speedups.filter((c) => c.impl === 'zero_copy');
  const judged = vsTwoList.filter((c) => c.verdict !== 'mixed_regimes');
  const vsTwo = summarise(vsTwoList.map(at));
  if (!vsTwo || judged.length === 0) return null;
  const best = judged.reduce((m, c) => (c.ratio > m.ratio ? c : m));
  const one = points.find((p) => p.impl === 'one_copy' && p.mode === best.mode && p.msgSize === best.msgSize && p.threads === best.threads);
  const fromOne = (figure: 'throughput_gbps' | 'cpu_ns_per_byte_server', higherIsBetter: boolean): RatioAt | null => {
    const r = one ? pointRatio(best.otherPoint, one, figure, higherIsBetter) : null;
    return r ? { ...r, mode: best.mode, msgSize: best.msgSize, threads: best.threads, impl: 'zero_copy' } : null;
  };
  const mode = best.mode;
  const vsOneAll = compareWithBaseline(points, 'throughput_gbps', true, 'one_copy').filter((c) => c.impl === 'zero_copy');
  const cpuAll = compareWithBaseline(points.filter((p) => p.mode === mode), 'cpu_ns_per_byte_server', false, 'one_copy').filter((c) => c.impl === 'zero_copy');
  return {
    vsTwo,
    beatsTwoAt: judged.filter((c) => c.verdict === 'better').map(at),
    best: at(best),
    vsOneAtBest: fromOne('throughput_gbps', true),
    vsOne: summarise(vsOneAll.map(at)),
    senderCpuAtBest: fromOne('cpu_ns_per_byte_server', false),
    senderCpu: summarise(cpuAll.map(at)),
    shares: attribution ? { zcOverhead: shareRange(attribution, 'server', 'zc_overhead'), deferredCopy: shareRange(attribution, 'client', 'deferred_copy') } : null,
  };
}
