// What the data says about the course's questions, and nothing it does not.
// Pure: points in, findings out — computed once per run (analyse) and
// handed to the figures and the report, which put them in pictures and
// words (report-answers.ts holds the words).
//
// Every comparison with two_copy goes through compare.ts: beyond noise only
// when the 95 % interval of the ratio excludes 1; points whose repetitions
// ran in different TCP regimes are set apart (regimes.ts), not judged.
import { cpusOf } from '../config/cpus.ts';
import { type Config } from '../config/schema.ts';
import { IMPLEMENTATIONS, MODES, type Implementation, type Mode } from '../config/domain.ts';
import { median } from '../results/stats.ts';
import { CHALLENGERS, compareWithBaseline, primaryMode, speedupsOf, type Comparison, type Verdict } from './compare.ts';
import { chooseLastLevel, hasCycles, hasL1, hasTaskClock, type LastLevelChoice, type RunData } from './dataset.ts';
import type { FigureName, PointStats } from './points.ts';
import { regimePoints, unsteadyPoints, type RegimePoint, type UnsteadyPoint } from './regime-points.ts';
import type { Interval } from '../results/stats.ts';
import { copyCount, fallsWithThreads, twoRegimes, type Finding, type FindingInput } from './findings.ts';
import { setupCost } from './findings-setup.ts';
import type { RatioAt } from './ratios.ts';
import { modeScaling, threadRatios, type ModeScaling, type ThreadRatio } from './threads.ts';
import { zeroCopyFinding, type ZeroCopyFinding } from './zero-copy.ts';
import { zeroCopyReceive, type ZeroCopyReceive } from './zero-copy-receive.ts';
import { zeroCopyWhy, type ZeroCopyWhy } from './zero-copy-why.ts';

export { DEFERRED_COPY_REASON, zeroCopyFinding, type ZeroCopyFinding } from './zero-copy.ts';

/** What the analysis reads besides the points. */
export type AnalysisInput = Pick<RunData, 'rows' | 'events' | 'meta' | 'config' | 'attribution'>;

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
  /** Sizes where it is slower beyond noise, where the difference is within noise, and where regimes differ between repetitions. */
  worseAt: number[];
  withinNoiseAt: number[];
  mixedAt: number[];
  /** Throughput ratio (variant ÷ two_copy, geometric means) and its 95 % interval at each size compared. */
  ratios: { msgSize: number; ratio: number; ci: Interval | null; verdict: Verdict }[];
}

