// Synthetic runs with known answers: rows as the orchestrator writes them,
// and run folders (results.csv and meta.json; no raw/, which plots never read) on disk.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../orchestrate/config/load.ts';
import { DEFAULT_PERF_EVENTS } from '../../orchestrate/config/schema.ts';
import { readRunMeta, type RunData } from '../../orchestrate/plots/dataset.ts';
import { csvHeader, formatCsvLine, rowCells, type Row } from '../../orchestrate/results/row.ts';
import type { Implementation, Mode } from '../../orchestrate/config/domain.ts';

export const EVENTS = [...DEFAULT_PERF_EVENTS];

/** Every figure plot.mts draws for a run without attribution.csv (7-copy-attribution needs one). */
export const FIGURE_IDS = [
  '1-throughput',
  '2-latency',
  '2b-queueing-delay',
  '3-cache-misses',
  '4-cycles-per-byte',
  '4b-cpu-time-per-byte',
  '5-zero-copy-completions',
  '6-speedup',
];

/** Every figure file plot.mts writes for such a run. */
export const FIGURE_FILES = FIGURE_IDS.flatMap((id) => [`${id}.svg`, `${id}.png`]);

export const HARDWARE_EVENTS = ['cycles', 'instructions', 'L1-dcache-load-misses', 'LLC-load-misses', 'cache-misses'];

export interface RowSpec {
  impl: Implementation;
  mode?: Mode;
  size: number;
  threads?: number;
  rep?: number;
  gbps: number;
  /** Per-side hardware counts; omit for a machine without a PMU (empty cells). */
  counters?: { cycles: number; l1: number; llc: number; cacheMisses?: number } | null;
  /** Only cache-misses counted (a CPU without LLC-load-misses). */
  onlyCacheMisses?: boolean;
  taskClockMs?: number;
  zc?: { completions: number; copied: number };
  /** The server's bytes sent (server_bytes_sent); default: 1.8 s of `gbps`. */
  bytesSent?: number;
  /** Mean and p50 latency in µs; default 20 and 10 × threads. */
  latencyMeanUs?: number;
  latencyP50Us?: number;
  /** Mean bytes waiting in the sockets (queue_*_bytes_mean); default unknown (empty cells). */
  queue?: { server: number | null; client: number | null };
}

export function row(spec: RowSpec): Row {
  const mode = spec.mode ?? 'stream';
  const threads = spec.threads ?? 1;
  const bytesSent = spec.bytesSent ?? Math.round((spec.gbps * 1e9 * 1.8) / 8);
  const c = spec.counters ?? null;
  const perf: Record<string, number | null> = {};
  for (const side of ['server', 'client']) {
    const values: Record<string, number | null> = {
      cycles: c ? c.cycles : null,
      instructions: c ? c.cycles * 2 : null,
      'L1-dcache-load-misses': c ? c.l1 * (side === 'client' ? 0.8 : 1) : null,
      'LLC-load-misses': c && !spec.onlyCacheMisses ? c.llc * (side === 'client' ? 0.7 : 1) : null,
      'cache-misses': c ? (c.cacheMisses ?? c.llc) * (side === 'client' ? 0.7 : 1) : null,
      'context-switches': 1000,
      'cpu-migrations': 0,
      'task-clock': spec.taskClockMs ?? 900,
    };
    for (const e of EVENTS) {
      perf[`${side}_${e}`] = values[e] ?? null;
      perf[`${side}_${e}_run_pct`] = values[e] === null ? null : 100;
    }
  }
  const cycles = c ? 2 * c.cycles : null;
  return {
    implementation: spec.impl,
    msg_size: spec.size,
    threads,
    throughput_gbps: spec.gbps,
    latency_us: spec.latencyMeanUs ?? 20,
    cpu_cycles: cycles,
    l1_cache_misses: c ? perf['server_L1-dcache-load-misses']! + perf['client_L1-dcache-load-misses']! : null,
    llc_cache_misses: c && !spec.onlyCacheMisses ? perf['server_LLC-load-misses']! + perf['client_LLC-load-misses']! : null,
    context_switches: 2000,
    mode,
    rep: spec.rep ?? 1,
    window_s: 1.5,
    bytes: Math.round((spec.gbps * 1e9 * 1.5) / 8),
    messages: Math.round((spec.gbps * 1e9 * 1.5) / 8 / spec.size),
    server_bytes_sent: bytesSent,
    latency_kind: mode === 'stream' ? 'one_way_queued' : 'rtt',
    latency_p50_us: spec.latencyP50Us ?? 10 * threads,
    latency_p99_us: 40 * threads,
    latency_max_us: 900,
    perf,
    cycles_per_byte: cycles === null || !bytesSent ? null : cycles / bytesSent,
    zc_sends: spec.zc?.completions ?? 0,
    zc_completions: spec.zc?.completions ?? 0,
    zc_copied: spec.zc?.copied ?? 0,
    zc_enobufs: 0,
    rx: null,
    rx_mapped_bytes: null,
    rx_copied_bytes: null,
    // TCP's account unknown, as in a run from before it was read.
    tcp_span: null,
    tcp_data_segs_out: null,
    tcp_bytes_sent: null,
    tcp_bytes_acked: null,
    tcp_retrans: null,
    tcp_busy_ms: null,
    tcp_rwnd_limited_ms: null,
    tcp_sndbuf_limited_ms: null,
    tcp_srtt_us: null,
    tcp_segs_in_client: null,
    tcp_bytes_per_segment: null,
    limited_by: null,
    steal_pct_server_cpu: null,
    steal_pct_client_cpu: null,
    attempts: 1,
    tcp_retrans_segs: 0,
    queue_server_bytes_mean: spec.queue?.server ?? null,
    queue_client_bytes_mean: spec.queue?.client ?? null,
    run_id: 'synthetic-20260101-000000',
    started_at: '2026-01-01T00:00:00.000Z',
  };
}

