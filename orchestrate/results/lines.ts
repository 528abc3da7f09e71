// The JSON lines the C binaries print on stdout: one definition per shape,
// used as validator and type alike. The C side writes exactly these fields
// (c/json.c, c/server.c, c/client.c, c/tcpinfo.c); a field added there is added here, or validation fails.
import { z } from 'zod';
import { Implementation, LatencyKind, Mode, RxMode, Verify } from '../config/domain.ts';


const count = z.number().int().nonnegative();
const finite = z.number().finite();

/** `{"event":"ready","port":P}`: the server listens and can be connected to. */
export const ReadyLine = z.strictObject({
  event: z.literal('ready'),
  port: z.number().int().min(1).max(65535),
});
export type ReadyLine = z.infer<typeof ReadyLine>;

/** Latency summary in microseconds; `null` figures when nothing was measured. */
export const Latency = z
  .strictObject({
    kind: LatencyKind,
    count,
    mean: finite.nonnegative(),
    p50: finite.nonnegative(),
    p90: finite.nonnegative(),
    p99: finite.nonnegative(),
    p999: finite.nonnegative(),
    max: finite.nonnegative(),
  })
  .refine((l) => l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max, {
    message: 'percentiles must be ordered p50 <= p90 <= p99 <= p999 <= max',
  });
export type Latency = z.infer<typeof Latency>;

export const ZeroCopyCounters = z.strictObject({
  enabled: z.boolean(),
  sends: count,
  completions: count,
  copied: count,
  enobufs: count,
});
export type ZeroCopyCounters = z.infer<typeof ZeroCopyCounters>;

/**
 * TCP's own account (TCP_INFO, read at the start and end of each
 * connection, deltas summed over connections; c/tcpinfo.h). `span` is
 * `connection`: from the accepted hello to the end, the span of the server's
 * own bytes_sent, because the server cannot place the client's window. A
 * figure the kernel did not report is null, never 0.
 */
export const TcpSpan = z.enum(['window', 'connection']);
export type TcpSpan = z.infer<typeof TcpSpan>;

/** The sender's (server's) account: segments and bytes out, time spent limited, smoothed RTT. */
export const SenderTcp = z.strictObject({
  span: TcpSpan,
  data_segs_out: count.nullable(),
  bytes_sent: count.nullable(),
  bytes_acked: count.nullable(),
  retrans: count.nullable(),
  busy_ms: finite.nonnegative().nullable(),
  rwnd_limited_ms: finite.nonnegative().nullable(),
  sndbuf_limited_ms: finite.nonnegative().nullable(),
  /** Mean over connections of tcpi_rtt at the end. */
  srtt_us: finite.nonnegative().nullable(),
});
export type SenderTcp = z.infer<typeof SenderTcp>;

/** The receiver's (client's) account: segments it took in. */
export const ReceiverTcp = z.strictObject({
  span: TcpSpan,
  segs_in: count.nullable(),
});
export type ReceiverTcp = z.infer<typeof ReceiverTcp>;

/**
 * Bytes waiting in a side's sockets during a stream run's measured window
 * (c/queue.h): the server's SIOCOUTQ (written, not yet acknowledged), the
 * client's SIOCINQ (received, not yet read), each summed over the run's
 * connections and sampled every 10 ms by one thread per process, off the
 * send and receive path. `bytes_mean` and `bytes_max` are null when no
 * sample fell in the window. The whole object is null in rr mode (nothing
 * waits there to speak of) and absent from lines older than the field.
 */
export const QueueSample = z
  .strictObject({
    bytes_mean: finite.nonnegative().nullable(),
    bytes_max: count.nullable(),
    samples: count,
  })
  .refine((q) => (q.samples === 0) === (q.bytes_mean === null && q.bytes_max === null), {
    message: 'bytes_mean and bytes_max are null exactly when no sample was taken',
  })
  .refine((q) => q.bytes_mean === null || q.bytes_max === null || q.bytes_mean <= q.bytes_max * (1 + 1e-9), {
    message: 'bytes_mean must not exceed bytes_max',
  });
export type QueueSample = z.infer<typeof QueueSample>;

const common = {
  impl: Implementation,
  window_s: finite.nonnegative(),
  bytes: count,
  messages: count,
  throughput_gbps: finite.nonnegative(),
  /** Peak resident set size of the process, KiB (getrusage at exit). */
  max_rss_kib: z.number().int().positive(),
  queue: QueueSample.nullable().optional(),
};

export const ClientResult = z.strictObject({
  ...common,
  role: z.literal('client'),
  mode: Mode,
  msg_size: z.number().int().positive(),
  threads: z.number().int().positive(),
  duration_s: finite.positive(),
  warmup_s: finite.nonnegative(),
  verify: Verify,
  latency_us: Latency,
  corrupt: count,
  /** Message bytes the client mapped (TCP_ZEROCOPY_RECEIVE) and copied (recv), warm-up included; absent from binaries before --rx. */
  rx: z.strictObject({ mode: RxMode, mapped_bytes: count, copied_bytes: count }).optional(),
  tcp: ReceiverTcp,
});
export type ClientResult = z.infer<typeof ClientResult>;

export const ServerResult = z.strictObject({
  ...common,
  role: z.literal('server'),
  // From the hellos of the connections served; null if none was served.
  mode: Mode.nullable(),
  msg_size: z.number().int().positive().nullable(),
  threads: count,
  latency_us: z.null(),
  connections: count,
  rejected: count,
  bytes_sent: count,
  messages_sent: count,
  zerocopy: ZeroCopyCounters,
  tcp: SenderTcp,
});
export type ServerResult = z.infer<typeof ServerResult>;

/** Parse one JSON line with a schema, naming the source in the error. */
export function parseLine<T extends z.ZodType>(schema: T, line: string, source: string): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new Error(`${source}: not a JSON line: ${JSON.stringify(line.slice(0, 200))}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source}: ${issues.join('; ')}`);
  }
  return parsed.data;
}
