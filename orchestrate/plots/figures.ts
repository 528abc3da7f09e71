// The run's eight figures as vega-lite specs, every value taken from the
// run's data and its analysis. Pure: points and analysis in, specs out;
// figure.ts gives each its skeleton, theme.ts its look, render.ts turns a
// spec into SVG and PNG.
//
// A figure without data is still drawn: a panel that says what is missing
// and why, so a run on a machine without hardware counters (or with one
// repetition, one thread count) still yields every file, none of them blank.
import { IMPLEMENTATIONS } from '../config/domain.ts';
import type { Analysis } from './analysis.ts';
import {
  buildFigure,
  errorBarLead,
  rowsByMode,
  sizesIn,
  spreadBySize,
  spreadValues,
  type Figure,
} from './figure.ts';
import { zeroCopyFigure } from './completions-figure.ts';
import { zeroCopyReceiveFigure } from './zero-copy-receive.ts';
import { latencyFigure, queueingFigure } from './latency-figures.ts';
import type { PointStats } from './points.ts';
import { speedupFigure } from './speedup-figure.ts';
import { SOLID_THEN_DASHED, STROKE_LEGEND } from './theme.ts';

const implsIn = (values: readonly { variant: string }[]) => IMPLEMENTATIONS.filter((i) => values.some((v) => v.variant === i));

/** What a spread figure's error bars are, for its caption. */
const ERROR_BARS =
  'Error bars span the lowest to the highest repetition (min–max over repetitions, not a confidence interval); ' +
  'a point measured once has none.';

// --- 1. throughput -------------------------------------------------------------------

export function throughputFigure(points: readonly PointStats[], notes: readonly string[]): Figure {
  const values = spreadValues(points, 'throughput_gbps');
  const impls = implsIn(values);
  return buildFigure(
    {
      id: '1-throughput',
      title: 'Throughput vs message size',
      caption:
        'Client-measured throughput (Gbit/s) in the measured window, one panel per thread count and a row per mode; ' +
        `lines join the medians over repetitions. ${ERROR_BARS}`,
      lead: errorBarLead(values),
      missing: [],
      rows: rowsByMode(values),
      panels: (row) => spreadBySize(row.values, sizesIn(row.values), impls, 'throughput (Gbit/s, log)'),
      empty: ['results.csv has no throughput'],
    },
    notes,
  );
}

// --- 2. latency and 2b. queueing delay: latency-figures.ts -------------------------------

// --- 3. cache misses ---------------------------------------------------------------------

const SIDE_DASH = {
  field: 'side',
  type: 'nominal',
  title: 'side',
  scale: { domain: ['sender (server)', 'receiver (client)'], range: SOLID_THEN_DASHED },
  legend: STROKE_LEGEND,
};

/** Where a figure of hardware counts points when they are absent: figure 4b's CPU time counts without a PMU. */
function withoutCounters(analysis: Pick<Analysis, 'absent'>): string[] {
  return [
    ...(analysis.absent.cpuTime === null
      ? ['Figure 4b shows what the copies cost without hardware counters: CPU time per byte from perf task-clock, a software event.']
      : []),
    'Hardware counts need a PMU perf can use: bare metal, or a virtual machine that exposes the PMU to its guest.',
  ];
}

/** Why the cache figure lacks a level: one line when both levels miss for the same reason. */
function cacheMissing(analysis: Pick<Analysis, 'cache' | 'absent'>): string[] {
  const { l1, lastLevel } = analysis.absent;
  if (l1 && lastLevel && analysis.cache.reason) return [`L1 and last level: ${analysis.cache.reason}`];
  return [...(l1 ? [`L1: ${l1}`] : []), ...(lastLevel ? [`last level: ${lastLevel}`] : [])];
}

export function cacheFigure(points: readonly PointStats[], analysis: Pick<Analysis, 'cache' | 'lastLevel' | 'absent'>, notes: readonly string[]): Figure {
  const { mode } = analysis.cache;
  const event = analysis.lastLevel.event;
  const missing = cacheMissing(analysis);
  const levels = [
    { name: 'L1 data cache: L1-dcache-load-misses', sender: 'l1_server_per_kib', receiver: 'l1_client_per_kib' },
    { name: `last level: ${event ?? 'none'}${event === 'cache-misses' ? ' (LLC-load-misses not counted on this CPU)' : ''}`, sender: 'll_server_per_kib', receiver: 'll_client_per_kib' },
  ] as const;
  const inMode = points.filter((p) => p.mode === mode);
  const values = levels.flatMap((l) =>
    (['sender', 'receiver'] as const).flatMap((side) =>
      spreadValues(inMode, l[side], () => ({ level: l.name, side: side === 'sender' ? 'sender (server)' : 'receiver (client)' })),
    ),
  );
  const impls = implsIn(values);
  return buildFigure(
    {
      id: '3-cache-misses',
      title: 'Cache misses vs message size',
      caption:
        `Cache misses per KiB the server sent (${mode ?? 'no'} mode), sender (server, solid) and receiver (client, dashed), ` +
        `each process counted over its whole life by perf stat; lines join the medians over repetitions. ${ERROR_BARS}`,
      lead: `${mode} mode; solid: sender (server), dashed: receiver (client); ${errorBarLead(values)}`,
      missing,
      rows: levels.map((l) => ({ key: l.name, title: l.name, values: values.filter((v) => v.level === l.name) })),
      panels: (row) => spreadBySize(row.values, sizesIn(values), impls, 'misses per KiB sent (log)', { strokeDash: SIDE_DASH }),
      empty: [],
      elsewhere: withoutCounters(analysis),
    },
    notes,
  );
}