/** Three repetitions around `gbps`: gbps×(1−spread), gbps, gbps×(1+spread). */
export function reps(spec: Omit<RowSpec, 'rep'>, spreadFraction = 0.02): Row[] {
  return [1 - spreadFraction, 1, 1 + spreadFraction].map((f, i) => row({ ...spec, rep: i + 1, gbps: spec.gbps * f }));
}

export const CONFIG_YAML = `
name: synthetic
topology: { kind: netns }
message_sizes: [128, 1024, 65536]
threads: [1, 2]
repetitions: 3
`;

export function metaJson(opts: { unsupported?: string[]; topology?: 'netns' | 'loopback' } = {}) {
  const yaml = opts.topology === 'loopback' ? CONFIG_YAML.replace('kind: netns', 'kind: loopback') : CONFIG_YAML;
  return {
    run_id: 'synthetic-20260101-000000',
    config_path: 'configs/synthetic.yaml',
    config: parseConfig(yaml, 'synthetic.yaml'),
    status: 'done',
    started_at: '2026-01-01T00:00:00.000Z',
    ended_at: '2026-01-01T00:10:00.000Z',
    wall_s: 600,
    machine: {
      kernel: 'Linux 6.1.0-test',
      cpu_model: 'Synthetic CPU @ 3.0GHz',
      cores: 4,
      perf_version: 'perf version 6.1',
      gcc_version: 'gcc 12',
      node_version: 'v20',
      git_commit: '0123456789abcdef0123456789abcdef01234567',
      git_dirty: false,
      hostname: 'synthetic',
    },
    perf_events: EVENTS,
    perf_unsupported: opts.unsupported ?? [],
  };
}

export function runData(rows: Row[], opts: { unsupported?: string[]; topology?: 'netns' | 'loopback' } = {}): RunData {
  return {
    runId: 'synthetic-20260101-000000',
    events: EVENTS,
    rows,
    ...readRunMeta(JSON.stringify(metaJson(opts)), 'meta.json'),
  };
}

/**
 * A full matrix: every variant × mode × size × threads × 3 repetitions, with
 * throughput = size-dependent base × variant factor; counters optional.
 */
export function matrix(opts: {
  sizes?: number[];
  threads?: number[];
  modes?: Mode[];
  repetitions?: number;
  counters?: boolean;
  factor?: (impl: Implementation, size: number, threads: number) => number;
}): Row[] {
  const sizes = opts.sizes ?? [128, 1024, 65536];
  const threads = opts.threads ?? [1, 2];
  const modes = opts.modes ?? ['stream', 'rr'];
  const n = opts.repetitions ?? 3;
  const factor = opts.factor ?? (() => 1);
  const out: Row[] = [];
  for (const mode of modes)
    for (const impl of ['two_copy', 'one_copy', 'zero_copy'] as const)
      for (const size of sizes)
        for (const t of threads)
          for (let rep = 1; rep <= n; rep++) {
            const gbps = (Math.log2(size) / 4) * (mode === 'rr' ? 0.2 : 1) * factor(impl, size, t) * (1 + 0.01 * (rep - 2));
            const copyWeight = impl === 'two_copy' ? 3 : impl === 'one_copy' ? 2 : 1.5;
            out.push(
              row({
                impl,
                mode,
                size,
                threads: t,
                rep,
                gbps,
                counters: opts.counters ? { cycles: 1e9, l1: 1e7 * copyWeight, llc: 1e5 * copyWeight * copyWeight } : null,
                zc: impl === 'zero_copy' ? { completions: 1000, copied: 1000 } : undefined,
              }),
            );
          }
  return out;
}

/** A run folder on disk as the orchestrator leaves it, but for raw/ (plots never read it). */
export function writeRunDir(dir: string, rows: Row[], opts: { unsupported?: string[]; meta?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const text = [formatCsvLine(csvHeader(EVENTS)), ...rows.map((r) => formatCsvLine(rowCells(r, EVENTS)))].join('');
  writeFileSync(path.join(dir, 'results.csv'), text);
  if (opts.meta !== false) writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(metaJson(opts), null, 2));
  return dir;
}
