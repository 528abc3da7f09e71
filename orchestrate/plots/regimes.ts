// Regimes: what held TCP back in each repetition of a point. Pure.
//
// results.csv may say, per row, what limited the sender (`limited_by`:
// sender, receiver_window, send_buffer or mixed) and how full its segments
// were (`tcp_bytes_per_segment`). Repetitions of one point that ran in
// different regimes measured different things: their spread is not noise,
// and an interval over them would hide that. Such a point is set apart,
// with each repetition's regime and throughput, instead of being judged.
// A results.csv without these columns has no regimes: nothing is set apart.
import type { Row } from '../results/row.ts';
import type { LimitedBy } from '../results/tcp.ts';

/**
 * Segment fullness differing by more than this factor (largest ÷ smallest
 * bytes per segment among a point's repetitions) is a different regime: GSO
 * batching or a shrunken window changes what each segment carries, and a
 * factor of 1.5 is well past the few percent repetitions of one regime vary.
 */
export const SEGMENT_REGIME_FACTOR = 1.5;

export interface RepetitionRegime {
  rep: number;
  limitedBy: LimitedBy | null;
  bytesPerSegment: number | null;
  throughputGbps: number;
}

export interface RegimeSplit {
  /** What differs: the limit named, the segment fullness, or both. */
  differs: ('limited_by' | 'bytes_per_segment')[];
  /** Every repetition, in repetition order. */
  reps: RepetitionRegime[];
}

/** Each repetition's regime and throughput, in repetition order. */
export function repetitionRegimes(rows: readonly Row[]): RepetitionRegime[] {
  return [...rows]
    .sort((a, b) => a.rep - b.rep)
    .map((r) => ({ rep: r.rep, limitedBy: r.limited_by ?? null, bytesPerSegment: r.tcp_bytes_per_segment ?? null, throughputGbps: r.throughput_gbps }));
}

/**
 * Throughput varying by more than this (coefficient of variation over a
 * point's repetitions, %) within one regime is unsteady: the report names
 * each repetition's regime there too, so that no wide spread goes unexplained
 * or passes for a regime it is not.
 */
export const UNSTEADY_CV_PCT = 10;

/** The regimes of one point's repetitions, or null when they agree (or the run does not say). */
export function regimeSplit(rows: readonly Row[]): RegimeSplit | null {
  const reps = repetitionRegimes(rows);
  const differs: RegimeSplit['differs'] = [];
  const limits = new Set(reps.flatMap((r) => (r.limitedBy === null ? [] : [r.limitedBy])));
  if (limits.size > 1) differs.push('limited_by');
  const segments = reps.flatMap((r) => (r.bytesPerSegment === null || r.bytesPerSegment <= 0 ? [] : [r.bytesPerSegment]));
  if (segments.length > 1 && Math.max(...segments) > SEGMENT_REGIME_FACTOR * Math.min(...segments)) differs.push('bytes_per_segment');
  return differs.length ? { differs, reps } : null;
}

/** One repetition in words: `rep 2 (receiver_window, 1448 B/segment): 3.10 Gbit/s`. */
export function repetitionText(r: RepetitionRegime): string {
  const regime = [r.limitedBy ?? 'limit unknown', ...(r.bytesPerSegment === null ? [] : [`${Math.round(r.bytesPerSegment)} B/segment`])];
  return `rep ${r.rep} (${regime.join(', ')}): ${r.throughputGbps.toFixed(2)} Gbit/s`;
}
