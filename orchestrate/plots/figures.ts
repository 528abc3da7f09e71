// The figures as vega-lite specs, every value taken from the run's data.
// Pure: points in, specs out; render.ts turns a spec into SVG and PNG.
//
// A figure without data is still drawn: a panel that says what is missing
// and why, so a run on a machine without hardware counters (or with one
// repetition, one thread count) still yields every file, none of them blank.
import type { TopLevelSpec } from 'vega-lite';
import {
  compareWithBaseline,
  counterAbsence,
  primaryMode,
  type Verdict,
} from './analysis.ts';
import {
  chooseLastLevel,
  hasCycles,
  hasL1,
  hasTaskClock,
  implsOf,
  type FigureName,
  type PointStats,
  type RunData,
} from './dataset.ts';
import { formatSize } from '../results/format.ts';
import { IMPLEMENTATIONS, MODES, type Implementation, type Mode } from '../config/domain.ts';

export interface Figure {
  /** File name stem: `1-throughput` → 1-throughput.svg, 1-throughput.png. */
  id: string;
  title: string;
  /** What the figure shows, for the report. */
  caption: string;
  /** What is missing from it and why (also printed on the figure). */
  missing: string[];
  /** False when the figure is only the "what is missing" panel. */
  hasData: boolean;
  spec: TopLevelSpec;
}

export const FONT_FAMILY = 'DejaVu Sans';

// Styling, not data: one colour per variant, the same in every figure.
export const VARIANT_COLOURS: Record<Implementation, string> = {
  two_copy: '#d62728',
  one_copy: '#1f77b4',
  zero_copy: '#2ca02c',
};

export const CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 12,
  view: { stroke: '#cccccc' },
  axis: { labelFontSize: 10, titleFontSize: 11, gridColor: '#eeeeee' },
  header: { labelFontSize: 11, titleFontSize: 11 },
  legend: { labelFontSize: 10, titleFontSize: 11, labelLimit: 400 },
  title: { fontSize: 15, subtitleFontSize: 11, anchor: 'start' as const, subtitleColor: '#444444' },
  concat: { spacing: 28 },
};

const PANEL = { width: 210, height: 150 };
// A legend for dash patterns: line samples in a neutral colour (the variant is the colour legend's job).
const STROKE_LEGEND = { symbolType: 'stroke', symbolStrokeColor: '#333333', symbolStrokeWidth: 2, symbolSize: 500 };

/** Vega expression that labels bytes as the course does: 128, 512, 1K, 64K, 1M. */
export const SIZE_LABEL_EXPR =
  "datum.value >= 1048576 && datum.value % 1048576 == 0 ? (datum.value / 1048576) + 'M' : " +
  "datum.value >= 1024 && datum.value % 1024 == 0 ? (datum.value / 1024) + 'K' : '' + datum.value";

const MODE_TITLE: Record<Mode, string> = {
  stream: 'stream: messages back to back',
  rr: 'rr: one message per request',
};

const LATENCY_TITLE: Record<Mode, string> = {
  stream: 'one-way latency (stream: send to full receipt, queueing included)',
  rr: 'round-trip latency (rr: request sent to full response received)',
};

function variantColour(impls: readonly Implementation[]) {
  return {
    field: 'variant',
    type: 'nominal' as const,
    title: 'variant',
    scale: { domain: [...impls], range: impls.map((i) => VARIANT_COLOURS[i]) },
    sort: [...impls],
  };
}

/** A log₂ message-size axis labelled with exactly the sizes measured. */
export function sizeAxis(sizes: readonly number[]) {
  const lo = Math.min(...sizes);
  const hi = Math.max(...sizes);
  return {
    field: 'size',
    type: 'quantitative' as const,
    title: 'message size (bytes, log₂)',
    // Padded by half an octave so a single size still has a range and no point sits on the frame.
    scale: { type: 'log' as const, base: 2, domain: [lo / Math.SQRT2, hi * Math.SQRT2], nice: false },
    // Every measured size gets its label (128, 512, 1K, ... 64K): adjacent octaves must not hide each other.
    axis: { values: [...sizes], labelExpr: SIZE_LABEL_EXPR, labelOverlap: false, labelFontSize: 9, grid: true },
  };
}