/** Crossovers from the speedups (speedupsOf): per mode, challenger and thread count. */
export function crossovers(speedups: readonly Comparison[]): Crossover[] {
  const out: Crossover[] = [];
  for (const mode of MODES) {
    for (const impl of CHALLENGERS) {
      const mine = speedups.filter((c) => c.mode === mode && c.impl === impl);
      const threads = [...new Set(mine.map((c) => c.threads))].sort((a, b) => a - b);
      for (const t of threads) {
        const row = mine.filter((c) => c.threads === t).sort((a, b) => a.msgSize - b.msgSize);
        const beatsAt = row.filter((c) => c.verdict === 'better').map((c) => c.msgSize);
        const smallest = beatsAt[0] ?? null;
        const decided = row.some((c) => c.verdict !== 'noise_unknown' && c.verdict !== 'mixed_regimes');
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
          mixedAt: row.filter((c) => c.verdict === 'mixed_regimes').map((c) => c.msgSize),
          ratios: row.map((c) => ({ msgSize: c.msgSize, ratio: c.ratio, ci: c.ci, verdict: c.verdict })),
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
  /** The middle point of the sorted ratios (variant ÷ two_copy misses): its interval is the one quoted. */
  middle: RatioAt;
}

export interface CacheFinding {
  /** Null when there is nothing to compare; `reason` says why. */
  reductions: LevelReduction[];
  /** The level with the largest median reduction among those with a reduction beyond noise somewhere. */
  largest: LevelReduction | null;
  mode: Mode | null;
  reason: string | null;
}

export function cacheFinding(points: readonly PointStats[], data: AnalysisInput, lastLevel = chooseLastLevel(data.rows)): CacheFinding {
  const mode = primaryMode(points);
  const inMode = points.filter((p) => p.mode === mode);
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
        middle: [...mine].sort((a, b) => a.ratio - b.ratio)[Math.floor(mine.length / 2)]!,
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
export function counterAbsence(data: Pick<RunData, 'meta' | 'events'>, wanted: readonly string[]): string {
  const requested = wanted.filter((w) => data.events.some((e) => e === w || e === `${w}:u` || e === `${w}:k`));
  const names = (list: readonly string[]) => list.join(', ');
  if (requested.length === 0) return `the run did not ask perf for ${names(wanted)} (perf.events in its config)`;
  const unsupported = new Set((data.meta?.perf_unsupported ?? []).map((e) => e.replace(/:[uk]$/, '')));
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

// --- CPU cost per byte (cycles where counted, CPU time always) -----------------------------

export type CostSide = 'both' | 'server' | 'client';

export interface CostFinding {
  figure: 'cycles_per_byte' | 'cpu_ns_per_byte';
  /** Server + client, or one side (the server sends, the client receives). */
  side: CostSide;
  impl: Implementation;
  mode: Mode;
  /** Median over points of variant ÷ two_copy; below 1 = cheaper per byte. */
  medianRatio: number;
  points: number;
  cheaperBeyondNoise: number;
  dearerBeyondNoise: number;
  /** Median over points of the interval's half-width, %: the difference this run could resolve; null without intervals. */
  medianResolutionPct: number | null;
  /** The middle point of the sorted ratios: its interval is the one quoted. */
  middle: RatioAt;
}

const SIDE_FIGURE: Record<CostFinding['figure'], Record<CostSide, FigureName>> = {
  cycles_per_byte: { both: 'cycles_per_byte', server: 'cycles_per_byte_server', client: 'cycles_per_byte_client' },
  cpu_ns_per_byte: { both: 'cpu_ns_per_byte', server: 'cpu_ns_per_byte_server', client: 'cpu_ns_per_byte_client' },
};

export function costFindings(points: readonly PointStats[], figure: CostFinding['figure']): CostFinding[] {
  const mode = primaryMode(points);
  const inMode = points.filter((p) => p.mode === mode);
  return (['both', 'server', 'client'] as const).flatMap((side) => {
    const comps = compareWithBaseline(inMode, SIDE_FIGURE[figure][side], false);
    return CHALLENGERS.flatMap((impl) => {
      const mine = comps.filter((c) => c.impl === impl);
      if (!mine.length || mode === null) return [];
      const widths = mine.flatMap((c) => (c.ci ? [c.ci.halfWidthPct] : []));
      return [
        {
          figure,
          side,
          impl,
          mode,
          medianRatio: median(mine.map((c) => c.ratio))!,
          points: mine.length,
          cheaperBeyondNoise: mine.filter((c) => c.verdict === 'better').length,
          dearerBeyondNoise: mine.filter((c) => c.verdict === 'worse').length,
          medianResolutionPct: median(widths),
          middle: [...mine].sort((a, b) => a.ratio - b.ratio)[Math.floor(mine.length / 2)]!,
        },
      ];
    });
  });
}

// --- everything, once ---------------------------------------------------------------------

/** Why a counter has no value in this run (counterAbsence's words); null where it has one. */
export interface Absent {
  l1: string | null;
  lastLevel: string | null;
  cycles: string | null;
  cpuTime: string | null;
}

export interface Analysis {
  reps: { min: number; max: number };
  /** Throughput of each variant ÷ two_copy's at every point both have (speedupsOf). */
  speedups: Comparison[];
  /** The event that stands for the last-level cache in this run. */
  lastLevel: LastLevelChoice;
  absent: Absent;
  crossovers: Crossover[];
  cache: CacheFinding;
  scaling: ScalingFinding[];
  /** Why scaling cannot be judged, when it cannot. */
  scalingReason: string | null;
  /** What the run's CPU pinning means for scaling, when it limits it. */
  pinning: string | null;
  zeroCopy: ZeroCopyFinding | null;
  /** The same for uring_zero_copy (io_uring SEND_ZC notifications); null without its rows. */
  uringZeroCopy: ZeroCopyFinding | null;
  /** rx: zerocopy rows: the share each sender's data the client could map, and what it saved (zero-copy-receive.ts); null without them. */
  zeroCopyReceive: ZeroCopyReceive | null;
  /** Why zero_copy is not always fastest: its ratios to two_copy and one_copy, its sender's CPU per byte, attribution shares. */
  zeroCopyWhy: ZeroCopyWhy | null;
  /** Each point's total throughput ÷ its variant's at the smallest thread count, and per mode in one. */
  threadRatios: ThreadRatio[];
  modeScaling: ModeScaling[];
  /** Cache misses per KiB at the largest thread count ÷ at the smallest (primary mode), per level counted. */
  cacheWithThreads: { label: string; ratios: ThreadRatio[] }[];
  /** Unexpected results (findings.ts), strongest first. */
  findings: Finding[];
  /** The median half-width (%) of the run's throughput intervals: the smallest difference it resolves; null without intervals. */
  resolutionPct: number | null;
  cycles: CostFinding[];
  cpuTime: CostFinding[];
  /** Points whose repetitions ran in different regimes: shown as such, never as noise. */
  regimes: RegimePoint[];
  /** Points whose throughput varied by more than UNSTEADY_CV_PCT within one regime, each repetition named. */
  unsteady: UnsteadyPoint[];
  /** Whether results.csv says anything about regimes (its limited_by or tcp_bytes_per_segment columns). */
  regimesKnown: boolean;
}

export function absentCounters(data: AnalysisInput, lastLevel: LastLevelChoice): Absent {
  return {
    l1: hasL1(data.rows) ? null : counterAbsence(data, ['L1-dcache-load-misses']),
    lastLevel: lastLevel.event ? null : counterAbsence(data, ['LLC-load-misses', 'cache-misses']),
    cycles: hasCycles(data.rows) ? null : counterAbsence(data, ['cycles', 'cpu-cycles']),
    cpuTime: hasTaskClock(data.rows) ? null : counterAbsence(data, ['task-clock', 'cpu-clock']),
  };
}

export function analyse(points: readonly PointStats[], data: AnalysisInput): Analysis {
  const reps = points.map((p) => p.reps);
  const threadCounts = new Set(points.map((p) => p.threads));
  const lastLevel = chooseLastLevel(data.rows);
  const absent = absentCounters(data, lastLevel);
  const speedups = speedupsOf(points);
  const ratios = threadRatios(points);
  const resolutionPct = median(speedups.flatMap((c) => (c.ci && c.verdict !== 'mixed_regimes' ? [c.ci.halfWidthPct] : [])));
  return {
    reps: { min: Math.min(...reps), max: Math.max(...reps) },
    speedups,
    lastLevel,
    absent,
    crossovers: crossovers(speedups),
    cache: cacheFinding(points, data, lastLevel),
    scaling: threadScaling(points),
    scalingReason: threadCounts.size < 2 ? `one thread count (${[...threadCounts].join(', ')}) in this run: nothing to scale` : null,
    pinning: threadCounts.size < 2 ? null : pinningNote(data.config, Math.max(...threadCounts)),
    zeroCopy: zeroCopyFinding(points, data.config, data.rows, data.meta?.hosts ?? null),
    uringZeroCopy: zeroCopyFinding(points, data.config, data.rows, data.meta?.hosts ?? null, 'uring_zero_copy'),
    zeroCopyReceive: zeroCopyReceive(data.rows),
    zeroCopyWhy: zeroCopyWhy(points, speedups, data.attribution),
    threadRatios: ratios,
    modeScaling: modeScaling(ratios),
    cacheWithThreads: cacheWithThreads(points, lastLevel),
    findings: unexpectedFindings({ points, rows: data.rows, config: data.config, meta: data.meta, threadRatios: ratios, resolutionPct }),
    resolutionPct,
    cycles: absent.cycles === null ? costFindings(points, 'cycles_per_byte') : [],
    cpuTime: absent.cpuTime === null ? costFindings(points, 'cpu_ns_per_byte') : [],
    regimes: regimePoints(points),
    unsteady: unsteadyPoints(points),
    regimesKnown: data.rows.some((r) => r.limited_by != null || r.tcp_bytes_per_segment != null),
  };
}

/** Every rule's candidates (findings.ts, findings-setup.ts), strongest first. */
export function unexpectedFindings(input: FindingInput): Finding[] {
  return [...fallsWithThreads(input), ...twoRegimes(input), ...copyCount(input), ...setupCost(input)].sort((a, b) => b.strength - a.strength);
}

/** Misses per KiB at more threads ÷ at the smallest count, per cache level counted (primary mode). */
export function cacheWithThreads(points: readonly PointStats[], lastLevel: LastLevelChoice): Analysis['cacheWithThreads'] {
  const inMode = points.filter((p) => p.mode === primaryMode(points));
  const levels: { label: string; figure: FigureName }[] = [
    { label: 'L1 data-cache load misses', figure: 'l1_per_kib' },
    ...(lastLevel.event ? [{ label: lastLevel.label, figure: 'll_per_kib' as const }] : []),
  ];
  return levels.flatMap((l) => {
    const ratios = threadRatios(inMode, l.figure, false);
    return ratios.length ? [{ label: l.label, ratios }] : [];
  });
}
