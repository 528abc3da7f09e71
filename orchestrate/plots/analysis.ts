// What the data says about the course's questions, and nothing it does not.
// Pure: points in, findings out.
//
// Noise. A variant beats two_copy at a point only if its slowest repetition
// was faster than two_copy's fastest one — the ranges over repetitions do
// not overlap. With one repetition there is no range, so nothing is claimed.
import { cpusOf, type Config } from '../config/config.ts';
import {
  chooseLastLevel,
  hasCycles,
  hasL1,
  hasTaskClock,
  type FigureName,
  type PointStats,
  type RunData,
  type Spread,
} from './dataset.ts';
import { formatSize } from '../results/format.ts';
import { median } from '../results/stats.ts';
import { IMPLEMENTATIONS, MODES, type Implementation, type Mode } from '../config/domain.ts';

export const BASELINE: Implementation = 'two_copy';
export const CHALLENGERS: Implementation[] = ['one_copy', 'zero_copy'];

/** How a variant's figure compares with two_copy's at one point, given the spread over repetitions. */
export type Verdict = 'better' | 'worse' | 'within_noise' | 'noise_unknown';

/** Compare two spreads; `higherIsBetter` for throughput, not for misses or time per byte. */
export function verdict(other: Spread, base: Spread, higherIsBetter: boolean): Verdict {
  if (other.n < 2 || base.n < 2) return 'noise_unknown';
  const [lo, hi] = higherIsBetter ? [base, other] : [other, base];
  if (hi.min > lo.max) return 'better';
  if (hi.max < lo.min) return 'worse';
  return 'within_noise';
}

export interface Comparison {
  impl: Implementation;
  mode: Mode;
  msgSize: number;
  threads: number;
  /** Median of the variant over median of two_copy. */
  ratio: number;
  verdict: Verdict;
  other: Spread;
  base: Spread;
}

/** Every point where both the variant and two_copy have the figure, compared. */
export function compareWithBaseline(
  points: readonly PointStats[],
  figure: FigureName,
  higherIsBetter: boolean,
): Comparison[] {
  const baseOf = new Map<string, PointStats>();
  for (const p of points) if (p.impl === BASELINE) baseOf.set(`${p.mode}/${p.msgSize}/${p.threads}`, p);
  const out: Comparison[] = [];
  for (const p of points) {
    if (p.impl === BASELINE) continue;
    const b = baseOf.get(`${p.mode}/${p.msgSize}/${p.threads}`);
    const other = p.figures[figure];
    const base = b?.figures[figure];
    if (!other || !base || base.median === 0) continue;
    out.push({
      impl: p.impl,
      mode: p.mode,
      msgSize: p.msgSize,
      threads: p.threads,
      ratio: other.median / base.median,
      verdict: verdict(other, base, higherIsBetter),
      other,
      base,
    });
  }
  return out;
}

/**
 * How often two variants that are really equal still give non-overlapping
 * ranges in a given direction: with a and b exchangeable repetitions, all a
 * above all b has probability 1 / C(a + b, a) — 1 in 20 for 3 against 3.
 */
export function chanceOfNonOverlap(a: number, b: number): number {
  let c = 1;
  for (let i = 1; i <= a; i++) c = (c * (b + i)) / i;
  return 1 / c;
}

// --- 1. crossovers -------------------------------------------------------------

export interface Crossover {
  impl: Implementation;
  mode: Mode;
  threads: number;
  /**
   * `found`: beats two_copy beyond noise at `smallest`; `never`: compared at
   * every size, beyond noise at none; `undecided`: one repetition, no spread.
   */
  status: 'found' | 'never' | 'undecided';
  smallest: number | null;
  /** Every size where it beats two_copy beyond noise. */
  beatsAt: number[];
  /** True when it also beats two_copy at every larger size measured. */
  holdsAbove: boolean;
  /** Sizes where it is slower beyond noise, and where the difference is within noise. */
  worseAt: number[];
  withinNoiseAt: number[];
  /** Throughput ratio (variant ÷ two_copy, medians) at each size compared. */
  ratios: { msgSize: number; ratio: number; verdict: Verdict }[];
}

