// Figure 6: throughput of each variant ÷ two_copy's at every point, and
// whether the run can tell the difference from noise. Pure: the analysis's
// comparisons in, a vega-lite spec out.
import type { Analysis } from './analysis.ts';
import { CHALLENGERS, type Verdict } from './compare.ts';
import { SIZE_THREADS_GRID, buildFigure, rowsByMode, type Figure } from './figure.ts';
import { implsOf, type PointStats } from './points.ts';
import { HEATMAP } from './theme.ts';

export const VERDICT_LABEL: Record<Verdict, string> = {
  better: 'beyond noise: faster',
  worse: 'beyond noise: slower',
  within_noise: 'within run-to-run noise',
  noise_unknown: 'noise unknown (1 repetition)',
  mixed_regimes: 'repetitions in different TCP regimes',
};

const VERDICT_SIGN: Record<Verdict, string> = { better: '', worse: '', within_noise: '≈', noise_unknown: '', mixed_regimes: '‡' };

const CHALLENGER_ORDER = CHALLENGERS;

/** Differences this close to 1 still count as "beyond noise" on the colour scale: the step between its two ramps. */
const STEP_AT_ONE = 1e-4;

/**
 * The speedup colour scale on [1/extreme, extreme] (log): each side of 1 its
 * own ramp from a visible colour to the strongest, so a cell beyond noise is
 * coloured however close to 1 its ratio is, and only a tie is grey.
 */
export function speedupScale(extreme: number) {
  const span = Math.log(extreme);
  const at = (f: number) => Math.exp(f * span);
  const slower = [...HEATMAP.slower].reverse();
  return {
    type: 'log' as const,
    domain: [at(-1), at(-2 / 3), at(-1 / 3), 1 / (1 + STEP_AT_ONE), 1 + STEP_AT_ONE, at(1 / 3), at(2 / 3), at(1)],
    range: [...slower, ...HEATMAP.faster],
    interpolate: 'lab',
  };
}

/** Legend ticks: powers of two within [1/extreme, extreme], 1 among them, at most seven (0.25×, 0.5×, 1×, 2×, 4×, ...). */
export function speedupTicks(extreme: number): number[] {
  const top = Math.floor(Math.log2(extreme) + 1e-9);
  const step = Math.ceil(top / 3);
  const ticks: number[] = [];
  for (let k = -top; k <= top; k++) if (k % step === 0) ticks.push(2 ** k);
  return ticks;
}

function speedupPanels(values: readonly object[], extreme: number) {
  const rowFacet = { field: 'variant', type: 'nominal', title: null, sort: CHALLENGER_ORDER, header: { labelFontWeight: 'bold', labelAngle: 0, labelAlign: 'left' } };
  // Only a difference beyond noise gets a colour; the rest stay a flat grey.
  const colour = {
    condition: {
      test: 'datum.beyondNoise',
      field: 'speedup',
      type: 'quantitative',
      title: ['speedup', '(beyond noise)'],
      scale: speedupScale(extreme),
      legend: { values: speedupTicks(extreme), labelExpr: "format(datum.value, '.3~g') + '×'", gradientLength: 160 },
    },
    value: HEATMAP.noise,
  };
  const labelColour = {
    condition: [
      { test: 'datum.dark', value: HEATMAP.labelOnDark },
      { test: '!datum.beyondNoise', value: HEATMAP.labelOnNoise },
    ],
    value: HEATMAP.label,
  };
  return {
    data: { values },
    facet: { row: rowFacet },
    spec: {
      width: { step: 56 },
      height: { step: 30 },
      encoding: SIZE_THREADS_GRID,
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
        { mark: { type: 'text', fontSize: 10, baseline: 'bottom', dy: 1 }, encoding: { text: { field: 'label' }, color: labelColour } },
        {
          // The interval's half-width: the smallest difference resolvable at that point.
          mark: { type: 'text', fontSize: 8, baseline: 'top', dy: 2 },
          encoding: { text: { field: 'resolution' }, color: labelColour },
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
    // Past the middle of either ramp the cell is dark: its label turns white.
    dark: (c.verdict === 'better' || c.verdict === 'worse') && Math.abs(Math.log(c.ratio)) > 0.5 * Math.log(extreme),
    label: `${VERDICT_SIGN[c.verdict]}${c.ratio.toFixed(2)}×${c.verdict === 'noise_unknown' ? '?' : ''}`,
    resolution: c.ci ? `±${c.ci.halfWidthPct < 10 ? c.ci.halfWidthPct.toFixed(1) : c.ci.halfWidthPct.toFixed(0)}%` : '',
  }));
  const noBaseline = !implsOf(points.map((p) => ({ implementation: p.impl }))).includes('two_copy');
  return buildFigure(
    {
      id: '6-speedup',
      title: 'Throughput speedup over two_copy',
      caption:
        'Throughput of each variant (one_copy, zero_copy, and uring_zero_copy where it ran) divided by two_copy’s (geometric means over repetitions) at each message size × thread count; ' +
        'under each ratio, ± the half-width of its 95% confidence interval (Welch t on the logs): the smallest difference the run could resolve there. ' +
        'Only cells whose interval excludes 1 are coloured, red slower and blue faster, on a log scale whose two ramps start at a visible colour: ' +
        'a difference beyond noise is coloured however close to 1 it is, its depth saying how large, while a cell within noise is a flat light grey with grey text, ' +
        'so colour itself means "the run can tell this from noise". Grey cells: ≈ within run-to-run noise, ‡ repetitions ran in different TCP regimes, ? one repetition (noise unknown).',
      lead: 'variant ÷ two_copy; ± half-width of the 95% interval; coloured: interval excludes 1 (beyond noise); flat grey ≈: within noise; ‡: regimes differ; ?: one repetition',
      missing: noBaseline ? ['two_copy was not measured in this run: nothing to compare with'] : [],
      rows: rowsByMode(values),
      panels: (row) => speedupPanels(row.values, extreme),
      empty: noBaseline ? [] : ['no point has both two_copy and another variant'],
    },
    notes,
  );
}
