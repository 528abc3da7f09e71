// The network the binaries talk over. With runner.ts, the only module that
// starts processes.
//
// netns: two namespaces joined by a veth pair, each end created directly
// inside its namespace, so nothing of ours ever sits in the host namespace.
// Setup is idempotent: namespaces with the configured names that a crashed run
// left are deleted first — never anything else. Sysctls are set inside both
// namespaces; a key this kernel only lets the initial namespace write (on 6.x,
// net.core.{r,w}mem_max are read-only mirrors of the host's value inside a
// namespace) is set on the host, its old value noted in a state file, and
// restored at exit — or at the next run's setup, if this one was killed.
//
// loopback: nothing to create and nothing to change; needs no root.
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $, type ProcessOutput } from 'zx';
import { availableParallelism } from 'node:os';
import type { Config, NetnsTopology as NetnsConfig } from '../../config/schema.ts';
import { cpuMask } from '../../config/cpus.ts';
import type { ProcessTracker, Tracked } from '../experiment.ts';

/** Sysctls recorded in meta.json whether or not the config sets them. */
export const RECORDED_SYSCTLS = [
  'net.core.wmem_max',
  'net.core.rmem_max',
  'net.core.optmem_max',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_rmem',
];

export interface SysctlReading {
  /** Value read back inside the server's namespace (or the host, for loopback). */
  server: string | null;
  client: string | null;
  /** What the config asked for, if anything. */
  requested: string | null;
  /** Where it was written: inside the namespaces, on the host (restored at exit), or nowhere. */
  scope: 'namespace' | 'host' | 'unchanged';
}

export interface Topology {
  kind: 'netns' | 'loopback';
  serverAddress: string;
  /** The client side's own address (a peer tool's receiver listens there); the same as serverAddress on loopback. */
  clientAddress: string;
  /** Prefix an argv so it runs on `side` of the topology. */
  wrap(side: 'server' | 'client', argv: readonly string[]): string[];
  /** Sum of TcpRetransSegs over the topology's namespaces; null if it could not be read. */
  retransmissions(): Promise<number | null>;
  sysctls: Record<string, SysctlReading>;
  /** The CPU mask each side's incoming packets are steered to (RPS), read back; null if not steered. */
  receiveSteering: Record<'server' | 'client', string> | null;
  /** Notes for the person running: leftovers removed, host sysctls changed. */
  notes: string[];
  /** Undo everything setUp did. Safe to call more than once, and after a partial setup. */
  tearDown(): Promise<void>;
}

// Short commands, awaited in place. Detached, so a Ctrl-C at the terminal
// reaches only the orchestrator, which then undoes setup in order.
const q = $({ quiet: true, nothrow: true, detached: true });

export class TopologyError extends Error {
  override name = 'TopologyError';
}

function fail(what: string, out: ProcessOutput): never {
  throw new TopologyError(`${what} failed: ${(out.stderr || out.stdout).trim() || `exit code ${out.exitCode}`}`);
}

async function must(what: string, argv: readonly string[]): Promise<ProcessOutput> {
  const out = await q`${argv}`;
  if (out.exitCode !== 0) fail(what, out);
  return out;
}

const normalize = (v: string | number) => String(v).trim().split(/\s+/).join(' ');

// Sysctls are files under /proc/sys, and /proc/sys/net shows the namespace
// of the process reading it. The host's are read and written from here;
// a namespace's through `ip netns exec NS cat|tee FILE` — no procps needed.
export function sysctlFile(key: string): string {
  return path.join('/proc/sys', ...key.split('.'));
}

async function readSysctl(prefix: readonly string[], key: string): Promise<string | null> {
  if (prefix.length === 0) {
    try {
      return normalize(readFileSync(sysctlFile(key), 'utf8'));
    } catch {
      return null;
    }
  }
  const out = await q`${[...prefix, 'cat', sysctlFile(key)]}`;
  return out.exitCode === 0 ? normalize(out.stdout) : null;
}

/**
 * Write a sysctl and read it back: only the read back counts (a namespace's
 * mirror of a host-wide key refuses the write, and tools differ in how they
 * report that).
 */
async function writeSysctl(prefix: readonly string[], key: string, value: string): Promise<{ ok: boolean; why: string }> {
  let why = '';
  if (prefix.length === 0) {
    try {
      writeFileSync(sysctlFile(key), value + '\n');
    } catch (err) {
      why = (err as Error).message;
    }
  } else {
    const out = await $({ quiet: true, nothrow: true, detached: true, input: value + '\n' })`${[...prefix, 'tee', sysctlFile(key)]}`;
    why = out.stderr.trim();
  }
  const now = await readSysctl(prefix, key);
  return { ok: now === value, why: why || `reads back ${now}` };
}

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