export function crossovers(points: readonly PointStats[]): Crossover[] {
  const comparisons = compareWithBaseline(points, 'throughput_gbps', true);
  const out: Crossover[] = [];
  for (const mode of MODES) {
    for (const impl of CHALLENGERS) {
      const mine = comparisons.filter((c) => c.mode === mode && c.impl === impl);
      const threads = [...new Set(mine.map((c) => c.threads))].sort((a, b) => a - b);
      for (const t of threads) {
        const row = mine.filter((c) => c.threads === t).sort((a, b) => a.msgSize - b.msgSize);
        const beatsAt = row.filter((c) => c.verdict === 'better').map((c) => c.msgSize);
        const smallest = beatsAt[0] ?? null;
        const decided = row.some((c) => c.verdict !== 'noise_unknown');
        out.push({
          impl,
          mode,
          threads: t,
          status: smallest !== null ? 'found' : decided ? 'never' : 'undecided',
          smallest,
          beatsAt,
          holdsAbove: smallest !== null && row.filter((c) => c.msgSize >= smallest).every((c) => c.verdict === 'better'),
          worseAt: row.filter((c) => c.verdict === 'worse').map((c) => c.msgSize),
          withinNoiseAt: row.filter((c) => c.verdict === 'within_noise').map((c) => c.msgSize),
          ratios: row.map((c) => ({ msgSize: c.msgSize, ratio: c.ratio, verdict: c.verdict })),
        });
      }
    }
  }
  return out;
}

// --- 2. cache levels -------------------------------------------------------------

export interface LevelReduction {
  level: 'L1' | 'last level';
  label: string;
  impl: Implementation;
  /** Median over points of 1 − variant/two_copy (misses per KiB sent); positive = fewer misses. */
  medianReduction: number;
  points: number;
  /** Points where the variant has fewer misses than two_copy beyond noise, and more. */
  fewerBeyondNoise: number;
  moreBeyondNoise: number;
}

export interface CacheFinding {
  /** Null when there is nothing to compare; `reason` says why. */
  reductions: LevelReduction[];
  /** The level with the largest median reduction among those with a reduction beyond noise somewhere. */
  largest: LevelReduction | null;
  mode: Mode | null;
  reason: string | null;
}

/** The mode the per-byte figures use: stream where measured (it moves the most bytes), else rr. */
export function primaryMode(points: readonly { mode: Mode }[]): Mode | null {
  return MODES.find((m) => points.some((p) => p.mode === m)) ?? null;
}

export function cacheFinding(points: readonly PointStats[], data: Pick<RunData, 'rows' | 'meta' | 'events'>): CacheFinding {
  const mode = primaryMode(points);
  const inMode = points.filter((p) => p.mode === mode);
  const lastLevel = chooseLastLevel(data.rows);
  const levels: { level: LevelReduction['level']; label: string; figure: FigureName; available: boolean }[] = [
    { level: 'L1', label: 'L1 data-cache load misses', figure: 'l1_per_kib', available: hasL1(data.rows) },
    { level: 'last level', label: lastLevel.label, figure: 'll_per_kib', available: lastLevel.event !== null },
  ];
  const reductions: LevelReduction[] = [];
  for (const l of levels.filter((x) => x.available)) {
    const comps = compareWithBaseline(inMode, l.figure, false);
    for (const impl of CHALLENGERS) {
      const mine = comps.filter((c) => c.impl === impl);
      if (mine.length === 0) continue;
      reductions.push({
        level: l.level,
        label: l.label,
        impl,
        medianReduction: median(mine.map((c) => 1 - c.ratio))!,
        points: mine.length,
        fewerBeyondNoise: mine.filter((c) => c.verdict === 'better').length,
        moreBeyondNoise: mine.filter((c) => c.verdict === 'worse').length,
      });
    }
  }
  const candidates = reductions.filter((r) => r.fewerBeyondNoise > 0 && r.medianReduction > 0);
  const largest = candidates.sort((a, b) => b.medianReduction - a.medianReduction)[0] ?? null;
  let reason: string | null = null;
  if (reductions.length === 0) {
    reason = levels.every((l) => !l.available)
      ? counterAbsence(data, ['L1-dcache-load-misses', 'LLC-load-misses', 'cache-misses'])
      : 'no point has both two_copy and another variant with cache counts';
  }
  return { reductions, largest, mode, reason };
}

