// netns: two namespaces joined by a veth pair, each end created directly
// inside its namespace, so nothing of ours ever sits in the host namespace.
// Setup is idempotent: namespaces with the configured names that a crashed
// run left are deleted first — never anything else (state.ts tells ours from
// a live run's). Sysctls are set inside both namespaces; a key this kernel
// only lets the initial namespace write (on 6.x, net.core.{r,w}mem_max are
// read-only mirrors of the host's value inside a namespace) is set on the
// host, its old value noted in a state file, and restored at exit — or by the
// next run, whatever its names, if this one was killed.
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { $, type ProcessOutput } from 'zx';
import { cpuMask } from '../../config/cpus.ts';
import { type Config, type NetnsTopology as NetnsConfig } from '../../config/schema.ts';
import { SIDES, type Side } from '../../config/domain.ts';
import type { SysctlReading } from '../../results/meta.ts';
import { LOCAL, netnsPlace, type Place } from '../place.ts';
import type { ProcessTracker } from '../process.ts';
import { readTcpCounters, startCounterHolder, type CounterHolder } from './counters.ts';
import { RECORDED_SYSCTLS, normalize, readSysctl, writeSysctl } from './sysctl.ts';
import { claimNamespaces, hostStatePath, restoreDeadRuns, restoreHostSysctls, saveHostOriginals, strayNamespaces } from './state.ts';
import { TopologyError, type Topology } from './topology.ts';

// Short commands, awaited in place. Detached, so a Ctrl-C at the terminal
// reaches only the orchestrator, which then undoes setup in order.
const q = $({ quiet: true, nothrow: true, detached: true });

async function must(what: string, argv: readonly string[]): Promise<ProcessOutput> {
  const out = await q`${argv}`;
  if (out.exitCode !== 0) throw new TopologyError(`${what} failed: ${(out.stderr || out.stdout).trim() || `exit code ${out.exitCode}`}`);
  return out;
}

async function existingNamespaces(): Promise<Set<string>> {
  const out = await must('ip netns list', ['ip', 'netns', 'list']);
  // Lines look like `cb-srv (id: 3)` or just `cb-srv`.
  return new Set(out.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean));
}

/** What setup has done so far, so that teardown undoes exactly that. */
interface Undo {
  created: string[];
  owned: string[];
  holders: CounterHolder[];
  hostState: string;
}

