// The report's tables: the machine, the run and its config (from meta.json,
// "unknown" where the run folder has none), and the summary of every point.
// Pure: data in, rows of text out; report.ts lays them out as HTML and
// Markdown.
import { IMPLEMENTATIONS, type Implementation, type Mode } from '../config/domain.ts';
import { formatSize } from '../results/format.ts';
import { ratioText, type Comparison } from './compare.ts';
import type { RunData } from './dataset.ts';
import { modesOf, sizesOf, threadsOf, type PointStats } from './points.ts';

/** What the tables read of the run. */
export type TableData = Pick<RunData, 'runId' | 'meta' | 'config' | 'rows'>;

export function machineFacts(data: TableData): [string, string][] {
  const m = data.meta?.machine;
  const unsupported = data.meta?.perf_unsupported ?? [];
  const facts: [string, string | undefined | null][] = [
    ['CPU', m?.cpu_model],
    ['cores', m === undefined ? undefined : String(m.cores)],
    ['kernel', m?.kernel],
    ['perf', m?.perf_version],
    ['perf events not supported here', unsupported.length ? unsupported.join(', ') : m ? 'none' : undefined],
    ['compiler', m?.gcc_version],
    ['node', m?.node_version],
    ['host', m?.hostname],
    ['git commit', m?.git_commit ? `${m.git_commit}${m.git_dirty ? ' (with uncommitted changes)' : ''}` : undefined],
    ['speculative-execution mitigations', m?.mitigations ? mitigationSummary(m.mitigations) : undefined],
    ...calibrationFacts(data),
  ];
  return facts.map(([k, v]) => [k, v ?? 'unknown (not in meta.json)']);
}

/** The issues this CPU is affected by and what the kernel does about each (they change kernel costs by integer factors). */
export function mitigationSummary(mitigations: Record<string, string>): string {
  const affected = Object.entries(mitigations).filter(([, state]) => state !== 'Not affected');
  return affected.length === 0 ? 'not affected by any the kernel knows' : affected.map(([name, state]) => `${name}: ${state}`).join('; ');
}

/** One row per calibrated topology, and the calibration's warnings. */
function calibrationFacts(data: TableData): [string, string][] {
  const cal = data.meta?.calibration;
  if (!cal) return [];
  const rows = cal.candidates.map((c): [string, string] => [
    `calibration: ${c.description}${c.configured ? ' (configured)' : ''}`,
    c.failed ??
      c.measurements
        .map((m) => `${m.impl} ${m.throughput_gbps.toFixed(2)} Gbit/s, ${m.total_cpu_ns_per_byte?.toFixed(3) ?? '?'} ns CPU/B both sides, ${m.retrans_segs ?? '?'} retransmitted`)
        .join('; '),
  ]);
  return [...rows, ['calibration verdict', cal.warnings.length ? cal.warnings.join(' ') : 'the configured topology costs no more than the alternatives measured']];
}

/** The machine in one line: `AMD EPYC, 2 cores, Linux 6.18.44, no hardware counters (PMU)`. */
export function machineLine(data: TableData): string {
  const m = data.meta?.machine;
  if (!m) return 'machine unknown (no meta.json)';
  const unsupported = data.meta?.perf_unsupported ?? [];
  const pmu = unsupported.includes('cycles') || unsupported.includes('cpu-cycles') ? ', no hardware counters (PMU)' : '';
  return `${m.cpu_model}, ${m.cores} core${m.cores === 1 ? '' : 's'}, ${m.kernel}${pmu}`;
}

/** `432 rows (144 points × 3 repetitions)`. */
export function rowsText(data: TableData, points: readonly PointStats[]): string {
  const reps = points.map((p) => p.reps);
  const lo = Math.min(...reps);
  const hi = Math.max(...reps);
  return `${data.rows.length} rows (${points.length} points × ${lo}${lo === hi ? '' : `–${hi}`} repetitions)`;
}

