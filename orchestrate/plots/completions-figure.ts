// Figure 5: what became of the zero-copy sends — zero_copy's MSG_ZEROCOPY
// completions and uring_zero_copy's io_uring notifications — the share the
// kernel flagged as copied (a deferred copy) and the share completed without
// a copy. Pure: points in, a vega-lite spec out.
import { ZERO_COPY_VARIANTS, isZeroCopy, type Implementation, type Mode } from '../config/domain.ts';
import { formatSize } from '../results/format.ts';
import { SIZE_THREADS_GRID, buildFigure, rowsByMode, threadsColumn, type Figure } from './figure.ts';
import type { PointStats } from './points.ts';
import { COMPLETION_COLOURS, PANEL, SIZE_LABEL_EXPR } from './theme.ts';

export const COMPLETION_KINDS = ['deferred copy (flagged copied)', 'true zero-copy'] as const;
/** How each zero-copy sender hears that its pages were copied. */
const COPIED_FLAG: Record<(typeof ZERO_COPY_VARIANTS)[number], string> = {
  zero_copy: 'MSG_ZEROCOPY completions flagged SO_EE_CODE_ZEROCOPY_COPIED',
  uring_zero_copy: 'io_uring notification CQEs flagged IORING_NOTIF_USAGE_ZC_COPIED',
};
type CompletionKind = (typeof COMPLETION_KINDS)[number];

/** One kind's segment of a point's completions: [lo, hi] on the 0..1 share axis, deferred copies at the bottom. */
interface CompletionSegment {
  variant: Implementation;
  mode: Mode;
  size: number;
  threads: number;
  kind: CompletionKind;
  count: number;
  completions: number;
  share: number;
  lo: number;
  hi: number;
  mid: number;
  /** The share as printed on the bar; empty where the segment is too thin to hold it. */
  label: string;
}

/** A segment this thin (share of its bar) carries no label: the text would not fit. */
const LABEL_MIN_SHARE = 0.08;

export function completionSegments(points: readonly PointStats[]): CompletionSegment[] {
  return points.flatMap((p) => {
    const { completions, copied } = p.zc;
    const counts = [copied, completions - copied];
    let lo = 0;
    return COMPLETION_KINDS.flatMap((kind, i) => {
      const count = counts[i]!;
      if (count === 0) return [];
      const share = count / completions;
      const seg = { variant: p.impl, mode: p.mode, size: p.msgSize, threads: p.threads, kind, count, completions, share, lo, hi: lo + share, mid: lo + share / 2 };
      lo += share;
      return [{ ...seg, label: share >= LABEL_MIN_SHARE ? `${(share * 100).toFixed(share > 0.999 || share < 0.001 ? 0 : 1)}%` : '' }];
    });
  });
}

/** Only the kinds that occur: a legend entry for a kind never seen would claim it was. */
function kindColour(kinds: readonly CompletionKind[]) {
  return {
    field: 'kind',
    type: 'nominal' as const,
    title: 'completion',
    scale: { domain: [...kinds], range: kinds.map((k) => COMPLETION_COLOURS[COMPLETION_KINDS.indexOf(k)]!) },
  };
}

const completionTooltip = [
  { field: 'variant' },
  { field: 'size', title: 'bytes' },
  { field: 'threads' },
  { field: 'kind' },
  { field: 'count' },
  { field: 'completions' },
  { field: 'share', format: '.2%' },
];

const variantRow = { field: 'variant', type: 'nominal' as const, title: null, header: { labelFontWeight: 'bold' as const } };
const variantsIn = (values: readonly CompletionSegment[]) => new Set(values.map((v) => v.variant)).size;