const threadsColumn = {
  field: 'threads',
  type: 'ordinal' as const,
  title: null,
  header: { labelExpr: "datum.value + (datum.value == 1 ? ' thread' : ' threads')", labelFontWeight: 'bold' as const },
};

const sizeColumn = {
  field: 'size',
  type: 'ordinal' as const,
  title: null,
  header: { labelExpr: `(${SIZE_LABEL_EXPR}) + ' B messages'`, labelFontWeight: 'bold' as const },
};

function topLevel(title: string, subtitle: readonly string[], body: object): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: { text: title, subtitle: subtitle.length ? [...subtitle] : undefined },
    ...body,
  } as TopLevelSpec;
}

/** Break text into lines of at most `width` characters, at spaces where there are any. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line) lines.push(line);
  return lines;
}

const PLACEHOLDER_CHARS = 100;

/** The panel a figure shows when there is nothing to draw: says what is missing and why, every word visible. */
export function placeholderSpec(title: string, paragraphs: readonly string[]): TopLevelSpec {
  const lines = paragraphs.flatMap((p, i) => [...(i > 0 ? [''] : []), ...wrapText(p, PLACEHOLDER_CHARS)]);
  return topLevel(title, [], {
    width: 780,
    height: 18 * lines.length + 10,
    data: { values: lines.map((text, i) => ({ text, i })) },
    mark: { type: 'text', align: 'left', baseline: 'top', fontSize: 13, color: '#8a1c1c' },
    encoding: {
      text: { field: 'text' },
      x: { value: 4 },
      y: { field: 'i', type: 'ordinal', axis: null, scale: { paddingOuter: 0.2 } },
    },
  });
}

function withData(
  id: string,
  title: string,
  caption: string,
  missing: string[],
  build: () => TopLevelSpec | null,
  why: () => string[],
): Figure {
  const spec = build();
  if (spec) return { id, title, caption, missing, hasData: true, spec };
  const lines = [...why(), ...missing];
  return { id, title, caption, missing: lines, hasData: false, spec: placeholderSpec(title, ['No data for this figure:', ...lines]) };
}

/** A spread figure (median line, min–max rule) against message size, one panel per thread count. */
function spreadBySize(
  values: readonly object[],
  sizes: readonly number[],
  impls: readonly Implementation[],
  yTitle: string,
  extra: { strokeDash?: object; yLog?: boolean } = {},
) {
  const y = (field: string) => ({
    field,
    type: 'quantitative' as const,
    title: yTitle,
    scale: extra.yLog === false ? { zero: true } : { type: 'log' as const },
  });
  const enc = { x: sizeAxis(sizes), color: variantColour(impls) };
  return {
    data: { values },
    facet: { column: threadsColumn },
    spec: {
      ...PANEL,
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { ...enc, y: y('min'), y2: { field: 'max' } } },
        // Lines and points are separate layers: a line with a point overlay
        // would leave the dash legend without visible samples.
        {
          mark: { type: 'line', strokeWidth: 1.8 },
          encoding: { ...enc, y: y('median'), ...(extra.strokeDash ? { strokeDash: extra.strokeDash } : {}) },
        },
        {
          mark: { type: 'point', filled: true, size: 30, opacity: 1 },
          encoding: {
            ...enc,
            y: y('median'),
            tooltip: [
              { field: 'variant' },
              { field: 'size', title: 'bytes' },
              { field: 'threads' },
              { field: 'median', format: '.4~g' },
              { field: 'min', format: '.4~g' },
              { field: 'max', format: '.4~g' },
              { field: 'reps' },
            ],
          },
        },
      ],
    },
  };
}

function spreadValues<E extends object = object>(points: readonly PointStats[], figure: FigureName, extra: (p: PointStats) => E = () => ({}) as E) {
  return points.flatMap((p) => {
    const s = p.figures[figure];
    return s ? [{ variant: p.impl, mode: p.mode, size: p.msgSize, threads: p.threads, median: s.median, min: s.min, max: s.max, reps: s.n, ...extra(p) }] : [];
  });
}

const sizesIn = (values: readonly { size: number }[]) => [...new Set(values.map((v) => v.size))].sort((a, b) => a - b);

