// What share of zero_copy's sends the kernel copied after all, exactly, and
// where the rest were: MSG_ZEROCOPY completions flagged
// SO_EE_CODE_ZEROCOPY_COPIED against those that were not. Pure: points and
// rows in, the finding out.
import type { ZERO_COPY_VARIANTS } from '../config/domain.ts';
import type { Config } from '../config/schema.ts';
import type { Meta } from '../results/meta.ts';
import type { Row } from '../results/row.ts';
import { count, listText, size } from './answer-text.ts';
import type { PointStats } from './points.ts';
import { whyCopied, zeroCopyAcrossHosts } from './zero-copy-hosts.ts';

export interface ZeroCopyFinding {
  sends: number;
  completions: number;
  copied: number;
  /** copied / completions over the whole run; null without completions. */
  fraction: number | null;
  /** Smallest and largest per-point fraction. */
  minFraction: number | null;
  maxFraction: number | null;
  points: number;
  /** The kernel's reason, for the run's topology, when at least COPIED_REASON_SHARE were copies. */
  reason: string | null;
  /** Where the completions not flagged as copied were, when any were. */
  remainder: ZeroCopyRemainder | null;
  /** Across two hosts (meta.json hosts): what the copied fraction says there, and what true zero-copy saved (zero-copy-hosts.ts); null on one machine. */
  acrossHosts: string[] | null;
}

/** At or above this share of copied completions the deferred copy is the rule, and its reason is given. */
export const COPIED_REASON_SHARE = 0.99;

export const DEFERRED_COPY_REASON =
  'the kernel copied the data after all: MSG_ZEROCOPY packets looped to a socket on the same host always get a ' +
  'deferred copy, because a local receiver could hold the sender\'s pinned pages indefinitely ' +
  '(Documentation/networking/msg_zerocopy.rst, "Loopback"); such a completion carries SO_EE_CODE_ZEROCOPY_COPIED. ' +
  'So zero_copy still copies once per message here, at delivery instead of at send; only a real NIC can take the pages without a copy.';

/** The reason, said for the run's topology; across two hosts, from the hosts' facts. */
export function deferredCopyReason(config: Config | null, hosts: Meta['hosts'] | null = null): string {
  if (hosts) return whyCopied(hosts);
  const over =
    config?.topology.kind === 'netns' ? 'veth (between two network namespaces of one host)' : config?.topology.kind === 'loopback' ? 'loopback' : null;
  return over ? `over ${over}, ${DEFERRED_COPY_REASON}` : `completions flagged SO_EE_CODE_ZEROCOPY_COPIED: ${DEFERRED_COPY_REASON}`;
}

/** The finding for one zero-copy sender: zero_copy (the course's question) by default, or uring_zero_copy (io_uring notifications). */
export function zeroCopyFinding(
  points: readonly PointStats[],
  config: Config | null,
  rows: readonly Row[] = [],
  hosts: Meta['hosts'] | null = null,
  impl: (typeof ZERO_COPY_VARIANTS)[number] = 'zero_copy',
): ZeroCopyFinding | null {
  const zc = points.filter((p) => p.impl === impl);
  if (zc.length === 0) return null;
  const total = zc.reduce(
    (acc, p) => ({ sends: acc.sends + p.zc.sends, completions: acc.completions + p.zc.completions, copied: acc.copied + p.zc.copied }),
    { sends: 0, completions: 0, copied: 0 },
  );
  const fractions = zc.filter((p) => p.zc.completions > 0).map((p) => p.zc.copied / p.zc.completions);
  const fraction = total.completions > 0 ? total.copied / total.completions : null;
  return {
    ...total,
    fraction,
    minFraction: fractions.length ? Math.min(...fractions) : null,
    maxFraction: fractions.length ? Math.max(...fractions) : null,
    points: zc.length,
    reason: fraction !== null && fraction >= COPIED_REASON_SHARE ? deferredCopyReason(config, hosts) : null,
    remainder: remainderOf(rows.filter((r) => r.implementation === impl)),
    acrossHosts: zeroCopyAcrossHosts(points, hosts),
  };
}

/**
 * `part` of `whole` as a percentage with as many decimals as it takes not to
 * round to 100 % or 0 % when it is neither: `100% (all 12,873,675)`,
 * `99.998% (34,012,030 of 34,012,800)`, `0% (none of 1,000)`.
 */
