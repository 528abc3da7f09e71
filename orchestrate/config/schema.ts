// The experiment matrix: one zod schema that is both validator and type.
// Unknown keys are errors (strict objects everywhere), so a typo in a YAML
// file fails loudly instead of silently running the defaults. Pure; load.ts
// reads and parses the YAML, cpus.ts holds the CPU lists.
import { z } from 'zod';
import { COURSE_VARIANTS, IMPLEMENTATIONS, MODES, RX_MODES, Verify } from './domain.ts';
import { CPU_LIST_PATTERN, cpuListProblem } from './cpus.ts';
import { estimateCountSeconds, formatDuration, matrixSize } from './estimate.ts';
import { intInRange, messageSize, patterned, secondsInRange, uniqueList } from './fields.ts';
import { repetitionPolicy } from './repetitions.ts';
import { CalibrationSection, InterferenceSection } from './sections.ts';
import { AttributionSection } from './attribution.ts';
import { sameSubnet, unusableAddress } from './addresses.ts';
import { sysctlMap } from './sysctls.ts';
import { SshTopology } from './ssh.ts';
import {
  DURATION_MAX_S,
  DURATION_MIN_S,
  EXPERIMENTS_MAX,
  PLAN_SECONDS_MAX,
  REPETITIONS_MAX,
  THREADS_MAX,
  TIMEOUT_MAX_S,
  WARMUP_MAX_S,
  ZC_SLOTS_MAX,
} from './limits.ts';

// Names that end up on a command line (`ip netns add NAME`, `ip link ... name
// IFACE`). zx quotes every argument anyway; the pattern keeps them to what
// iproute2 accepts without surprise. Interfaces: IFNAMSIZ is 16 bytes with
// the terminating NUL, hence at most 15 characters.
export const NAMESPACE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
export const INTERFACE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,14}$/;
// A run name becomes a directory name: results/<name>-<timestamp>.
export const RUN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// A perf event as `perf stat -e` takes it: a symbolic name with optional
// modifiers (`cycles`, `L1-dcache-load-misses`, `cycles:u`). No commas (they
// separate events) and no PMU syntax (its commas would split it).
export const PERF_EVENT_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*(:[ukhGHpP]+)?$/;
export { SYSCTL_KEY_PATTERN, SYSCTL_VALUE_PATTERN } from './sysctls.ts';

export const DEFAULT_PERF_EVENTS = [
  'cycles',
  'instructions',
  'L1-dcache-load-misses',
  'LLC-load-misses',
  'cache-misses',
  'context-switches',
  'cpu-migrations',
  'task-clock',
] as const;

// Software events have no user/kernel split worth the name: `split_user_kernel`
// leaves them as they are and splits the rest into `<event>:u` and `<event>:k`.
export const SOFTWARE_EVENTS = new Set([
  'task-clock',
  'cpu-clock',
  'context-switches',
  'cs',
  'cpu-migrations',
  'migrations',
  'page-faults',
  'faults',
  'minor-faults',
  'major-faults',
  'alignment-faults',
  'emulation-faults',
]);

const repetitions = intInRange(1, REPETITIONS_MAX, 'a repetition count');

// Adaptive repetitions: `min` of every point first, then more (up to `max`)
// only where throughput's 95 % interval is still wider than ±target_ci_pct,
// while the time budget lasts (default: the estimate for `max` of every
// point). `min` is at least 2: an interval needs two repetitions.
const AdaptiveRepetitions = z
  .strictObject({
    min: intInRange(2, REPETITIONS_MAX, 'a repetition count'),
    max: intInRange(2, REPETITIONS_MAX, 'a repetition count'),
    target_ci_pct: z
      .number({ error: 'expected a percentage above 0 and at most 100' })
      .gt(0, { error: 'expected a percentage above 0 and at most 100' })
      .max(100, { error: 'expected a percentage above 0 and at most 100' }),
    time_budget_s: secondsInRange(0, PLAN_SECONDS_MAX, 'a time budget', true).nullable().default(null),
  })
  .refine((r) => r.max >= r.min, { path: ['max'], error: 'expected max at least min' });