// --- 1. throughput ---------------------------------------------------------------

export function throughputFigure(points: readonly PointStats[], notes: readonly string[]): Figure {
  const title = 'Throughput vs message size';
  const values = spreadValues(points, 'throughput_gbps');
  const impls = IMPLEMENTATIONS.filter((i) => values.some((v) => v.variant === i));
  const modes = MODES.filter((m) => values.some((v) => v.mode === m));
  const caption =
    'Client-measured throughput (Gbit/s) in the measured window, one panel per thread count and a row per mode; ' +
    'lines join the medians over repetitions, vertical bars span the slowest to the fastest repetition.';
  return withData(
    '1-throughput',
    title,
    caption,
    [...notes],
    () =>
      values.length === 0
        ? null
        : topLevel(title, ['median over repetitions; bars: min–max', ...notes], {
            vconcat: modes.map((m) => ({
              title: MODE_TITLE[m],
              ...spreadBySize(
                values.filter((v) => v.mode === m),
                sizesIn(values.filter((v) => v.mode === m)),
                impls,
                'throughput (Gbit/s, log)',
              ),
            })),
          }),
    () => ['results.csv has no throughput'],
  );
}

// --- 2. latency ------------------------------------------------------------------

export function latencyFigure(points: readonly PointStats[], notes: readonly string[]): Figure {
  const title = 'Latency vs thread count';
  const values = points.flatMap((p) =>
    (['latency_p50_us', 'latency_p99_us'] as const).flatMap((f) => {
      const s = p.figures[f];
      return s ? [{ variant: p.impl, mode: p.mode, size: p.msgSize, threads: p.threads, percentile: f === 'latency_p50_us' ? 'p50' : 'p99', value: s.median, reps: s.n }] : [];
    }),
  );
  const impls = IMPLEMENTATIONS.filter((i) => values.some((v) => v.variant === i));
  const modes = MODES.filter((m) => values.some((v) => v.mode === m));
  const caption =
    'p50 (solid) and p99 (dashed) latency in µs, medians over repetitions, one panel per message size. ' +
    'One-way latency (stream) and round trips (rr) are separate rows with their own scales: they measure different things.';
  return withData(
    '2-latency',
    title,
    caption,
    [...notes],
    () =>
      values.length === 0
        ? null
        : topLevel(title, ['solid: p50, dashed: p99 (medians over repetitions)', ...notes], {
            vconcat: modes.map((m) => ({
              title: LATENCY_TITLE[m],
              data: { values: values.filter((v) => v.mode === m) },
              facet: { column: sizeColumn },
              spec: {
                ...PANEL,
                width: 130,
                encoding: {
                  x: { field: 'threads', type: 'ordinal', title: 'threads', axis: { labelAngle: 0 } },
                  y: { field: 'value', type: 'quantitative', title: `${m === 'stream' ? 'one-way' : 'round-trip'} latency (µs, log)`, scale: { type: 'log' } },
                  color: variantColour(impls),
                },
                layer: [
                  {
                    mark: { type: 'line', strokeWidth: 1.6 },
                    encoding: {
                      strokeDash: {
                        field: 'percentile',
                        type: 'nominal',
                        title: 'percentile',
                        scale: { domain: ['p50', 'p99'], range: [[1, 0], [5, 3]] },
                        legend: STROKE_LEGEND,
                      },
                    },
                  },
                  {
                    mark: { type: 'point', filled: true, size: 25, opacity: 1 },
                    encoding: {
                      tooltip: [{ field: 'variant' }, { field: 'size', title: 'bytes' }, { field: 'threads' }, { field: 'percentile' }, { field: 'value', format: '.4~g', title: 'µs' }],
                    },
                  },
                ],
              },
            })),
          }),
    () => ['results.csv has no latency'],
  );
}

// --- 3. cache misses ---------------------------------------------------------------

