// TCP's retransmission counter per namespace, read as a file.
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

/**
 * TcpRetransSegs from the text of /proc/net/snmp: the `Tcp:` line of names,
 * then the `Tcp:` line of values (the counter nstat calls TcpRetransSegs).
 * Pure; null when the text has no such counter.
 */
export function parseSnmpRetransSegs(text: string): number | null {
  const tcp = text.split('\n').filter((l) => l.startsWith('Tcp:')).map((l) => l.trim().split(/\s+/).slice(1));
  if (tcp.length < 2) return null;
  const i = tcp[0]!.indexOf('RetransSegs');
  const value = i < 0 ? undefined : tcp[1]![i];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

export function readRetransSegs(snmpFile: string): number | null {
  try {
    return parseSnmpRetransSegs(readFileSync(snmpFile, 'utf8'));
  } catch {
    return null;
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
