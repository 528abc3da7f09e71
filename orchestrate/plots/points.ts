// Per-point statistics: a run's rows grouped by matrix point (variant,
// mode, size, threads), each derived figure as a spread over the point's
// repetitions. Pure.
import { IMPLEMENTATIONS, MODES, type Implementation, type Mode } from '../config/domain.ts';
import type { Row } from '../results/row.ts';
import { median } from '../results/stats.ts';
import { chooseLastLevel, rowFigures, type RowFigures } from './dataset.ts';
import { regimeSplit, repetitionRegimes, type RegimeSplit, type RepetitionRegime } from './regimes.ts';

/** Median, min and max over the repetitions that have a value; null when none has. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Repetitions with a value. */
  n: number;
  /** Their values, in repetition order: what the intervals (compare.ts) are computed from. */
  values: number[];
}

export function spread(values: readonly (number | null)[]): Spread | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length === 0) return null;
  return { median: median(known)!, min: Math.min(...known), max: Math.max(...known), n: known.length, values: known };
}

export type FigureName = keyof RowFigures;

export interface PointStats {
  impl: Implementation;
  mode: Mode;
  msgSize: number;
  threads: number;
  reps: number;
  figures: { [K in FigureName]: Spread | null };
  zc: { sends: number; completions: number; copied: number; enobufs: number };
  /** Repetitions that ran in different TCP regimes (regimes.ts); null when they agree or the run does not say. */
  regimes: RegimeSplit | null;
  /** Every repetition's regime and throughput, in repetition order. */
  repetitions: RepetitionRegime[];
}

const FIGURE_NAMES: FigureName[] = [
  'throughput_gbps',
  'latency_p50_us',
  'latency_p99_us',
  'latency_mean_us',
  'queue_bytes',
  'little_bytes',
  'cycles_per_byte',
  'cpu_ns_per_byte',
  'cycles_per_byte_server',
  'cycles_per_byte_client',
  'cpu_ns_per_byte_server',
  'cpu_ns_per_byte_client',
  'l1_server_per_kib',
  'l1_client_per_kib',
  'll_server_per_kib',
  'll_client_per_kib',
  'l1_per_kib',
  'll_per_kib',
];

const orderOf = (list: readonly string[], v: string) => {
  const i = list.indexOf(v);
  return i < 0 ? list.length : i;
};

/**
 * Group rows by matrix point; each point's figures as spreads over its
 * repetitions. Only rows whose client copied (rx copy, or from before --rx):
 * every figure compares senders under one receiver; the zero-copy receive
 * rows have their own figure (rx-figure.ts).
 */
export function pointStats(rows: readonly Row[], lastLevel = chooseLastLevel(rows)): PointStats[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows.filter((x) => x.rx !== 'zerocopy')) {
    const key = `${r.implementation}/${r.mode}/${r.msg_size}/${r.threads}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const points: PointStats[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const perRow = group.map((r) => rowFigures(r, lastLevel));
    const figures = Object.fromEntries(FIGURE_NAMES.map((f) => [f, spread(perRow.map((p) => p[f]))])) as PointStats['figures'];
    points.push({
      impl: first.implementation,
      mode: first.mode,
      msgSize: first.msg_size,
      threads: first.threads,
      reps: group.length,
      figures,
      zc: {
        sends: group.reduce((s, r) => s + r.zc_sends, 0),
        completions: group.reduce((s, r) => s + r.zc_completions, 0),
        copied: group.reduce((s, r) => s + r.zc_copied, 0),
        enobufs: group.reduce((s, r) => s + r.zc_enobufs, 0),
      },
      regimes: regimeSplit(group),
      repetitions: repetitionRegimes(group),
    });
  }
  return points.sort(
    (a, b) =>
      orderOf(MODES, a.mode) - orderOf(MODES, b.mode) ||
      orderOf(IMPLEMENTATIONS, a.impl) - orderOf(IMPLEMENTATIONS, b.impl) ||
      a.msgSize - b.msgSize ||
      a.threads - b.threads,
  );
}

/** The distinct values of a field, ascending or in the canonical order. */
export function sizesOf(rows: readonly { msg_size: number }[]): number[] {
  return [...new Set(rows.map((r) => r.msg_size))].sort((a, b) => a - b);
}
export function threadsOf(rows: readonly { threads: number }[]): number[] {
  return [...new Set(rows.map((r) => r.threads))].sort((a, b) => a - b);
}
export function modesOf(rows: readonly { mode: Mode }[]): Mode[] {
  return MODES.filter((m) => rows.some((r) => r.mode === m));
}
export function implsOf(rows: readonly { implementation: Implementation }[]): Implementation[] {
  return IMPLEMENTATIONS.filter((i) => rows.some((r) => r.implementation === i));
}