export function cacheFigure(points: readonly PointStats[], data: Pick<RunData, 'rows' | 'meta' | 'events'>, notes: readonly string[]): Figure {
  const title = 'Cache misses vs message size';
  const mode = primaryMode(points);
  const inMode = points.filter((p) => p.mode === mode);
  const lastLevel = chooseLastLevel(data.rows);
  const missing: string[] = [];
  if (!hasL1(data.rows)) missing.push(`L1: ${counterAbsence(data, ['L1-dcache-load-misses'])}`);
  if (!lastLevel.event) missing.push(`last level: ${counterAbsence(data, ['LLC-load-misses', 'cache-misses'])}`);
  const levels = [
    { name: 'L1 data cache: L1-dcache-load-misses', sender: 'l1_server_per_kib', receiver: 'l1_client_per_kib' },
    { name: `last level: ${lastLevel.event ?? 'none'}${lastLevel.event === 'cache-misses' ? ' (LLC-load-misses not counted on this CPU)' : ''}`, sender: 'll_server_per_kib', receiver: 'll_client_per_kib' },
  ] as const;
  const values = levels.flatMap((l) =>
    (['sender', 'receiver'] as const).flatMap((side) =>
      spreadValues(inMode, l[side], () => ({ level: l.name, side: side === 'sender' ? 'sender (server)' : 'receiver (client)' })),
    ),
  );
  const impls = IMPLEMENTATIONS.filter((i) => values.some((v) => v.variant === i));
  const caption =
    `Cache misses per KiB the server sent (${mode ?? 'no'} mode), sender (server, solid) and receiver (client, dashed), ` +
    'each process counted over its whole life by perf stat; medians over repetitions, bars min–max.';
  return withData(
    '3-cache-misses',
    title,
    caption,
    missing,
    () =>
      values.length === 0
        ? null
        : topLevel(title, [`${mode} mode; solid: sender (server), dashed: receiver (client)`, ...missing, ...notes], {
            vconcat: levels
              .filter((l) => values.some((v) => v.level === l.name))
              .map((l) => ({
                title: l.name,
                ...spreadBySize(
                  values.filter((v) => v.level === l.name),
                  sizesIn(values),
                  impls,
                  'misses per KiB sent (log)',
                  {
                    strokeDash: {
                      field: 'side',
                      type: 'nominal',
                      title: 'side',
                      scale: { domain: ['sender (server)', 'receiver (client)'], range: [[1, 0], [5, 3]] },
                      legend: STROKE_LEGEND,
                    },
                  },
                ),
              })),
          }),
    () => [],
  );
}

// --- 4. cycles per byte, and CPU time per byte ------------------------------------------

function perByteFigure(
  id: string,
  title: string,
  figure: 'cycles_per_byte' | 'cpu_ns_per_byte',
  yTitle: string,
  caption: string,
  points: readonly PointStats[],
  available: boolean,
  absence: () => string,
  notes: readonly string[],
): Figure {
  const values = spreadValues(points, figure);
  const impls = IMPLEMENTATIONS.filter((i) => values.some((v) => v.variant === i));
  const modes = MODES.filter((m) => values.some((v) => v.mode === m));
  const missing = available ? [] : [absence()];
  return withData(
    id,
    title,
    caption,
    missing,
    () =>
      values.length === 0
        ? null
        : topLevel(title, ['median over repetitions; bars: min–max', ...notes], {
            vconcat: modes.map((m) => ({
              title: MODE_TITLE[m],
              ...spreadBySize(values.filter((v) => v.mode === m), sizesIn(values.filter((v) => v.mode === m)), impls, yTitle),
            })),
          }),
    () => [],
  );
}

export function cyclesFigure(points: readonly PointStats[], data: Pick<RunData, 'rows' | 'meta' | 'events'>, notes: readonly string[]): Figure {
  return perByteFigure(
    '4-cycles-per-byte',
    'CPU cycles per byte vs message size',
    'cycles_per_byte',
    'cycles per byte (log)',
    'Server + client CPU cycles (perf stat, each process over its whole life) per byte the server sent, one panel per thread count.',
    points,
    hasCycles(data.rows),
    () => counterAbsence(data, ['cycles', 'cpu-cycles']),
    notes,
  );
}

