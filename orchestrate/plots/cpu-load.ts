// What held a point back, from its rows: TCP's account (what limited the
// sender, how full the segments were, retransmissions) and how busy each
// side's CPUs were. Pure: rows in, evidence and its words out.
//
// Busy = the side's task-clock ÷ (warm-up + measured window) ÷ the CPUs it
// was pinned to. perf counts the process's whole life, which is the warm-up
// and the window plus a short set-up and drain, so a saturated side reads a
// little above 100 %. When both sides are pinned to the same CPUs they
// compete for them: their sum is what saturates.
import { cpusOf } from '../config/cpus.ts';
import type { Config } from '../config/schema.ts';
import type { Meta } from '../results/meta.ts';
import type { Row } from '../results/row.ts';
import { median } from '../results/stats.ts';
import type { LimitedBy } from '../results/tcp.ts';
import { sideValue } from './dataset.ts';
import { count, pct } from './answer-text.ts';

/** A side (or the CPUs both share) at least this busy is the bottleneck. */
export const SATURATED_BUSY = 0.95;

export interface Busy {
  server: number | null;
  client: number | null;
  /** Both sides pinned to the same CPUs: their sum is the load on those CPUs. */
  shared: boolean;
  together: number | null;
  cpus: { server: number | null; client: number | null };
}

export interface PointEvidence {
  reps: number;
  /** How many repetitions TCP said each limit held back (unknown left out). */
  limitedBy: Partial<Record<LimitedBy, number>>;
  /** Median bytes per segment; null where TCP's account was not read. */
  bytesPerSegment: number | null;
  /** Retransmitted segments over the repetitions; null where unknown. */
  retrans: number | null;
  /** Medians over repetitions. */
  busy: Busy;
}

type LoadContext = { config: Config | null; meta: Pick<Meta, 'machine'> | null };

function cpusOfSide(side: 'server' | 'client', ctx: LoadContext): number | null {
  const list = ctx.config?.pinning[side];
  if (list === undefined) return null;
  return list === null ? (ctx.meta?.machine.cores ?? null) : cpusOf(list).length;
}

/** Each side's busy share of its CPUs in one row. */
export function rowBusy(row: Row, ctx: LoadContext): Busy {
  const lifeMs = (row.window_s + (ctx.config?.warmup_s ?? 0)) * 1000;
  const cpus = { server: cpusOfSide('server', ctx), client: cpusOfSide('client', ctx) };
  const of = (side: 'server' | 'client') => {
    const ms = sideValue(row, side, ['task-clock', 'cpu-clock']);
    const n = cpus[side];
    return ms === null || n === null || lifeMs <= 0 ? null : ms / lifeMs / n;
  };
  const server = of('server');
  const client = of('client');
  const p = ctx.config?.pinning;
  const shared = !!p && p.server !== null && p.client !== null && sameCpus(p.server, p.client);
  return { server, client, shared, together: shared && server !== null && client !== null ? server + client : null, cpus };
}

function sameCpus(a: string, b: string): boolean {
  const x = cpusOf(a);
  const y = cpusOf(b);
  return x.length === y.length && x.every((c, i) => c === y[i]);
}

const medianOf = (values: (number | null)[]) => median(values.filter((v): v is number => v !== null));

export function pointEvidence(rows: readonly Row[], ctx: LoadContext): PointEvidence {
  const limitedBy: PointEvidence['limitedBy'] = {};
  for (const r of rows) if (r.limited_by) limitedBy[r.limited_by] = (limitedBy[r.limited_by] ?? 0) + 1;
  const retransKnown = rows.map((r) => r.tcp_retrans_segs ?? r.tcp_retrans);
  const busy = rows.map((r) => rowBusy(r, ctx));
  return {
    reps: rows.length,
    limitedBy,
    bytesPerSegment: medianOf(rows.map((r) => r.tcp_bytes_per_segment)),
    retrans: retransKnown.some((v) => v === null) || rows.length === 0 ? null : retransKnown.reduce((s: number, v) => s + v!, 0),
    busy: {
      server: medianOf(busy.map((b) => b.server)),
      client: medianOf(busy.map((b) => b.client)),
      shared: busy[0]?.shared ?? false,
      together: medianOf(busy.map((b) => b.together)),
      cpus: busy[0]?.cpus ?? { server: null, client: null },
    },
  };
}

/** Which side held the point back by CPU: the CPUs both share, one side, or none at SATURATED_BUSY. */
export function saturated(b: Busy): 'shared' | 'server' | 'client' | null {
  if (b.shared) return b.together !== null && b.together >= SATURATED_BUSY ? 'shared' : null;
  const sides = (['server', 'client'] as const).filter((s) => (b[s] ?? 0) >= SATURATED_BUSY);
  return sides.length === 0 ? null : sides.length === 1 ? sides[0]! : (b.server! >= b.client! ? 'server' : 'client');
}

const ROLE = { server: 'sender (server)', client: 'receiver (client)' } as const;
const cpusText = (n: number | null) => (n === null ? 'its CPUs' : n === 1 ? 'its one CPU' : `its ${n} CPUs`);

/** `TCP: sender-limited in 3 of 3 repetitions, 1,419 B/segment, no retransmissions` (null when TCP's account is unknown). */
export function tcpText(e: PointEvidence): string | null {
  const limits = Object.entries(e.limitedBy).map(([k, n]) => `${k === 'sender' ? 'sender' : k.replace('_', ' ')}-limited in ${n} of ${e.reps}`);
  const parts = [
    ...(limits.length ? [limits.join(', ')] : []),
    ...(e.bytesPerSegment === null ? [] : [`${count(e.bytesPerSegment)} B/segment`]),
    ...(e.retrans === null ? [] : [e.retrans === 0 ? 'no retransmissions' : `${count(e.retrans)} retransmitted segments`]),
  ];
  return parts.length ? `TCP: ${parts.join(', ')}` : null;
}

/** Where both sides' load falls when they share CPUs: `the one CPU both sides share`. */
export const sharedCpusText = (b: Busy) => (b.cpus.server === 1 ? 'the one CPU both sides share' : `the ${b.cpus.server} CPUs both sides share`);

/**
 * `the one CPU both sides share 98% busy (sender 58%, receiver 40%)`, or each
 * side's own; `short` leaves out where (said once by the caller). Null when unknown.
 */
export function busyText(b: Busy, short = false): string | null {
  if (b.server === null || b.client === null) return null;
  if (b.shared) return `${short ? '' : `${sharedCpusText(b)} `}${pct(b.together!)} busy (sender ${pct(b.server)}, receiver ${pct(b.client)})`;
  return `${ROLE.server} ${pct(b.server)} of ${cpusText(b.cpus.server)}, ${ROLE.client} ${pct(b.client)} of ${cpusText(b.cpus.client)}`;
}

export function evidenceText(e: PointEvidence): string {
  const cpu = busyText(e.busy);
  return [tcpText(e), cpu ? `CPU: ${cpu}` : null].filter(Boolean).join('; ') || 'neither TCP\'s account nor CPU time was recorded';
}
