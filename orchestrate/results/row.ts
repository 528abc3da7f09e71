// One results.csv row per experiment and repetition. Pure.
//
// The header is derived from the column schemas below (plus one pair of
// columns per perf event and side), never typed a second time. The first nine
// columns are the course's, in its order, so existing analysis scripts keep
// working. A figure that is unknown — a counter perf could not count, a
// missing value — is an empty cell, never 0.
import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import { Implementation, LatencyKind, Mode } from '../config/domain.ts';
import type { PerfStat } from './perf.ts';
import type { ExperimentOutputs } from './checks.ts';

const figure = z.number().finite().nullable();
const count = z.number().int().nonnegative();

/** The course's columns. Counters are the whole transfer's cost: server + client. */
export const SeedColumns = z.strictObject({
  implementation: Implementation,
  msg_size: z.number().int().positive(),
  threads: z.number().int().positive(),
  throughput_gbps: z.number().finite().nonnegative(),
  /** Mean latency: one-way in stream mode, round trip in rr mode (see latency_kind). */
  latency_us: z.number().finite().nonnegative(),
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
  latency_kind: LatencyKind,
  latency_p50_us: z.number().finite().nonnegative(),
  latency_p99_us: z.number().finite().nonnegative(),
  latency_max_us: z.number().finite().nonnegative(),
});

// Then, per side and event: `server_<event>`, `server_<event>_run_pct`, ...

export const TailColumns = z.strictObject({
  /** (server + client cycles) / bytes the server sent, over the processes' whole lives. */
  cycles_per_byte: figure,
  zc_sends: count,
  zc_completions: count,
  zc_copied: count,
  zc_enobufs: count,
  /** TCP segments retransmitted during the experiment, both namespaces together (their TcpRetransSegs, as nstat names it). */
  tcp_retrans_segs: count.nullable(),
  run_id: z.string().min(1),
  started_at: z.string().min(1),
});

export const SIDES = ['server', 'client'] as const;
export type Side = (typeof SIDES)[number];

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

/** RFC 4180 reader for our own files: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV text → records keyed by header. Rows whose width differs from the header are returned apart. */
export function parseCsvRecords(text: string): { header: string[]; records: Record<string, string>[]; malformed: number[] } {
  const [header = [], ...rows] = parseCsv(text);
  const records: Record<string, string>[] = [];
  const malformed: number[] = [];
  rows.forEach((cells, i) => {
    if (cells.length === 1 && cells[0] === '') return;
    if (cells.length !== header.length) {
      malformed.push(i + 2);
      return;
    }
    records.push(Object.fromEntries(header.map((h, j) => [h, cells[j] ?? ''])));
  });
  return { header, records, malformed };
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
  tcpRetransSegs: number | null;
  runId: string;
  startedAt: string;
}

export function buildRow(input: RowInput): Row {
  const { experiment: e, client, server, serverPerf, clientPerf, events } = input;
  const cpuCycles = transferCount(serverPerf, clientPerf, CYCLES);
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
    latency_us: client.latency_us.mean,
    cpu_cycles: cpuCycles,
    l1_cache_misses: transferCount(serverPerf, clientPerf, L1_MISSES),
    llc_cache_misses: transferCount(serverPerf, clientPerf, LLC_MISSES),
    context_switches: transferCount(serverPerf, clientPerf, CONTEXT_SWITCHES),
    mode: e.mode,
    rep: e.rep,
    window_s: client.window_s,
    bytes: client.bytes,
    messages: client.messages,
    latency_kind: client.latency_us.kind,
    latency_p50_us: client.latency_us.p50,
    latency_p99_us: client.latency_us.p99,
    latency_max_us: client.latency_us.max,
    cycles_per_byte: cpuCycles === null || server.bytes_sent === 0 ? null : cpuCycles / server.bytes_sent,
    zc_sends: server.zerocopy.sends,
    zc_completions: server.zerocopy.completions,
    zc_copied: server.zerocopy.copied,
    zc_enobufs: server.zerocopy.enobufs,
    tcp_retrans_segs: input.tcpRetransSegs,
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

function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, obj[k]])) as Pick<T, K>;
}
