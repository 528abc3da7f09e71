// TCP's counters per namespace, read as a file: RetransSegs (segments
// retransmitted) and OutSegs (segments sent). Linux counts OutSegs in
// __tcp_transmit_skb for a segment that sends new data or carries none (an
// ACK, SYN, FIN), by tcp_skb_pcount — one per MSS-sized segment even when a
// GSO packet carries many — and leaves retransmissions out.
//
// The counters are read twice per experiment. Reading them with `ip netns
// exec NS nstat` cost two process chains (bash, ip, nstat) per namespace and
// reading, ~12 process starts per experiment; each costs milliseconds on a
// quiet machine and tens of them when the CPUs are busy. /proc/<pid>/net/snmp
// shows the counters of the network namespace of <pid>, so one idle process
// per namespace, started once, lets them be read as a file instead. The idle
// process is `cat` reading the pipe from us: it ends with us even if we are
// killed (end of file), so a crashed run leaves no holder behind.
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ProcessTracker, Tracked } from '../process.ts';
import type { Place } from '../place.ts';
import { TopologyError } from './topology.ts';

/** The `Tcp:` counters the pair engine reads before and after every pair; null where the text has no such column. */
export interface TcpCounters {
  retransSegs: number | null;
  outSegs: number | null;
}

/**
 * RetransSegs and OutSegs from the text of /proc/net/snmp: the `Tcp:` line
 * of names, then the `Tcp:` line of values (nstat calls them TcpRetransSegs
 * and TcpOutSegs). Each is found by its name, wherever the kernel puts it.
 * Pure.
 */
export function parseSnmpTcp(text: string): TcpCounters {
  const tcp = text.split('\n').filter((l) => l.startsWith('Tcp:')).map((l) => l.trim().split(/\s+/).slice(1));
  const counter = (name: string): number | null => {
    if (tcp.length < 2) return null;
    const i = tcp[0]!.indexOf(name);
    const value = i < 0 ? undefined : tcp[1]![i];
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
  };
  return { retransSegs: counter('RetransSegs'), outSegs: counter('OutSegs') };
}

/** TcpRetransSegs alone, from the text of /proc/net/snmp; null when the text has no such counter. */
export function parseSnmpRetransSegs(text: string): number | null {
  return parseSnmpTcp(text).retransSegs;
}

/** The `Tcp:` counters of the namespace whose snmp file this is; both null when it cannot be read. */
export function readTcpCounters(snmpFile: string): TcpCounters {
  try {
    return parseSnmpTcp(readFileSync(snmpFile, 'utf8'));
  } catch {
    return { retransSegs: null, outSegs: null };
  }
}

export interface CounterHolder {
  tracked: Tracked;
  snmpFile: string;
}

/** An idle process in namespace `name` (at `place`), whose /proc/<pid>/net/snmp is that namespace's. */
export async function startCounterHolder(tracker: ProcessTracker, name: string, place: Place): Promise<CounterHolder> {
  // `exec` keeps the pid that `echo $$` printed for the waiting process.
  const tracked = tracker.start(place.command(['sh', '-c', 'echo $$; exec cat > /dev/null']), `${name} counter holder`);
  const pid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TopologyError(`${name}: the counter holder printed no pid within 5 s`)), 5000);
    void tracked.exited.finally(() => clearTimeout(timer));
    let buf = '';
    tracked.promise.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /^(\d+)\n/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void tracked.exited.then((o) => reject(new TopologyError(`${name}: the counter holder exited: ${o.stderr.trim() || o.exitCode}`)));
  });
  // It must really be in the namespace: the same network namespace inode.
  const want = `net:[${statSync(path.join('/run/netns', name)).ino}]`;
  const got = readlinkSync(`/proc/${pid}/ns/net`);
  if (got !== want) throw new TopologyError(`${name}: the counter holder (pid ${pid}) is in ${got}, not in ${want}`);
  return { tracked, snmpFile: `/proc/${pid}/net/snmp` };
}
