// One results.csv row per experiment and repetition, written and read back. Pure.
//
// The header is derived from the column schemas below (plus one pair of
// columns per perf event and side), never typed a second time. The first nine
// columns are the course's, in its order, so existing analysis scripts keep
// working. A figure that is unknown — a counter perf could not count, a
// missing value — is an empty cell, never 0.
import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import { Implementation, LatencyKind, Mode, RxMode, SIDES } from '../config/domain.ts';
import type { PerfStat } from './perf.ts';
import type { ExperimentOutputs } from './checks.ts';
import { DataError, readRecords, typedRecords } from './table.ts';
import { TcpColumns, tcpColumns } from './tcp.ts';

// The CSV reader moved to table.ts; re-exported for the code that reads
// results.csv records through this module.

const figure = z.number().finite().nullable();
const count = z.number().int().nonnegative();
const latency = z.number().finite().nonnegative().nullable();

/**
 * latency_kind of a stream row across two hosts (topology ssh): the client
 * cannot subtract the server's send time, read on another clock, from its own
 * receive time, so the one-way delay is not measured and the latency cells
 * are empty. rr rows keep their round trips, timed on one clock.
 */
export const TWO_CLOCKS = 'none_two_clocks';

/**
 * What a row's latency is. `rtt` (rr rows): a round trip, request sent to
 * full response received. `one_way_queued` (stream rows): from the sender's
 * send to full receipt, time waiting in socket buffers included — a
 * queueing delay, not what one message costs. The binaries print `one_way`
 * for the latter (their result-line contract); results.csv from before the
 * rename say `one_way` too, and read as `one_way_queued`.
 */
export const RowLatencyKind = z.enum(['rtt', 'one_way_queued', TWO_CLOCKS]);
export type RowLatencyKind = z.infer<typeof RowLatencyKind>;
export const ROW_LATENCY_KIND: Record<z.infer<typeof LatencyKind>, RowLatencyKind> = { rtt: 'rtt', one_way: 'one_way_queued' };

/** The course's columns. Counters are the whole transfer's cost: server + client. */
export const SeedColumns = z.strictObject({
  implementation: Implementation,
  msg_size: z.number().int().positive(),
  threads: z.number().int().positive(),
  throughput_gbps: z.number().finite().nonnegative(),
  /** Mean latency: the round trip in rr mode, the one-way (queueing) delay in stream mode (see latency_kind); empty for stream across two hosts. */
  latency_us: latency,
  cpu_cycles: figure,
  l1_cache_misses: figure,
  llc_cache_misses: figure,
  context_switches: figure,
});

export const DetailColumns = z.strictObject({
  mode: Mode,
  rep: z.number().int().positive(),
  window_s: z.number().finite().nonnegative(),
  bytes: count,
  messages: count,
  /**
   * The server's own count of bytes sent (its result line's `bytes_sent`,
   * over its whole life: warm-up and drain included): the denominator of
   * `cycles_per_byte` and of every per-byte figure, because perf counts the
   * processes' whole lives too.
   */
  server_bytes_sent: count,
  latency_kind: RowLatencyKind,
  latency_p50_us: latency,
  latency_p99_us: latency,
  latency_max_us: latency,
});

// Then, per side and event: `server_<event>`, `server_<event>_run_pct`, ...