export function runFacts(data: TableData, points: readonly PointStats[]): [string, string][] {
  const meta = data.meta;
  return [
    ['run', data.runId],
    ['status', meta?.status ?? 'unknown'],
    ['started', meta?.started_at ?? 'unknown'],
    ['ended', meta?.ended_at ?? 'unknown'],
    ['wall time', meta?.wall_s === undefined ? 'unknown' : `${meta.wall_s} s`],
    ['rows', rowsText(data, points)],
  ];
}

export function configFacts(data: TableData): [string, string][] {
  const c = data.config;
  if (!c) {
    return [
      ['config', `${data.meta ? 'meta.json has none this version reads' : 'not in meta.json'}; from results.csv:`],
      ['variants', [...new Set(data.rows.map((r) => r.implementation))].join(', ')],
      ['message sizes', sizesOf(data.rows).join(', ')],
      ['threads', threadsOf(data.rows).join(', ')],
    ];
  }
  const topo =
    c.topology.kind === 'netns'
      ? `netns: ${c.topology.namespaces.server} ↔ ${c.topology.namespaces.client} over veth, ${c.topology.addresses.server} → ${c.topology.addresses.client}/${c.topology.prefix_length}, MTU ${c.topology.mtu}`
      : c.topology.kind === 'ssh'
        ? `ssh: server ${c.topology.server.ssh} (data plane ${c.topology.server.address}) ↔ client ${c.topology.client.ssh}, two hosts`
        : `loopback ${c.topology.address}`;
  const sysctls = Object.entries(c.topology.kind === 'loopback' ? {} : c.topology.sysctls).map(([k, v]) => `${k} = ${v}`);
  return [
    ['config file', data.meta?.config_path ?? 'unknown'],
    ['topology', topo],
    ['sysctls', sysctls.length ? sysctls.join('; ') : 'none'],
    ['variants', c.variants.join(', ')],
    ['modes', c.modes.join(', ')],
    ['message sizes', c.message_sizes.map((s) => `${s}`).join(', ') + ' bytes'],
    ['threads', c.threads.join(', ')],
    ['per experiment', `${c.warmup_s} s warm-up + ${c.duration_s} s measured`],
    ['repetitions', String(c.repetitions)],
    ['pinning', `server CPU ${c.pinning.server ?? 'unpinned'}, client CPU ${c.pinning.client ?? 'unpinned'}`],
    ['perf events', c.perf.events.join(', ') + (c.perf.split_user_kernel ? ' (user and kernel counted apart)' : '')],
    ['verify', c.verify],
  ];
}

// --- the summary table ---------------------------------------------------------

export interface SummaryLine {
  mode: Mode;
  msgSize: number;
  threads: number;
  /** Median throughput (Gbit/s) per variant, with min and max. */
  throughput: Partial<Record<Implementation, { median: number; min: number; max: number }>>;
  /** Variant ÷ two_copy with its 95 % interval, `≈` when within noise, `‡` when regimes differ. */
  speedup: Partial<Record<Implementation, string>>;
  /** Median p50 (µs) per variant: rr's round-trip latency, or stream's one-way queueing delay (see `mode`). */
  p50: Partial<Record<Implementation, number>>;
  cpuNsPerByte: Partial<Record<Implementation, number>>;
  cyclesPerByte: Partial<Record<Implementation, number>>;
  /** Per zero-copy sender: its copied share at this point. */
  zcCopied: Partial<Record<Implementation, string>>;
}