/**
 * Why a counter has no value in this run, as plainly as the run lets us say.
 * `wanted` are the events that could have supplied it.
 */
export function counterAbsence(data: Pick<RunData, 'meta' | 'events' | 'rows'>, wanted: readonly string[]): string {
  const requested = wanted.filter((w) => data.events.some((e) => e === w || e === `${w}:u` || e === `${w}:k`));
  const names = (list: readonly string[]) => list.join(', ');
  if (requested.length === 0) return `the run did not ask perf for ${names(wanted)} (perf.events in its config)`;
  const unsupported = new Set(data.meta.perfUnsupported.map((e) => e.replace(/:[uk]$/, '')));
  const cyclesUnsupported = unsupported.has('cycles') || unsupported.has('cpu-cycles');
  const notSupported = requested.filter((w) => unsupported.has(w));
  if (notSupported.length === requested.length) {
    return cyclesUnsupported
      ? `perf could not count ${names(requested)} on this machine: no hardware PMU ` +
          `(perf reported <not supported> for every hardware event, cycles included; software events such as task-clock still count)`
      : `perf could not count ${names(requested)} on this CPU (perf reported <not supported>)`;
  }
  return `perf reported no count for ${names(requested)} in any experiment (<not counted> or <not supported>)`;
}

// --- 3. thread scaling -------------------------------------------------------------

export interface ScalingFinding {
  impl: Implementation;
  mode: Mode;
  /** The smallest thread count measured; efficiency is relative to it. */
  baseThreads: number;
  /** Per thread count above the base: efficiency = T(n) / (T(base) × n/base), over message sizes. */
  byThreads: { threads: number; median: number; min: number; max: number; sizes: number }[];
}

/** CPUs in a taskset list: `0` → 1, `0-3,6` → 5. */
export function cpuCount(list: string): number {
  return cpusOf(list).length;
}

/** What the config's pinning means for scaling: threads of a side that share too few CPUs cannot scale. */
export function pinningNote(config: Config | null, maxThreads: number): string | null {
  if (!config) return null;
  const sides = (['server', 'client'] as const).flatMap((side) => {
    const list = config.pinning[side];
    return list === null ? [] : [{ side, list, cpus: cpuCount(list) }];
  });
  const tight = sides.filter((s) => s.cpus < maxThreads);
  if (!tight.length) return null;
  return (
    `Pinning: ${tight.map((s) => `the ${s.side}'s threads share ${s.cpus === 1 ? 'one CPU' : `${s.cpus} CPUs`} (taskset ${s.list})`).join(', ')}, ` +
    `so up to ${maxThreads} threads compete for ${Math.min(...tight.map((s) => s.cpus))} core(s) per side: ` +
    'an efficiency near 1/n means the total throughput stayed flat, which is what a saturated core gives.'
  );
}

export function threadScaling(points: readonly PointStats[]): ScalingFinding[] {
  const mode = primaryMode(points);
  const out: ScalingFinding[] = [];
  for (const impl of IMPLEMENTATIONS) {
    const mine = points.filter((p) => p.mode === mode && p.impl === impl && p.figures.throughput_gbps);
    const threads = [...new Set(mine.map((p) => p.threads))].sort((a, b) => a - b);
    if (threads.length < 2 || mode === null) continue;
    const base = threads[0]!;
    const byThreads = threads.slice(1).flatMap((t) => {
      const effs = mine
        .filter((p) => p.threads === t)
        .flatMap((p) => {
          const b = mine.find((q) => q.threads === base && q.msgSize === p.msgSize);
          if (!b || b.figures.throughput_gbps!.median === 0) return [];
          return [p.figures.throughput_gbps!.median / (b.figures.throughput_gbps!.median * (t / base))];
        });
      return effs.length ? [{ threads: t, median: median(effs)!, min: Math.min(...effs), max: Math.max(...effs), sizes: effs.length }] : [];
    });
    out.push({ impl, mode, baseThreads: base, byThreads });
  }
  return out;
}

// --- 4. zero-copy completions ---------------------------------------------------------

export interface ZeroCopyFinding {
  sends: number;
  completions: number;
  copied: number;
  /** copied / completions over the whole run; null without completions. */
  fraction: number | null;
  /** Smallest and largest per-point fraction. */
  minFraction: number | null;
  maxFraction: number | null;
  points: number;
  /** The kernel's reason when every completion was a copy, for the run's topology. */
  reason: string | null;
}

