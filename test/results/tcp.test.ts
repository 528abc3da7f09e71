// What limited a transfer, from TCP's own times: the rule on synthetic
// values with known answers, and the columns it sits among.
import { describe, expect, it } from 'vitest';
import { LIMITED_BY_THRESHOLDS, limitedBy, tcpColumns } from '../../orchestrate/results/tcp.ts';
import type { ReceiverTcp, SenderTcp } from '../../orchestrate/results/lines.ts';

describe('limitedBy', () => {
  it('says receiver_window when the receive window held TCP back for half its busy time or more', () => {
    expect(limitedBy(1000, 500, 0)).toBe('receiver_window');
    expect(limitedBy(1000, 900, 50)).toBe('receiver_window');
  });

  it('says send_buffer when the send buffer did', () => {
    expect(limitedBy(1000, 0, 500)).toBe('send_buffer');
    expect(limitedBy(1000, 100, 800)).toBe('send_buffer');
  });

  it('says sender when neither held it back for 10 % of its busy time', () => {
    expect(limitedBy(1000, 0, 0)).toBe('sender');
    expect(limitedBy(1000, 99, 99)).toBe('sender');
  });

  it('says mixed in between, and when the two limits share the time evenly', () => {
    expect(limitedBy(1000, 100, 0)).toBe('mixed'); // 10 % is not negligible
    expect(limitedBy(1000, 499, 0)).toBe('mixed');
    expect(limitedBy(1000, 300, 300)).toBe('mixed');
    expect(limitedBy(1000, 500, 500)).toBe('mixed');
  });

  it('is unknown (null) when a time is unknown or TCP was never busy', () => {
    expect(limitedBy(null, 0, 0)).toBeNull();
    expect(limitedBy(1000, null, 0)).toBeNull();
    expect(limitedBy(1000, 0, null)).toBeNull();
    expect(limitedBy(0, 0, 0)).toBeNull();
  });

  it('documents its thresholds', () => {
    expect(LIMITED_BY_THRESHOLDS).toEqual({ dominant: 0.5, negligible: 0.1 });
  });
});

describe('tcpColumns', () => {
  const sender: SenderTcp = {
    span: 'connection', data_segs_out: 100, bytes_sent: 150_000, bytes_acked: 150_000, retrans: 0,
    busy_ms: 200, rwnd_limited_ms: 150, sndbuf_limited_ms: 0, srtt_us: 40,
  };
  const receiver: ReceiverTcp = { span: 'connection', segs_in: 101 };

  it('takes the sender figures, the receiver segments, and derives bytes per segment and the limit', () => {
    expect(tcpColumns(sender, receiver)).toEqual({
      tcp_span: 'connection', tcp_data_segs_out: 100, tcp_bytes_sent: 150_000, tcp_bytes_acked: 150_000,
      tcp_retrans: 0, tcp_busy_ms: 200, tcp_rwnd_limited_ms: 150, tcp_sndbuf_limited_ms: 0, tcp_srtt_us: 40,
      tcp_segs_in_client: 101, tcp_bytes_per_segment: 1500, limited_by: 'receiver_window',
    });
  });

  it('leaves bytes per segment empty when there is no segment count, or no segment', () => {
    expect(tcpColumns({ ...sender, data_segs_out: null }, receiver).tcp_bytes_per_segment).toBeNull();
    expect(tcpColumns({ ...sender, data_segs_out: 0 }, receiver).tcp_bytes_per_segment).toBeNull();
    expect(tcpColumns({ ...sender, bytes_sent: null }, receiver).tcp_bytes_per_segment).toBeNull();
  });

  it('never pairs a receiver count over another span with the sender figures', () => {
    expect(tcpColumns(sender, { span: 'window', segs_in: 50 }).tcp_segs_in_client).toBeNull();
  });
});
