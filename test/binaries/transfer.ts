// The integration matrix, shared by the normal and the sanitizer builds:
// every variant x mode x size x threads over loopback, with every figure the
// binaries print checked against what must hold (TCP's own account included).
import { afterEach, describe, expect, it } from 'vitest';
import { MODES, ZERO_COPY_VARIANTS } from '../../orchestrate/config/domain.ts';
import type { ClientResult, ServerResult } from '../../orchestrate/results/lines.ts';
import { VARIANTS, binary, clientResult, killAll, run, sanitizerReports, serverResult, startServer, type Build } from './harness.ts';

const SIZES = [1000, 65536]; // 1000 is not a multiple of 8
const THREADS = [1, 4];

export function transferSuite(build: Build, opts: { duration: number; warmup: number }): void {
  afterEach(killAll);
  for (const v of VARIANTS) {
    describe(`${v.impl} (${build})`, () => {
      for (const mode of MODES)
        for (const size of SIZES)
          for (const threads of THREADS) {
            it(`${mode}, ${size} B, ${threads} thread(s): exact counts, intact data`, async () => {
              const server = await startServer(binary(build, v.n, 'server'), ['--connections', String(threads)]);
              const client = await run(binary(build, v.n, 'client'), [
                '--host', '127.0.0.1', '--port', String(server.port), '--size', String(size),
                '--threads', String(threads), '--duration', String(opts.duration),
                '--warmup', String(opts.warmup), '--mode', mode, '--verify', 'full',
              ]);
              const srv = await server.exited;
              expect(sanitizerReports(client.stderr + srv.stderr)).toEqual([]);
              expect(client.code, client.stderr).toBe(0);
              expect(srv.code, srv.stderr).toBe(0);

              const c = clientResult(client);
              const s = serverResult(srv);
              expect(c).toMatchObject({ impl: v.impl, role: 'client', mode, msg_size: size, threads, corrupt: 0 });
              expect(c.messages).toBeGreaterThan(0);
              expect(c.bytes).toBe(c.messages * size);
              expect(c.window_s).toBe(opts.duration);
              expect(c.latency_us.kind).toBe(mode === 'stream' ? 'one_way' : 'rtt');
              expect(c.latency_us.count).toBe(c.messages);
              expect(c.latency_us.p50).toBeLessThanOrEqual(c.latency_us.p99);
              expect(c.latency_us.p99).toBeLessThanOrEqual(c.latency_us.max);

              expect(s).toMatchObject({ impl: v.impl, role: 'server', mode, msg_size: size, connections: threads, rejected: 0 });
              expect(s.bytes_sent).toBeGreaterThanOrEqual(c.bytes);
              expect(s.bytes_sent).toBe(s.messages_sent * size);
              if ((ZERO_COPY_VARIANTS as readonly string[]).includes(v.impl)) {
                expect(s.zerocopy.enabled).toBe(true);
                expect(s.zerocopy.sends).toBeGreaterThanOrEqual(s.messages_sent);
                expect(s.zerocopy.completions).toBe(s.zerocopy.sends);
                // Loopback always falls back to a deferred copy.
                expect(s.zerocopy.copied).toBe(s.zerocopy.completions);
              } else {
                expect(s.zerocopy).toEqual({ enabled: false, sends: 0, completions: 0, copied: 0, enobufs: 0 });
              }
              expectPlausibleTcp(s, c);
              expectQueue(s, c, mode, opts.duration);
            });
          }
    });
  }
}

/**
 * The bytes waiting in the sockets (c/queue.h): sampled on both sides in
 * stream mode, inside the window (about one sample per 10 ms of it, never
 * more than the window holds, plus the server's stop-frame slack), and not
 * at all in rr mode.
 */
function expectQueue(s: ServerResult, c: ClientResult, mode: string, duration: number): void {
  if (mode === 'rr') {
    expect(s.queue).toBeNull();
    expect(c.queue).toBeNull();
    return;
  }
  for (const q of [s.queue, c.queue]) {
    expect(q).toBeTruthy();
    expect(q!.samples).toBeGreaterThan(0);
    expect(q!.samples).toBeLessThanOrEqual(Math.ceil((duration * 1000) / 10) + 5);
    expect(q!.bytes_mean!).toBeLessThanOrEqual(q!.bytes_max!);
  }
}

/**
 * TCP's own account (TCP_INFO) over loopback: each figure an integer or
 * number, or null where the kernel did not report it — but the segment and
 * byte counts are there on any kernel since 5.5 — and what must hold.
 */
function expectPlausibleTcp(s: ServerResult, c: ClientResult): void {
  const t = s.tcp;
  expect(t.span).toBe('connection');
  expect(c.tcp.span).toBe('connection');
  for (const v of [t.data_segs_out, t.bytes_sent, t.bytes_acked, t.retrans, c.tcp.segs_in])
    if (v !== null) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
  for (const v of [t.busy_ms, t.rwnd_limited_ms, t.sndbuf_limited_ms, t.srtt_us])
    if (v !== null) expect(Number.isFinite(v) && v >= 0).toBe(true);
  expect(t.data_segs_out).not.toBeNull();
  expect(t.bytes_sent).not.toBeNull();
  expect(t.bytes_acked).not.toBeNull();
  expect(t.data_segs_out!).toBeGreaterThanOrEqual(1);
  // The payload, plus the hello's answer, plus anything resent.
  expect(t.bytes_sent!).toBeGreaterThanOrEqual(s.bytes_sent);
  // Everything sent is acknowledged by the end (the payload at least), and
  // bytes_sent counts retransmitted bytes too: without a retransmission the
  // two agree within 1 %; with some (loopback drops packets when a CPU's
  // backlog overflows, as on a loaded machine) the gap is at most one
  // segment per retransmission.
  expect(t.bytes_acked!).toBeGreaterThanOrEqual(s.bytes_sent);
  if (t.retrans === 0) expect(Math.abs(t.bytes_sent! - t.bytes_acked!)).toBeLessThanOrEqual(0.01 * t.bytes_sent!);
  if (t.retrans !== null) expect(t.bytes_sent! - t.bytes_acked!).toBeLessThanOrEqual(t.retrans * 65536);
  // A segment holds at most the loopback MSS (MTU 65536).
  expect(t.bytes_sent! / t.data_segs_out!).toBeLessThanOrEqual(65536);
  // busy_time includes the receive-window- and send-buffer-limited times.
  if (t.busy_ms !== null && t.rwnd_limited_ms !== null && t.sndbuf_limited_ms !== null)
    expect(t.rwnd_limited_ms + t.sndbuf_limited_ms).toBeLessThanOrEqual(t.busy_ms + 1e-6);
  if (c.tcp.segs_in !== null) expect(c.tcp.segs_in).toBeGreaterThanOrEqual(1);
}
