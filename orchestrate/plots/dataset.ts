// A run's results as typed rows, and per-point statistics over repetitions.
// Pure: text and parsed JSON in, typed data out; plotting.ts does the reading.
//
// results.csv is read with row.ts's own parser and validated cell by cell
// against row.ts's column schemas, so a plot can only ever show what the
// orchestrator wrote. An empty cell is unknown (null), never 0.
import { z } from 'zod';
import { ConfigSchema, type Config } from '../config/config.ts';
import type { Row } from '../results/row.ts';
import { DataError } from '../results/table.ts';
import { median } from '../results/stats.ts';
import { IMPLEMENTATIONS, MODES, type Implementation, type Mode } from '../config/domain.ts';

export { DataError };

// --- meta.json → what the report says about the run -------------------------

const MachineFacts = z.looseObject({
  kernel: z.string().optional(),
  cpu_model: z.string().optional(),
  cores: z.number().optional(),
  perf_version: z.string().optional(),
  gcc_version: z.string().optional(),
  node_version: z.string().optional(),
  git_commit: z.string().optional(),
  git_dirty: z.boolean().nullable().optional(),
  hostname: z.string().optional(),
});
export type MachineFacts = z.infer<typeof MachineFacts>;

const MetaFile = z.looseObject({
  run_id: z.string().optional(),
  config_path: z.string().optional(),
  config: z.unknown().optional(),
  status: z.string().optional(),
  started_at: z.string().optional(),
  ended_at: z.string().nullable().optional(),
  wall_s: z.number().optional(),
  machine: MachineFacts.optional(),
  perf_events: z.array(z.string()).optional(),
  perf_unsupported: z.array(z.string()).optional(),
  sysctls: z.record(z.string(), z.unknown()).optional(),
});

export interface RunMeta {
  runId: string | null;
  configPath: string | null;
  config: Config | null;
  status: string | null;
  startedAt: string | null;
  endedAt: string | null;
  wallS: number | null;
  machine: MachineFacts;
  /** Events perf reported as `<not supported>` at preflight. */
  perfUnsupported: string[];
  sysctls: Record<string, unknown>;
}

/** meta.json's parsed JSON → the facts the report shows; whatever is absent is null. */
export function readMeta(json: unknown): RunMeta {
  const m = MetaFile.safeParse(json);
  const meta = m.success ? m.data : {};
  const config = ConfigSchema.safeParse(meta.config ?? null);
  return {
    runId: meta.run_id ?? null,
    configPath: meta.config_path ?? null,
    config: config.success ? config.data : null,
    status: meta.status ?? null,
    startedAt: meta.started_at ?? null,
    endedAt: meta.ended_at ?? null,
    wallS: meta.wall_s ?? null,
    machine: meta.machine ?? {},
    perfUnsupported: meta.perf_unsupported ?? [],
    sysctls: meta.sysctls ?? {},
  };
}

// --- the run as the figures and the analysis see it -------------------------

export interface RunData {
  runId: string;
  events: string[];
  rows: Row[];
  meta: RunMeta;
}

// --- per-row derived figures --------------------------------------------------

/** A counter's names, in order of preference, as perf reports them. */
const CYCLES = ['cycles', 'cpu-cycles'];
const L1 = ['L1-dcache-load-misses'];
const TASK_CLOCK = ['task-clock', 'cpu-clock'];

/** A side's count of the first of `names` the run requested (whole, or `:u` + `:k`). */
export function sideValue(row: Row, side: 'server' | 'client', names: readonly string[]): number | null {
  for (const name of names) {
    const whole = row.perf[`${side}_${name}`];
    if (whole !== undefined) return whole;
    const u = row.perf[`${side}_${name}:u`];
    const k = row.perf[`${side}_${name}:k`];
    if (u !== undefined && k !== undefined) return u === null || k === null ? null : u + k;
  }
  return null;
}

/** Which event stands for the last-level cache: LLC loads where counted, else perf's generic cache-misses. */
export interface LastLevelChoice {
  event: 'LLC-load-misses' | 'cache-misses' | null;
  label: string;
}

function anyValue(rows: readonly Row[], names: readonly string[]): boolean {
  return rows.some((r) => sideValue(r, 'server', names) !== null || sideValue(r, 'client', names) !== null);
}

export function chooseLastLevel(rows: readonly Row[]): LastLevelChoice {
  if (anyValue(rows, ['LLC-load-misses'])) return { event: 'LLC-load-misses', label: 'LLC load misses' };
  if (anyValue(rows, ['cache-misses'])) {
    return { event: 'cache-misses', label: 'cache-misses (last level; this CPU does not count LLC-load-misses)' };
  }
  return { event: null, label: 'last-level cache misses' };
}

export interface RowFigures {
  throughput_gbps: number;
  latency_p50_us: number;
  latency_p99_us: number;
  cycles_per_byte: number | null;
  /** Server + client CPU time (perf task-clock) per byte the server sent, in ns. */
  cpu_ns_per_byte: number | null;
  /** Misses per KiB the server sent. */
  l1_server_per_kib: number | null;
  l1_client_per_kib: number | null;
  ll_server_per_kib: number | null;
  ll_client_per_kib: number | null;
  l1_per_kib: number | null;
  ll_per_kib: number | null;
}

