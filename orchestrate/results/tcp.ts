// TCP's own account of an experiment, as results.csv columns: the sender's
// and receiver's `tcp` objects (lines.ts) → the `tcp_*` cells and what held
// the transfer back. Pure.
import { z } from 'zod';
import type { ReceiverTcp, SenderTcp, TcpSpan } from './lines.ts';

/** What held the sender back, from where TCP says its busy time went. */
export const LimitedBy = z.enum(['sender', 'receiver_window', 'send_buffer', 'mixed']);
export type LimitedBy = z.infer<typeof LimitedBy>;

/**
 * The thresholds of `limitedBy`, as shares of TCP's busy time (tcpi_busy_time,
 * which includes the receive-window- and send-buffer-limited times, so the
 * two shares add up to at most 1).
 */
export const LIMITED_BY_THRESHOLDS = {
  /** A limit that held TCP back for at least half of its busy time is the limit. */
  dominant: 0.5,
  /** Below this share on both counts, neither limit mattered. */
  negligible: 0.1,
} as const;

/**
 * What limited the transfer, by a pure rule on TCP's own times:
 * - `receiver_window`: rwnd_limited ≥ 50 % of busy (and more than sndbuf_limited);
 * - `send_buffer`: sndbuf_limited ≥ 50 % of busy (and more than rwnd_limited);
 * - `sender`: both below 10 % — TCP had room to send, so the sender itself
 *   (its CPU, the application's pace, the congestion window) set the rate;
 * - `mixed`: anything else (either between 10 % and 50 %, or both exactly 50 %).
 * Null (unknown) when a time is unknown or TCP was never busy.
 */
export function limitedBy(busyMs: number | null, rwndLimitedMs: number | null, sndbufLimitedMs: number | null): LimitedBy | null {
  if (busyMs === null || rwndLimitedMs === null || sndbufLimitedMs === null || !(busyMs > 0)) return null;
  const rwnd = rwndLimitedMs / busyMs;
  const sndbuf = sndbufLimitedMs / busyMs;
  const { dominant, negligible } = LIMITED_BY_THRESHOLDS;
  if (rwnd >= dominant && rwnd > sndbuf) return 'receiver_window';
  if (sndbuf >= dominant && sndbuf > rwnd) return 'send_buffer';
  if (rwnd < negligible && sndbuf < negligible) return 'sender';
  return 'mixed';
}

const count = z.number().int().nonnegative().nullable();
const figure = z.number().finite().nonnegative().nullable();

/** results.csv's `tcp_*` columns and `limited_by`; every cell empty where unknown, never 0. */
export const TcpColumns = z.strictObject({
  /** `connection` (hello to close) or `window` (the measured window): the span of every tcp_* figure. */
  tcp_span: z.enum(['window', 'connection']).nullable(),
  tcp_data_segs_out: count,
  tcp_bytes_sent: count,
  tcp_bytes_acked: count,
  tcp_retrans: count,
  tcp_busy_ms: figure,
  tcp_rwnd_limited_ms: figure,
  tcp_sndbuf_limited_ms: figure,
  tcp_srtt_us: figure,
  tcp_segs_in_client: count,
  /** tcp_bytes_sent / tcp_data_segs_out: how full the segments were. */
  tcp_bytes_per_segment: figure,
  limited_by: LimitedBy.nullable(),
});
export type TcpColumns = z.infer<typeof TcpColumns>;

/** The sender's and receiver's accounts → the row's cells. */
export function tcpColumns(sender: SenderTcp, receiver: ReceiverTcp): TcpColumns {
  const span: TcpSpan = sender.span;
  return {
    tcp_span: span,
    tcp_data_segs_out: sender.data_segs_out,
    tcp_bytes_sent: sender.bytes_sent,
    tcp_bytes_acked: sender.bytes_acked,
    tcp_retrans: sender.retrans,
    tcp_busy_ms: sender.busy_ms,
    tcp_rwnd_limited_ms: sender.rwnd_limited_ms,
    tcp_sndbuf_limited_ms: sender.sndbuf_limited_ms,
    tcp_srtt_us: sender.srtt_us,
    // Only when both sides counted over the same span: segments in and out must be comparable.
    tcp_segs_in_client: receiver.span === span ? receiver.segs_in : null,
    tcp_bytes_per_segment:
      sender.bytes_sent === null || sender.data_segs_out === null || sender.data_segs_out === 0
        ? null
        : sender.bytes_sent / sender.data_segs_out,
    limited_by: limitedBy(sender.busy_ms, sender.rwnd_limited_ms, sender.sndbuf_limited_ms),
  };
}