/** Mixed kinds: a bar per point split by kind, each share printed on its segment; a row per variant when both ran. */
function completionBars(values: readonly CompletionSegment[], kinds: readonly CompletionKind[]) {
  const x = { field: 'size', type: 'ordinal', title: 'size (bytes)', axis: { labelExpr: SIZE_LABEL_EXPR, labelAngle: 0 } };
  return {
    data: { values },
    facet: variantsIn(values) > 1 ? { row: variantRow, column: threadsColumn } : { column: threadsColumn },
    spec: {
      width: { step: 40 },
      height: PANEL.height,
      encoding: { x },
      layer: [
        {
          mark: { type: 'bar', width: { band: 0.85 } },
          encoding: {
            y: { field: 'lo', type: 'quantitative', title: 'share of completions', scale: { domain: [0, 1] }, axis: { format: '%' } },
            y2: { field: 'hi' },
            color: kindColour(kinds),
            tooltip: completionTooltip,
          },
        },
        { mark: { type: 'text', fontSize: 8, color: '#111111' }, encoding: { y: { field: 'mid', type: 'quantitative' }, text: { field: 'label' } } },
      ],
    },
  };
}

/** Every point of one kind: a compact grid (size × threads) of completion counts instead of identical full bars; a row per variant when both ran. */
function completionGrid(values: readonly CompletionSegment[], kinds: readonly CompletionKind[]) {
  const grid = {
    width: { step: 56 },
    height: { step: 26 },
    encoding: SIZE_THREADS_GRID,
    layer: [
      { mark: { type: 'rect', stroke: 'white', strokeWidth: 1, opacity: 0.85 }, encoding: { color: kindColour(kinds), tooltip: completionTooltip } },
      { mark: { type: 'text', fontSize: 10, color: '#111111' }, encoding: { text: { field: 'completions', format: '.3~s' } } },
    ],
  };
  return variantsIn(values) > 1 ? { data: { values }, facet: { row: variantRow }, spec: grid } : { data: { values }, ...grid };
}

export function zeroCopyFigure(points: readonly PointStats[], notes: readonly string[]): Figure {
  const zc = points.filter((p) => isZeroCopy(p.impl));
  const senders = ZERO_COPY_VARIANTS.filter((v) => zc.some((p) => p.impl === v));
  const withCompletions = zc.filter((p) => p.zc.completions > 0);
  const without = zc.filter((p) => p.zc.completions === 0);
  const missing = without.length
    ? [`no completions recorded at ${without.map((p) => `${p.impl} ${p.mode} ${formatSize(p.msgSize, 'course')} ${p.threads}t`).join(', ')}`]
    : [];
  const values = completionSegments(withCompletions);
  const kinds = COMPLETION_KINDS.filter((k) => values.some((v) => v.kind === k));
  const copied = withCompletions.reduce((s, p) => s + p.zc.copied, 0);
  const completions = withCompletions.reduce((s, p) => s + p.zc.completions, 0);
  const uniform = kinds.length === 1;
  const lead = !completions
    ? ''
    : uniform
      ? `100% ${kinds[0] === COMPLETION_KINDS[0] ? 'deferred copies (flagged copied by the kernel)' : 'true zero-copy'}: all ${completions.toLocaleString('en-US')} completions at all ${withCompletions.length} points; ` +
        "each cell gives a point's completions, summed over repetitions"
      : `${((copied / completions) * 100).toFixed(1)}% of ${completions.toLocaleString('en-US')} completions were deferred copies; each bar's segments give their exact share`;
  return buildFigure(
    {
      id: '5-zero-copy-completions',
      title: 'Zero-copy completions: deferred copy vs true zero-copy',
      caption:
        `Completions of the zero-copy sends, summed over repetitions: ${(senders.length ? senders : ZERO_COPY_VARIANTS).map((v) => `${v}'s ${COPIED_FLAG[v]}`).join('; ')} ` +
        'as a deferred copy, the rest as completed without a copy, per point. Where every completion is of one kind, a grid of completion counts replaces identical full bars; ' +
        'the legend lists only the kinds that occurred.',
      lead,
      missing,
      rows: rowsByMode(values),
      panels: (row) => (uniform ? completionGrid(row.values, kinds) : completionBars(row.values, kinds)),
      empty: [zc.length === 0 ? 'this run has no zero_copy or uring_zero_copy rows' : 'no zero-copy completions were recorded'],
    },
    notes,
  );
}

