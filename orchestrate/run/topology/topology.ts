// The network the pairs talk over, as the rest of run/ sees it: each side's
// place and address, TCP's counters, what was set up.
// setup.ts makes one; netns.ts and its helpers (sysctl.ts, counters.ts,
// state.ts) are the only code here that changes the machine, and ssh.ts
// with its helpers (ssh-*.ts) the only code that changes another host.
import type { Side } from '../../config/domain.ts';
import type { HostFacts, SysctlReading, TopologyRecord } from '../../results/meta.ts';
import type { ProcStat } from '../../results/steal.ts';
import type { Place } from '../place.ts';

export interface Topology {
  kind: 'netns' | 'loopback' | 'ssh';
  serverAddress: string;
  /** The client side's own address (a peer tool's receiver listens there); the same as serverAddress on loopback. */
  clientAddress: string;
  /** Where each side's processes run. */
  places: Record<Side, Place>;
  /** TCP's counters so far: read before and after every pair by the pair engine. */
  tcpCounters(): Promise<TopologyCounters>;
  sysctls: Record<string, SysctlReading>;
  /** The CPU mask each side's incoming packets are steered to (RPS), read back; null if not steered. */
  receiveSteering: Record<Side, string> | null;
  /** Each side's /proc/stat now, read where it runs; absent: both sides on this machine (the pair engine reads it here). */
  cpuTicks?(): Promise<Record<Side, ProcStat | null>>;
  /** Two hosts (ssh): each one's facts, read there. */
  hosts?: Record<Side, HostFacts>;
  /** Two hosts: the events perf cannot count on either host (their cells stay empty). */
  perfUnsupported?: string[];
  /** Notes for the person running: leftovers removed, host sysctls changed. */
  notes: string[];
  /** Undo everything setUp did. Safe to call more than once, and after a partial setup. */
  tearDown(): Promise<void>;
}

export interface TopologyCounters {
  /** Sum of TcpRetransSegs over the topology's namespaces; null if it could not be read. */
  retransSegs: number | null;
  /**
   * TcpOutSegs of the server's namespace alone; null if it could not be read,
   * or if the server shares its namespace with the client (loopback), where
   * it would count the receiver's ACKs as well.
   */
  serverOutSegs: number | null;
}

export class TopologyError extends Error {
  override name = 'TopologyError';
}

/** The topology as meta.json records it. */
export function topologyRecord(t: Topology): TopologyRecord {
  return {
    kind: t.kind,
    server_address: t.serverAddress,
    client_address: t.clientAddress,
    sysctls: t.sysctls,
    receive_steering: t.receiveSteering,
    notes: [...t.notes],
  };
}
