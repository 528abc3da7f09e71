// Unexpected results, found by rules over the data. Each rule is a pure
// function returning candidate findings, each with its effect (a ratio and
// its 95 % interval where repetitions give one) and a strength: the smallest
// effect the data allows. The answer names the strongest one or two; the
// rest are listed in its details.
//
// Rules (this file and findings-setup.ts):
//   falls_with_threads  total throughput falls with more threads beyond noise;
//   two_regimes         one point's repetitions ran in different TCP regimes;
//   copy_count          a variant with fewer copies is slower beyond noise;
//   setup_cost          the calibration's alternatives (meta.calibration).
import type { Config } from '../config/schema.ts';
import { MODES, type Implementation } from '../config/domain.ts';
import type { Meta } from '../results/meta.ts';
import type { Row } from '../results/row.ts';
import { median, ratioInterval, type Interval } from '../results/stats.ts';
import { count, listText, pointName, size, times } from './answer-text.ts';
import { compareWithBaseline, ratioText } from './compare.ts';
import { busyText, evidenceText, pointEvidence, saturated, sharedCpusText, type PointEvidence } from './cpu-load.ts';
import type { PointStats } from './points.ts';
import { summarise } from './ratios.ts';
import { SEGMENT_REGIME_FACTOR, type RepetitionRegime } from './regimes.ts';
import type { ThreadRatio } from './threads.ts';

export type FindingRule = 'falls_with_threads' | 'two_regimes' | 'copy_count' | 'setup_cost';

export interface Finding {
  rule: FindingRule;
  /** One sentence: what was found, with its number and interval. */
  headline: string;
  /** Sentences that explain it from TCP's account and the CPU time. */
  why: string[];
  ratio: number;
  ci: Interval | null;
  /** The smallest effect the data allows, as |ln ratio| (strengthOf). */
  strength: number;
  /** Figure ids that show it. */
  figures: string[];
  /** Another answer already states it (zero_copy slower: the zero-copy answers): listed, never picked. */
  answeredElsewhere: boolean;
}

export interface FindingInput {
  points: readonly PointStats[];
  rows: readonly Row[];
  config: Config | null;
  meta: Meta | null;
  threadRatios: readonly ThreadRatio[];
  /** The run's resolution: the median half-width (%) of its throughput intervals; null with one repetition. */
  resolutionPct: number | null;
}

/**
 * The smallest effect consistent with the data, as |ln|: the interval's bound
 * nearest 1 (0 when the interval holds 1). Without an interval (one
 * measurement, or one repetition in a regime) the ratio less the run's
 * resolution: such a measurement is taken to be as noisy as the run's
 * typical point.
 */
export function strengthOf(ratio: number, ci: Interval | null, resolutionPct: number | null): number {
  if (ci) return ci.lo > 1 ? Math.log(ci.lo) : ci.hi < 1 ? -Math.log(ci.hi) : 0;
  return Math.max(0, Math.abs(Math.log(ratio)) - Math.log(1 + (resolutionPct ?? 0) / 100));
}

const rowsOf = (rows: readonly Row[], p: Pick<PointStats, 'impl' | 'mode' | 'msgSize' | 'threads'>) =>
  rows.filter((r) => r.implementation === p.impl && r.mode === p.mode && r.msg_size === p.msgSize && r.threads === p.threads);

const mainLimit = (e: PointEvidence) => Object.entries(e.limitedBy).sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;

const SATURATED_WHERE = { shared: 'the CPU both sides share', server: "the sender's CPU", client: "the receiver's CPU" } as const;

// --- falls_with_threads --------------------------------------------------------

/** Why a point lost throughput with more threads: the rules over the two thread counts' evidence. */
function fallReasons(base: PointEvidence, more: PointEvidence, baseThreads: number): string[] {
  const out: string[] = [];
  const sat = saturated(base.busy);
  const satMore = saturated(more.busy);
  if (sat) out.push(`${SATURATED_WHERE[sat]} was already saturated with ${baseThreads} thread${baseThreads === 1 ? '' : 's'}, so more threads could only take turns on it`);
  else if (satMore) out.push(`${SATURATED_WHERE[satMore]} became saturated with more threads`);
  const a = mainLimit(base);
  const b = mainLimit(more);
  if (a && b && a !== b) out.push(`TCP's limit moved from ${a.replace('_', ' ')} to ${b.replace('_', ' ')}`);
  if (base.bytesPerSegment && more.bytesPerSegment && more.bytesPerSegment < 0.9 * base.bytesPerSegment) {
    out.push(`segments shrank from ${count(base.bytesPerSegment)} to ${count(more.bytesPerSegment)} B`);
  }
  if (base.retrans !== null && more.retrans !== null && more.retrans > base.retrans) out.push(`retransmissions rose from ${count(base.retrans)} to ${count(more.retrans)}`);
  return out;
}