export function exactShare(part: number, whole: number): string {
  if (whole <= 0) return 'no completions';
  if (part === whole) return `100% (all ${count(whole)})`;
  if (part === 0) return `0% (none of ${count(whole)})`;
  const p = (part / whole) * 100;
  let digits = 1;
  while (digits < 12 && (Number(p.toFixed(digits)) >= 100 || Number(p.toFixed(digits)) <= 0)) digits++;
  return `${p.toFixed(digits)}% (${count(part)} of ${count(whole)})`;
}

// --- the remainder ------------------------------------------------------------

export interface UnflaggedRow {
  mode: Row['mode'];
  msgSize: number;
  threads: number;
  rep: number;
  unflagged: number;
  completions: number;
  /** Retransmitted segments in that repetition; null when unknown. */
  retrans: number | null;
}

export interface ZeroCopyRemainder {
  unflagged: number;
  rows: UnflaggedRow[];
  /** What every such row shares that the zero_copy rows as a whole do not (plain words), e.g. `only in rr`. */
  common: string[];
}

const retransOf = (r: Row) => r.tcp_retrans_segs ?? r.tcp_retrans ?? null;

/**
 * The zero_copy rows holding completions not flagged as copied, and what they
 * have in common: a mode, size, thread count or repetition that all of them
 * share while the run had others, or retransmissions in every one of them
 * while some rows had none. Null when every completion was flagged.
 */
export function remainderOf(zcRows: readonly Row[]): ZeroCopyRemainder | null {
  const held = zcRows.filter((r) => r.zc_completions > r.zc_copied);
  if (held.length === 0) return null;
  const rows = held.map((r) => ({
    mode: r.mode,
    msgSize: r.msg_size,
    threads: r.threads,
    rep: r.rep,
    unflagged: r.zc_completions - r.zc_copied,
    completions: r.zc_completions,
    retrans: retransOf(r),
  }));
  const common: string[] = [];
  const only = <T>(of: (r: Row) => T, say: (v: T, all: T[]) => string) => {
    const mine = new Set(held.map(of));
    const all = [...new Set(zcRows.map(of))];
    if (mine.size === 1 && all.length > 1) common.push(say([...mine][0]!, all));
  };
  only((r) => r.mode, (m) => `only in ${m}`);
  only((r) => r.msg_size, (s, all) => `only at ${size(s)}${s === Math.min(...all) ? ' (the smallest size)' : s === Math.max(...all) ? ' (the largest size)' : ''}`);
  only((r) => r.threads, (t) => `only at ${t} thread${t === 1 ? '' : 's'}`);
  only((r) => r.rep, (n) => `only in repetition ${n}`);
  const retransmitted = (r: Row) => (retransOf(r) ?? 0) > 0;
  if (held.every(retransmitted) && !zcRows.every(retransmitted)) common.push('only where TCP retransmitted');
  return { unflagged: rows.reduce((s, r) => s + r.unflagged, 0), rows, common };
}

/** The remainder in one sentence: how many, where, and what they share. */
export function remainderText(r: ZeroCopyRemainder): string {
  const points = new Set(r.rows.map((x) => `${x.mode}/${x.msgSize}/${x.threads}`)).size;
  const where = `${r.rows.length} repetition${r.rows.length === 1 ? '' : 's'} of ${points} point${points === 1 ? '' : 's'}`;
  const shared = r.common.length ? `: ${listText(r.common)}` : ', with no mode, size, thread count, repetition or retransmission in common';
  return `The ${count(r.unflagged)} completion${r.unflagged === 1 ? '' : 's'} not flagged as copied sit in ${where}${shared}.`;
}

/** One detail line per row holding unflagged completions. */
export function remainderLines(r: ZeroCopyRemainder): string[] {
  return r.rows.map(
    (x) =>
      `  ${x.mode} ${size(x.msgSize)}, ${x.threads} thread${x.threads === 1 ? '' : 's'}, repetition ${x.rep}: ${count(x.unflagged)} of ${count(x.completions)} not flagged` +
      (x.retrans === null ? '' : `; ${count(x.retrans)} retransmitted segments`),
  );
}