export const TailColumns = z.strictObject({
  /** (server + client cycles) / bytes the server sent, over the processes' whole lives. */
  cycles_per_byte: figure,
  zc_sends: count,
  zc_completions: count,
  zc_copied: count,
  zc_enobufs: count,
  /** How the client received (--rx, config `rx`): its variant's copying path, or by mapping the socket's pages. Empty in runs from before --rx (they copied). */
  rx: RxMode.nullable(),
  /** Message bytes the client mapped (TCP_ZEROCOPY_RECEIVE) and copied (recv), warm-up included: its result line's rx. Empty where unknown. */
  rx_mapped_bytes: count.nullable(),
  rx_copied_bytes: count.nullable(),
  /** TCP's own account (TCP_INFO) and what limited the transfer: tcp.ts. */
  ...TcpColumns.shape,
  /**
   * Hypervisor steal on each side's CPUs (its pinning; every CPU when
   * unpinned) from just before the client started to just after it exited,
   * % of those CPUs' ticks (/proc/stat). Empty when this machine reports no
   * steal time.
   */
  steal_pct_server_cpu: z.number().finite().min(0).max(100).nullable(),
  steal_pct_client_cpu: z.number().finite().min(0).max(100).nullable(),
  /** Tries it took: 1 if the first was clean; more when steal forced re-runs (see config `interference`). Empty in older runs. */
  attempts: z.number().int().positive().nullable(),
  /** TCP segments retransmitted during the experiment, both namespaces together (their TcpRetransSegs, as nstat names it). */
  tcp_retrans_segs: count.nullable(),
  /**
   * Stream rows: the mean bytes waiting in the sockets during the measured
   * window (result lines' `queue.bytes_mean`): the server's SIOCOUTQ
   * (written, not yet acknowledged) and the client's SIOCINQ (received, not
   * yet read), each summed over connections and sampled every 10 ms. Their
   * sum is what Little's law compares with throughput × mean delay
   * (plots/queueing.ts). Empty in rr rows, where nothing is sampled, and
   * wherever no sample was taken.
   */
  queue_server_bytes_mean: z.number().finite().nonnegative().nullable(),
  queue_client_bytes_mean: z.number().finite().nonnegative().nullable(),
  run_id: z.string().min(1),
  started_at: z.string().min(1),
});


/**
 * Columns that explain a row (TCP's account, steal, attempts, the bytes
 * waiting in the sockets): every run
 * writes them, but a results.csv from before they existed lacks them. A
 * reader takes the file with or without each of them (absent: null,
 * unknown), and still refuses any column it does not know.
 */
const EXPLAINING_COLUMN_NAMES = [
  'rx',
  'rx_mapped_bytes',
  'rx_copied_bytes',
  ...Object.keys(TcpColumns.shape),
  'steal_pct_server_cpu',
  'steal_pct_client_cpu',
  'attempts',
  'queue_server_bytes_mean',
  'queue_client_bytes_mean',
] as const;

export type FixedRow = z.infer<typeof SeedColumns> & z.infer<typeof DetailColumns> & z.infer<typeof TailColumns>;
export interface Row extends FixedRow {
  /** Keyed by column name (`server_cycles`, `server_cycles_run_pct`, ...). */
  perf: Record<string, number | null>;
}

export const SEED_COLUMN_NAMES = Object.keys(SeedColumns.shape) as (keyof z.infer<typeof SeedColumns>)[];
const DETAIL_COLUMN_NAMES = Object.keys(DetailColumns.shape) as (keyof z.infer<typeof DetailColumns>)[];
const TAIL_COLUMN_NAMES = Object.keys(TailColumns.shape) as (keyof z.infer<typeof TailColumns>)[];

export function perfColumnNames(events: readonly string[]): string[] {
  return SIDES.flatMap((side) => events.flatMap((event) => [`${side}_${event}`, `${side}_${event}_run_pct`]));
}

export function csvHeader(events: readonly string[]): string[] {
  return [...SEED_COLUMN_NAMES, ...DETAIL_COLUMN_NAMES, ...perfColumnNames(events), ...TAIL_COLUMN_NAMES];
}

export type Cell = string | number | null;

export function rowCells(row: Row, events: readonly string[]): Cell[] {
  const fixed = row as unknown as Record<string, Cell>;
  return [
    ...SEED_COLUMN_NAMES.map((c) => fixed[c] ?? null),
    ...DETAIL_COLUMN_NAMES.map((c) => fixed[c] ?? null),
    ...perfColumnNames(events).map((c) => row.perf[c] ?? null),
    ...TAIL_COLUMN_NAMES.map((c) => fixed[c] ?? null),
  ];
}