export const DEFERRED_COPY_REASON =
  'the kernel copied the data after all: MSG_ZEROCOPY packets looped to a socket on the same host always get a ' +
  'deferred copy, because a local receiver could hold the sender\'s pinned pages indefinitely ' +
  '(Documentation/networking/msg_zerocopy.rst, "Loopback"); every completion then carries SO_EE_CODE_ZEROCOPY_COPIED. ' +
  'So zero_copy still copies once per message here, at delivery instead of at send; only a real NIC can take the pages without a copy.';

export function zeroCopyFinding(points: readonly PointStats[], config: Config | null): ZeroCopyFinding | null {
  const zc = points.filter((p) => p.impl === 'zero_copy');
  if (zc.length === 0) return null;
  const total = zc.reduce(
    (acc, p) => ({ sends: acc.sends + p.zc.sends, completions: acc.completions + p.zc.completions, copied: acc.copied + p.zc.copied }),
    { sends: 0, completions: 0, copied: 0 },
  );
  const fractions = zc.filter((p) => p.zc.completions > 0).map((p) => p.zc.copied / p.zc.completions);
  const fraction = total.completions > 0 ? total.copied / total.completions : null;
  let reason: string | null = null;
  if (fraction === 1) {
    const over =
      config?.topology.kind === 'netns' ? 'veth (between two network namespaces of one host)' : config?.topology.kind === 'loopback' ? 'loopback' : null;
    reason = over ? `over ${over}, ${DEFERRED_COPY_REASON}` : `every completion was flagged SO_EE_CODE_ZEROCOPY_COPIED: ${DEFERRED_COPY_REASON}`;
  }
  return {
    ...total,
    fraction,
    minFraction: fractions.length ? Math.min(...fractions) : null,
    maxFraction: fractions.length ? Math.max(...fractions) : null,
    points: zc.length,
    reason,
  };
}

// --- CPU cost per byte (cycles where counted, CPU time always) -----------------------------

export interface CostFinding {
  figure: 'cycles_per_byte' | 'cpu_ns_per_byte';
  impl: Implementation;
  mode: Mode;
  /** Median over points of variant ÷ two_copy; below 1 = cheaper per byte. */
  medianRatio: number;
  points: number;
  cheaperBeyondNoise: number;
  dearerBeyondNoise: number;
}

export function costFindings(points: readonly PointStats[], figure: CostFinding['figure']): CostFinding[] {
  const mode = primaryMode(points);
  const comps = compareWithBaseline(points.filter((p) => p.mode === mode), figure, false);
  return CHALLENGERS.flatMap((impl) => {
    const mine = comps.filter((c) => c.impl === impl);
    if (!mine.length || mode === null) return [];
    return [
      {
        figure,
        impl,
        mode,
        medianRatio: median(mine.map((c) => c.ratio))!,
        points: mine.length,
        cheaperBeyondNoise: mine.filter((c) => c.verdict === 'better').length,
        dearerBeyondNoise: mine.filter((c) => c.verdict === 'worse').length,
      },
    ];
  });
}

// --- everything, and in words -------------------------------------------------------------

export interface Analysis {
  reps: { min: number; max: number };
  crossovers: Crossover[];
  cache: CacheFinding;
  scaling: ScalingFinding[];
  /** Why scaling cannot be judged, when it cannot. */
  scalingReason: string | null;
  /** What the run's CPU pinning means for scaling, when it limits it. */
  pinning: string | null;
  zeroCopy: ZeroCopyFinding | null;
  cycles: CostFinding[];
  cyclesReason: string | null;
  cpuTime: CostFinding[];
  cpuTimeReason: string | null;
}

