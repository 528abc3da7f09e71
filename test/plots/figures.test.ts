// The vega-lite specs: the right fields, facets and scales, and every
// measured point in the data they carry. Pure: no rendering here.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../orchestrate/plots/analysis.ts';
import { wrapText, type Figure } from '../../orchestrate/plots/figure.ts';
import {
  COMPLETION_KINDS,
  allFigures,
  cacheFigure,
  cpuTimeFigure,
  cyclesFigure,
  speedupFigure,
  speedupScale,
  speedupTicks,
  throughputFigure,
  zeroCopyFigure,
} from '../../orchestrate/plots/figures.ts';
import { latencyFigure, littleRules, queueingFigure } from '../../orchestrate/plots/latency-figures.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { NO_QUEUE_COLUMNS } from '../../orchestrate/plots/queueing.ts';
import { HEATMAP, SIZE_LABEL_EXPR, sizeAxis } from '../../orchestrate/plots/theme.ts';
import type { Row } from '../../orchestrate/results/row.ts';
import { FIGURE_IDS, HARDWARE_EVENTS, matrix, row, runData } from './synthetic.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

/** The panels of a figure: its vconcat parts, or itself. */
const parts = (f: Figure): Any[] => ((f.spec as Any).vconcat as Any[]) ?? [f.spec];
const valuesOf = (f: Figure): Any[] => parts(f).flatMap((p) => p.data?.values ?? []);
/** Layers of a faceted part. */
const layers = (part: Any): Any[] => part.spec.layer;

const withCounters = matrix({ counters: true });
const noPmu = matrix({ counters: false });
const points = pointStats(withCounters);
const pointsNoPmu = pointStats(noPmu);
/** The run's analysis, computed once, as plotting.ts hands it to the figures. */
const analysisOf = (rows: Row[], opts: { unsupported?: string[] } = {}) => analyse(pointStats(rows), runData(rows, opts));

describe('1. throughput', () => {
  const f = throughputFigure(points, []);

  it('has one row per mode, a panel per thread count, a line per variant', () => {
    expect(parts(f).map((p) => p.title)).toEqual(['stream: messages back to back', 'rr: one message per request']);
    for (const p of parts(f)) {
      expect(p.facet.column.field).toBe('threads');
      const line = layers(p).find((l) => l.mark.type === 'line');
      expect(line.encoding.color.field).toBe('variant');
      expect(line.encoding.color.scale.domain).toEqual(['two_copy', 'one_copy', 'zero_copy']);
      expect(line.encoding.y.field).toBe('median');
    }
  });

  it('has error bars from the slowest to the fastest repetition', () => {
    const bars = layers(parts(f)[0]).find((l) => l.mark.type === 'errorbar');
    expect(bars.encoding.y.field).toBe('min');
    expect(bars.encoding.y2.field).toBe('max');
    expect(bars.transform).toEqual([{ filter: 'datum.reps >= 2' }]);
    expect(f.caption).toMatch(/min–max over repetitions/);
    const v = valuesOf(f).find((x) => x.variant === 'one_copy' && x.size === 1024 && x.threads === 2 && x.mode === 'stream');
    const reps = withCounters.filter((r) => r.implementation === 'one_copy' && r.msg_size === 1024 && r.threads === 2 && r.mode === 'stream').map((r) => r.throughput_gbps);
    expect(v).toMatchObject({ min: Math.min(...reps), max: Math.max(...reps), reps: 3 });
  });

  it('has a log2 size axis labelled with exactly the sizes measured', () => {
    const x = layers(parts(f)[0])[0].encoding.x;
    expect(x.scale).toMatchObject({ type: 'log', base: 2 });
    expect(x.axis.values).toEqual([128, 1024, 65536]);
    expect(x.axis.labelExpr).toBe(SIZE_LABEL_EXPR);
    expect(x.axis.labelOverlap).toBe(false);
  });

  it('carries every measured point', () => {
    expect(valuesOf(f)).toHaveLength(points.length);
    expect(new Set(valuesOf(f).map((v) => `${v.mode}/${v.variant}/${v.size}/${v.threads}`)).size).toBe(points.length);
  });

  it('pads a single size so it still has an axis range', () => {
    const s = sizeAxis([4096]);
    expect(s.scale.domain[0]).toBeLessThan(4096);
    expect(s.scale.domain[1]).toBeGreaterThan(4096);
  });
});