const Repetitions = z.union([repetitions, AdaptiveRepetitions], {
  error: 'expected a repetition count, or { min, max, target_ci_pct } for adaptive repetitions',
});


const ipv4 = z.ipv4({ error: 'expected an IPv4 address such as 10.77.0.1' });

// taskset's list, its ranges in order and within any machine's CPU numbers;
// load.ts checks it against this machine's CPUs.
const cpuList = patterned(CPU_LIST_PATTERN, 'a CPU list such as 0 or 0-1').superRefine((list, ctx) => {
  const problem = CPU_LIST_PATTERN.test(list) ? cpuListProblem(list) : null;
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: list });
});

const sideNames = (pattern: RegExp, what: string, server: string, client: string) =>
  z
    .strictObject({
      server: patterned(pattern, what).default(server),
      client: patterned(pattern, what).default(client),
    })
    .prefault({})
    .refine((s) => s.server !== s.client, { error: 'server and client must differ', path: ['client'] });

export const NetnsTopology = z
  .strictObject({
    kind: z.literal('netns'),
    namespaces: sideNames(NAMESPACE_PATTERN, 'a namespace name', 'cb-srv', 'cb-cli'),
    veth: sideNames(INTERFACE_PATTERN, 'an interface name', 'cb-veth-s', 'cb-veth-c'),
    addresses: z
      .strictObject({ server: ipv4.default('10.77.0.1'), client: ipv4.default('10.77.0.2') })
      .prefault({})
      .refine((a) => a.server !== a.client, { error: 'server and client must differ', path: ['client'] }),
    prefix_length: intInRange(8, 30, 'a prefix length').default(24),
    mtu: intInRange(1280, 65535, 'an MTU').default(1500),
    // Steer each side's incoming packets to that side's pinned CPUs (RPS on
    // its veth end), as if each side were a host with its own NIC. Without it
    // the packets of one flow enter the receive path on two CPUs — the
    // sender's own sends, and sends triggered by ACKs processed on the other
    // CPU — arrive out of order, and TCP retransmits spuriously: 22,000
    // retransmitted segments in 2 s of one 64 KiB stream here, none with it.
    steer_receive: z.boolean({ error: 'expected true or false' }).default(true),
    // Applied inside both namespaces. A key the kernel only lets the initial
    // namespace write (on 6.x, net.core.{r,w}mem_max are read-only mirrors
    // inside a namespace) is set on the host instead and restored at exit.
    sysctls: sysctlMap,
  })
  .superRefine((t, ctx) => {
    for (const side of ['server', 'client'] as const) {
      const problem = unusableAddress(t.addresses[side], t.prefix_length);
      if (problem) ctx.addIssue({ code: 'custom', path: ['addresses', side], message: problem, input: t.addresses[side] });
    }
    if (!sameSubnet(t.addresses.server, t.addresses.client, t.prefix_length)) {
      ctx.addIssue({
        code: 'custom',
        path: ['addresses'],
        message: `server and client must be in the same /${t.prefix_length} subnet`,
        input: t.addresses,
      });
    }
  });

export const LoopbackTopology = z.strictObject({
  kind: z.literal('loopback'),
  address: ipv4
    .refine((a) => a.startsWith('127.'), { error: 'expected a loopback address (127.x.x.x)' })
    .default('127.0.0.1'),
});

export const Topology = z.discriminatedUnion('kind', [NetnsTopology, LoopbackTopology, SshTopology], {
  error: 'expected kind: netns, kind: loopback or kind: ssh',
});

/** The tools the peer baseline (orchestrate/peers.mts) can run beside copybench. */
export const PEER_TOOLS = ['iperf3', 'sockperf'] as const;
export type PeerTool = (typeof PEER_TOOLS)[number];