export function cpuTimeFigure(points: readonly PointStats[], data: Pick<RunData, 'rows' | 'meta' | 'events'>, notes: readonly string[]): Figure {
  return perByteFigure(
    '4b-cpu-time-per-byte',
    'CPU time per byte vs message size (task-clock, not cycles)',
    'cpu_ns_per_byte',
    'CPU ns per byte (log)',
    'Server + client CPU time (perf task-clock, a software event that counts without hardware counters) per byte the server sent, ' +
      'in nanoseconds, one panel per thread count. CPU time, not cycles: time on a CPU, stalls included, at whatever clock rate the core ran.',
    points,
    hasTaskClock(data.rows),
    () => counterAbsence(data, ['task-clock', 'cpu-clock']),
    notes,
  );
}

// --- 5. zero-copy completions ---------------------------------------------------------------

export const COMPLETION_KINDS = ['deferred copy (SO_EE_CODE_ZEROCOPY_COPIED)', 'true zero-copy'] as const;

export function zeroCopyFigure(points: readonly PointStats[], notes: readonly string[]): Figure {
  const title = 'Zero-copy completions: deferred copy vs true zero-copy';
  const zc = points.filter((p) => p.impl === 'zero_copy');
  const withCompletions = zc.filter((p) => p.zc.completions > 0);
  const missing: string[] = [];
  const without = zc.filter((p) => p.zc.completions === 0);
  if (without.length) {
    missing.push(`no completions recorded at ${without.map((p) => `${p.mode} ${formatSize(p.msgSize, 'course')} ${p.threads}t`).join(', ')}`);
  }
  const values = withCompletions.flatMap((p) => [
    { mode: p.mode, size: p.msgSize, threads: p.threads, kind: COMPLETION_KINDS[0], count: p.zc.copied, share: p.zc.copied / p.zc.completions },
    { mode: p.mode, size: p.msgSize, threads: p.threads, kind: COMPLETION_KINDS[1], count: p.zc.completions - p.zc.copied, share: 1 - p.zc.copied / p.zc.completions },
  ]);
  const copied = withCompletions.reduce((s, p) => s + p.zc.copied, 0);
  const completions = withCompletions.reduce((s, p) => s + p.zc.completions, 0);
  const modes = MODES.filter((m) => values.some((v) => v.mode === m));
  const overall = completions ? `${((copied / completions) * 100).toFixed(1)}% of ${completions} completions were deferred copies` : '';
  return withData(
    '5-zero-copy-completions',
    title,
    'Share of zero_copy MSG_ZEROCOPY completions the kernel flagged as copied (SO_EE_CODE_ZEROCOPY_COPIED) versus completed without a copy, per point, summed over repetitions.',
    missing,
    () =>
      values.length === 0
        ? null
        : topLevel(title, [overall, ...missing, ...notes], {
            vconcat: modes.map((m) => ({
              title: MODE_TITLE[m],
              data: { values: values.filter((v) => v.mode === m) },
              facet: { column: threadsColumn },
              spec: {
                ...PANEL,
                width: 150,
                mark: { type: 'bar' },
                encoding: {
                  x: { field: 'size', type: 'ordinal', title: 'message size (bytes)', axis: { labelExpr: SIZE_LABEL_EXPR, labelAngle: 0 } },
                  y: { field: 'count', type: 'quantitative', stack: 'normalize', title: 'share of completions', axis: { format: '%' } },
                  color: { field: 'kind', type: 'nominal', title: 'completion', scale: { domain: [...COMPLETION_KINDS], range: ['#ff7f0e', '#2ca02c'] } },
                  order: { field: 'kind', sort: 'ascending' },
                  tooltip: [{ field: 'size', title: 'bytes' }, { field: 'threads' }, { field: 'kind' }, { field: 'count' }, { field: 'share', format: '.1%' }],
                },
              },
            })),
          }),
    () => (zc.length === 0 ? ['this run has no zero_copy rows'] : ['no MSG_ZEROCOPY completions were recorded']),
  );
}

// --- 6. speedup heatmap ------------------------------------------------------------------------

export const VERDICT_LABEL: Record<Verdict, string> = {
  better: 'beyond noise: faster',
  worse: 'beyond noise: slower',
  within_noise: 'within run-to-run noise',
  noise_unknown: 'noise unknown (1 repetition)',
};

