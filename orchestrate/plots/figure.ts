// What every figure of a run shares: the Figure record, its skeleton (a
// title, a subtitle, one row of facet panels per mode or level, and a panel
// that says what is missing when there is nothing to draw), and the panel
// shapes several figures use. Pure: values in, vega-lite specs out.
import type { TopLevelSpec } from 'vega-lite';
import { MODES, type Implementation, type Mode } from '../config/domain.ts';
import type { FigureName, PointStats } from './points.ts';
import { CONFIG, MISSING_COLOUR, PANEL, SIZE_LABEL_EXPR, sizeAxis, variantColour } from './theme.ts';

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

/** One row of panels: a mode, a cache level. */
export interface FigureRow<V, K extends string = string> {
  key: K;
  title: string;
  values: V[];
}

export interface FigureParts<V, K extends string = string> {
  id: string;
  title: string;
  caption: string;
  /** The subtitle's first line: how to read the figure. */
  lead: string;
  /** What is missing from the figure and why: in its subtitle, in the report, and on its placeholder. */
  missing: string[];
  /** Its rows of panels, top to bottom; a row without values is left out. */
  rows: FigureRow<V, K>[];
  /** One row's panels: its data, facet and panel spec (vega-lite). */
  panels: (row: FigureRow<V, K>) => object;
  /** Why there is nothing to draw, when there is not (before `missing`). */
  empty: string[];
  /** Where to look instead when there is nothing to draw (after `missing`, on the placeholder only). */
  elsewhere?: string[];
}

/**
 * A figure from its parts: title, subtitle (lead, what is missing, the run's
 * notes) over its rows of panels; or, without a single value, the panel
 * that says what is missing and why.
 */
export function buildFigure<V, K extends string>(parts: FigureParts<V, K>, notes: readonly string[]): Figure {
  const { id, title, caption } = parts;
  const rows = parts.rows.filter((r) => r.values.length > 0);
  if (rows.length === 0) {
    const lines = [...parts.empty, ...parts.missing];
    const spec = placeholderSpec(title, ['No data for this figure:', ...lines, ...(parts.elsewhere ?? [])]);
    return { id, title, caption, missing: lines, hasData: false, spec };
  }
  const spec = topLevel(title, [parts.lead, ...parts.missing, ...notes], {
    vconcat: rows.map((row) => ({ title: row.title, ...parts.panels(row) })),
  });
  return { id, title, caption, missing: parts.missing, hasData: true, spec };
}

export const MODE_TITLE: Record<Mode, string> = {
  stream: 'stream: messages back to back',
  rr: 'rr: one message per request',
};

/** One row per mode measured, in the canonical order. */
export function rowsByMode<V extends { mode: Mode }>(values: readonly V[], titles: Record<Mode, string> = MODE_TITLE): FigureRow<V, Mode>[] {
  return MODES.filter((m) => values.some((v) => v.mode === m)).map((m) => ({ key: m, title: titles[m], values: values.filter((v) => v.mode === m) }));
}

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
  // One line every LINE_PX from the top, and room below the last for its descenders.
  const LINE_PX = 18;
  return topLevel(title, [], {
    width: 780,
    height: LINE_PX * lines.length + 12,
    data: { values: lines.map((text, i) => ({ text, i })) },
    mark: { type: 'text', align: 'left', baseline: 'top', fontSize: 13, color: MISSING_COLOUR },
    encoding: {
      text: { field: 'text' },
      x: { value: 4 },
      y: { field: 'i', type: 'quantitative', axis: null, scale: { domain: [0, lines.length], range: [6, 6 + LINE_PX * lines.length] } },
    },
  });
}

// --- panel shapes --------------------------------------------------------------

export const threadsColumn = {
  field: 'threads',
  type: 'ordinal' as const,
  title: null,
  header: { labelExpr: "datum.value + (datum.value == 1 ? ' thread' : ' threads')", labelFontWeight: 'bold' as const },
};

export const sizeColumn = {
  field: 'size',
  type: 'ordinal' as const,
  title: null,
  // "128 B messages", "1K messages" (not "1K B").
  header: {
    labelExpr: `(${SIZE_LABEL_EXPR}) + (datum.value >= 1024 && datum.value % 1024 == 0 ? '' : ' B') + ' messages'`,
    labelFontWeight: 'bold' as const,
  },
};

/** One value of a spread figure: a point's median, min and max over repetitions. */
export interface SpreadValue {
  variant: Implementation;
  mode: Mode;
  size: number;
  threads: number;
  median: number;
  min: number;
  max: number;
  reps: number;
}

export function spreadValues<E extends object = object>(
  points: readonly PointStats[],
  figure: FigureName,
  extra: (p: PointStats) => E = () => ({}) as E,
): (SpreadValue & E)[] {
  return points.flatMap((p) => {
    const s = p.figures[figure];
    return s ? [{ variant: p.impl, mode: p.mode, size: p.msgSize, threads: p.threads, median: s.median, min: s.min, max: s.max, reps: s.n, ...extra(p) }] : [];
  });
}

export const sizesIn = (values: readonly { size: number }[]) => [...new Set(values.map((v) => v.size))].sort((a, b) => a - b);

/** Points with at least this many repetitions get an error bar; with one there is no spread to draw. */
export const ERROR_BAR_MIN_REPS = 2;

/** How to read a spread figure's error bars, for its subtitle: what they span, or why there are none. */
export function errorBarLead(values: readonly { reps: number }[]): string {
  const withBars = values.filter((v) => v.reps >= ERROR_BAR_MIN_REPS).length;
  if (withBars === 0) return 'each point measured once: no error bars';
  const without = values.length - withBars;
  return `median over repetitions; error bars: min–max${without ? ` (none at the ${without} points with one repetition)` : ''}`;
}

/**
 * A spread figure's panels against message size, one panel per thread count:
 * the medians joined by lines, and an error bar from the lowest to the
 * highest repetition at every point with two or more (none at a point with
 * one: a bar of zero length would claim a spread of zero).
 */
export function spreadBySize(
  values: readonly { reps: number }[],
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
  const errorBars = values.some((v) => v.reps >= ERROR_BAR_MIN_REPS)
    ? [
        {
          transform: [{ filter: `datum.reps >= ${ERROR_BAR_MIN_REPS}` }],
          mark: { type: 'errorbar', ticks: { size: 7 }, thickness: 1.4, opacity: 1 },
          encoding: { ...enc, y: y('min'), y2: { field: 'max' } },
        },
      ]
    : [];
  return {
    data: { values },
    facet: { column: threadsColumn },
    spec: {
      ...PANEL,
      layer: [
        ...errorBars,
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

/** A size × threads grid (figures 5 and 6): sizes across, thread counts up. */
export const SIZE_THREADS_GRID = {
  x: { field: 'size', type: 'ordinal', title: 'message size (bytes)', axis: { labelExpr: SIZE_LABEL_EXPR, labelAngle: 0 } },
  y: { field: 'threads', type: 'ordinal', title: 'threads', sort: 'descending' },
} as const;
