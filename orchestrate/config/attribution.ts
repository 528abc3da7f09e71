// The `attribution:` section (DESIGN.md, "Copy attribution"): which points
// run under `perf record -g`, with what event and frequency, and where each
// side is pinned. Pure; schema.ts puts it in the config.
import { z } from 'zod';
import { IMPLEMENTATIONS, MODES } from './domain.ts';
import { CPU_LIST_PATTERN } from './cpus.ts';
import { DURATION_MAX_S, DURATION_MIN_S, MSG_SIZE_MAX, MSG_SIZE_MIN, THREADS_MAX } from './limits.ts';

const intIn = (min: number, max: number, what: string) => {
  const error = `expected ${what} from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const list = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item, { error: `expected a list of ${what}` }).min(1, { error: `expected at least one of ${what}` });
const cpu = z.string({ error: 'expected a CPU list such as 0' }).regex(CPU_LIST_PATTERN, { error: 'expected a CPU list such as 0 or 0-1' });

export const ATTRIBUTION_EVENTS = ['auto', 'cycles', 'cpu-clock'] as const;

export const AttributionSection = z.strictObject({
  // null: the config's own variants.
  variants: list(z.enum(IMPLEMENTATIONS, { error: `expected one of ${IMPLEMENTATIONS.join(', ')}` }), 'variants').nullable().default(null),
  message_sizes: list(intIn(MSG_SIZE_MIN, MSG_SIZE_MAX, 'a message size in bytes'), 'message sizes').default([1024, 65536]),
  modes: list(z.enum(MODES, { error: `expected one of ${MODES.join(', ')}` }), 'modes').default(['stream']),
  threads: list(intIn(1, THREADS_MAX, 'a thread count'), 'thread counts').default([1]),
  // rr points at these sizes only (null: message_sizes): rr at 1 KiB is enough to see a round trip's costs.
  rr_message_sizes: list(intIn(MSG_SIZE_MIN, MSG_SIZE_MAX, 'a message size in bytes'), 'message sizes').nullable().default(null),
  // auto: cycles where the PMU counts them (sampled by NMI), else cpu-clock (a timer interrupt).
  event: z.enum(ATTRIBUTION_EVENTS, { error: `expected one of ${ATTRIBUTION_EVENTS.join(', ')}` }).default('auto'),
  frequency_hz: intIn(1, 100000, 'a sampling frequency in Hz').default(4999),
  duration_s: z.number({ error: 'expected a duration in seconds' }).min(DURATION_MIN_S).max(DURATION_MAX_S).default(2),
  // Each side is sampled as its pinned CPU (perf record -C): the sides need a
  // CPU each, and receive steering so that each side's packets are handled
  // on its own CPU, as on two hosts (docs/attribution.md).
  pinning: z.strictObject({ server: cpu.default('0'), client: cpu.default('1') }).prefault({}),
  steer_receive: z.boolean({ error: 'expected true or false' }).default(true),
});
export type AttributionSection = z.output<typeof AttributionSection>;