export function speedupFigure(points: readonly PointStats[], notes: readonly string[]): Figure {
  const title = 'Throughput speedup over two_copy';
  const comps = compareWithBaseline(points, 'throughput_gbps', true);
  const extreme = Math.max(2, ...comps.map((c) => Math.max(c.ratio, 1 / c.ratio)));
  const values = comps.map((c) => ({
    variant: c.impl,
    mode: c.mode,
    size: c.msgSize,
    threads: c.threads,
    speedup: c.ratio,
    verdict: VERDICT_LABEL[c.verdict],
    beyondNoise: c.verdict === 'better' || c.verdict === 'worse',
    // Near the ends of the colour scale the cell is dark: its label turns white.
    dark: (c.verdict === 'better' || c.verdict === 'worse') && Math.abs(Math.log(c.ratio)) > 0.6 * Math.log(extreme),
    label: `${c.verdict === 'within_noise' ? '≈' : ''}${c.ratio.toFixed(2)}×${c.verdict === 'noise_unknown' ? '?' : ''}`,
  }));
  const modes = MODES.filter((m) => values.some((v) => v.mode === m));
  const missing: string[] = [];
  const impls = implsOf(points.map((p) => ({ implementation: p.impl })));
  if (!impls.includes('two_copy')) missing.push('two_copy was not measured in this run: nothing to compare with');
  return withData(
    '6-speedup',
    title,
    'Median throughput of one_copy and zero_copy divided by two_copy’s at each message size × thread count. ' +
      'Only cells where the repetitions do not overlap two_copy’s are coloured; grey cells marked ≈ are within run-to-run noise (? : one repetition, noise unknown).',
    missing,
    () =>
      values.length === 0
        ? null
        : topLevel(title, ['variant ÷ two_copy, medians; coloured: beyond run-to-run noise (repetitions do not overlap); grey ≈: within noise; grey ?: one repetition', ...notes], {
            vconcat: modes.map((m) => ({
              title: MODE_TITLE[m],
              data: { values: values.filter((v) => v.mode === m) },
              facet: { row: { field: 'variant', type: 'nominal', title: null, sort: CHALLENGER_ORDER, header: { labelFontWeight: 'bold', labelAngle: 0, labelAlign: 'left' } } },
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
                      // Only a difference beyond noise gets a colour; the rest stay grey.
                      color: {
                        condition: {
                          test: 'datum.beyondNoise',
                          field: 'speedup',
                          type: 'quantitative',
                          title: 'speedup',
                          scale: { type: 'log', scheme: 'redblue', domain: [1 / extreme, extreme], domainMid: 1 },
                          legend: { format: '.2~f' },
                        },
                        value: NOISE_GREY,
                      },
                      tooltip: [{ field: 'variant' }, { field: 'size', title: 'bytes' }, { field: 'threads' }, { field: 'speedup', format: '.3f' }, { field: 'verdict' }],
                    },
                  },
                  {
                    mark: { type: 'text', fontSize: 10 },
                    encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.dark', value: 'white' }, value: '#111111' } },
                  },
                ],
              },
            })),
          }),
    () => (missing.length ? [] : ['no point has both two_copy and another variant']),
  );
}

const CHALLENGER_ORDER = ['one_copy', 'zero_copy'];
const NOISE_GREY = '#e4e4e4';

// --- all of them ---------------------------------------------------------------------------------

/** Notes every figure carries: what limits the whole run (one repetition, one thread count). */
export function runNotes(points: readonly PointStats[]): string[] {
  const notes: string[] = [];
  if (points.length && points.every((p) => p.reps < 2)) notes.push('one repetition per point: no spread, so no difference can be told from noise');
  const threads = new Set(points.map((p) => p.threads));
  if (threads.size === 1) notes.push(`one thread count (${[...threads][0]}) in this run`);
  return notes;
}

export function allFigures(points: readonly PointStats[], data: Pick<RunData, 'rows' | 'meta' | 'events'>): Figure[] {
  const notes = runNotes(points);
  return [
    throughputFigure(points, notes),
    latencyFigure(points, notes),
    cacheFigure(points, data, notes),
    cyclesFigure(points, data, notes),
    cpuTimeFigure(points, data, notes),
    zeroCopyFigure(points, notes),
    speedupFigure(points, notes),
  ];
}
