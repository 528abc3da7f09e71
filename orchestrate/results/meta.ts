// meta.json: what was run, where, with what, and how it ended. The one
// definition of the file's shape: run/ writes it through `writeMeta`
// (store.ts), --resume and plots/ read it through `parseMeta`. Pure.
//
// Keys that a kind of run does not have are absent, never filled with a
// made-up value: a peer baseline has `peers` and no `sessions`, a matrix run
// the other way round; a machine fact that could not be read is null.
import { z } from 'zod';
import { Calibration } from './calibration.ts';

export const MachineFacts = z.object({
  kernel: z.string(),
  cpu_model: z.string(),
  cores: z.number().int().positive(),
  perf_version: z.string().nullable(),
  gcc_version: z.string().nullable(),
  node_version: z.string(),
  git_commit: z.string().nullable(),
  git_dirty: z.boolean().nullable(),
  hostname: z.string(),
  /** /sys/devices/system/cpu/vulnerabilities: name → state. They change kernel costs by integer factors. */
  mitigations: z.record(z.string(), z.string()).optional(),
});
export type MachineFacts = z.infer<typeof MachineFacts>;

export const SysctlReading = z.object({
  /** Value read back inside the server's namespace (or the host, for loopback; the server host, for ssh). */
  server: z.string().nullable(),
  client: z.string().nullable(),
  /** What the config asked for, if anything. */
  requested: z.string().nullable(),
  /** Where it was written: inside the namespaces, on the host (each host, for ssh; restored at exit), or nowhere. */
  scope: z.enum(['namespace', 'host', 'unchanged']),
});
export type SysctlReading = z.infer<typeof SysctlReading>;

/** The topology as it was set up: read back, not as configured. */
export const TopologyRecord = z.object({
  kind: z.enum(['netns', 'loopback', 'ssh']),
  server_address: z.string(),
  client_address: z.string().optional(),
  sysctls: z.record(z.string(), SysctlReading).optional(),
  /** The CPU mask each side's incoming packets are steered to (RPS); null when not steered. */
  receive_steering: z.record(z.enum(['server', 'client']), z.string()).nullable(),
  notes: z.array(z.string()).optional(),
});
export type TopologyRecord = z.infer<typeof TopologyRecord>;

/** The data-plane interface of a host: the one holding the server's address, or the client's route to it. */
export const InterfaceFacts = z.object({
  name: z.string(),
  /** The kernel driver (`ethtool -i`, else /sys/class/net/NAME/device/driver); null when neither says. */
  driver: z.string().nullable(),
  mtu: z.number().int().positive().nullable(),
  /** `ethtool -k`'s offloads that decide whether MSG_ZEROCOPY can avoid its copy (scatter-gather above all); null without ethtool. */
  offloads: z.record(z.string(), z.string()).nullable(),
});
export type InterfaceFacts = z.infer<typeof InterfaceFacts>;

/** A host of topology ssh, as it described itself when the run started there. */
export const HostFacts = z.object({
  /** The ssh destination it was reached at. */
  ssh: z.string(),
  hostname: z.string(),
  kernel: z.string(),
  cpu_model: z.string(),
  cores: z.number().int().positive(),
  perf_version: z.string().nullable(),
  gcc_version: z.string().nullable(),
  /** Where its packets to the server's address go: `network` (a NIC) or `local` (delivered on this host: a copy, whatever the NIC). Null when unknown. */
  route: z.enum(['network', 'local']).nullable(),
  /** Its own address on the data plane (the client's source address; the server's address). */
  address: z.string().nullable(),
  interface: InterfaceFacts.nullable(),
});
export type HostFacts = z.infer<typeof HostFacts>;

