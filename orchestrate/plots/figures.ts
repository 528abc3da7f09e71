// The run's eight figures as vega-lite specs, every value taken from the
// run's data and its analysis. Pure: points and analysis in, specs out;
// figure.ts gives each its skeleton, theme.ts its look, render.ts turns a
// spec into SVG and PNG.
//
// A figure without data is still drawn: a panel that says what is missing
// and why, so a run on a machine without hardware counters (or with one
// repetition, one thread count) still yields every file, none of them blank.
import { IMPLEMENTATIONS } from '../config/domain.ts';
import { formatSize } from '../results/format.ts';
import type { Analysis } from './analysis.ts';
import type { Verdict } from './compare.ts';
import {
  buildFigure,
  rowsByMode,
  sizesIn,
  spreadBySize,
  spreadValues,
  threadsColumn,
  type Figure,
} from './figure.ts';
import { latencyFigure, queueingFigure } from './latency-figures.ts';
import { implsOf, type PointStats } from './points.ts';
import { COMPLETION_COLOURS, HEATMAP, PANEL, SIZE_LABEL_EXPR, SOLID_THEN_DASHED, STROKE_LEGEND } from './theme.ts';

const implsIn = (values: readonly { variant: string }[]) => IMPLEMENTATIONS.filter((i) => values.some((v) => v.variant === i));

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
        'lines join the medians over repetitions, vertical bars span the slowest to the fastest repetition.',
      lead: 'median over repetitions; bars: min–max',
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

export function cacheFigure(points: readonly PointStats[], analysis: Pick<Analysis, 'cache' | 'lastLevel' | 'absent'>, notes: readonly string[]): Figure {
  const { mode } = analysis.cache;
  const event = analysis.lastLevel.event;
  const missing = [
    ...(analysis.absent.l1 ? [`L1: ${analysis.absent.l1}`] : []),
    ...(analysis.absent.lastLevel ? [`last level: ${analysis.absent.lastLevel}`] : []),
  ];
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
        'each process counted over its whole life by perf stat; medians over repetitions, bars min–max.',
      lead: `${mode} mode; solid: sender (server), dashed: receiver (client)`,
      missing,
      rows: levels.map((l) => ({ key: l.name, title: l.name, values: values.filter((v) => v.level === l.name) })),
      panels: (row) => spreadBySize(row.values, sizesIn(values), impls, 'misses per KiB sent (log)', { strokeDash: SIDE_DASH }),
      empty: [],
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
}

function perByteFigure(points: readonly PointStats[], f: PerByte, notes: readonly string[]): Figure {
  const values = spreadValues(points, f.figure);
  const impls = implsIn(values);
  return buildFigure(
    {
      id: f.id,
      title: f.title,
      caption: f.caption,
      lead: 'median over repetitions; bars: min–max',
      missing: f.absent ? [f.absent] : [],
      rows: rowsByMode(values),
      panels: (row) => spreadBySize(row.values, sizesIn(row.values), impls, f.yTitle),
      empty: [],
    },
    notes,
  );
}

export function cyclesFigure(points: readonly PointStats[], analysis: Pick<Analysis, 'absent'>, notes: readonly string[]): Figure {
  const caption = 'Server + client CPU cycles (perf stat, each process over its whole life) per byte the server sent, one panel per thread count.';
  return perByteFigure(
    points,
    { id: '4-cycles-per-byte', title: 'CPU cycles per byte vs message size', figure: 'cycles_per_byte', yTitle: 'cycles per byte (log)', caption, absent: analysis.absent.cycles },
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

// --- 5. zero-copy completions -----------------------------------------------------------------

export const COMPLETION_KINDS = ['deferred copy (SO_EE_CODE_ZEROCOPY_COPIED)', 'true zero-copy'] as const;

function completionPanels(values: readonly object[]) {
  return {
    data: { values },
    facet: { column: threadsColumn },
    spec: {
      ...PANEL,
      width: 150,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'size', type: 'ordinal', title: 'message size (bytes)', axis: { labelExpr: SIZE_LABEL_EXPR, labelAngle: 0 } },
        y: { field: 'count', type: 'quantitative', stack: 'normalize', title: 'share of completions', axis: { format: '%' } },
        color: { field: 'kind', type: 'nominal', title: 'completion', scale: { domain: [...COMPLETION_KINDS], range: [...COMPLETION_COLOURS] } },
        order: { field: 'kind', sort: 'ascending' },
        tooltip: [{ field: 'size', title: 'bytes' }, { field: 'threads' }, { field: 'kind' }, { field: 'count' }, { field: 'share', format: '.1%' }],
      },
    },
  };
}

