// copybench's own benchmark, pure part: the figures `npm run bench` prints,
// each with its target and whether this run met it. A benchmark reports; it
// does not fail on noise (bench.mts exits 0 whenever it ran).
import type { CopybenchStep } from './baseline.ts';
import { PEER_TOOLS } from '../config/schema.ts';
import { SUBJECTS, SUBJECT_LABEL, type PeersRow } from './rows.ts';
import { median } from '../results/stats.ts';
import { variationAt, type SizeComparison } from './compare.ts';
import { formatSize } from '../results/format.ts';
import { IMPLEMENTATIONS, type Implementation } from '../config/domain.ts';

export interface BenchFigure {
  /** What is measured, e.g. "a2 one_copy / best peer at 64 KiB". */
  name: string;
  value: number | null;
  /** The value as printed, with its unit. */
  shown: string;
  /** The target as printed; null when the figure has none. */
  target: string | null;
  /** null: no target, or the value is missing. */
  met: boolean | null;
  /** Why the value is missing, or what else to know about it. */
  note?: string;
}

// The issue's targets, on the reference machine.
export const TARGETS = {
  ratio: [
    { impl: 'one_copy', msgSize: 65536, min: 1.0 },
    { impl: 'one_copy', msgSize: 1024, min: 0.9 },
    { impl: 'two_copy', msgSize: 65536, min: 0.9 },
  ] as { impl: Implementation; msgSize: number; min: number }[],
  /** Sizes at which every variant's ratio to the best peer is reported. */
  ratioSizes: [1024, 4096, 16384, 65536],
  cvSize: 65536,
  cvMax: 0.05,
  cvMinReps: 5,
  overheadMax: 1.05,
  rssMaxKib: 64 * 1024,
  /** copybench's own user-space work (stamps, clocks, histograms) in the sender's samples, at these sizes. */
  harnessSizes: [1024, 65536],
  harnessMaxShare: 0.05,
};

export interface Overhead {
  experiments: number;
  /** Σ wall time of copybench's experiments, each from its start to its rows on disk. */
  wallS: number;
  /** Σ (warm-up + duration) they asked for. */
  windowS: number;
  ratio: number;
  /** Mean seconds per experiment spent in each step (they add up to wallS / experiments). */
  parts: { step: string; meanS: number }[];
}

/**
 * Orchestration overhead of copybench's experiments in a run: Σ wall time ÷
 * Σ (warm-up + duration). An experiment's wall time runs from the moment the
 * orchestrator starts it to the moment its rows are on disk, and the next one
 * starts right after, so nothing between experiments is left out.
 */
export function orchestrationOverhead(steps: readonly CopybenchStep[]): Overhead | null {
  if (steps.length === 0) return null;
  const wallS = steps.reduce((s, x) => s + x.wallS, 0);
  const windowS = steps.reduce((s, x) => s + x.windowS, 0);
  const mean = (f: (x: CopybenchStep) => number) => steps.reduce((s, x) => s + f(x), 0) / steps.length;
  const t = (x: CopybenchStep) => x.timings;
  const parts = [
    { step: 'TCP counters read (RetransSegs, OutSegs: /proc/<pid>/net/snmp, both namespaces)', meanS: mean((x) => t(x).countersRead) },
    { step: 'server started under perf, ready line', meanS: mean((x) => (t(x).listenerReady ?? t(x).countersRead) - t(x).countersRead) },
    {
      step: 'client started under perf, ran, exited (asks for warm-up + duration; /proc/stat read before and after)',
      meanS: mean((x) => (t(x).driverExited ?? t(x).listenerReady ?? 0) - (t(x).listenerReady ?? t(x).countersRead)),
    },
    { step: 'server exited after the client', meanS: mean((x) => (t(x).listenerExited ?? 0) - (t(x).driverExited ?? t(x).listenerExited ?? 0)) },
    { step: 'TCP counters read again', meanS: mean((x) => t(x).countersReadAgain - (t(x).listenerExited ?? t(x).countersReadAgain)) },
    { step: 'outputs parsed and checked, row built', meanS: mean((x) => t(x).interpreted - t(x).countersReadAgain) },
    { step: 'rows appended (fsync), progress line', meanS: mean((x) => x.wallS - t(x).interpreted) },
  ];
  return { experiments: steps.length, wallS, windowS, ratio: wallS / windowS, parts };
}

export interface PeakRss {
  impl: Implementation;
  role: 'server' | 'client';
  kib: number;
}

