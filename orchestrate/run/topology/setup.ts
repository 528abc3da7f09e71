// Sets up the topology a config names.
//
// loopback: nothing to create and nothing to change; needs no root.
// netns: see netns.ts. ssh: two hosts, see ssh.ts.
import { perfEvents, type Config } from '../../config/schema.ts';
import type { SysctlReading } from '../../results/meta.ts';
import { LOCAL } from '../place.ts';
import type { ProcessTracker } from '../process.ts';
import { readTcpCounters } from './counters.ts';
import { setUpNetns } from './netns.ts';
import { setUpSsh } from './ssh.ts';
import { RECORDED_SYSCTLS, readSysctl } from './sysctl.ts';
import type { Topology } from './topology.ts';

export interface SetupOptions {
  /** ssh: leave each host's run folder in place at exit. */
  keepRemote?: boolean;
  /** ssh: a long setup (sources, make) stops at the next step once this fires. */
  abort?: AbortSignal;
}

export async function setUpTopology(config: Config, tracker: ProcessTracker, opts: SetupOptions = {}): Promise<Topology> {
  const t = config.topology;
  if (t.kind === 'netns') return setUpNetns(t, config.pinning, tracker);
  if (t.kind === 'ssh') {
    return setUpSsh(t, config, { keepRemote: opts.keepRemote ?? false, abort: opts.abort ?? new AbortController().signal, perfEvents: perfEvents(config) });
  }
  return setUpLoopback(t.address);
}

async function setUpLoopback(address: string): Promise<Topology> {
  const sysctls: Record<string, SysctlReading> = {};
  for (const key of RECORDED_SYSCTLS) {
    const value = await readSysctl(LOCAL, key);
    sysctls[key] = { server: value, client: value, requested: null, scope: 'unchanged' };
  }
  return {
    kind: 'loopback',
    serverAddress: address,
    clientAddress: address,
    places: { server: LOCAL, client: LOCAL },
    // Our own namespace: the host's counters, other traffic included. Both
    // sides share it, so OutSegs would count the receiver's ACKs too: left unknown.
    tcpCounters: async () => ({ retransSegs: readTcpCounters('/proc/self/net/snmp').retransSegs, serverOutSegs: null }),
    sysctls,
    receiveSteering: null,
    notes: [],
    tearDown: async () => {},
  };
}