export async function setUpNetns(t: NetnsConfig, pinning: Config['pinning'], tracker: ProcessTracker): Promise<Topology> {
  const notes: string[] = [];
  const ns = t.namespaces;
  const places: Record<Side, Place> = { server: netnsPlace(ns.server), client: netnsPlace(ns.client) };
  // Before anything is touched: a live run's namespaces are not ours.
  const undo: Undo = { created: [], owned: claimNamespaces([ns.server, ns.client]), holders: [], hostState: hostStatePath(ns.server, ns.client) };
  let tornDown = false;
  const tearDown = async () => {
    if (tornDown) return;
    tornDown = true;
    await undoSetup(undo, tracker, notes);
  };
  try {
    await restoreDeadRuns(notes);
    await createNetwork(t, undo, notes);
    const sysctls = await applySysctls(t, places, undo.hostState, notes);
    let receiveSteering: Topology['receiveSteering'] = null;
    if (t.steer_receive) {
      const everyCpu = `0-${availableParallelism() - 1}`;
      receiveSteering = {
        server: await steerReceive(places.server, t.veth.server, pinning.server ?? everyCpu),
        client: await steerReceive(places.client, t.veth.client, pinning.client ?? everyCpu),
      };
    }
    await checkConnectivity(t, places, tracker);
    for (const side of SIDES) undo.holders.push(await startCounterHolder(tracker, ns[side], places[side]));
    const [serverHolder, clientHolder] = undo.holders as [CounterHolder, CounterHolder];
    return {
      kind: 'netns',
      serverAddress: t.addresses.server,
      clientAddress: t.addresses.client,
      places,
      tcpCounters: async () => {
        const s = readTcpCounters(serverHolder.snmpFile);
        const c = readTcpCounters(clientHolder.snmpFile);
        return {
          retransSegs: s.retransSegs === null || c.retransSegs === null ? null : s.retransSegs + c.retransSegs,
          serverOutSegs: s.outSegs,
        };
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

async function undoSetup(undo: Undo, tracker: ProcessTracker, notes: string[]): Promise<void> {
  const problems: string[] = [];
  for (const h of undo.holders) if (!h.tracked.done) await tracker.end(h.tracked, 500);
  // Deleting a namespace removes the veth end inside it, and so the pair.
  for (const ns of [...undo.created].reverse()) {
    const out = await q`ip netns del ${ns}`;
    if (out.exitCode !== 0) problems.push(`ip netns del ${ns}: ${out.stderr.trim()}`);
  }
  try {
    await restoreHostSysctls(undo.hostState, notes);
  } catch (err) {
    problems.push((err as Error).message);
  }
  for (const file of undo.owned) rmSync(file, { force: true });
  if (problems.length) throw new TopologyError(`teardown: ${problems.join('; ')}`);
}

/** Leftovers of ours removed and named; both namespaces, the veth pair, addresses, links up. */
async function createNetwork(t: NetnsConfig, undo: Undo, notes: string[]): Promise<void> {
  const ns = t.namespaces;
  const mine = [ns.server, ns.client];
  const existing = await existingNamespaces();
  for (const name of mine) {
    if (existing.has(name)) {
      await must(`deleting leftover namespace ${name}`, ['ip', 'netns', 'del', name]);
      notes.push(`deleted namespace ${name} left by an earlier run`);
    }
  }
  for (const name of strayNamespaces(existing, mine)) {
    notes.push(`namespace ${name} was left by a copybench run that was killed; this run does not use that name: delete it with \`ip netns del ${name}\``);
  }
  for (const name of mine) {
    await must(`ip netns add ${name}`, ['ip', 'netns', 'add', name]);
    undo.created.push(name);
  }
  await must('creating the veth pair', [
    'ip', 'link', 'add', t.veth.server, 'netns', ns.server, 'type', 'veth', 'peer', 'name', t.veth.client, 'netns', ns.client,
  ]);
  for (const side of SIDES) {
    const name = ns[side];
    const dev = t.veth[side];
    await must(`${name}: lo up`, ['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    await must(`${name}: address`, ['ip', '-n', name, 'addr', 'add', `${t.addresses[side]}/${t.prefix_length}`, 'dev', dev]);
    await must(`${name}: ${dev} up`, ['ip', '-n', name, 'link', 'set', dev, 'mtu', String(t.mtu), 'up']);
  }
}

/**
 * The config's sysctls inside both namespaces; a host-only key on the host,
 * its original saved first. Then every configured and recorded key is read
 * back on both sides, and a requested value not read back fails the setup.
 */
async function applySysctls(t: NetnsConfig, places: Record<Side, Place>, hostState: string, notes: string[]): Promise<Record<string, SysctlReading>> {
  const sysctls: Record<string, SysctlReading> = {};
  const hostOriginals: Record<string, string> = {};
  for (const [key, rawValue] of Object.entries(t.sysctls)) {
    const value = normalize(rawValue);
    let scope: SysctlReading['scope'] = 'namespace';
    for (const place of [places.server, places.client]) {
      const inside = await writeSysctl(place, key, value);
      if (inside.ok) continue;
      // Not writable here: is it a host-wide key the namespace mirrors?
      const original = await readSysctl(LOCAL, key);
      if (original === null || key in hostOriginals) throw new TopologyError(`cannot set ${key}=${value} in ${place.name}: ${inside.why}`);
      hostOriginals[key] = original;
      saveHostOriginals(hostState, hostOriginals);
      const host = await writeSysctl(LOCAL, key, value);
      if (!host.ok) throw new TopologyError(`cannot set ${key}=${value} in ${place.name} (${inside.why}) nor on the host (${host.why})`);
      if ((await readSysctl(place, key)) !== value) throw new TopologyError(`${key}: set on the host, but ${place.name} does not see it`);
      scope = 'host';
      notes.push(`${key} cannot be set inside a namespace on this kernel: set on the host to ${value} for this run (was ${original}; restored at exit)`);
    }
    sysctls[key] = { server: null, client: null, requested: value, scope };
  }
  for (const key of new Set([...Object.keys(t.sysctls), ...RECORDED_SYSCTLS])) {
    const reading = sysctls[key] ?? { server: null, client: null, requested: null, scope: 'unchanged' as const };
    reading.server = await readSysctl(places.server, key);
    reading.client = await readSysctl(places.client, key);
    if (reading.requested !== null && (reading.server !== reading.requested || reading.client !== reading.requested)) {
      throw new TopologyError(`${key}: asked for ${reading.requested}, read back ${reading.server} (server) and ${reading.client} (client)`);
    }
    sysctls[key] = reading;
  }
  return sysctls;
}

/**
 * Steer the packets arriving at a veth end to `list`'s CPUs (RPS on every rx
 * queue), and read the mask back. All of one flow's packets then take one
 * CPU's backlog, in order (see steer_receive in the config schema).
 */
async function steerReceive(place: Place, dev: string, list: string): Promise<string> {
  const mask = cpuMask(list);
  // `ip netns exec` mounts the namespace's own /sys, so its devices are seen.
  const queues = await must(`listing ${dev}'s queues`, place.command(['ls', `/sys/class/net/${dev}/queues`]));
  const rx = queues.stdout.split(/\s+/).filter((queue) => /^rx-\d+$/.test(queue));
  if (rx.length === 0) throw new TopologyError(`${dev} has no receive queues to steer`);
  for (const queue of rx) {
    const file = `/sys/class/net/${dev}/queues/${queue}/rps_cpus`;
    await $({ quiet: true, nothrow: true, detached: true, input: mask + '\n' })`${place.command(['tee', file])}`;
    const back = await q`${place.command(['cat', file])}`;
    // Read back as a zero-padded, comma-grouped hex mask: compare as numbers.
    if (back.exitCode !== 0 || BigInt('0x' + back.stdout.trim().replace(/,/g, '')) !== BigInt('0x' + mask)) {
      throw new TopologyError(`steering ${dev} ${queue} to CPUs ${list}: wrote ${mask}, read back ${back.stdout.trim() || back.stderr.trim()}`);
    }
  }
  return mask;
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

async function checkConnectivity(t: NetnsConfig, places: Record<Side, Place>, tracker: ProcessTracker): Promise<void> {
  // Without the tsx loader npm may have put in NODE_OPTIONS: plain JS, fast start.
  const env = { ...process.env, NODE_OPTIONS: '' };
  const listener = tracker.start(places.server.command([process.execPath, '-e', LISTEN, t.addresses.server]), 'connectivity listener', env);
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
    const out = await $({ quiet: true, nothrow: true, detached: true, env })`${places.client.command([process.execPath, '-e', CONNECT, t.addresses.server, port])}`;
    if (out.exitCode !== 0) {
      throw new TopologyError(`connectivity check: ${t.namespaces.client} cannot reach ${t.addresses.server} over TCP: ${out.stderr.trim() || out.exitCode}`);
    }
  } finally {
    if (!listener.done) await tracker.end(listener, 500);
  }
}