describe('error bars (figures 1, 3, 4, 4b)', () => {
  const spreadFigures = (rows: Row[]) => {
    const a = analysisOf(rows);
    const p = pointStats(rows);
    return [throughputFigure(p, []), cacheFigure(p, a, []), cyclesFigure(p, a, []), cpuTimeFigure(p, a, [])];
  };
  const errorBarLayers = (f: Figure) => parts(f).flatMap((part) => layers(part).filter((l) => l.mark.type === 'errorbar'));

  it('are drawn where points have two or more repetitions', () => {
    for (const f of spreadFigures(matrix({ counters: true, repetitions: 2 }))) {
      expect(f.hasData, f.id).toBe(true);
      expect(errorBarLayers(f).length, f.id).toBe(parts(f).length);
      expect((f.spec as Any).title.subtitle[0], f.id).toMatch(/error bars: min–max/);
    }
  });

  it('are absent with one repetition, and the subtitle says so', () => {
    for (const f of spreadFigures(matrix({ counters: true, repetitions: 1 }))) {
      expect(f.hasData, f.id).toBe(true);
      expect(errorBarLayers(f), f.id).toEqual([]);
      expect((f.spec as Any).title.subtitle.join(' '), f.id).toMatch(/each point measured once: no error bars/);
    }
  });

  it('with some points measured once: only the others get a bar, and the subtitle counts them', () => {
    const rows = matrix({ counters: true, repetitions: 2 }).filter((r) => !(r.implementation === 'zero_copy' && r.rep === 2));
    const f = throughputFigure(pointStats(rows), []);
    expect(errorBarLayers(f)).toHaveLength(2);
    expect((f.spec as Any).title.subtitle[0]).toMatch(/none at the 12 points with one repetition/);
  });
});

