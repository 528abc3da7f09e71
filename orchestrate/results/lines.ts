// The JSON lines the C binaries print on stdout: one definition per shape,
// used as validator and type alike. The C side writes exactly these fields
// (c/json.c, c/server.c, c/client.c); a field added there is added here, or validation fails.
import { z } from 'zod';
import { Implementation, LatencyKind, Mode, Verify } from '../config/domain.ts';


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

const common = {
  impl: Implementation,
  window_s: finite.nonnegative(),
  bytes: count,
  messages: count,
  throughput_gbps: finite.nonnegative(),
  /** Peak resident set size of the process, KiB (getrusage at exit). */
  max_rss_kib: z.number().int().positive(),
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