export function analyse(points: readonly PointStats[], data: Pick<RunData, 'rows' | 'meta' | 'events'>): Analysis {
  const reps = points.map((p) => p.reps);
  const scaling = threadScaling(points);
  const threadCounts = new Set(points.map((p) => p.threads));
  return {
    reps: { min: Math.min(...reps), max: Math.max(...reps) },
    crossovers: crossovers(points),
    cache: cacheFinding(points, data),
    scaling,
    scalingReason: threadCounts.size < 2 ? `one thread count (${[...threadCounts].join(', ')}) in this run: nothing to scale` : null,
    pinning: threadCounts.size < 2 ? null : pinningNote(data.meta.config, Math.max(...threadCounts)),
    zeroCopy: zeroCopyFinding(points, data.meta.config),
    cycles: hasCycles(data.rows) ? costFindings(points, 'cycles_per_byte') : [],
    cyclesReason: hasCycles(data.rows) ? null : counterAbsence(data, ['cycles', 'cpu-cycles']),
    cpuTime: hasTaskClock(data.rows) ? costFindings(points, 'cpu_ns_per_byte') : [],
    cpuTimeReason: hasTaskClock(data.rows) ? null : counterAbsence(data, ['task-clock', 'cpu-clock']),
  };
}

const pct = (x: number, digits = 0) => `${(x * 100).toFixed(digits)}%`;
const times = (x: number) => `${x.toFixed(2)}×`;
const sizes = (list: readonly number[]) => list.map((s) => formatSize(s, 'course')).join(', ');

export interface Answer {
  question: string;
  /** One line each; plain text (the report escapes it). */
  lines: string[];
}