export function zeroCopyFigure(points: readonly PointStats[], notes: readonly string[]): Figure {
  const zc = points.filter((p) => p.impl === 'zero_copy');
  const withCompletions = zc.filter((p) => p.zc.completions > 0);
  const without = zc.filter((p) => p.zc.completions === 0);
  const missing = without.length
    ? [`no completions recorded at ${without.map((p) => `${p.mode} ${formatSize(p.msgSize, 'course')} ${p.threads}t`).join(', ')}`]
    : [];
  const values = withCompletions.flatMap((p) => [
    { mode: p.mode, size: p.msgSize, threads: p.threads, kind: COMPLETION_KINDS[0], count: p.zc.copied, share: p.zc.copied / p.zc.completions },
    { mode: p.mode, size: p.msgSize, threads: p.threads, kind: COMPLETION_KINDS[1], count: p.zc.completions - p.zc.copied, share: 1 - p.zc.copied / p.zc.completions },
  ]);
  const copied = withCompletions.reduce((s, p) => s + p.zc.copied, 0);
  const completions = withCompletions.reduce((s, p) => s + p.zc.completions, 0);
  return buildFigure(
    {
      id: '5-zero-copy-completions',
      title: 'Zero-copy completions: deferred copy vs true zero-copy',
      caption:
        'Share of zero_copy MSG_ZEROCOPY completions the kernel flagged as copied (SO_EE_CODE_ZEROCOPY_COPIED) versus completed without a copy, per point, summed over repetitions.',
      lead: completions ? `${((copied / completions) * 100).toFixed(1)}% of ${completions} completions were deferred copies` : '',
      missing,
      rows: rowsByMode(values),
      panels: (row) => completionPanels(row.values),
      empty: [zc.length === 0 ? 'this run has no zero_copy rows' : 'no MSG_ZEROCOPY completions were recorded'],
    },
    notes,
  );
}

// --- 6. speedup heatmap --------------------------------------------------------------------------

export const VERDICT_LABEL: Record<Verdict, string> = {
  better: 'beyond noise: faster',
  worse: 'beyond noise: slower',
  within_noise: 'within run-to-run noise',
  noise_unknown: 'noise unknown (1 repetition)',
  mixed_regimes: 'repetitions in different TCP regimes',
};

const VERDICT_SIGN: Record<Verdict, string> = { better: '', worse: '', within_noise: '≈', noise_unknown: '', mixed_regimes: '‡' };

const CHALLENGER_ORDER = ['one_copy', 'zero_copy'];