// The retransmission counters are read twice per experiment. Reading them
// with `ip netns exec NS nstat` cost two process chains (bash, ip, nstat)
// per namespace and reading, ~12 process starts per experiment; each costs
// milliseconds on a quiet machine and tens of them when the CPUs are busy.
// /proc/<pid>/net/snmp shows the counters of the network namespace of <pid>,
// so one idle process per namespace, started once, lets them be read as a
// file instead. The idle process is `cat` reading the pipe from us: it ends
// with us even if we are killed (end of file), so a crashed run leaves no
// holder behind.
function readRetransSegs(snmpFile: string): number | null {
  try {
    return parseSnmpRetransSegs(readFileSync(snmpFile, 'utf8'));
  } catch {
    return null;
  }
}

interface CounterHolder {
  tracked: Tracked;
  snmpFile: string;
}

/** An idle process inside namespace `name`, whose /proc/<pid>/net/snmp is that namespace's. */
async function startCounterHolder(tracker: ProcessTracker, name: string): Promise<CounterHolder> {
  // `exec` keeps the pid that `echo $$` printed for the waiting process.
  const tracked = tracker.start(['ip', 'netns', 'exec', name, 'sh', '-c', 'echo $$; exec cat > /dev/null'], `${name} counter holder`);
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

export async function setUpTopology(config: Config, tracker: ProcessTracker): Promise<Topology> {
  return config.topology.kind === 'netns'
    ? setUpNetns(config.topology, config.pinning, tracker)
    : setUpLoopback(config.topology.address);
}

async function setUpLoopback(address: string): Promise<Topology> {
  const sysctls: Record<string, SysctlReading> = {};
  for (const key of RECORDED_SYSCTLS) {
    const value = await readSysctl([], key);
    sysctls[key] = { server: value, client: value, requested: null, scope: 'unchanged' };
  }
  return {
    kind: 'loopback',
    serverAddress: address,
    clientAddress: address,
    wrap: (_side, argv) => [...argv],
    // Our own namespace: the host's counters, other traffic included.
    retransmissions: async () => readRetransSegs('/proc/self/net/snmp'),
    sysctls,
    receiveSteering: null,
    notes: [],
    tearDown: async () => {},
  };
}

// Host sysctls changed by a run, with their original values, so that a run
// killed before its exit handler ran is repaired by the next setup.
const STATE_DIR = '/run/copybench';

function statePath(t: NetnsConfig): string {
  return path.join(STATE_DIR, `${t.namespaces.server}+${t.namespaces.client}.host-sysctls.json`);
}

// Which process owns the namespaces: tells a crashed run's leftovers (owner
// gone: delete them) from a live run's (owner alive: refuse, touch nothing).
function ownerPath(name: string): string {
  return path.join(STATE_DIR, `${name}.owner`);
}

function liveOwner(name: string): number | null {
  try {
    const pid = Number(readFileSync(ownerPath(name), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
    // Alive, and still a node process (not a recycled pid).
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('node') ? pid : null;
  } catch {
    return null;
  }
}

async function restoreHostSysctls(file: string, notes: string[]): Promise<void> {
  if (!existsSync(file)) return;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  for (const [key, value] of Object.entries(saved)) {
    const result = await writeSysctl([], key, value);
    if (!result.ok) throw new TopologyError(`restoring host sysctl ${key} to ${value} failed: ${result.why}`);
    notes.push(`host sysctl ${key} restored to ${value}`);
  }
  rmSync(file, { force: true });
}

async function existingNamespaces(): Promise<Set<string>> {
  const out = await must('ip netns list', ['ip', 'netns', 'list']);
  // Lines look like `cb-srv (id: 3)` or just `cb-srv`.
  return new Set(out.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean));
}

/**
 * Steer the packets arriving at a veth end to `list`'s CPUs (RPS on every rx
 * queue), and read the mask back. All of one flow's packets then take one
 * CPU's backlog, in order (see steer_receive in config/schema.ts).
 */
async function steerReceive(prefix: readonly string[], dev: string, list: string): Promise<string> {
  const mask = cpuMask(list);
  // `ip netns exec` mounts the namespace's own /sys, so its devices are seen.
  const queues = await must(`listing ${dev}'s queues`, [...prefix, 'ls', `/sys/class/net/${dev}/queues`]);
  const rx = queues.stdout.split(/\s+/).filter((q) => /^rx-\d+$/.test(q));
  if (rx.length === 0) throw new TopologyError(`${dev} has no receive queues to steer`);
  for (const queue of rx) {
    const file = `/sys/class/net/${dev}/queues/${queue}/rps_cpus`;
    await $({ quiet: true, nothrow: true, detached: true, input: mask + '\n' })`${[...prefix, 'tee', file]}`;
    const back = await q`${[...prefix, 'cat', file]}`;
    // Read back as a zero-padded, comma-grouped hex mask: compare as numbers.
    if (back.exitCode !== 0 || BigInt('0x' + back.stdout.trim().replace(/,/g, '')) !== BigInt('0x' + mask)) {
      throw new TopologyError(`steering ${dev} ${queue} to CPUs ${list}: wrote ${mask}, read back ${back.stdout.trim() || back.stderr.trim()}`);
    }
  }
  return mask;
}

async function setUpNetns(t: NetnsConfig, pinning: Config['pinning'], tracker: ProcessTracker): Promise<Topology> {
  const notes: string[] = [];
  const created: string[] = [];
  const state = statePath(t);
  const hostOriginals: Record<string, string> = {};
  const owned: string[] = [];
  const holders: CounterHolder[] = [];
  let tornDown = false;

  const tearDown = async () => {
    if (tornDown) return;
    tornDown = true;
    const problems: string[] = [];
    for (const h of holders) if (!h.tracked.done) await tracker.end(h.tracked, 500);
    // Deleting a namespace removes the veth end inside it, and so the pair.
    for (const ns of created.reverse()) {
      const out = await q`ip netns del ${ns}`;
      if (out.exitCode !== 0) problems.push(`ip netns del ${ns}: ${out.stderr.trim()}`);
    }
    try {
      await restoreHostSysctls(state, notes);
    } catch (err) {
      problems.push((err as Error).message);
    }
    for (const file of owned) rmSync(file, { force: true });
    if (problems.length) throw new TopologyError(`teardown: ${problems.join('; ')}`);
  };

  const ns = t.namespaces;
  const inNs = (name: string) => ['ip', 'netns', 'exec', name];
  // Before anything is touched: a live run's namespaces and host sysctls are
  // not ours to delete or restore.
  for (const name of [ns.server, ns.client]) {
    const owner = liveOwner(name);
    if (owner !== null) {
      throw new TopologyError(`namespace ${name} belongs to a run still in progress (pid ${owner}); not touching it`);
    }
  }
  try {
    mkdirSync(STATE_DIR, { recursive: true });
    for (const name of [ns.server, ns.client]) writeFileSync(ownerPath(name), `${process.pid}\n`);
    owned.push(...[ns.server, ns.client].map(ownerPath));
    await restoreHostSysctls(state, notes);
    const existing = await existingNamespaces();
    for (const name of [ns.server, ns.client]) {
      if (existing.has(name)) {
        await must(`deleting leftover namespace ${name}`, ['ip', 'netns', 'del', name]);
        notes.push(`deleted namespace ${name} left by an earlier run`);
      }
    }
    for (const name of [ns.server, ns.client]) {
      await must(`ip netns add ${name}`, ['ip', 'netns', 'add', name]);
      created.push(name);
    }
    await must('creating the veth pair', [
      'ip', 'link', 'add', t.veth.server, 'netns', ns.server, 'type', 'veth', 'peer', 'name', t.veth.client, 'netns', ns.client,
    ]);
    for (const side of ['server', 'client'] as const) {
      const name = ns[side];
      const dev = t.veth[side];
      await must(`${name}: lo up`, ['ip', '-n', name, 'link', 'set', 'lo', 'up']);
      await must(`${name}: address`, ['ip', '-n', name, 'addr', 'add', `${t.addresses[side]}/${t.prefix_length}`, 'dev', dev]);
      await must(`${name}: ${dev} up`, ['ip', '-n', name, 'link', 'set', dev, 'mtu', String(t.mtu), 'up']);
    }

    // Sysctls: inside both namespaces; host-only keys on the host, noted for restore.
    const sysctls: Record<string, SysctlReading> = {};
    for (const [key, rawValue] of Object.entries(t.sysctls)) {
      const value = normalize(rawValue);
      let scope: SysctlReading['scope'] = 'namespace';
      for (const name of [ns.server, ns.client]) {
        const inside = await writeSysctl(inNs(name), key, value);
        if (inside.ok) continue;
        // Not writable here: is it a host-wide key the namespace mirrors?
        const original = await readSysctl([], key);
        if (original === null || key in hostOriginals) {
          throw new TopologyError(`cannot set ${key}=${value} in namespace ${name}: ${inside.why}`);
        }
        hostOriginals[key] = original;
        mkdirSync(STATE_DIR, { recursive: true });
        writeFileSync(state, JSON.stringify(hostOriginals, null, 2));
        const host = await writeSysctl([], key, value);
        if (!host.ok) throw new TopologyError(`cannot set ${key}=${value} in namespace ${name} (${inside.why}) nor on the host (${host.why})`);
        if ((await readSysctl(inNs(name), key)) !== value) {
          throw new TopologyError(`${key}: set on the host, but namespace ${name} does not see it`);
        }
        scope = 'host';
        notes.push(
          `${key} cannot be set inside a namespace on this kernel: set on the host to ${value} for this run (was ${original}; restored at exit)`,
        );
      }
      sysctls[key] = { server: null, client: null, requested: value, scope };
    }
    for (const key of new Set([...Object.keys(t.sysctls), ...RECORDED_SYSCTLS])) {
      const reading = sysctls[key] ?? { server: null, client: null, requested: null, scope: 'unchanged' as const };
      reading.server = await readSysctl(inNs(ns.server), key);
      reading.client = await readSysctl(inNs(ns.client), key);
      if (reading.requested !== null && (reading.server !== reading.requested || reading.client !== reading.requested)) {
        throw new TopologyError(
          `${key}: asked for ${reading.requested}, read back ${reading.server} (server) and ${reading.client} (client)`,
        );
      }
      sysctls[key] = reading;
    }

    let receiveSteering: Topology['receiveSteering'] = null;
    if (t.steer_receive) {
      const everyCpu = `0-${availableParallelism() - 1}`;
      receiveSteering = {
        server: await steerReceive(inNs(ns.server), t.veth.server, pinning.server ?? everyCpu),
        client: await steerReceive(inNs(ns.client), t.veth.client, pinning.client ?? everyCpu),
      };
    }

    await checkConnectivity(t, tracker);
    const serverHolder = await startCounterHolder(tracker, ns.server);
    holders.push(serverHolder);
    const clientHolder = await startCounterHolder(tracker, ns.client);
    holders.push(clientHolder);

    return {
      kind: 'netns',
      serverAddress: t.addresses.server,
      clientAddress: t.addresses.client,
      wrap: (side, argv) => [...inNs(ns[side]), ...argv],
      retransmissions: async () => {
        const s = readRetransSegs(serverHolder.snmpFile);
        const c = readRetransSegs(clientHolder.snmpFile);
        return s === null || c === null ? null : s + c;
      },
      sysctls,
      receiveSteering,
      notes,
      tearDown,
    };
  } catch (err) {
    await tearDown().catch(() => {});
    throw err;
  }
}

// A TCP connection from the client's namespace to the server's address, made
// with the node that runs us (ping is not always installed): proves routing
// and the veth in both directions before any experiment depends on them.
const LISTEN = `
const net = require('node:net');
const s = net.createServer((c) => { c.end('ok'); s.close(); });
s.listen(0, process.argv[1], () => console.log(s.address().port));
setTimeout(() => process.exit(3), 5000).unref();
`;
const CONNECT = `
const net = require('node:net');
const c = net.connect(Number(process.argv[2]), process.argv[1]);
let got = '';
c.on('data', (d) => { got += d; });
c.on('end', () => process.exit(got === 'ok' ? 0 : 4));
c.on('error', (e) => { console.error(e.message); process.exit(5); });
setTimeout(() => { console.error('timed out'); process.exit(6); }, 3000);
`;

async function checkConnectivity(t: NetnsConfig, tracker: ProcessTracker): Promise<void> {
  // Without the tsx loader npm may have put in NODE_OPTIONS: plain JS, fast start.
  const env = { ...process.env, NODE_OPTIONS: '' };
  const listener = tracker.start(
    ['ip', 'netns', 'exec', t.namespaces.server, process.execPath, '-e', LISTEN, t.addresses.server],
    'connectivity listener',
    env,
  );
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let buf = '';
      listener.promise.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /^(\d+)\n/.exec(buf);
        if (m) resolve(m[1]!);
      });
      void listener.exited.then((o) => reject(new TopologyError(`connectivity check: listener exited: ${o.stderr.trim()}`)));
    });
    const out = await $({ quiet: true, nothrow: true, detached: true, env })`${['ip', 'netns', 'exec', t.namespaces.client, process.execPath, '-e', CONNECT, t.addresses.server, port]}`;
    if (out.exitCode !== 0) {
      throw new TopologyError(
        `connectivity check: ${t.namespaces.client} cannot reach ${t.addresses.server} over TCP: ${out.stderr.trim() || out.exitCode}`,
      );
    }
  } finally {
    if (!listener.done) await tracker.end(listener, 500);
  }
}