export function fallsWithThreads(input: FindingInput): Finding[] {
  const falling = input.threadRatios.filter((r) => r.verdict !== 'mixed_regimes' && r.ci !== null && r.ci.hi < 1);
  const groups = new Map<string, ThreadRatio[]>();
  for (const r of falling) groups.set(`${r.mode}/${r.impl}/${r.msgSize}`, [...(groups.get(`${r.mode}/${r.impl}/${r.msgSize}`) ?? []), r]);
  return [...groups.values()].map((group) => {
    const strongest = group.reduce((m, r) => (strengthOf(r.ratio, r.ci, null) > strengthOf(m.ratio, m.ci, null) ? r : m));
    const ctx = { config: input.config, meta: input.meta };
    const base = pointEvidence(rowsOf(input.rows, strongest.basePoint), ctx);
    const more = pointEvidence(rowsOf(input.rows, strongest.point), ctx);
    const from = strongest.basePoint.figures.throughput_gbps!.median;
    const to = strongest.point.figures.throughput_gbps!.median;
    const at = group.map((r) => r.threads).sort((x, y) => x - y);
    const reasons = fallReasons(base, more, strongest.baseThreads);
    return {
      rule: 'falls_with_threads' as const,
      headline:
        `${strongest.impl} ${strongest.mode} ${size(strongest.msgSize)} loses throughput with more threads: ${strongest.threads} threads move ` +
        `${ratioText(strongest)} of ${strongest.baseThreads} thread's (${from.toFixed(2)} → ${to.toFixed(2)} Gbit/s)` +
        (at.length > 1 ? `; lower beyond noise at ${listText(at.map(String))} threads` : ''),
      why: [
        `With ${strongest.baseThreads}: ${evidenceText(base)}. With ${strongest.threads}: ${evidenceText(more)}.`,
        ...(reasons.length ? [`So ${listText(reasons)}.`] : []),
      ],
      ratio: strongest.ratio,
      ci: strongest.ci,
      strength: strengthOf(strongest.ratio, strongest.ci, null),
      figures: ['1-throughput', '4b-cpu-time-per-byte'],
      answeredElsewhere: false,
    };
  });
}

// --- two_regimes -------------------------------------------------------------

/** A point's repetitions in two groups: by TCP's limit where it differs, else by segment fullness. */
function regimeGroups(reps: readonly RepetitionRegime[]): [RepetitionRegime[], RepetitionRegime[]] | null {
  const limits = [...new Set(reps.map((r) => r.limitedBy ?? 'unknown'))];
  const segs = reps.flatMap((r) => (r.bytesPerSegment ? [r.bytesPerSegment] : []));
  const key =
    limits.length > 1
      ? (r: RepetitionRegime) => r.limitedBy ?? 'unknown'
      : segs.length > 1
        ? (r: RepetitionRegime) => ((r.bytesPerSegment ?? 0) >= Math.sqrt(Math.min(...segs) * Math.max(...segs)) ? 'full' : 'small')
        : null;
  if (!key) return null;
  const byKey = new Map<string, RepetitionRegime[]>();
  for (const r of reps) byKey.set(key(r), [...(byKey.get(key(r)) ?? []), r]);
  const mean = (g: RepetitionRegime[]) => g.reduce((s, r) => s + r.throughputGbps, 0) / g.length;
  const groups = [...byKey.values()].sort((a, b) => mean(b) - mean(a));
  return groups.length >= 2 ? [groups[0]!, groups[groups.length - 1]!] : null;
}

function groupText(g: RepetitionRegime[]): string {
  const gbps = g.map((r) => r.throughputGbps.toFixed(2)).join(', ');
  const limits = [...new Set(g.map((r) => r.limitedBy ?? 'limit unknown'))].join('/');
  const segs = g.flatMap((r) => (r.bytesPerSegment ? [Math.round(r.bytesPerSegment)] : []));
  const seg = segs.length ? `, ${count(Math.min(...segs))}${segs.length > 1 && Math.max(...segs) !== Math.min(...segs) ? `–${count(Math.max(...segs))}` : ''} B/segment` : '';
  return `${g.length} repetition${g.length === 1 ? '' : 's'} at ${gbps} Gbit/s (${limits}${seg})`;
}

