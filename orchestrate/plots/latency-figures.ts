// Figures 2 and 2b: latency, and the stream delay that is not latency.
// Pure: points in, vega-lite specs out.
//
// Figure 2 is rr's round trip — a message's latency. Stream rows are not in
// it: their one-way delay is time spent waiting in socket buffers
// (queueing.ts), drawn in figure 2b as a queueing delay beside Little's-law
// check of that reading.
import { IMPLEMENTATIONS, type Implementation } from '../config/domain.ts';
import { buildFigure, sizeColumn, wrapText, type Figure, type FigureRow } from './figure.ts';
import type { PointStats } from './points.ts';
import { LITTLE_FACTOR, littleCheck, type LittleCheck } from './queueing.ts';
import { MISSING_COLOUR, PANEL, SOLID_THEN_DASHED, STROKE_LEGEND, variantColour } from './theme.ts';

const implsIn = (values: readonly { variant: string }[]) => IMPLEMENTATIONS.filter((i) => values.some((v) => v.variant === i));

/** One percentile of one point: its median over repetitions, and min–max only when there are two or more. */
interface PercentileValue {
  variant: Implementation;
  size: number;
  threads: number;
  percentile: string;
  value: number;
  reps: number;
  lo?: number;
  hi?: number;
}

function percentileValues(points: readonly PointStats[], figures: readonly { figure: 'latency_p50_us' | 'latency_p99_us'; label: string }[]): PercentileValue[] {
  return points.flatMap((p) =>
    figures.flatMap(({ figure, label }) => {
      const s = p.figures[figure];
      if (!s) return [];
      const spread = s.n >= 2 ? { lo: s.min, hi: s.max } : {};
      return [{ variant: p.impl, size: p.msgSize, threads: p.threads, percentile: label, value: s.median, reps: s.n, ...spread }];
    }),
  );
}

/**
 * A panel per message size, threads on x, a line per variant (and
 * percentile, told apart by dash); a min–max bar wherever a point has two
 * or more repetitions, none where it has one (no spread to show).
 */
function percentilePanels(values: readonly PercentileValue[], impls: readonly Implementation[], yTitle: string, percentiles: readonly string[]) {
  const y = (field: string) => ({ field, type: 'quantitative' as const, title: yTitle, scale: { type: 'log' as const } });
  const dash = { field: 'percentile', type: 'nominal', title: 'percentile', scale: { domain: [...percentiles], range: SOLID_THEN_DASHED }, legend: STROKE_LEGEND };
  const bars = values.some((v) => v.lo !== undefined)
    ? [{ transform: [{ filter: 'isValid(datum.lo)' }], mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.7 }, encoding: { y: y('lo'), y2: { field: 'hi' } } }]
    : [];
  return {
    data: { values },
    facet: { column: sizeColumn },
    spec: {
      ...PANEL,
      width: 130,
      encoding: {
        x: { field: 'threads', type: 'ordinal', title: 'threads', axis: { labelAngle: 0 } },
        color: variantColour(impls),
      },
      layer: [
        ...bars,
        { mark: { type: 'line', strokeWidth: 1.6 }, encoding: { y: y('value'), ...(percentiles.length > 1 ? { strokeDash: dash } : {}) } },
        {
          mark: { type: 'point', filled: true, size: 25, opacity: 1 },
          encoding: {
            y: y('value'),
            tooltip: [
              { field: 'variant' },
              { field: 'size', title: 'bytes' },
              { field: 'threads' },
              { field: 'percentile' },
              { field: 'value', format: '.4~g', title: 'µs (median)' },
              { field: 'lo', format: '.4~g', title: 'min' },
              { field: 'hi', format: '.4~g', title: 'max' },
              { field: 'reps' },
            ],
          },
        },
      ],
    },
  };
}

// --- 2. latency: rr round trips ---------------------------------------------------

export function latencyFigure(points: readonly PointStats[], notes: readonly string[]): Figure {
  const values = percentileValues(
    points.filter((p) => p.mode === 'rr'),
    [
      { figure: 'latency_p50_us', label: 'p50' },
      { figure: 'latency_p99_us', label: 'p99' },
    ],
  );
  const impls = implsIn(values);
  const hasStream = points.some((p) => p.mode === 'stream');
  return buildFigure(
    {
      id: '2-latency',
      title: 'Latency (rr round trip) vs thread count',
      caption:
        'rr round-trip latency in µs (request sent to full response received): p50 (solid) and p99 (dashed), medians over repetitions, ' +
        'one panel per message size; bars span the fastest to the slowest repetition where a point has two or more. ' +
        'Stream rows are not here: their one-way delay is queueing, in figure 2b.',
      lead: 'solid: p50, dashed: p99 (medians over repetitions); bars: min–max over repetitions',
      missing: [],
      rows: [{ key: 'rr', title: 'round-trip latency (rr: request sent to full response received)', values }],
      panels: (row) => percentilePanels(row.values, impls, 'round-trip latency (µs, log)', ['p50', 'p99']),
      empty: [`results.csv has no rr rows: latency here is rr’s round trip${hasStream ? ' (the stream delay is queueing: figure 2b)' : ''}`],
    },
    notes,
  );
}

// --- 2b. queueing delay and Little's law ---------------------------------------------

/** One dot of the check: a stream point's λ·W against its L (medians over repetitions). */
interface LittleValue {
  variant: Implementation;
  size: number;
  threads: number;
  measured: number;
  predicted: number;
  ratio: number;
}