export interface BenchInput {
  comparison: readonly SizeComparison[];
  rows: readonly PeersRow[];
  overhead: Overhead | null;
  /** Peak RSS of each binary at 8 threads × 64 KiB; absent ones are reported missing. */
  rss: readonly PeakRss[];
  /** attribution.csv's rows when the attribution pass ran; empty: the harness share is reported missing. */
  attribution?: readonly { implementation: Implementation; msg_size: number; mode: string; side: string; site: string; share: number }[];
  variants: readonly Implementation[];
}

const short = (impl: Implementation) => SUBJECT_LABEL[impl];

export function benchFigures(input: BenchInput): BenchFigure[] {
  const figures: BenchFigure[] = [];
  // Throughput ratios to the best peer: every variant at every size; the
  // issue's targets where it sets one.
  for (const impl of input.variants) {
    for (const msgSize of TARGETS.ratioSizes) {
      const c = input.comparison.find((x) => x.msgSize === msgSize);
      const ratio = c?.ratios[impl] ?? null;
      const target = TARGETS.ratio.find((t) => t.impl === impl && t.msgSize === msgSize);
      figures.push({
        name: `throughput ${short(impl)} / best peer at ${formatSize(msgSize, 'iec')}`,
        value: ratio,
        shown: ratio === null ? 'missing' : `${ratio.toFixed(3)}× (${c!.medians[impl]!.toFixed(2)} vs ${c!.bestPeer!.tool} ${c!.bestPeer!.gbps.toFixed(2)} Gbit/s)`,
        target: target ? `≥ ${target.min.toFixed(1)}×` : null,
        met: target && ratio !== null ? ratio >= target.min : null,
        ...(ratio === null ? { note: c ? 'no peer measured at this size' : 'not measured' } : {}),
      });
    }
  }
  // Run-to-run variation at 64 KiB.
  const variation = variationAt(input.rows, TARGETS.cvSize);
  for (const impl of input.variants) {
    const v = variation[impl];
    const cv = v?.cv ?? null;
    const enough = (v?.n ?? 0) >= TARGETS.cvMinReps;
    figures.push({
      name: `coefficient of variation of throughput, ${short(impl)} at ${formatSize(TARGETS.cvSize, 'iec')}`,
      value: cv,
      shown: cv === null ? 'missing' : `${(cv * 100).toFixed(2)} % over ${v!.n} repetitions`,
      target: `≤ ${TARGETS.cvMax * 100} % over ≥ ${TARGETS.cvMinReps} repetitions`,
      met: cv === null ? null : cv <= TARGETS.cvMax && enough,
      ...(cv === null ? { note: 'fewer than two repetitions' } : enough ? {} : { note: `only ${v!.n} repetitions` }),
    });
  }
  // The peers' own variation, measured alongside: how much of it is the machine's.
  for (const tool of PEER_TOOLS) {
    const v = variation[tool];
    if (!v || v.cv === null) continue;
    figures.push({
      name: `coefficient of variation of throughput, ${tool} at ${formatSize(TARGETS.cvSize, 'iec')} (for comparison)`,
      value: v.cv,
      shown: `${(v.cv * 100).toFixed(2)} % over ${v.n} repetitions`,
      target: null,
      met: null,
    });
  }
  const o = input.overhead;
  figures.push({
    name: 'orchestration overhead: Σ wall time ÷ Σ (warm-up + duration) of copybench experiments',
    value: o?.ratio ?? null,
    shown: o ? `${o.ratio.toFixed(3)} (${o.wallS.toFixed(1)} s for ${o.windowS.toFixed(1)} s, ${o.experiments} experiments)` : 'missing',
    target: `≤ ${TARGETS.overheadMax}`,
    met: o ? o.ratio <= TARGETS.overheadMax : null,
  });
  for (const impl of input.variants) {
    for (const role of ['server', 'client'] as const) {
      const r = input.rss.find((x) => x.impl === impl && x.role === role);
      figures.push({
        name: `peak RSS of ${binaryName(impl, role)} at 8 threads × 64 KiB`,
        value: r?.kib ?? null,
        shown: r ? `${(r.kib / 1024).toFixed(1)} MiB` : 'missing',
        target: `≤ ${TARGETS.rssMaxKib / 1024} MiB`,
        met: r ? r.kib <= TARGETS.rssMaxKib : null,
      });
    }
  }
  figures.push(...harnessFigures(input));
  return figures;
}