const perKib = (count: number | null, bytes: number | null) =>
  count === null || bytes === null || bytes === 0 ? null : (count * 1024) / bytes;
const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

export function rowFigures(row: Row, lastLevel: LastLevelChoice): RowFigures {
  const bytes = row.server_bytes_sent;
  const taskMs = sum(sideValue(row, 'server', TASK_CLOCK), sideValue(row, 'client', TASK_CLOCK));
  const ll = lastLevel.event ? [lastLevel.event] : [];
  const l1s = sideValue(row, 'server', L1);
  const l1c = sideValue(row, 'client', L1);
  const lls = ll.length ? sideValue(row, 'server', ll) : null;
  const llc = ll.length ? sideValue(row, 'client', ll) : null;
  return {
    throughput_gbps: row.throughput_gbps,
    latency_p50_us: row.latency_p50_us,
    latency_p99_us: row.latency_p99_us,
    cycles_per_byte: row.cycles_per_byte,
    // perf's task-clock is in msec: ms × 1e6 = ns.
    cpu_ns_per_byte: taskMs === null || bytes === null || bytes === 0 ? null : (taskMs * 1e6) / bytes,
    l1_server_per_kib: perKib(l1s, bytes),
    l1_client_per_kib: perKib(l1c, bytes),
    ll_server_per_kib: perKib(lls, bytes),
    ll_client_per_kib: perKib(llc, bytes),
    l1_per_kib: perKib(sum(l1s, l1c), bytes),
    ll_per_kib: perKib(sum(lls, llc), bytes),
  };
}

export function hasCycles(rows: readonly Row[]): boolean {
  return rows.some((r) => r.cycles_per_byte !== null) || anyValue(rows, CYCLES);
}

export function hasL1(rows: readonly Row[]): boolean {
  return anyValue(rows, L1);
}

export function hasTaskClock(rows: readonly Row[]): boolean {
  return anyValue(rows, TASK_CLOCK);
}

// --- per-point statistics -----------------------------------------------------

/** Median, min and max over the repetitions that have a value; null when none has. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Repetitions with a value. */
  n: number;
}

export function spread(values: readonly (number | null)[]): Spread | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length === 0) return null;
  return { median: median(known)!, min: Math.min(...known), max: Math.max(...known), n: known.length };
}

export type FigureName = keyof RowFigures;

export interface PointStats {
  impl: Implementation;
  mode: Mode;
  msgSize: number;
  threads: number;
  reps: number;
  figures: { [K in FigureName]: Spread | null };
  zc: { sends: number; completions: number; copied: number; enobufs: number };
}

const FIGURE_NAMES: FigureName[] = [
  'throughput_gbps',
  'latency_p50_us',
  'latency_p99_us',
  'cycles_per_byte',
  'cpu_ns_per_byte',
  'l1_server_per_kib',
  'l1_client_per_kib',
  'll_server_per_kib',
  'll_client_per_kib',
  'l1_per_kib',
  'll_per_kib',
];

const orderOf = (list: readonly string[], v: string) => {
  const i = list.indexOf(v);
  return i < 0 ? list.length : i;
};

/** Group rows by matrix point; each point's figures as spreads over its repetitions. */
export function pointStats(rows: readonly Row[], lastLevel = chooseLastLevel(rows)): PointStats[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.implementation}/${r.mode}/${r.msg_size}/${r.threads}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const points: PointStats[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const perRow = group.map((r) => rowFigures(r, lastLevel));
    const figures = Object.fromEntries(FIGURE_NAMES.map((f) => [f, spread(perRow.map((p) => p[f]))])) as PointStats['figures'];
    points.push({
      impl: first.implementation,
      mode: first.mode,
      msgSize: first.msg_size,
      threads: first.threads,
      reps: group.length,
      figures,
      zc: {
        sends: group.reduce((s, r) => s + r.zc_sends, 0),
        completions: group.reduce((s, r) => s + r.zc_completions, 0),
        copied: group.reduce((s, r) => s + r.zc_copied, 0),
        enobufs: group.reduce((s, r) => s + r.zc_enobufs, 0),
      },
    });
  }
  return points.sort(
    (a, b) =>
      orderOf(MODES, a.mode) - orderOf(MODES, b.mode) ||
      orderOf(IMPLEMENTATIONS, a.impl) - orderOf(IMPLEMENTATIONS, b.impl) ||
      a.msgSize - b.msgSize ||
      a.threads - b.threads,
  );
}

/** The distinct values of a field, ascending or in the canonical order. */
export function sizesOf(rows: readonly { msg_size: number }[]): number[] {
  return [...new Set(rows.map((r) => r.msg_size))].sort((a, b) => a - b);
}
export function threadsOf(rows: readonly { threads: number }[]): number[] {
  return [...new Set(rows.map((r) => r.threads))].sort((a, b) => a - b);
}
export function modesOf(rows: readonly { mode: Mode }[]): Mode[] {
  return MODES.filter((m) => rows.some((r) => r.mode === m));
}
export function implsOf(rows: readonly { implementation: Implementation }[]): Implementation[] {
  return IMPLEMENTATIONS.filter((i) => rows.some((r) => r.implementation === i));
}
