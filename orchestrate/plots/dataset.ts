// A run as the figures, the analysis and the report see it: results.csv's
// rows, meta.json, and each row's derived figures (per byte, per KiB).
// Pure: file contents in, typed data out; plotting.ts does the reading.
//
// results.csv is read through results/row.ts (validated cell by cell
// against its column schemas), meta.json through results/meta.ts: a plot can
// only ever show what the orchestrator wrote. An empty cell is unknown
// (null), never 0. The bytes behind every per-byte figure are the CSV's
// server_bytes_sent; raw/ is never read.
import { ConfigSchema, type Config } from '../config/schema.ts';
import { AttributionRow } from '../results/attribution-rows.ts';
import { MetaError, parseMeta, type Meta } from '../results/meta.ts';
import { parseResultsCsv, type Row } from '../results/row.ts';
import { DataError, readTable } from '../results/table.ts';

export interface RunData {
  runId: string;
  /** The perf events results.csv has columns for. */
  events: string[];
  rows: Row[];
  /** meta.json; null when the run folder has none (the report then says "unknown"). */
  meta: Meta | null;
  /** The run's config from meta.json; null without one, or when it no longer validates. */
  config: Config | null;
  /** attribution.csv's rows; absent when the run has no attribution pass (no file). */
  attribution?: AttributionRow[];
}

/** meta.json's text (null: no such file) → the meta and its config. A meta.json that is not ours is a DataError. */
export function readRunMeta(text: string | null, source: string): Pick<RunData, 'meta' | 'config'> {
  if (text === null) return { meta: null, config: null };
  let meta: Meta;
  try {
    meta = parseMeta(text, source);
  } catch (e) {
    if (e instanceof MetaError) throw new DataError(e.message);
    throw e;
  }
  const config = ConfigSchema.safeParse(meta.config);
  return { meta, config: config.success ? config.data : null };
}

export interface RunFiles {
  /** The run folder's name: the run's id when meta.json does not give one. */
  folder: string;
  csv: { text: string; source: string };
  meta: { text: string | null; source: string };
  /** attribution.csv; absent or null: the run has none (never an error). */
  attribution?: { text: string | null; source: string };
}

/** attribution.csv's text → its rows, validated against AttributionRow; a file that is not ours is a DataError. */
export function readAttribution(text: string, source: string): AttributionRow[] {
  return readTable(AttributionRow.shape, text, source);
}

/** A run folder's results.csv and meta.json → RunData. Throws DataError naming the file, line and column. */
export function runFromFiles(files: RunFiles): RunData {
  const { events, rows } = parseResultsCsv(files.csv.text, files.csv.source);
  const { meta, config } = readRunMeta(files.meta.text, files.meta.source);
  const attribution = files.attribution?.text != null ? { attribution: readAttribution(files.attribution.text, files.attribution.source) } : {};
  return { runId: meta?.run_id ?? files.folder, events, rows, meta, config, ...attribution };
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
  /** Empty (null) for stream rows across two hosts (results/row.ts TWO_CLOCKS). */
  latency_p50_us: number | null;
  latency_p99_us: number | null;
  /** The mean latency (results.csv's latency_us): a round trip in rr rows, the one-way queueing delay in stream rows. */
  latency_mean_us: number | null;
  /**
   * Stream rows: mean bytes waiting in the sockets, server (SIOCOUTQ) +
   * client (SIOCINQ); null when either side is unknown, and in rr rows.
   */
  queue_bytes: number | null;
  /**
   * Stream rows: throughput × mean one-way delay in bytes, Little's law's
   * λ·W, to compare with queue_bytes (plots/queueing.ts); null in rr rows.
   */
  little_bytes: number | null;
  cycles_per_byte: number | null;
  /** Server + client CPU time (perf task-clock) per byte the server sent, in ns. */
  cpu_ns_per_byte: number | null;
  /** Each side's cycles and CPU time per byte the server sent. */
  cycles_per_byte_server: number | null;
  cycles_per_byte_client: number | null;
  cpu_ns_per_byte_server: number | null;
  cpu_ns_per_byte_client: number | null;
  /** Misses per KiB the server sent (server_bytes_sent). */
  l1_server_per_kib: number | null;
  l1_client_per_kib: number | null;
  ll_server_per_kib: number | null;
  ll_client_per_kib: number | null;
  l1_per_kib: number | null;
  ll_per_kib: number | null;
}

const perKib = (count: number | null, bytes: number) => (count === null || bytes === 0 ? null : (count * 1024) / bytes);
const perByte = (count: number | null, bytes: number, scale = 1) => (count === null || bytes === 0 ? null : (count * scale) / bytes);
const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

export function rowFigures(row: Row, lastLevel: LastLevelChoice): RowFigures {
  const bytes = row.server_bytes_sent;
  const taskMs = sum(sideValue(row, 'server', TASK_CLOCK), sideValue(row, 'client', TASK_CLOCK));
  const ll = lastLevel.event ? [lastLevel.event] : [];
  const l1s = sideValue(row, 'server', L1);
  const l1c = sideValue(row, 'client', L1);
  const lls = ll.length ? sideValue(row, 'server', ll) : null;
  const llc = ll.length ? sideValue(row, 'client', ll) : null;
  const stream = row.latency_kind === 'one_way_queued';
  return {
    throughput_gbps: row.throughput_gbps,
    latency_p50_us: row.latency_p50_us,
    latency_p99_us: row.latency_p99_us,
    latency_mean_us: row.latency_us,
    queue_bytes: stream ? sum(row.queue_server_bytes_mean, row.queue_client_bytes_mean) : null,
    // Gbit/s × µs = 1e3 bits = 125 bytes.
    little_bytes: stream && row.latency_us !== null ? row.throughput_gbps * row.latency_us * 125 : null,
    cycles_per_byte: row.cycles_per_byte,
    // perf's task-clock is in msec: ms × 1e6 = ns.
    cpu_ns_per_byte: perByte(taskMs, bytes, 1e6),
    cycles_per_byte_server: perByte(sideValue(row, 'server', CYCLES), bytes),
    cycles_per_byte_client: perByte(sideValue(row, 'client', CYCLES), bytes),
    cpu_ns_per_byte_server: perByte(sideValue(row, 'server', TASK_CLOCK), bytes, 1e6),
    cpu_ns_per_byte_client: perByte(sideValue(row, 'client', TASK_CLOCK), bytes, 1e6),
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