/** One CSV line with its newline; null and undefined become empty cells. */
export function formatCsvLine(cells: readonly Cell[]): string {
  return stringify([cells.map((c) => (c === null ? '' : c))], {
    cast: { number: (n) => String(n) },
    record_delimiter: 'unix',
  });
}

/**
 * The perf events a results.csv header was written for: the `server_<event>`
 * columns between the fixed ones. Whether the header is exactly what row.ts
 * writes for them is `parseResultsCsv`'s check.
 */
export function eventsFromHeader(header: readonly string[], tailMissing = 0): string[] {
  const fixedBefore = SEED_COLUMN_NAMES.length + DETAIL_COLUMN_NAMES.length;
  const perfColumns = header.slice(fixedBefore, Math.max(fixedBefore, header.length - (TAIL_COLUMN_NAMES.length - tailMissing)));
  return perfColumns.filter((c) => c.startsWith('server_') && !c.endsWith('_run_pct')).map((c) => c.slice('server_'.length));
}

/**
 * results.csv text → its events and validated rows, through the column
 * schemas above plus one number-or-empty column per perf event and side.
 * Throws DataError naming the line and column of a bad cell.
 */
export function parseResultsCsv(text: string, source = 'results.csv'): { events: string[]; rows: Row[] } {
  const { header, records } = readRecords(text, source);
  const missing = EXPLAINING_COLUMN_NAMES.filter((c) => !header.includes(c));
  const events = eventsFromHeader(header, missing.length);
  const perfColumns = perfColumnNames(events);
  const shape: Record<string, z.ZodType> = {
    ...SeedColumns.shape,
    ...DetailColumns.shape,
    ...Object.fromEntries(perfColumns.map((c) => [c, figure])),
    ...TailColumns.shape,
  };
  // The header must be what row.ts writes, less any explaining columns it predates.
  const expected = Object.fromEntries(Object.entries(shape).filter(([c]) => !(missing as readonly string[]).includes(c)));
  const typed = typedRecords(expected, header, records.map(renameLegacyCells), source);
  if (typed.length === 0) throw new DataError(`${source}: a header but no rows (did every experiment fail?)`);
  const unknown = Object.fromEntries(missing.map((c) => [c, null]));
  const rows = typed.map((record) => {
    const cells = { ...unknown, ...(record as Record<string, unknown>) };
    const perf = Object.fromEntries(perfColumns.map((c) => [c, cells[c] as number | null]));
    const fixed = Object.fromEntries([...SEED_COLUMN_NAMES, ...DETAIL_COLUMN_NAMES, ...TAIL_COLUMN_NAMES].map((c) => [c, cells[c]]));
    return { ...(fixed as unknown as FixedRow), perf };
  });
  return { events, rows };
}

/** A record as an older copybench wrote it → as this one writes it (`one_way` → `one_way_queued`). */
function renameLegacyCells(record: Record<string, string>): Record<string, string> {
  return record.latency_kind === 'one_way' ? { ...record, latency_kind: ROW_LATENCY_KIND.one_way } : record;
}

// Names under which perf may report the counters the course's columns need.
const CYCLES = ['cycles', 'cpu-cycles'];
const L1_MISSES = ['L1-dcache-load-misses'];
const LLC_MISSES = ['LLC-load-misses'];
const CONTEXT_SWITCHES = ['context-switches', 'cs'];

/**
 * A counter for one side: the event as requested, or the sum of its `:u` and
 * `:k` halves when user and kernel were split. Null when unknown.
 */
export function sideCount(perf: PerfStat, names: readonly string[]): number | null {
  for (const name of names) {
    const whole = perf[name];
    if (whole) return whole.value;
    const user = perf[`${name}:u`];
    const kernel = perf[`${name}:k`];
    if (user && kernel) return user.value === null || kernel.value === null ? null : user.value + kernel.value;
  }
  return null;
}

/** Server + client; unknown if either side is unknown (a half is never passed off as the whole). */
export function transferCount(server: PerfStat, client: PerfStat, names: readonly string[]): number | null {
  const s = sideCount(server, names);
  const c = sideCount(client, names);
  return s === null || c === null ? null : s + c;
}