/** The harness share of each sender's samples (attribution pass, stream, 1 thread) against its target. */
function harnessFigures(input: BenchInput): BenchFigure[] {
  return input.variants.flatMap((impl) =>
    TARGETS.harnessSizes.map((msgSize): BenchFigure => {
      const row = input.attribution?.find((r) => r.implementation === impl && r.msg_size === msgSize && r.mode === 'stream' && r.side === 'server' && r.site === 'harness');
      const share = row?.share ?? null;
      return {
        name: `harness share of ${binaryName(impl, 'server')}'s samples at ${formatSize(msgSize, 'iec')}`,
        value: share,
        shown: share === null ? 'missing' : `${(share * 100).toFixed(1)} %`,
        target: `≤ ${TARGETS.harnessMaxShare * 100} %`,
        met: share === null ? null : share <= TARGETS.harnessMaxShare,
        ...(share === null ? { note: 'the attribution pass did not run here (netns only)' } : {}),
      };
    }),
  );
}

export function binaryName(impl: Implementation, role: 'server' | 'client'): string {
  return `a${IMPLEMENTATIONS.indexOf(impl) + 1}_${role}`;
}

/** Every figure on a line: name, value, target, met / MISSED / no target. */
export function formatBenchFigures(figures: readonly BenchFigure[]): string {
  const verdict = (f: BenchFigure) => (f.target === null ? '' : f.met === null ? 'n/a' : f.met ? 'met' : 'MISSED');
  const nameWidth = Math.max(...figures.map((f) => f.name.length));
  const shownWidth = Math.max(...figures.map((f) => f.shown.length));
  const targetWidth = Math.max(...figures.map((f) => (f.target ?? '—').length));
  return figures
    .map((f) =>
      [f.name.padEnd(nameWidth), f.shown.padEnd(shownWidth), (f.target ?? '—').padEnd(targetWidth), verdict(f), f.note ? `(${f.note})` : '']
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Sizes at which bench prints each subject's payload per segment beside its throughput. */
export const SEGMENT_SIZES = [1024, 65536];

export interface SegmentFigure {
  subject: (typeof SUBJECTS)[number];
  msgSize: number;
  /** Medians over the repetitions; bytesPerSegment null when no repetition had it. */
  gbps: number;
  bytesPerSegment: number | null;
}

/** Each subject's median throughput and bytes per segment at `sizes` (subjects not measured at a size are left out). */
export function payloadPerSegment(rows: readonly PeersRow[], sizes: readonly number[] = SEGMENT_SIZES): SegmentFigure[] {
  const out: SegmentFigure[] = [];
  for (const subject of SUBJECTS) {
    for (const msgSize of sizes) {
      const runs = rows.filter((r) => r.subject === subject && r.msg_size === msgSize);
      if (runs.length === 0) continue;
      const perSegment = runs.map((r) => r.bytes_per_segment).filter((b): b is number => b !== null);
      out.push({ subject, msgSize, gbps: median(runs.map((r) => r.throughput_gbps))!, bytesPerSegment: median(perSegment) });
    }
  }
  return out;
}

/** One line per subject: throughput and bytes per segment at each size. */
export function formatPayloadPerSegment(figures: readonly SegmentFigure[], sizes: readonly number[] = SEGMENT_SIZES): string {
  const subjects = SUBJECTS.filter((s) => figures.some((f) => f.subject === s));
  const cell = (subject: string, size: number) => {
    const f = figures.find((x) => x.subject === subject && x.msgSize === size);
    if (!f) return '—';
    return `${f.gbps.toFixed(2)} Gbit/s, ${f.bytesPerSegment === null ? '— (unknown)' : `${f.bytesPerSegment.toFixed(0)} B/segment`}`;
  };
  const header = ['subject', ...sizes.map((s) => formatSize(s, 'iec'))];
  const lines = subjects.map((s) => [SUBJECT_LABEL[s], ...sizes.map((size) => cell(s, size))]);
  const widths = header.map((h, j) => Math.max(h.length, ...lines.map((l) => l[j]!.length)));
  return [
    "throughput and TCP payload per segment (the sender's bytes ÷ segments the server's namespace sent, TcpOutSegs; medians):",
    ...[header, ...lines].map((l) => l.map((c, j) => c.padEnd(widths[j]!)).join('  ').trimEnd()),
  ].join('\n');
}

export function formatOverhead(o: Overhead): string {
  const lines = [
    `orchestration overhead, per copybench experiment (mean of ${o.experiments}):`,
    ...o.parts.map((p) => `  ${(p.meanS * 1000).toFixed(0).padStart(6)} ms  ${p.step}`),
    `  ${((o.wallS / o.experiments) * 1000).toFixed(0).padStart(6)} ms  in all, for ${((o.windowS / o.experiments) * 1000).toFixed(0)} ms of warm-up + duration`,
  ];
  return lines.join('\n');
}