function crossoverLine(c: Crossover, reps: number): string {
  const t = `${c.threads} thread${c.threads === 1 ? '' : 's'}`;
  if (c.status === 'undecided') {
    return `${t}: cannot tell — ${reps === 1 ? 'one repetition' : 'a point with one repetition'}, so no spread to compare with`;
  }
  const ratioText = (c.ratios.length ? c.ratios : [])
    .map((r) => `${formatSize(r.msgSize, 'course')} ${times(r.ratio)}${r.verdict === 'better' ? '' : r.verdict === 'worse' ? ' (slower)' : r.verdict === 'within_noise' ? ' (noise)' : ' (?)'}`)
    .join(', ');
  if (c.status === 'never') {
    const how = [
      c.worseAt.length ? `slower beyond noise at ${sizes(c.worseAt)}` : '',
      c.withinNoiseAt.length ? `within noise at ${sizes(c.withinNoiseAt)}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return `${t}: never in this run (${how}). Ratios: ${ratioText}`;
  }
  const rest = c.holdsAbove
    ? c.beatsAt.length > 1
      ? ` and at every larger size`
      : c.smallest === c.ratios[c.ratios.length - 1]?.msgSize
        ? ' (the largest size measured)'
        : ''
    : `, but not at every larger size (beyond noise at ${sizes(c.beatsAt)} only)`;
  return `${t}: from ${formatSize(c.smallest!, 'course')}${rest}. Ratios: ${ratioText}`;
}

export function answers(a: Analysis): Answer[] {
  const out: Answer[] = [];
  const noiseRule =
    a.reps.max < 2
      ? 'This run has one repetition per point: no spread between repetitions, so no difference can be told from noise.'
      : `"Beats" means beyond noise: over ${a.reps.min === a.reps.max ? a.reps.min : `${a.reps.min}–${a.reps.max}`} repetitions, its slowest run was faster than two_copy's fastest. Ratios are medians, variant ÷ two_copy.`;
  for (const impl of CHALLENGERS) {
    const mine = a.crossovers.filter((c) => c.impl === impl);
    const lines: string[] = [noiseRule];
    if (mine.length === 0) lines.push(`not measurable in this run: it has no ${impl} and two_copy throughput at the same points`);
    for (const mode of MODES) {
      const m = mine.filter((c) => c.mode === mode);
      if (!m.length) continue;
      lines.push(`${mode === 'stream' ? 'stream (throughput)' : 'rr (request/response rate)'}:`);
      for (const c of m) lines.push(`  ${crossoverLine(c, a.reps.max)}`);
      if (a.reps.min >= 2) lines.push(`  ${chanceLine(m, a.reps.min)}`);
    }
    out.push({ question: `At what message size does ${impl} beat two_copy?`, lines });
  }

  const cache = a.cache;
  const cacheLines: string[] = [];
  if (cache.reason) cacheLines.push(`not measurable in this run: ${cache.reason}`);
  else {
    for (const r of cache.reductions) {
      cacheLines.push(
        `${r.label}, ${r.impl} vs two_copy (${cache.mode}, misses per KiB sent): median reduction ${pct(r.medianReduction)} over ${r.points} points; ` +
          `fewer beyond noise at ${r.fewerBeyondNoise}, more beyond noise at ${r.moreBeyondNoise}`,
      );
    }
    cacheLines.unshift(
      cache.largest
        ? `${cache.largest.label} show the largest relative reduction: ${pct(cache.largest.medianReduction)} (median, ${cache.largest.impl} vs two_copy), beyond noise at ${cache.largest.fewerBeyondNoise} of ${cache.largest.points} points`
        : 'no cache level shows a reduction beyond noise in this run',
    );
  }
  out.push({ question: 'Which cache level shows the largest relative reduction from two_copy to the others?', lines: cacheLines });

  const scalingLines: string[] = [];
  if (a.scalingReason) scalingLines.push(`not measurable in this run: ${a.scalingReason}`);
  for (const s of a.scaling) {
    const parts = s.byThreads.map(
      (b) => `${b.threads} threads ${pct(b.median)} (${pct(b.min)}–${pct(b.max)}; total ${times((b.median * b.threads) / s.baseThreads)} of ${s.baseThreads})`,
    );
    scalingLines.push(`${s.impl} (${s.mode}): ${parts.join('; ')}`);
  }
  if (a.scaling.length) {
    scalingLines.unshift(
      `Efficiency = throughput at n threads ÷ (n/${a.scaling[0]!.baseThreads} × throughput at ${a.scaling[0]!.baseThreads}); 100% is perfect scaling. Median over message sizes (min–max).`,
    );
    if (a.pinning) scalingLines.push(a.pinning);
  }
  out.push({ question: 'How well does each variant scale with threads?', lines: scalingLines });

  const z = a.zeroCopy;
  const zLines: string[] = [];
  if (!z) zLines.push('not measurable in this run: no zero_copy rows');
  else if (z.fraction === null) zLines.push(`no MSG_ZEROCOPY completions were recorded (${z.sends} sends)`);
  else {
    zLines.push(
      `${pct(z.fraction, 1)} of ${z.completions} completions (${z.sends} sends, ${z.points} points) were deferred copies` +
        (z.minFraction !== null && z.minFraction !== z.maxFraction ? ` (per point ${pct(z.minFraction, 1)}–${pct(z.maxFraction!, 1)})` : ''),
    );
    if (z.reason) zLines.push(`Why: ${z.reason}`);
  }
  out.push({ question: 'What share of zero_copy sends were copied after all?', lines: zLines });

  const costLines: string[] = [];
  if (a.cyclesReason) costLines.push(`cycles per byte: not measurable in this run: ${a.cyclesReason}`);
  for (const c of a.cycles) costLines.push(costLine('cycles per byte', c));
  if (a.cpuTimeReason) costLines.push(`CPU time per byte: not measurable in this run: ${a.cpuTimeReason}`);
  for (const c of a.cpuTime) costLines.push(costLine('CPU time per byte (task-clock, not cycles)', c));
  out.push({ question: 'What does a byte cost the CPU in each variant?', lines: costLines });
  return out;
}

/** How many wins and losses beyond noise luck alone would give, next to how many were found. */
function chanceLine(crossings: readonly Crossover[], reps: number): string {
  const compared = crossings.reduce((n, c) => n + c.ratios.filter((r) => r.verdict !== 'noise_unknown').length, 0);
  const p = chanceOfNonOverlap(reps, reps);
  const wins = crossings.reduce((n, c) => n + c.beatsAt.length, 0);
  const losses = crossings.reduce((n, c) => n + c.worseAt.length, 0);
  return (
    `Beyond noise: faster at ${wins}, slower at ${losses} of ${compared} points. Two equal variants would still part ` +
    `in a given direction 1 time in ${Math.round(1 / p)} with ${reps} repetitions each, about ${(compared * p).toFixed(1)} of ${compared} by chance` +
    (wins > 0 ? ': an isolated win that does not hold at larger sizes may be one.' : '.')
  );
}

function costLine(what: string, c: CostFinding): string {
  return (
    `${what}, ${c.impl} ÷ two_copy (${c.mode}): median ${times(c.medianRatio)} over ${c.points} points; ` +
    `cheaper beyond noise at ${c.cheaperBeyondNoise}, dearer beyond noise at ${c.dearerBeyondNoise}`
  );
}