// --- 4. cycles per byte, and CPU time per byte -------------------------------------------

interface PerByte {
  id: string;
  title: string;
  figure: 'cycles_per_byte' | 'cpu_ns_per_byte';
  yTitle: string;
  caption: string;
  /** Why its counter has no value in this run; null when it has one. */
  absent: string | null;
  /** Where to look instead when it has none. */
  elsewhere?: string[];
}

function perByteFigure(points: readonly PointStats[], f: PerByte, notes: readonly string[]): Figure {
  const values = spreadValues(points, f.figure);
  const impls = implsIn(values);
  return buildFigure(
    {
      id: f.id,
      title: f.title,
      caption: `${f.caption} Lines join the medians over repetitions. ${ERROR_BARS}`,
      lead: errorBarLead(values),
      missing: f.absent ? [f.absent] : [],
      rows: rowsByMode(values),
      panels: (row) => spreadBySize(row.values, sizesIn(row.values), impls, f.yTitle),
      empty: [],
      elsewhere: f.elsewhere ?? [],
    },
    notes,
  );
}

export function cyclesFigure(points: readonly PointStats[], analysis: Pick<Analysis, 'absent'>, notes: readonly string[]): Figure {
  const caption = 'Server + client CPU cycles (perf stat, each process over its whole life) per byte the server sent, one panel per thread count.';
  return perByteFigure(
    points,
    {
      id: '4-cycles-per-byte',
      title: 'CPU cycles per byte vs message size',
      figure: 'cycles_per_byte',
      yTitle: 'cycles per byte (log)',
      caption,
      absent: analysis.absent.cycles,
      elsewhere: withoutCounters(analysis),
    },
    notes,
  );
}

export function cpuTimeFigure(points: readonly PointStats[], analysis: Pick<Analysis, 'absent'>, notes: readonly string[]): Figure {
  const caption =
    'Server + client CPU time (perf task-clock, a software event that counts without hardware counters) per byte the server sent, ' +
    'in nanoseconds, one panel per thread count. CPU time, not cycles: time on a CPU, stalls included, at whatever clock rate the core ran.';
  return perByteFigure(
    points,
    {
      id: '4b-cpu-time-per-byte',
      title: 'CPU time per byte vs message size (task-clock, not cycles)',
      figure: 'cpu_ns_per_byte',
      yTitle: 'CPU ns per byte (log)',
      caption,
      absent: analysis.absent.cpuTime,
    },
    notes,
  );
}

// --- 5. zero-copy completions and 6. speedup heatmap: completions-figure.ts, speedup-figure.ts

export { COMPLETION_KINDS, completionSegments, zeroCopyFigure } from './completions-figure.ts';
export { VERDICT_LABEL, speedupFigure, speedupScale, speedupTicks } from './speedup-figure.ts';

// --- all of them ---------------------------------------------------------------------------------

/** Notes every figure carries: what limits the whole run (one repetition, one thread count). */
export function runNotes(points: readonly PointStats[]): string[] {
  const notes: string[] = [];
  if (points.length && points.every((p) => p.reps < 2)) notes.push('one repetition per point: no spread, so no difference can be told from noise');
  const threads = new Set(points.map((p) => p.threads));
  if (threads.size === 1) notes.push(`one thread count (${[...threads][0]}) in this run`);
  return notes;
}

export function allFigures(points: readonly PointStats[], analysis: Analysis): Figure[] {
  const notes = runNotes(points);
  return [
    throughputFigure(points, notes),
    latencyFigure(points, notes),
    queueingFigure(points, notes),
    cacheFigure(points, analysis, notes),
    cyclesFigure(points, analysis, notes),
    cpuTimeFigure(points, analysis, notes),
    zeroCopyFigure(points, notes),
    speedupFigure(points, analysis, notes),
    // Only in runs that mapped on the receiver (rx: zerocopy).
    ...(analysis.zeroCopyReceive ? [zeroCopyReceiveFigure(analysis.zeroCopyReceive, notes)] : []),
  ];
}