describe('2. latency: rr round trips only', () => {
  const f = latencyFigure(points, []);
  const ruleOf = (fig: Figure) => parts(fig)[0].spec.layer.find((l: Any) => l.mark.type === 'rule');

  it('has only rr data, titled as round-trip latency', () => {
    expect(parts(f).map((p) => p.title)).toEqual([expect.stringMatching(/^round-trip latency \(rr/)]);
    expect(parts(f)[0].spec.layer.find((l: Any) => l.mark.type === 'line').encoding.y.title).toMatch(/round-trip/);
    const rr = points.filter((p) => p.mode === 'rr');
    expect(valuesOf(f)).toHaveLength(rr.length * 2);
    expect(f.caption).toMatch(/figure 2b/);
  });

  it('a panel per message size, threads on x, p50 and p99 told apart by dash', () => {
    const p = parts(f)[0];
    expect(p.facet.column.field).toBe('size');
    expect(p.spec.encoding.x.field).toBe('threads');
    const line = p.spec.layer.find((l: Any) => l.mark.type === 'line');
    expect(line.encoding.strokeDash.field).toBe('percentile');
    expect(line.encoding.strokeDash.scale.domain).toEqual(['p50', 'p99']);
    const p99 = valuesOf(f).find((v) => v.percentile === 'p99' && v.threads === 2);
    expect(p99.value).toBe(80); // synthetic: p99 = 40 × threads
  });

  it('draws min–max bars over repetitions where a point has two or more', () => {
    const rule = ruleOf(f);
    expect(rule.encoding.y.field).toBe('lo');
    expect(rule.encoding.y2.field).toBe('hi');
    const rows = [20, 5, 11].map((p50, i) => row({ impl: 'one_copy', mode: 'rr', size: 1024, rep: i + 1, gbps: 1, latencyP50Us: p50 }));
    const v = valuesOf(latencyFigure(pointStats(rows), [])).find((x) => x.percentile === 'p50');
    expect(v).toMatchObject({ value: 11, lo: 5, hi: 20, reps: 3 });
  });

  it('draws no bar where there is one repetition', () => {
    const one = latencyFigure(pointStats(matrix({ repetitions: 1 })), []);
    expect(ruleOf(one)).toBeUndefined();
    expect(valuesOf(one).every((v) => v.lo === undefined && v.hi === undefined)).toBe(true);
  });

  it('says so when the run has no rr rows', () => {
    const streamOnly = latencyFigure(pointStats(matrix({ modes: ['stream'] })), []);
    expect(streamOnly.hasData).toBe(false);
    expect(streamOnly.missing.join(' ')).toMatch(/no rr rows.*figure 2b/);
  });
});

describe('2b. queueing delay and Little’s law', () => {
  // λ = 1 GB/s (8 Gbit/s), W = 1 ms (1000 µs): λ·W = 1 MB; L = 1 MB split over the two sides.
  const little = [1, 2].map((threads) =>
    row({ impl: 'two_copy', size: 65536, threads, gbps: 8, latencyMeanUs: 1000, latencyP50Us: 900, queue: { server: 8e5, client: 2e5 } }),
  );

  it('shows the stream p50 as queueing delay, rr left out', () => {
    const f = queueingFigure(points, []);
    expect(f.id).toBe('2b-queueing-delay');
    expect(f.title).toMatch(/queueing delay/);
    const [delay] = parts(f);
    expect(delay.title).toMatch(/^queueing delay \(stream/);
    expect(delay.data.values).toHaveLength(points.filter((p) => p.mode === 'stream').length);
    expect(delay.spec.layer.find((l: Any) => l.mark.type === 'rule').encoding.y.field).toBe('lo');
  });

  it('plots λ·W against L with the y = x line', () => {
    const f = queueingFigure(pointStats(little), []);
    expect(f.missing).toEqual([]);
    const check = parts(f)[1];
    expect(check.title).toMatch(/median 1\.00/);
    const [rules, dots] = check.layer;
    expect(rules.mark.type).toBe('rule');
    const identity = rules.data.values.find((r: Any) => r.line === 'λ·W = L');
    expect(identity.y).toBe(identity.x);
    expect(identity.y2).toBe(identity.x2);
    expect(identity.x).toBeLessThan(1e6);
    expect(identity.x2).toBeGreaterThan(1e6);
    expect(dots.data.values.map((v: Any) => [v.predicted, v.measured])).toEqual([[1e6, 1e6], [1e6, 1e6]]);
    expect(dots.encoding.x.scale.type).toBe('log');
  });

  it('says what is missing and why when results.csv has no queue columns', () => {
    const f = queueingFigure(points, []);
    expect(f.hasData).toBe(true);
    expect(f.missing).toEqual([NO_QUEUE_COLUMNS]);
    expect((f.spec as Any).title.subtitle).toContain(NO_QUEUE_COLUMNS);
    const note = parts(f)[1];
    expect(note.title).toMatch(/not checked/);
    expect(note.mark.type).toBe('text');
    expect(note.data.values.map((v: Any) => v.text).join(' ')).toBe(NO_QUEUE_COLUMNS);
  });

  it('has a reference band a factor of 2 wide around y = x', () => {
    const r = littleRules([{ variant: 'two_copy', size: 1, threads: 1, measured: 100, predicted: 400, ratio: 4 }]);
    expect(r.map((x) => x.y2 / x.x2)).toEqual([1, 2, 0.5]);
  });
});

describe('3. cache misses', () => {
  it('shows L1 and last level, sender and receiver, per thread count', () => {
    const f = cacheFigure(points, analysisOf(withCounters), []);
    expect(f.hasData).toBe(true);
    expect(parts(f).map((p) => p.title)).toEqual(['L1 data cache: L1-dcache-load-misses', 'last level: LLC-load-misses']);
    const line = layers(parts(f)[0]).find((l) => l.mark.type === 'line');
    expect(line.encoding.strokeDash.field).toBe('side');
    expect(new Set(valuesOf(f).map((v) => v.side))).toEqual(new Set(['sender (server)', 'receiver (client)']));
    // stream only: 3 variants × 3 sizes × 2 threads × 2 levels × 2 sides
    expect(valuesOf(f)).toHaveLength(3 * 3 * 2 * 2 * 2);
  });

  it('says when cache-misses stands in for LLC loads', () => {
    const rows = [row({ impl: 'two_copy', size: 128, gbps: 1, counters: { cycles: 1, l1: 1, llc: 1 }, onlyCacheMisses: true })];
    const f = cacheFigure(pointStats(rows), analysisOf(rows), []);
    expect(parts(f)[1].title).toMatch(/^last level: cache-misses \(LLC-load-misses not counted on this CPU\)/);
  });

  it('without a PMU: still a figure, saying what is missing and why', () => {
    const f = cacheFigure(pointsNoPmu, analysisOf(noPmu, { unsupported: HARDWARE_EVENTS }), []);
    expect(f.hasData).toBe(false);
    expect(f.missing.join(' ')).toMatch(/perf could not count L1-dcache-load-misses, LLC-load-misses, cache-misses on this machine: no hardware PMU/);
    const text = valuesOf(f).map((v) => v.text).join(' ');
    expect(text).toMatch(/No data for this figure/);
    expect(text).toMatch(/no hardware PMU/);
    // One reason for both levels, and where to look instead.
    expect(f.missing).toHaveLength(1);
    expect(f.missing[0]).toMatch(/^L1 and last level: perf could not count L1-dcache-load-misses, LLC-load-misses, cache-misses/);
    expect(text).toMatch(/Figure 4b shows what the copies cost without hardware counters/);
  });
});

describe('4. cycles per byte, and CPU time per byte', () => {
  it('cycles per byte per thread count when counted', () => {
    const f = cyclesFigure(points, analysisOf(withCounters), []);
    expect(f.hasData).toBe(true);
    expect(parts(f)[0].facet.column.field).toBe('threads');
    expect(valuesOf(f)).toHaveLength(points.length);
  });

  it('without a PMU: the placeholder names cycles and the missing PMU', () => {
    const f = cyclesFigure(pointsNoPmu, analysisOf(noPmu, { unsupported: HARDWARE_EVENTS }), []);
    expect(f.hasData).toBe(false);
    expect(valuesOf(f).map((v) => v.text).join(' ')).toMatch(/perf could not count cycles on this machine: no hardware PMU/);
    expect(valuesOf(f).map((v) => v.text).join(' ')).toMatch(/Figure 4b/);
  });

  it('CPU time per byte is there without a PMU, labelled as CPU time, not cycles', () => {
    const f = cpuTimeFigure(pointsNoPmu, analysisOf(noPmu, { unsupported: HARDWARE_EVENTS }), []);
    expect(f.hasData).toBe(true);
    expect(f.title).toMatch(/task-clock, not cycles/);
    expect(layers(parts(f)[0])[1].encoding.y.title).toMatch(/CPU ns per byte/);
    expect(valuesOf(f)).toHaveLength(pointsNoPmu.length);
  });
});

describe('5. zero-copy completions', () => {
  const colourOf = (f: Figure) => {
    const part = parts(f)[0];
    const layered = part.spec ?? part;
    return layered.layer[0].encoding.color;
  };

  it('mixed kinds: stacked bars with each share printed, both kinds in the legend', () => {
    const rows = [
      row({ impl: 'zero_copy', size: 4096, gbps: 1, zc: { completions: 100, copied: 100 } }),
      row({ impl: 'zero_copy', size: 65536, gbps: 1, zc: { completions: 100, copied: 30 } }),
      row({ impl: 'two_copy', size: 4096, gbps: 1 }),
    ];
    const f = zeroCopyFigure(pointStats(rows), []);
    const v = valuesOf(f);
    expect(v).toHaveLength(3); // no zero-height segment at 4096
    const deferred = v.find((x) => x.size === 65536 && x.kind === COMPLETION_KINDS[0]);
    const direct = v.find((x) => x.size === 65536 && x.kind === COMPLETION_KINDS[1]);
    expect(deferred).toMatchObject({ lo: 0, label: '30.0%' });
    expect(deferred.hi).toBeCloseTo(0.3);
    expect(direct).toMatchObject({ hi: 1, label: '70.0%' });
    expect(v.find((x) => x.size === 4096).label).toBe('100%');
    expect(colourOf(f).scale.domain).toEqual([...COMPLETION_KINDS]);
    expect(parts(f)[0].spec.layer.map((l: Any) => l.mark.type)).toEqual(['bar', 'text']);
    expect((f.spec as Any).title.subtitle[0]).toMatch(/65.0% of 200 completions were deferred copies/);
  });

  it('every completion a deferred copy: a compact grid of counts, said in the subtitle, one legend entry', () => {
    const rows = matrix({ modes: ['stream'] });
    const f = zeroCopyFigure(pointStats(rows), []);
    expect(colourOf(f).scale.domain).toEqual([COMPLETION_KINDS[0]]);
    expect(parts(f)[0].facet).toBeUndefined();
    expect(parts(f)[0].layer.map((l: Any) => l.mark.type)).toEqual(['rect', 'text']);
    expect(parts(f)[0].layer[1].encoding.text.field).toBe('completions');
    // 3 sizes × 2 threads, 3 repetitions of 1000 completions each
    expect(valuesOf(f)).toHaveLength(6);
    expect(valuesOf(f).every((x) => x.completions === 3000)).toBe(true);
    expect((f.spec as Any).title.subtitle[0]).toMatch(/^100% deferred copies \(flagged copied by the kernel\): all 18,000 completions at all 6 points/);
  });

  it('no completion copied: the legend has only true zero-copy', () => {
    const rows = [row({ impl: 'zero_copy', size: 65536, gbps: 1, zc: { completions: 50, copied: 0 } })];
    const f = zeroCopyFigure(pointStats(rows), []);
    expect(colourOf(f).scale.domain).toEqual([COMPLETION_KINDS[1]]);
    expect((f.spec as Any).title.subtitle[0]).toMatch(/^100% true zero-copy: all 50 completions/);
  });

  it('a3 and a4 both ran: a row per variant, each with its own counts', () => {
    const rows = [
      row({ impl: 'zero_copy', size: 1024, gbps: 1, zc: { completions: 100, copied: 100 } }),
      row({ impl: 'uring_zero_copy', size: 1024, gbps: 1, zc: { completions: 80, copied: 20 } }),
    ];
    const f = zeroCopyFigure(pointStats(rows), []);
    expect(parts(f)[0].facet.row.field).toBe('variant');
    const a4 = valuesOf(f).filter((x) => x.variant === 'uring_zero_copy');
    expect(a4.map((x) => x.count)).toEqual([20, 60]);
    expect((f.spec as Any).title.subtitle[0]).toMatch(/66.7% of 180 completions were deferred copies/);
    expect(f.caption).toMatch(/IORING_NOTIF_USAGE_ZC_COPIED/);
  });

  it('without zero_copy rows: says so', () => {
    const f = zeroCopyFigure(pointStats([row({ impl: 'two_copy', size: 1, gbps: 1 })]), []);
    expect(f.hasData).toBe(false);
    expect(f.missing.join(' ')).toMatch(/no zero_copy or uring_zero_copy rows/);
  });
});

describe('6. speedup heatmap', () => {
  const rows = matrix({ factor: (impl, size) => (impl === 'one_copy' && size === 65536 ? 1.5 : 1) });
  const f = speedupFigure(pointStats(rows), analysisOf(rows), []);

  it('size × threads cells per challenger and mode', () => {
    const p = parts(f)[0];
    expect(p.facet.row.field).toBe('variant');
    expect(p.spec.encoding.x.field).toBe('size');
    expect(p.spec.encoding.y.field).toBe('threads');
    // 2 challengers × 3 sizes × 2 threads × 2 modes
    expect(valuesOf(f)).toHaveLength(24);
  });

  it('colours only differences beyond noise; the rest are grey and marked', () => {
    const win = valuesOf(f).find((v) => v.variant === 'one_copy' && v.size === 65536 && v.mode === 'stream');
    expect(win).toMatchObject({ beyondNoise: true, verdict: 'beyond noise: faster', label: '1.50×' });
    const tie = valuesOf(f).find((v) => v.variant === 'zero_copy' && v.size === 128 && v.mode === 'stream');
    expect(tie.beyondNoise).toBe(false);
    expect(tie.label).toMatch(/^≈1\.00×$/);
    const rect = parts(f)[0].spec.layer[0];
    expect(rect.encoding.color.condition.test).toBe('datum.beyondNoise');
    expect(rect.encoding.color.value).toBe(HEATMAP.noise);
    // Their labels differ too: grey text on a tie.
    const label = parts(f)[0].spec.layer[1].encoding.color;
    expect(label.condition).toContainEqual({ test: '!datum.beyondNoise', value: HEATMAP.labelOnNoise });
  });

  it('has a colour legend with several ticks within the data range', () => {
    const legend = parts(f)[0].spec.layer[0].encoding.color.condition.legend;
    expect(legend.values).toEqual([0.5, 1, 2]); // extreme 2 (the floor): 1.5× is inside
    expect(legend.labelExpr).toMatch(/×/);
    expect(speedupTicks(1 / 0.18)).toEqual([0.25, 0.5, 1, 2, 4]);
    expect(speedupTicks(40)).toEqual([1 / 16, 1 / 4, 1, 4, 16]);
    for (const e of [2, 3, 5.5, 9, 40, 1000]) {
      const ticks = speedupTicks(e);
      expect(ticks.length, String(e)).toBeGreaterThanOrEqual(3);
      expect(ticks.length, String(e)).toBeLessThanOrEqual(7);
      expect(ticks.every((t) => t >= 1 / e && t <= e)).toBe(true);
    }
  });

  it('colours a difference beyond noise near 1 visibly, unlike the grey of a tie', async () => {
    // The scale as vega draws it: compiled from the spec, not re-derived.
    const spec = { data: { values: [{ speedup: 1 }] }, mark: 'rect', encoding: { color: { field: 'speedup', type: 'quantitative', scale: speedupScale(5) } } };
    const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: 'none' });
    await view.runAsync();
    const scale = view.scale('color') as (x: number) => string;
    view.finalize();
    const rgb = (c: string) => (c.startsWith('#') ? [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) : c.match(/\d+/g)!.slice(0, 3).map(Number));
    const distance = (a: string, b: string) => Math.hypot(...rgb(a).map((x, i) => x - rgb(b)[i]!));
    for (const near of [0.97, 1.03]) expect(distance(scale(near), HEATMAP.noise), String(near)).toBeGreaterThan(60);
    // Slower is red, faster blue, and the ends are the strongest colours.
    expect(rgb(scale(0.97))[0]).toBeGreaterThan(rgb(scale(0.97))[2]!);
    expect(rgb(scale(1.03))[2]).toBeGreaterThan(rgb(scale(1.03))[0]!);
    expect(rgb(scale(1 / 5))).toEqual(rgb(HEATMAP.slower[3]));
    expect(rgb(scale(5))).toEqual(rgb(HEATMAP.faster[3]));
  });
});

describe('runs with less', () => {
  it('a single repetition and a single thread count: every figure says so', () => {
    const rows = matrix({ counters: true, threads: [4], repetitions: 1 });
    const figures = allFigures(pointStats(rows), analysisOf(rows));
    expect(figures.map((f) => f.id)).toEqual(FIGURE_IDS);
    for (const f of figures) {
      expect(f.hasData, f.id).toBe(true);
      const subtitle = ((f.spec as Any).title.subtitle ?? []).join(' ');
      expect(subtitle, f.id).toMatch(/one repetition per point/);
      expect(subtitle, f.id).toMatch(/one thread count \(4\)/);
    }
    expect(valuesOf(figures.find((f) => f.id === '6-speedup')!).every((v) => v.label.endsWith('?'))).toBe(true);
  });

  it('wraps long explanations so no word is cut', () => {
    const lines = wrapText('perf could not count LLC-load-misses, cache-misses on this machine: no hardware PMU at all', 30);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
    expect(lines.join(' ')).toBe('perf could not count LLC-load-misses, cache-misses on this machine: no hardware PMU at all');
  });
});