// The peer baseline: copybench's stream runs (1 thread) alternating with the
// same transfer by iperf3 and sockperf. Sizes and repetitions default to the
// matrix's own (null here, resolved by peerSettings).
const PeersSection = z.strictObject({
  tools: uniqueList(z.enum(PEER_TOOLS, { error: `expected one of ${PEER_TOOLS.join(', ')}` }), 'peer tools').default([
    ...PEER_TOOLS,
  ]),
  message_sizes: uniqueList(messageSize, 'message sizes').nullable().default(null),
  repetitions: repetitions.nullable().default(null),
});

/** A whole multiple of `step` (in floating point, to a nanosecond). */
const multipleOf = (x: number, step: number) => Math.abs(x / step - Math.round(x / step)) < 1e-9;

export const ConfigSchema = z.strictObject({
  name: patterned(RUN_NAME_PATTERN, 'a run name').default('copybench'),
  topology: Topology.prefault({ kind: 'netns' }),
  variants: uniqueList(z.enum(IMPLEMENTATIONS, { error: `expected one of ${IMPLEMENTATIONS.join(', ')}` }), 'variants').default([
    ...COURSE_VARIANTS,
  ]),
  modes: uniqueList(z.enum(MODES, { error: `expected one of ${MODES.join(', ')}` }), 'modes').default([...MODES]),
  // How the client receives: copy (its variant's path) or zerocopy (TCP_ZEROCOPY_RECEIVE); a matrix dimension.
  rx: uniqueList(z.enum(RX_MODES, { error: `expected one of ${RX_MODES.join(', ')}` }), 'rx').default(['copy']),
  message_sizes: uniqueList(messageSize, 'message sizes').default([
    128, 512, 1024, 4096, 16384, 65536,
  ]),
  threads: uniqueList(intInRange(1, THREADS_MAX, 'a thread count'), 'thread counts').default([1, 2, 4, 8]),
  duration_s: secondsInRange(DURATION_MIN_S, DURATION_MAX_S, 'a duration').default(1.5),
  warmup_s: secondsInRange(0, WARMUP_MAX_S, 'a warm-up').default(0.3),
  repetitions: Repetitions.default(3),
  verify: Verify.default('stamps'),
  // taskset CPU lists, or null to leave that side unpinned.
  pinning: z
    .strictObject({
      server: cpuList.nullable().default('0'),
      client: cpuList.nullable().default('1'),
    })
    .prefault({}),
  perf: z
    .strictObject({
      events: uniqueList(patterned(PERF_EVENT_PATTERN, 'a perf event name'), 'perf events').default([
        ...DEFAULT_PERF_EVENTS,
      ]),
      split_user_kernel: z.boolean({ error: 'expected true or false' }).default(false),
    })
    .prefault({})
    .superRefine((p, ctx) => {
      if (!p.split_user_kernel) return;
      p.events.forEach((e, i) => {
        if (e.includes(':')) {
          ctx.addIssue({
            code: 'custom',
            path: ['events', i],
            message: 'has a modifier already; split_user_kernel adds :u and :k itself',
            input: e,
          });
        }
      });
    }),
  timeouts: z
    .strictObject({
      // How long the server may take to print its ready line.
      ready_s: secondsInRange(0, TIMEOUT_MAX_S, 'a timeout', true).default(5),
      // Added to warm-up + duration for the whole experiment: process start,
      // connection set-up, the server's bounded wait for zero-copy completions.
      margin_s: secondsInRange(0, TIMEOUT_MAX_S, 'a timeout', true).default(10),
    })
    .prefault({}),
  // Passed to the zero-copy servers (a3, a4) as --zc-slots; null keeps its default.
  zc_slots: intInRange(1, ZC_SLOTS_MAX, 'a slot count').nullable().default(null),
  // The peer baseline (orchestrate/peers.mts); null: the config has none.
  peers: PeersSection.nullable().default(null),
  calibration: CalibrationSection,
  // Copy attribution (run/attribute.ts) after the matrix; null: none.
  attribution: AttributionSection.nullable().default(null),
  interference: InterferenceSection,
}).superRefine((c, ctx) => {
  // The plan is bounded only once every field is valid: a duration out of
  // range says so itself, without an estimate built on it.
  if (ctx.issues.length === 0) {
    for (const message of planProblems(c)) ctx.addIssue({ code: 'custom', path: [], message, params: { whole: true } });
  }
  if (c.topology.kind === 'ssh') {
    // Both read their files on this machine (perf record's data, the peers' own output formats).
    for (const key of ['peers', 'attribution'] as const) {
      if (c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'not available with topology ssh (yet): run it with kind netns', input: c[key] });
    }
  }
  if (!c.peers) return;
  // The peers time their runs with the config's warm-up and duration, in
  // the units they accept: sockperf's -t takes whole seconds (strtol), and
  // iperf3 reports intervals of at least 0.1 s, from which the window is cut.
  if (c.peers.tools.includes('sockperf') && !multipleOf(c.duration_s, 1)) {
    ctx.addIssue({
      code: 'custom',
      path: ['duration_s'],
      message: 'must be whole seconds when peers.tools has sockperf (its -t takes whole seconds)',
      input: c.duration_s,
    });
  }
  if (c.peers.tools.includes('iperf3')) {
    for (const key of ['warmup_s', 'duration_s'] as const) {
      if (!multipleOf(c[key], 0.1)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'must be a multiple of 0.1 s when peers.tools has iperf3 (its window is cut from 0.1 s intervals)',
          input: c[key],
        });
      }
    }
  }
});