export interface RowInput extends ExperimentOutputs {
  /** `two`: server and client on two hosts, two clocks (TWO_CLOCKS); default `one`. */
  clocks?: 'one' | 'two';
  tcpRetransSegs: number | null;
  steal: { server: number | null; client: number | null };
  attempt: number;
  runId: string;
  startedAt: string;
}

export function buildRow(input: RowInput): Row {
  const { experiment: e, client, server, serverPerf, clientPerf, events } = input;
  const cpuCycles = transferCount(serverPerf, clientPerf, CYCLES);
  const lat = client.latency_us;
  const oneWayAcrossHosts = e.mode === 'stream' && input.clocks === 'two';
  const perf: Record<string, number | null> = {};
  for (const [side, stat] of [
    ['server', serverPerf],
    ['client', clientPerf],
  ] as const) {
    for (const event of events) {
      perf[`${side}_${event}`] = stat[event]?.value ?? null;
      perf[`${side}_${event}_run_pct`] = stat[event]?.runPct ?? null;
    }
  }
  const fixed: FixedRow = {
    implementation: e.impl,
    msg_size: e.msgSize,
    threads: e.threads,
    throughput_gbps: client.throughput_gbps,
    latency_us: oneWayAcrossHosts ? null : lat.mean,
    cpu_cycles: cpuCycles,
    l1_cache_misses: transferCount(serverPerf, clientPerf, L1_MISSES),
    llc_cache_misses: transferCount(serverPerf, clientPerf, LLC_MISSES),
    context_switches: transferCount(serverPerf, clientPerf, CONTEXT_SWITCHES),
    mode: e.mode,
    rep: e.rep,
    window_s: client.window_s,
    bytes: client.bytes,
    messages: client.messages,
    server_bytes_sent: server.bytes_sent,
    latency_kind: oneWayAcrossHosts ? TWO_CLOCKS : ROW_LATENCY_KIND[lat.kind],
    latency_p50_us: oneWayAcrossHosts ? null : lat.p50,
    latency_p99_us: oneWayAcrossHosts ? null : lat.p99,
    latency_max_us: oneWayAcrossHosts ? null : lat.max,
    cycles_per_byte: cpuCycles === null || server.bytes_sent === 0 ? null : cpuCycles / server.bytes_sent,
    zc_sends: server.zerocopy.sends,
    zc_completions: server.zerocopy.completions,
    zc_copied: server.zerocopy.copied,
    zc_enobufs: server.zerocopy.enobufs,
    rx: e.rx,
    rx_mapped_bytes: client.rx?.mapped_bytes ?? null,
    rx_copied_bytes: client.rx?.copied_bytes ?? null,
    ...tcpColumns(server.tcp, client.tcp),
    steal_pct_server_cpu: roundPct(input.steal.server),
    steal_pct_client_cpu: roundPct(input.steal.client),
    attempts: input.attempt,
    tcp_retrans_segs: input.tcpRetransSegs,
    queue_server_bytes_mean: server.queue?.bytes_mean ?? null,
    queue_client_bytes_mean: client.queue?.bytes_mean ?? null,
    run_id: input.runId,
    started_at: input.startedAt,
  };
  // Validate through the column schemas: a NaN or a negative count fails here,
  // loudly, instead of landing in the CSV.
  SeedColumns.parse(pick(fixed, SEED_COLUMN_NAMES));
  DetailColumns.parse(pick(fixed, DETAIL_COLUMN_NAMES));
  TailColumns.parse(pick(fixed, TAIL_COLUMN_NAMES));
  for (const [k, v] of Object.entries(perf)) {
    if (v !== null && !Number.isFinite(v)) throw new Error(`${k}: not a finite number: ${v}`);
  }
  return { ...fixed, perf };
}

/** A percentage to two decimals: /proc/stat counts 10 ms ticks, more digits would be noise. */
function roundPct(pct: number | null): number | null {
  return pct === null ? null : Math.round(pct * 100) / 100;
}

function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, obj[k]])) as Pick<T, K>;
}
