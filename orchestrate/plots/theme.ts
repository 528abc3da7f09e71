// How every copybench figure looks: the font, the colours, the panel sizes
// and the message-size axis. Styling only, no data: the run's figures
// (figures.ts), the peer baseline's figure (peers/figure.ts) and the
// renderer (render.ts, which hands resvg the same font) all take it from
// here, so a variant has one colour and a size one label everywhere.
import type { Implementation } from '../config/domain.ts';
import type { Site } from '../results/attribution-symbols.ts';

export const FONT_FAMILY = 'DejaVu Sans';

/** One colour per variant, the same in every figure. */
export const VARIANT_COLOURS: Record<Implementation, string> = {
  two_copy: '#d62728',
  one_copy: '#1f77b4',
  zero_copy: '#2ca02c',
  uring_zero_copy: '#9467bd',
};

/** Zero-copy completions: deferred copy, then true zero-copy. */
export const COMPLETION_COLOURS = ['#ff7f0e', '#2ca02c'] as const;

/**
 * Speedup heatmap. Beyond noise, a diverging red–blue ramp (ColorBrewer RdBu)
 * that starts at a visible colour on either side of 1 (`slower`, `faster`:
 * from the mildest to the strongest), so a small difference beyond noise is
 * never as pale as a tie; within noise, a flat light grey. And the labels'
 * colours on light and on dark cells.
 */
export const HEATMAP = {
  slower: ['#f4a582', '#d6604d', '#b2182b', '#67001f'],
  faster: ['#92c5de', '#4393c3', '#2166ac', '#053061'],
  noise: '#ececec',
  label: '#111111',
  labelOnDark: 'white',
  labelOnNoise: '#555555',
} as const;

/**
 * One colour per copy-attribution site (results/attribution-symbols.ts SITES):
 * the four copy sites in strong colours, the rest in muted ones, irq_off
 * (place unknown) in grey.
 */
export const SITE_COLOURS: Record<Site, string> = {
  user_copy: '#d62728',
  send_copy: '#ff7f0e',
  deferred_copy: '#9467bd',
  recv_copy: '#1f77b4',
  zc_overhead: '#2ca02c',
  stack: '#c7c7a0',
  harness: '#8c564b',
  irq_off: '#9a9a9a',
  other: '#dddddd',
};

/** The text of a panel that says what is missing. */
export const MISSING_COLOUR = '#8a1c1c';

/** Two line styles told apart by dash: solid (p50, sender), then dashed (p99, receiver). */
export const SOLID_THEN_DASHED = [
  [1, 0],
  [5, 3],
];

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

/** One facet panel. */
export const PANEL = { width: 210, height: 150 };

/** A legend for dash patterns: line samples in a neutral colour (the variant is the colour legend's job). */
export const STROKE_LEGEND = { symbolType: 'stroke', symbolStrokeColor: '#333333', symbolStrokeWidth: 2, symbolSize: 500 };

/** Vega expression that labels bytes as the course does (formatSize 'course'): 128, 512, 1K, 64K, 1M. */
export const SIZE_LABEL_EXPR =
  "datum.value >= 1048576 && datum.value % 1048576 == 0 ? (datum.value / 1048576) + 'M' : " +
  "datum.value >= 1024 && datum.value % 1024 == 0 ? (datum.value / 1024) + 'K' : '' + datum.value";

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

/** The colour channel for the variants present, in their canonical order. */
export function variantColour(impls: readonly Implementation[]) {
  return {
    field: 'variant',
    type: 'nominal' as const,
    title: 'variant',
    scale: { domain: [...impls], range: impls.map((i) => VARIANT_COLOURS[i]) },
    sort: [...impls],
  };
}