/** One invocation of run.mts on a run folder (the first, then one per --resume). */
export const SessionRecord = z.object({
  started_at: z.string(),
  ended_at: z.string().nullable(),
  argv: z.array(z.string()),
  only: z.string().nullable(),
  experiments_planned: z.number().int().nonnegative(),
  rows_written: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  topology: TopologyRecord.nullable(),
  notes: z.array(z.string()),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

export const PeerToolRecord = z.object({
  tool: z.string(),
  /** Its version as it reports it; null when it is not installed. */
  version: z.string().nullable(),
  /** Why it was skipped and how to install it; null when it is installed. */
  missing: z.string().nullable(),
});

export const PeersRecord = z.object({
  tools: z.array(PeerToolRecord),
  settings: z.object({ tools: z.array(z.string()), message_sizes: z.array(z.number()), repetitions: z.number() }),
  plan: z.object({ runs: z.number().int().nonnegative(), order: z.string() }),
});

/** The copy-attribution pass (run/attribute.ts): how it sampled, and what each point's sides showed beyond attribution.csv. */
export const AttributionRecord = z.object({
  event: z.string(),
  /** Why this event: `cycles` counted by the PMU here, or `cpu-clock` (no PMU). */
  event_reason: z.string(),
  frequency_hz: z.number().positive(),
  /** Each side recorded as its pinned CPU (perf record -C) or as its process. */
  sampled_as: z.enum(['cpu', 'process']),
  pinning: z.object({ server: z.string(), client: z.string() }),
  steer_receive: z.boolean(),
  points: z.array(
    z.object({
      key: z.string(),
      bytes: z.number().nonnegative(),
      sides: z.record(
        z.string(),
        z.object({
          samples: z.number().int().nonnegative(),
          /** Counted samples taken outside the side's process (softirq threads, interrupts in idle or in other programs), %: what process sampling would lose. */
          outside_process_pct: z.number().nullable(),
          /** Samples of other programs' own work on the side's CPU (left out). */
          foreign: z.number().int().nonnegative(),
          idle: z.number().int().nonnegative(),
          hottest: z.array(z.object({ symbol: z.string(), site: z.string(), samples: z.number().int() })),
        }),
      ),
    }),
  ),
});
export type AttributionRecord = z.infer<typeof AttributionRecord>;

export const RUN_STATUSES = ['running', 'done', 'failed', 'interrupted'] as const;

export const Meta = z.object({
  run_id: z.string().min(1),
  config_path: z.string(),
  /** The config as validated when the run started (config/ validates it again on --resume). */
  config: z.unknown(),
  status: z.enum(RUN_STATUSES),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  machine: MachineFacts,
  perf_events: z.array(z.string()),
  /** Events perf reported as <not supported> at preflight: their cells stay empty. */
  perf_unsupported: z.array(z.string()),
  plan: z.object({ experiments: z.number().int().nonnegative(), estimated_s: z.number().nonnegative() }).optional(),
  sessions: z.array(SessionRecord).optional(),
  /** The sysctls as read back by the latest session. */
  sysctls: z.record(z.string(), SysctlReading).optional(),
  /** The topology of a peer baseline (a matrix run keeps one per session). */
  topology: TopologyRecord.optional(),
  peers: PeersRecord.optional(),
  /** The preflight's measurement of the configured topology against its alternatives. */
  calibration: Calibration.optional(),
  /**
   * Interference (hypervisor steal time): whether this machine reports it at
   * all (checked when the topology is up), and how many re-runs it forced
   * over the run's sessions.
   */
  interference: z.object({ steal_reported: z.boolean(), reruns: z.number().int().nonnegative() }).optional(),
  attribution: AttributionRecord.optional(),
  /** Topology ssh: each host's facts, as the latest session read them. */
  hosts: z.object({ server: HostFacts, client: HostFacts }).optional(),
  rows: z.number().int().nonnegative().optional(),
  failed: z.number().int().nonnegative().optional(),
  wall_s: z.number().nonnegative().optional(),
});
export type Meta = z.infer<typeof Meta>;

export class MetaError extends Error {
  override name = 'MetaError';
}

/** meta.json's text → Meta; throws MetaError naming the file and every bad field. */
export function parseMeta(text: string, source: string): Meta {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MetaError(`${source}: not JSON: ${(e as Error).message}`);
  }
  const parsed = Meta.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new MetaError(`${source}: not a copybench meta.json: ${issues.join('; ')}`);
  }
  return parsed.data;
}
