// What stream "latency" is: a queueing delay, checked with Little's law.
// Pure: points in, the check and its answer out.
//
// In stream mode the server sends back to back, so a message waits in the
// sender's and the receiver's socket buffers before the client reads it;
// the client's one-way delay (send stamp to full receipt) is mostly that
// wait. Little's law says that in a steady queue the bytes waiting equal
// the rate they flow at times the mean time each spends waiting: L = λ·W.
// Here λ is the client's throughput, W the mean one-way delay (results.csv
// latency_us), and L the bytes the binaries found waiting in the sockets
// (queue_server_bytes_mean + queue_client_bytes_mean: the server's SIOCOUTQ
// and the client's SIOCINQ, sampled every 10 ms in the window). If λ·W ≈ L,
// the delay is nothing but the buffers' content divided by throughput.
import type { Implementation } from '../config/domain.ts';
import { formatSize } from '../results/format.ts';
import { median } from '../results/stats.ts';
import type { PointStats, Spread } from './points.ts';

/**
 * How far λ·W and L may differ for the law to count as holding at a point:
 * a factor of 2. L double-counts bytes that have reached the receiver's
 * queue but are not yet acknowledged (SIOCOUTQ counts a byte until its ACK
 * arrives), so L can be up to twice the bytes truly waiting when the whole
 * queue sits unacknowledged at the receiver; and it misses what neither
 * queue holds (a message being copied in or out by user space, packets in
 * the stack between the two sockets), which matters only when little waits.
 * A ratio beyond 2 is more than these can explain.
 */
export const LITTLE_FACTOR = 2;

export interface LittlePoint {
  impl: Implementation;
  msgSize: number;
  threads: number;
  reps: number;
  /** λ·W in bytes over the repetitions (throughput × mean one-way delay). */
  predicted: Spread;
  /** L in bytes over the repetitions (server + client queue means); null when not measured. */
  measured: Spread | null;
  /** Median λ·W ÷ median L; null without L or when L is 0. */
  ratio: number | null;
}

export interface LittleSummary {
  /** Points with a ratio. */
  n: number;
  median: number;
  min: number;
  max: number;
  /** Points whose ratio is within LITTLE_FACTOR of 1. */
  within: number;
}

export interface LittleCheck {
  points: LittlePoint[];
  summary: LittleSummary | null;
  /** Why there is no check at all (no stream rows, or no queue columns); null when there is one. */
  missing: string | null;
}

export const withinFactor = (ratio: number, factor = LITTLE_FACTOR) => ratio <= factor && ratio >= 1 / factor;

export const NO_QUEUE_COLUMNS =
  'results.csv has no bytes-waiting columns (queue_server_bytes_mean, queue_client_bytes_mean): ' +
  'the run was made before the binaries sampled their socket queues; a new run has them';

/** λ·W against L for every stream point. */
export function littleCheck(points: readonly PointStats[]): LittleCheck {
  const stream = points.filter((p) => p.mode === 'stream');
  const checked = stream.flatMap((p): LittlePoint[] => {
    const predicted = p.figures.little_bytes;
    if (!predicted) return [];
    const measured = p.figures.queue_bytes;
    const ratio = measured && measured.median > 0 ? predicted.median / measured.median : null;
    return [{ impl: p.impl, msgSize: p.msgSize, threads: p.threads, reps: p.reps, predicted, measured, ratio }];
  });
  const ratios = checked.flatMap((p) => (p.ratio === null ? [] : [p.ratio]));
  const summary = ratios.length
    ? { n: ratios.length, median: median(ratios)!, min: Math.min(...ratios), max: Math.max(...ratios), within: ratios.filter((r) => withinFactor(r)).length }
    : null;
  const missing = stream.length === 0 ? 'this run has no stream rows' : summary ? null : NO_QUEUE_COLUMNS;
  return { points: checked, summary, missing };
}

// --- the answer ----------------------------------------------------------------

export interface QueueingAnswer {
  question: string;
  paragraph: string;
  /** Figure ids, in the order to read them. */
  figures: string[];
  /** One line each: definitions, caveats, per-point numbers. */
  details: string[];
}

/** A duration given in µs, in the unit that reads best: `11 µs`, `1.9 ms`, `0.16 s`. */
export function formatDelay(us: number): string {
  const sig = (x: number) => Number(x.toPrecision(2)).toString();
  if (us < 1000) return `${sig(us)} µs`;
  if (us < 1e6) return `${sig(us / 1e3)} ms`;
  return `${sig(us / 1e6)} s`;
}

/** A byte count in binary units, two significant figures: `900 B`, `1.5 KiB`, `6.4 MiB`. */
export function formatBytes(bytes: number): string {
  const sig = (x: number) => Number(x.toPrecision(2)).toString();
  if (bytes < 1024) return `${sig(bytes)} B`;
  if (bytes < 1024 * 1024) return `${sig(bytes / 1024)} KiB`;
  return `${sig(bytes / (1024 * 1024))} MiB`;
}

export const pointLabel = (p: { impl: string; msgSize: number; threads: number }) =>
  `${p.impl} ${formatSize(p.msgSize, 'iec')}, ${p.threads} thread${p.threads === 1 ? '' : 's'}`;

const ratioText = (r: number) => r.toFixed(2);

/** The p50 range over a mode's points (their medians over repetitions), with where each end is. */
function p50Range(points: readonly PointStats[]): { lo: PointStats; hi: PointStats } | null {
  const known = points.filter((p) => p.figures.latency_p50_us);
  if (known.length === 0) return null;
  const by = (p: PointStats) => p.figures.latency_p50_us!.median;
  const lo = known.reduce((a, b) => (by(b) < by(a) ? b : a));
  const hi = known.reduce((a, b) => (by(b) > by(a) ? b : a));
  return { lo, hi };
}