export function twoRegimes(input: FindingInput): Finding[] {
  return input.points.flatMap((p) => {
    const groups = p.regimes ? regimeGroups(p.regimes.reps) : null;
    if (!groups) return [];
    const [fast, slow] = groups;
    const ci = ratioInterval(fast.map((r) => r.throughputGbps), slow.map((r) => r.throughputGbps));
    const mean = (g: RepetitionRegime[]) => g.reduce((s, r) => s + r.throughputGbps, 0) / g.length;
    const ratio = ci?.estimate ?? mean(fast) / mean(slow);
    const ctx = { config: input.config, meta: input.meta };
    const busyOf = (g: RepetitionRegime[]) => pointEvidence(rowsOf(input.rows, p).filter((r) => g.some((x) => x.rep === r.rep)), ctx).busy;
    const shared = busyOf(fast).shared;
    const [busyFast, busySlow] = [busyText(busyOf(fast), shared), busyText(busyOf(slow), shared)];
    const seg = (g: RepetitionRegime[]) => median(g.flatMap((r) => (r.bytesPerSegment ? [r.bytesPerSegment] : [])));
    const [segFast, segSlow] = [seg(fast), seg(slow)];
    const differs = p.regimes!.differs.map((d) => (d === 'limited_by' ? 'what TCP named as the limit' : 'how full the segments were')).join(' and ');
    return [
      {
        rule: 'two_regimes' as const,
        headline: `${pointName(p)} ran in two regimes, ${ci ? ratioText({ ratio, ci }) : times(ratio)} apart: ${groupText(fast)} against ${groupText(slow)}`,
        why: [
          `Its repetitions differ in ${differs}` +
            (segFast && segSlow && segFast / segSlow >= SEGMENT_REGIME_FACTOR ? `: the faster one${fast.length > 1 ? 's' : ''} carried ${times(segFast / segSlow)} the bytes per segment` : '') +
            (busyFast && busySlow ? `; CPU${shared ? ` (${sharedCpusText(busyOf(fast))})` : ''}: ${busyFast} in the faster, ${busySlow} in the slower` : '') +
            '.',
          'Such a spread is a change of regime, not noise, so no verdict is given at this point.',
        ],
        ratio,
        ci,
        strength: strengthOf(ratio, ci, input.resolutionPct),
        figures: ['1-throughput', '6-speedup'],
        answeredElsewhere: false,
      },
    ];
  });
}

// --- copy_count -----------------------------------------------------------------

/** Copies on the send path, as the textbook counts them. */
export const SEND_COPIES: Record<Implementation, number> = { two_copy: 2, one_copy: 1, zero_copy: 0, uring_zero_copy: 0 };
const PAIRS: [Implementation, Implementation][] = [
  ['one_copy', 'two_copy'],
  ['zero_copy', 'one_copy'],
  ['zero_copy', 'two_copy'],
];

export function copyCount(input: FindingInput): Finding[] {
  return MODES.flatMap((mode) =>
    PAIRS.flatMap(([fewer, more]) => {
      const inMode = input.points.filter((p) => p.mode === mode);
      const comps = compareWithBaseline(inMode, 'throughput_gbps', true, more).filter((c) => c.impl === fewer && c.verdict !== 'mixed_regimes');
      const slower = comps.filter((c) => c.verdict === 'worse');
      const s = summarise(comps);
      const slow = summarise(slower);
      if (!s || !slow) return [];
      const strengths = comps.map((c) => (c.verdict === 'worse' ? strengthOf(c.ratio, c.ci, null) : 0)).sort((a, b) => a - b);
      const cpu = summarise(compareWithBaseline(inMode, 'cpu_ns_per_byte_server', false, more).filter((c) => c.impl === fewer));
      const mid = slow.middle;
      const ctx = { config: input.config, meta: input.meta };
      const ev = (impl: Implementation) => evidenceText(pointEvidence(rowsOf(input.rows, { ...mid, impl }), ctx));
      return [
        {
          rule: 'copy_count' as const,
          headline:
            `${fewer} (${SEND_COPIES[fewer]} send cop${SEND_COPIES[fewer] === 1 ? 'y' : 'ies'} in theory) is slower than ${more} (${SEND_COPIES[more]}) beyond noise at ` +
            `${slower.length === comps.length ? `every one of the ${comps.length}` : `${slower.length} of ${comps.length}`} ${mode} points (median ${times(s.median)}; ` +
            `middle of the slower, ${pointName(mid)}: ${ratioText(mid)})`,
          why: [
            ...(cpu ? [`Its sender spends ${times(cpu.median)} ${more}'s CPU time per byte (median of ${cpu.points} points)`] : []),
            `At ${pointName(mid)}, ${fewer}: ${ev(fewer)}; ${more}: ${ev(more)}.`,
          ].map((l) => (l.endsWith('.') ? l : `${l}.`)),
          ratio: mid.ratio,
          ci: mid.ci,
          strength: strengths[Math.floor(strengths.length / 2)]!,
          figures: ['6-speedup', '4b-cpu-time-per-byte'],
          answeredElsewhere: fewer === 'zero_copy',
        },
      ];
    }),
  );
}

// --- ranking -----------------------------------------------------------------------

/** The strongest finding no other answer states, then the strongest of another rule; none without strength. */
export function pickFindings(all: readonly Finding[], n = 2): Finding[] {
  // A finding whose interval excludes 1 (repetitions back it) comes before one
  // without an interval (a regime split, a single calibration measurement),
  // whatever their strengths: the first is a measured effect, the second a guess at one.
  const open = [...all]
    .filter((f) => !f.answeredElsewhere && f.strength > 0)
    .sort((a, b) => Number(b.ci !== null) - Number(a.ci !== null) || b.strength - a.strength);
  const picked: Finding[] = [];
  for (const f of open) {
    if (picked.length >= n) break;
    if (!picked.some((p) => p.rule === f.rule)) picked.push(f);
  }
  return picked;
}