function littleValues(check: LittleCheck): LittleValue[] {
  return check.points.flatMap((p) =>
    p.measured && p.ratio !== null && p.measured.median > 0 && p.predicted.median > 0
      ? [{ variant: p.impl, size: p.msgSize, threads: p.threads, measured: p.measured.median, predicted: p.predicted.median, ratio: p.ratio }]
      : [],
  );
}

/** The reference lines: y = x (solid) and y = x × factor, y = x ÷ factor (dashed), across the data's range. */
export function littleRules(values: readonly LittleValue[]) {
  const all = values.flatMap((v) => [v.measured, v.predicted]);
  const lo = Math.min(...all) / LITTLE_FACTOR;
  const hi = Math.max(...all) * LITTLE_FACTOR;
  return [1, LITTLE_FACTOR, 1 / LITTLE_FACTOR].map((k) => ({
    line: k === 1 ? 'λ·W = L' : `within a factor of ${LITTLE_FACTOR}`,
    x: lo,
    x2: hi,
    y: lo * k,
    y2: hi * k,
  }));
}

const L_TITLE = 'L: bytes measured waiting, server SIOCOUTQ + client SIOCINQ (log)';
const LW_TITLE = 'λ·W: throughput × mean one-way delay, bytes (log)';

function littlePanel(values: readonly LittleValue[], impls: readonly Implementation[]) {
  // Byte counts as 10k, 1M, 100M: SI prefixes read at a glance on a log axis.
  const axis = (field: string, title: string) => ({ field, type: 'quantitative' as const, title, scale: { type: 'log' as const }, axis: { format: '~s' } });
  return {
    width: 360,
    height: 260,
    layer: [
      {
        data: { values: littleRules(values) },
        mark: { type: 'rule', color: '#555555' },
        encoding: {
          x: axis('x', L_TITLE),
          y: axis('y', LW_TITLE),
          x2: { field: 'x2' },
          y2: { field: 'y2' },
          strokeDash: { field: 'line', type: 'nominal', title: null, scale: { domain: ['λ·W = L', `within a factor of ${LITTLE_FACTOR}`], range: SOLID_THEN_DASHED }, legend: STROKE_LEGEND },
        },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 45, opacity: 0.9 },
        encoding: {
          x: axis('measured', L_TITLE),
          y: axis('predicted', LW_TITLE),
          color: variantColour(impls),
          shape: { field: 'size', type: 'nominal', title: 'message size (bytes)', sort: 'ascending' },
          tooltip: [
            { field: 'variant' },
            { field: 'size', title: 'bytes' },
            { field: 'threads' },
            { field: 'predicted', format: '.3~s', title: 'λ·W (B)' },
            { field: 'measured', format: '.3~s', title: 'L (B)' },
            { field: 'ratio', format: '.2f', title: 'λ·W ÷ L' },
          ],
        },
      },
    ],
  };
}

/** A panel of text in place of the check: what is missing and why. */
function notePanel(lines: readonly string[]) {
  const text = lines.flatMap((l) => wrapText(l, 90));
  return {
    width: 620,
    height: 18 * text.length + 10,
    data: { values: text.map((t, i) => ({ text: t, i })) },
    mark: { type: 'text', align: 'left', baseline: 'top', fontSize: 12, color: MISSING_COLOUR },
    encoding: { text: { field: 'text' }, x: { value: 4 }, y: { field: 'i', type: 'ordinal', axis: null } },
  };
}

type QueueRow = 'delay' | 'little';

export function queueingFigure(points: readonly PointStats[], notes: readonly string[], check: LittleCheck = littleCheck(points)): Figure {
  const delay = percentileValues(
    points.filter((p) => p.mode === 'stream'),
    [{ figure: 'latency_p50_us', label: 'p50' }],
  );
  const little = littleValues(check);
  const impls = implsIn([...delay, ...little]);
  const s = check.summary;
  const checkNote = check.missing && delay.length ? [check.missing] : [];
  const rows: FigureRow<object, QueueRow>[] = [
    { key: 'delay', title: 'queueing delay (stream: send to full receipt, time waiting in socket buffers included), p50', values: delay },
    {
      key: 'little',
      title: s
        ? `Little’s law: λ·W ÷ L median ${s.median.toFixed(2)} (range ${s.min.toFixed(2)}–${s.max.toFixed(2)}), ${s.within} of ${s.n} points within a factor of ${LITTLE_FACTOR}`
        : 'Little’s law: not checked',
      values: little.length ? little : checkNote.map((text) => ({ text })),
    },
  ];
  return buildFigure(
    {
      id: '2b-queueing-delay',
      title: 'Stream delay is queueing delay',
      caption:
        'Top: the stream one-way delay (p50, µs, medians over repetitions; bars min–max where a point has two or more), one panel per message size. ' +
        'It is not a message’s latency: the server sends back to back, so messages wait in the socket buffers. ' +
        'Bottom: Little’s law — throughput × mean one-way delay (λ·W) against the bytes measured waiting in the sockets (L: server SIOCOUTQ + client SIOCINQ, sampled every 10 ms), one dot per stream point; ' +
        `on the solid line the two agree, between the dashed ones within a factor of ${LITTLE_FACTOR}.`,
      lead: 'top: p50 queueing delay, bars min–max over repetitions; bottom: λ·W against L, solid y = x',
      missing: check.missing && delay.length ? [check.missing] : [],
      rows,
      panels: (row) =>
        row.key === 'delay'
          ? percentilePanels(row.values as PercentileValue[], impls, 'one-way queueing delay (µs, log)', ['p50'])
          : little.length
            ? littlePanel(little, impls)
            : notePanel(checkNote),
      empty: ['results.csv has no stream rows: no queueing delay to show'],
    },
    notes,
  );
}