/** The point whose p50 varies most between repetitions (max ÷ min); null without a point of two repetitions. */
function leastRepeatable(points: readonly PointStats[]): { point: PointStats; spread: Spread; factor: number } | null {
  let worst: { point: PointStats; spread: Spread; factor: number } | null = null;
  for (const p of points) {
    const s = p.figures.latency_p50_us;
    if (!s || s.n < 2 || s.min <= 0) continue;
    const factor = s.max / s.min;
    if (!worst || factor > worst.factor) worst = { point: p, spread: s, factor };
  }
  return worst;
}

function rangeText(r: { lo: PointStats; hi: PointStats }): string {
  const v = (p: PointStats) => formatDelay(p.figures.latency_p50_us!.median);
  return `from ${v(r.lo)} (${pointLabel(r.lo)}) to ${v(r.hi)} (${pointLabel(r.hi)})`;
}

function littleSentence(check: LittleCheck): string {
  const s = check.summary;
  if (!s) return `Little’s law cannot be checked: ${check.missing}.`;
  const numbers =
    `λ·W ÷ L (throughput × mean delay over the bytes measured waiting in the sockets) has a median of ${ratioText(s.median)} ` +
    `(range ${ratioText(s.min)}–${ratioText(s.max)}; ${s.within} of ${s.n} point${s.n === 1 ? '' : 's'} within a factor of ${LITTLE_FACTOR})`;
  const conclusion = 'the stream delay is the buffers’ content divided by throughput: a queueing delay, which says how full the buffers were, not what a message costs';
  if (s.within === s.n) return `Little’s law holds at every stream point: ${numbers}. So ${conclusion}.`;
  if (s.within * 2 >= s.n) return `Little’s law holds at ${s.within} of ${s.n} stream points: ${numbers}. Where it holds, ${conclusion}.`;
  return `Little’s law does not hold at most stream points: ${numbers}; the details list where it fails.`;
}

/** Answers "What is stream 'latency'?" from the run's points and their Little check. */
export function queueingAnswer(points: readonly PointStats[], check: LittleCheck = littleCheck(points)): QueueingAnswer {
  const question = 'What is stream "latency"?';
  const figures = ['2b-queueing-delay', '2-latency'];
  const stream = points.filter((p) => p.mode === 'stream');
  const rr = p50Range(points.filter((p) => p.mode === 'rr'));
  const streamRange = p50Range(stream);
  if (!streamRange) {
    const why = stream.length
      ? 'Its stream rows have no one-way delay: server and client ran on two hosts, two clocks, and a send time read on one cannot be subtracted from a receive time read on the other.'
      : 'This run has no stream rows, so there is no stream delay to explain.';
    const paragraph = `${why}${rr ? ` rr round trips (the latency): p50 ${rangeText(rr)}.` : ''}`;
    return { question, paragraph, figures, details: [] };
  }
  const worst = leastRepeatable(stream);
  const repeat = worst
    ? ` Between repetitions it varies most at ${pointLabel(worst.point)}: p50 from ${formatDelay(worst.spread.min)} to ${formatDelay(worst.spread.max)} (${worst.factor.toFixed(1)}×).`
    : ' With one repetition per point, how much it varies between repetitions is unknown.';
  const paragraph =
    'In stream mode the server sends back to back, so each message waits in the socket buffers before the client reads it, ' +
    `and the one-way delay the client measures includes that wait. Its p50 ranges ${rangeText(streamRange)} across ${stream.length} stream point${stream.length === 1 ? '' : 's'}.` +
    repeat +
    ` ${littleSentence(check)}` +
    (rr ? ` A message’s latency is rr’s round trip: its p50 ranges ${rangeText(rr)}.` : ' This run has no rr rows to compare with.');
  return { question, paragraph, figures, details: queueingDetails(check) };
}

function queueingDetails(check: LittleCheck): string[] {
  const lines = [
    'λ is the client’s throughput, W the mean one-way delay (results.csv latency_us), L the mean bytes waiting: the server’s SIOCOUTQ (written, not yet acknowledged) plus the client’s SIOCINQ (received, not yet read), summed over connections, sampled every 10 ms in the measured window.',
    'Each side’s sampler runs on a CPU its process is not pinned to, where there is one: from the pinned CPU it would see the queues emptier than they are (with both sides on one CPU at 128 B, a fifth of the bytes an observer on the other CPU sees).',
    'SIOCOUTQ counts a byte until its acknowledgement arrives, so a byte that already sits in the receiver’s queue unacknowledged is counted on both sides. ' +
      'On veth nothing is lost and acknowledgements come back within microseconds, so this overlap is at most the un-acknowledged window; it can never exceed the receiver’s queue, so at worst it doubles L. ' +
      `Bytes held by neither queue (a message being copied in or out by user space, packets between the sockets) are missed, which matters only when little waits. Hence the tolerance: a factor of ${LITTLE_FACTOR}.`,
  ];
  if (check.missing) return [...lines, check.missing];
  for (const p of check.points) {
    const m = p.measured;
    lines.push(
      `${pointLabel(p)}: λ·W = ${formatBytes(p.predicted.median)}, L = ${m ? formatBytes(m.median) : 'not measured'}` +
        (p.ratio === null ? '' : `, ratio ${ratioText(p.ratio)}${withinFactor(p.ratio) ? '' : ` (beyond a factor of ${LITTLE_FACTOR})`}`) +
        (p.reps > 1 ? ` (medians of ${p.reps} repetitions)` : ''),
    );
  }
  return lines;
}
