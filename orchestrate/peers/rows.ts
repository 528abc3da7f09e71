// peers.csv: one row per run, copybench's and the peers', from one zod row
// schema that is the validator, the type and the header. Pure.
import { z } from 'zod';
import { IMPLEMENTATIONS } from '../config/domain.ts';
import { PEER_TOOLS } from '../config/schema.ts';
import type { PerfStat } from '../results/perf.ts';
import { readTable } from '../results/table.ts';
import type { PeerMeasurement } from './parse.ts';
import type { BaselineRun } from './plan.ts';

export const SUBJECTS = [...IMPLEMENTATIONS, ...PEER_TOOLS] as const;

/** How each subject is labelled in figures and tables: the course's binary names for copybench. */
export const SUBJECT_LABEL: Record<(typeof SUBJECTS)[number], string> = {
  two_copy: 'a1 two_copy',
  one_copy: 'a2 one_copy',
  zero_copy: 'a3 zero_copy',
  uring_zero_copy: 'a4 uring_zero_copy',
  iperf3: 'iperf3',
  sockperf: 'sockperf',
};

const cpuSeconds = z.number().finite().nonnegative().nullable();

/** One row of peers.csv: one run of copybench or of a peer. The header is derived from it. */
export const PeersRow = z.strictObject({
  subject: z.enum(SUBJECTS),
  kind: z.enum(['copybench', 'peer']),
  msg_size: z.number().int().positive(),
  threads: z.literal(1),
  rep: z.number().int().positive(),
  throughput_gbps: z.number().finite().positive(),
  window_s: z.number().finite().positive(),
  bytes: z.number().int().positive(),
  counted_by: z.enum(['receiver', 'sender']),
  /** CPU time of each side's process (perf task-clock), seconds; empty if perf could not count it. */
  server_cpu_s: cpuSeconds,
  client_cpu_s: cpuSeconds,
  tcp_retrans_segs: z.number().int().nonnegative().nullable(),
  /**
   * TCP payload per segment: what the sender sent over its whole run ÷ the
   * segments the server's namespace sent over the same span (its TcpOutSegs
   * delta). OutSegs counts ACK-only segments too, but on the sending side of
   * a one-way stream nearly every segment carries data; it counts a GSO
   * packet as the MSS-sized segments it becomes. Empty when unknown
   * (loopback: one namespace for both sides).
   */
  bytes_per_segment: z.number().finite().positive().nullable(),
  /** Wall time of the whole run, from its first process's start to its last's exit and the row's parsing. */
  wall_s: z.number().finite().nonnegative(),
  version: z.string().min(1),
  run_id: z.string().min(1),
  started_at: z.string().min(1),
});
export type PeersRow = z.infer<typeof PeersRow>;

export const PEERS_CSV_HEADER = Object.keys(PeersRow.shape) as (keyof PeersRow)[];

export function peersRowCells(row: PeersRow): (string | number | null)[] {
  const valid = PeersRow.parse(row);
  return PEERS_CSV_HEADER.map((k) => valid[k]);
}

/** peers.csv records (strings, as parseCsvRecords gives them) back to typed rows. */
/** peers.csv text → rows, through the one CSV reader (results/table.ts): a bad cell is named by line and column. */
export function readPeersCsv(text: string, source: string): PeersRow[] {
  return readTable(PeersRow.shape, text, source).map((r) => PeersRow.parse(r));
}

/** A side's CPU time in seconds from perf's task-clock (printed in msec); null when not counted. */
export function cpuSecondsOf(perf: PerfStat | null): number | null {
  const c = perf?.['task-clock'];
  if (!c || c.value === null) return null;
  if (c.unit === 'msec') return c.value / 1e3;
  if (c.unit === 'ns') return c.value / 1e9;
  return null;
}

/** Bytes ÷ segments, to one decimal; null when either is unknown or no segment was counted. */
export function bytesPerSegment(bytes: number | null, segments: number | null): number | null {
  if (bytes === null || segments === null || segments <= 0 || bytes <= 0) return null;
  return Math.round((bytes / segments) * 10) / 10;
}

export interface RowContext {
  run: BaselineRun;
  tcpRetransSegs: number | null;
  /** Segments the server's namespace sent during the run (TcpOutSegs delta); null when unknown. */
  serverOutSegs: number | null;
  wallS: number;
  version: string;
  runId: string;
  startedAt: string;
}

/** What one run measured, whoever ran it: the fields of a peers.csv row that differ between copybench and a peer. */
interface Measured {
  subject: PeersRow['subject'];
  kind: PeersRow['kind'];
  throughput_gbps: number;
  window_s: number;
  bytes: number;
  counted_by: PeersRow['counted_by'];
  /** What the sending side sent over the whole run: the numerator of bytes_per_segment. */
  sender_bytes: number | null;
  version: string;
}

function peersRow(m: Measured, perf: { server: PerfStat | null; client: PerfStat | null }, ctx: RowContext): PeersRow {
  const { sender_bytes: senderBytes, ...measured } = m;
  return PeersRow.parse({
    ...measured,
    msg_size: ctx.run.msgSize,
    threads: 1,
    rep: ctx.run.rep,
    server_cpu_s: cpuSecondsOf(perf.server),
    client_cpu_s: cpuSecondsOf(perf.client),
    tcp_retrans_segs: ctx.tcpRetransSegs,
    bytes_per_segment: bytesPerSegment(senderBytes, ctx.serverOutSegs),
    wall_s: ctx.wallS,
    run_id: ctx.runId,
    started_at: ctx.startedAt,
  });
}

/** A peers.csv row for one of copybench's own runs, from its result lines and perf counts. */
export function copybenchPeersRow(
  client: { throughput_gbps: number; window_s: number; bytes: number },
  server: { bytes_sent: number },
  perf: { server: PerfStat | null; client: PerfStat | null },
  ctx: RowContext,
): PeersRow {
  if (ctx.run.subject.kind !== 'copybench') throw new Error('copybenchPeersRow: not a copybench run');
  const { throughput_gbps, window_s, bytes } = client;
  const m = { subject: ctx.run.subject.impl, kind: 'copybench', counted_by: 'receiver', sender_bytes: server.bytes_sent, version: ctx.version } as const;
  return peersRow({ ...m, throughput_gbps, window_s, bytes }, perf, ctx);
}

/** A peers.csv row for one run of a peer tool. */
export function peerPeersRow(m: PeerMeasurement, perf: { server: PerfStat | null; client: PerfStat | null }, ctx: RowContext): PeersRow {
  if (ctx.run.subject.kind !== 'peer') throw new Error('peerPeersRow: not a peer run');
  const measured = { subject: ctx.run.subject.tool, kind: 'peer', counted_by: m.countedBy, sender_bytes: m.senderBytes, version: m.version } as const;
  return peersRow({ ...measured, throughput_gbps: m.throughputGbps, window_s: m.windowS, bytes: m.bytes }, perf, ctx);
}