function speedupPanels(values: readonly object[], extreme: number) {
  const rowFacet = { field: 'variant', type: 'nominal', title: null, sort: CHALLENGER_ORDER, header: { labelFontWeight: 'bold', labelAngle: 0, labelAlign: 'left' } };
  // Only a difference beyond noise gets a colour; the rest stay grey.
  const colour = {
    condition: {
      test: 'datum.beyondNoise',
      field: 'speedup',
      type: 'quantitative',
      title: 'speedup',
      scale: { type: 'log', scheme: HEATMAP.scheme, domain: [1 / extreme, extreme], domainMid: 1 },
      legend: { format: '.2~f' },
    },
    value: HEATMAP.noise,
  };
  return {
    data: { values },
    facet: { row: rowFacet },
    spec: {
      width: { step: 56 },
      height: { step: 30 },
      encoding: {
        x: { field: 'size', type: 'ordinal', title: 'message size (bytes)', axis: { labelExpr: SIZE_LABEL_EXPR, labelAngle: 0 } },
        y: { field: 'threads', type: 'ordinal', title: 'threads', sort: 'descending' },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
          encoding: {
            color: colour,
            tooltip: [
              { field: 'variant' },
              { field: 'size', title: 'bytes' },
              { field: 'threads' },
              { field: 'speedup', format: '.3f' },
              { field: 'interval', title: '95% interval' },
              { field: 'verdict' },
            ],
          },
        },
        {
          mark: { type: 'text', fontSize: 10, baseline: 'bottom', dy: 1 },
          encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.dark', value: HEATMAP.labelOnDark }, value: HEATMAP.label } },
        },
        {
          // The interval's half-width: the smallest difference resolvable at that point.
          mark: { type: 'text', fontSize: 8, baseline: 'top', dy: 2 },
          encoding: { text: { field: 'resolution' }, color: { condition: { test: 'datum.dark', value: HEATMAP.labelOnDark }, value: HEATMAP.label } },
        },
      ],
    },
  };
}

export function speedupFigure(points: readonly PointStats[], analysis: Pick<Analysis, 'speedups'>, notes: readonly string[]): Figure {
  const comps = analysis.speedups;
  const extreme = Math.max(2, ...comps.map((c) => Math.max(c.ratio, 1 / c.ratio)));
  const values = comps.map((c) => ({
    variant: c.impl,
    mode: c.mode,
    size: c.msgSize,
    threads: c.threads,
    speedup: c.ratio,
    interval: c.ci ? `[${c.ci.lo.toFixed(3)}, ${c.ci.hi.toFixed(3)}]` : 'none',
    verdict: VERDICT_LABEL[c.verdict],
    beyondNoise: c.verdict === 'better' || c.verdict === 'worse',
    // Near the ends of the colour scale the cell is dark: its label turns white.
    dark: (c.verdict === 'better' || c.verdict === 'worse') && Math.abs(Math.log(c.ratio)) > 0.6 * Math.log(extreme),
    label: `${VERDICT_SIGN[c.verdict]}${c.ratio.toFixed(2)}×${c.verdict === 'noise_unknown' ? '?' : ''}`,
    resolution: c.ci ? `±${c.ci.halfWidthPct < 10 ? c.ci.halfWidthPct.toFixed(1) : c.ci.halfWidthPct.toFixed(0)}%` : '',
  }));
  const noBaseline = !implsOf(points.map((p) => ({ implementation: p.impl }))).includes('two_copy');
  return buildFigure(
    {
      id: '6-speedup',
      title: 'Throughput speedup over two_copy',
      caption:
        'Throughput of one_copy and zero_copy divided by two_copy’s (geometric means over repetitions) at each message size × thread count; ' +
        'under each ratio, ± the half-width of its 95% confidence interval (Welch t on the logs): the smallest difference the run could resolve there. ' +
        'Only cells whose interval excludes 1 are coloured; grey cells marked ≈ are within run-to-run noise, ‡ repetitions ran in different TCP regimes (? : one repetition, noise unknown).',
      lead: 'variant ÷ two_copy; ± half-width of the 95% interval; coloured: interval excludes 1 (beyond noise); grey ≈: within noise; ‡: regimes differ; ?: one repetition',
      missing: noBaseline ? ['two_copy was not measured in this run: nothing to compare with'] : [],
      rows: rowsByMode(values),
      panels: (row) => speedupPanels(row.values, extreme),
      empty: noBaseline ? [] : ['no point has both two_copy and another variant'],
    },
    notes,
  );
}

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
  ];
}