/** The peer baseline's settings with the matrix's defaults filled in; null if the config has no peers section. */
export function peerSettings(config: Config): { tools: PeerTool[]; message_sizes: number[]; repetitions: number } | null {
  if (!config.peers) return null;
  return {
    tools: [...config.peers.tools],
    message_sizes: config.peers.message_sizes ?? [...config.message_sizes],
    repetitions: config.peers.repetitions ?? repetitionPolicy(config).min,
  };
}

export type Config = z.output<typeof ConfigSchema>;
export type NetnsTopology = z.output<typeof NetnsTopology>;
export type LoopbackTopology = z.output<typeof LoopbackTopology>;
export type { SshTopology } from './ssh.ts';
export type TopologyConfig = Config['topology'];

/** The events handed to `perf stat -e`, after the user/kernel split. */
export function perfEvents(config: Config): string[] {
  if (!config.perf.split_user_kernel) return [...config.perf.events];
  return config.perf.events.flatMap((e) => (SOFTWARE_EVENTS.has(e) ? [e] : [`${e}:u`, `${e}:k`]));
}

/**
 * The plan's size and length, bounded before anything is planned: the matrix
 * (planExperiments builds it whole in memory), and the peer baseline's runs
 * when the config has a peers section.
 */
function planProblems(c: Config): string[] {
  const problems: string[] = [];
  const peers = peerSettings(c);
  const plans = [
    {
      what: 'matrix',
      unit: 'experiments',
      count: matrixSize(c),
      product: `${c.variants.length} variants × ${c.modes.length} modes × ${c.message_sizes.length} message_sizes × ${c.threads.length} threads × ${repetitionPolicy(c).max} repetitions`,
    },
    ...(peers
      ? [
          {
            what: 'peers',
            unit: 'runs',
            count: (c.variants.length + peers.tools.length) * peers.message_sizes.length * peers.repetitions,
            product: `(${c.variants.length} variants + ${peers.tools.length} tools) × ${peers.message_sizes.length} message_sizes × ${peers.repetitions} repetitions`,
          },
        ]
      : []),
  ];
  for (const { what, unit, count, product } of plans) {
    if (count > EXPERIMENTS_MAX) {
      problems.push(`${what}: ${product} = ${count} ${unit}, more than ${EXPERIMENTS_MAX}`);
      continue;
    }
    const seconds = estimateCountSeconds(count, c);
    if (seconds > PLAN_SECONDS_MAX) {
      problems.push(
        `${what}: ${count} ${unit} of ${c.warmup_s} s warm-up + ${c.duration_s} s duration are estimated at ` +
          `${formatDuration(seconds)} (${(seconds / 86400).toFixed(1)} days), more than ${PLAN_SECONDS_MAX / 86400} days`,
      );
    }
  }
  return problems;
}