/** One line per mode, size and thread count; `speedups` from the analysis (speedupsOf). */
export function summaryLines(points: readonly PointStats[], speedups: readonly Comparison[]): SummaryLine[] {
  const lines: SummaryLine[] = [];
  for (const mode of modesOf(points.map((p) => ({ mode: p.mode })))) {
    const inMode = points.filter((p) => p.mode === mode);
    for (const size of sizesOf(inMode.map((p) => ({ msg_size: p.msgSize })))) {
      for (const threads of threadsOf(inMode.filter((p) => p.msgSize === size))) {
        const here = inMode.filter((p) => p.msgSize === size && p.threads === threads);
        const line: SummaryLine = { mode, msgSize: size, threads, throughput: {}, speedup: {}, p50: {}, cpuNsPerByte: {}, cyclesPerByte: {}, zcCopied: {} };
        for (const p of here) {
          const t = p.figures.throughput_gbps;
          if (t) line.throughput[p.impl] = { median: t.median, min: t.min, max: t.max };
          if (p.figures.latency_p50_us) line.p50[p.impl] = p.figures.latency_p50_us.median;
          if (p.figures.cpu_ns_per_byte) line.cpuNsPerByte[p.impl] = p.figures.cpu_ns_per_byte.median;
          if (p.figures.cycles_per_byte) line.cyclesPerByte[p.impl] = p.figures.cycles_per_byte.median;
          if (p.zc.completions > 0) line.zcCopied[p.impl] = `${((p.zc.copied / p.zc.completions) * 100).toFixed(0)}%`;
        }
        for (const c of speedups.filter((c) => c.mode === mode && c.msgSize === size && c.threads === threads)) {
          const mark = c.verdict === 'within_noise' ? '≈' : c.verdict === 'noise_unknown' ? '?' : c.verdict === 'mixed_regimes' ? '‡' : '';
          line.speedup[c.impl] = `${mark}${ratioText(c)}`;
        }
        lines.push(line);
      }
    }
  }
  return lines;
}

const num = (x: number | undefined, digits = 3) => (x === undefined ? '–' : Number(x.toPrecision(digits)).toString());

export interface Column {
  title: string;
  cell: (l: SummaryLine) => string;
}

/**
 * p50 per variant, in columns named for what it is: rr's round trip is
 * latency, stream's one-way delay a queueing delay (time waiting in socket
 * buffers, plots/queueing.ts). A kind gets its columns only when the run has
 * lines of that mode; a line of the other mode shows '–' there.
 */
function p50Columns(lines: readonly SummaryLine[], impls: readonly Implementation[]): Column[] {
  const kinds = [
    { mode: 'rr', title: 'rr latency p50 µs' },
    { mode: 'stream', title: 'stream queueing delay p50 µs' },
  ] as const;
  return kinds
    .filter((k) => lines.some((l) => l.mode === k.mode))
    .flatMap((k) => impls.map((i) => ({ title: `${i} ${k.title}`, cell: (l: SummaryLine) => (l.mode === k.mode ? num(l.p50[i]) : '–') })));
}

export function summaryColumns(lines: readonly SummaryLine[]): Column[] {
  const impls = IMPLEMENTATIONS.filter((i) => lines.some((l) => l.throughput[i]));
  const cols: Column[] = [
    { title: 'mode', cell: (l) => l.mode },
    { title: 'size', cell: (l) => formatSize(l.msgSize, 'course') },
    { title: 'threads', cell: (l) => String(l.threads) },
    ...impls.map((i) => ({ title: `${i} Gbit/s`, cell: (l: SummaryLine) => num(l.throughput[i]?.median) })),
    ...impls.filter((i) => i !== 'two_copy').map((i) => ({ title: `${i} ÷ two_copy`, cell: (l: SummaryLine) => l.speedup[i] ?? '–' })),
    ...p50Columns(lines, impls),
  ];
  if (lines.some((l) => Object.keys(l.cyclesPerByte).length)) {
    cols.push(...impls.map((i) => ({ title: `${i} cycles/B`, cell: (l: SummaryLine) => num(l.cyclesPerByte[i]) })));
  }
  if (lines.some((l) => Object.keys(l.cpuNsPerByte).length)) {
    cols.push(...impls.map((i) => ({ title: `${i} CPU ns/B`, cell: (l: SummaryLine) => num(l.cpuNsPerByte[i]) })));
  }
  for (const i of impls.filter((i) => lines.some((l) => l.zcCopied[i] !== undefined))) cols.push({ title: `${i} copied`, cell: (l) => l.zcCopied[i] ?? '–' });
  return cols;
}

