// ssh: server and client on two hosts, driven over the user's own OpenSSH.
// Setup, host by host (both at once where they are independent):
//   1. connect: the run's link to each host (host key checked; ssh-link.ts);
//   2. check: tools, perf, CPUs there — nothing created yet, so a host
//      without perf ends the run with nothing to undo;
//   3. facts: each host's kernel, CPU, perf and its interface towards the
//      other (meta.json `hosts`);
//   4. repair: what killed runs left under work_dir there (ssh-state.ts);
//   5. the run's folder with its state file, the sources, make;
//   6. sysctls: each original noted in the state file, then set, read back.
// Teardown undoes exactly what was done, whatever step failed.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';
import type { SshTopology as SshConfig } from '../../config/ssh.ts';
import { SIDES, type Implementation, type Side } from '../../config/domain.ts';
import type { HostFacts, SysctlReading } from '../../results/meta.ts';
import { parseProcStat } from '../../results/steal.ts';
import type { HostIdentity } from '../../results/hosts.ts';
import { binaryPath } from '../paths.ts';
import type { Place } from '../place.ts';
import { Interrupted, ProcessTracker } from '../process.ts';
import { parseSnmpTcp } from './counters.ts';
import { HostLink } from './ssh-link.ts';
import { atHost, hostName, sshPlace, takeOverSsh, type SshHost } from './ssh-place.ts';
import { buildAtHost, checkHost, hostTools, readHostFacts } from './ssh-prepare.ts';
import { cleanRunFolder, createRunFolder, repairDeadRuns, saveState, type RunState } from './ssh-state.ts';
import { OWNER_LINE, ownerIsLive } from './state.ts';
import { RECORDED_SYSCTLS, normalize, readSysctl, writeSysctl } from './sysctl.ts';
import { TopologyError, type Topology } from './topology.ts';

export interface SshOptions {
  /** Leave each host's run folder in place at exit (its state file goes: nothing is left to repair). */
  keepRemote: boolean;
  abort: AbortSignal;
  perfEvents: readonly string[];
}

// The control folder's name carries its run's pid and start time: `cb-ssh-PID-START-XXXXXX`.
const CONTROL_DIR = /^cb-ssh-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;

/** Control folders here of runs that were killed (their sockets dead with them): removed, and said. */
function removeDeadControlDirs(): string[] {
  const notes: string[] = [];
  for (const name of readdirSync(os.tmpdir())) {
    const m = CONTROL_DIR.exec(name);
    if (!m || ownerIsLive(`${m[1]} ${m[2]}`)) continue;
    rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    notes.push(`removed ${path.join(os.tmpdir(), name)}, the ssh control folder of a run that was killed`);
  }
  return notes;
}

/** Runs `f` for both sides at once; once both have settled, throws the first failure. */
async function bothSides<T>(f: (side: Side) => Promise<T>): Promise<Record<Side, T>> {
  const [server, client] = await Promise.allSettled(SIDES.map(f));
  for (const r of [server!, client!]) if (r.status === 'rejected') throw r.reason;
  return { server: (server as PromiseFulfilledResult<T>).value, client: (client as PromiseFulfilledResult<T>).value };
}

/** What setup has done so far, so that teardown undoes exactly that. */
interface Undo {
  controlDir: string;
  /** The links' own tracker: they outlive the session's end of its processes, and serve the teardown. */
  linkTracker: ProcessTracker;
  links: Partial<Record<Side, HostLink>>;
  /** The run's folder exists at that side's host (its state is what to restore). */
  states: Partial<Record<Side, RunState>>;
  madeWorkDir: Record<Side, boolean>;
}

export async function setUpSsh(t: SshConfig, config: Config, opts: SshOptions): Promise<Topology> {
  const notes: string[] = [];
  const token = `cb-${os.hostname().replace(/[^A-Za-z0-9-]/g, '').slice(0, 24) || 'host'}-${process.pid}-${Date.now().toString(36)}`;
  notes.push(...removeDeadControlDirs());
  const undo: Undo = { controlDir: mkdtempSync(path.join(os.tmpdir(), `cb-ssh-${OWNER_LINE.replace(' ', '-')}-`)), linkTracker: new ProcessTracker(), links: {}, states: {}, madeWorkDir: { server: false, client: false } };
  const hosts = Object.fromEntries(
    SIDES.map((side) => [
      side,
      { side, destination: t[side].ssh, sshConfig: t.ssh_config, controlPath: path.join(undo.controlDir, side), runDir: `${t.work_dir.replace(/\/$/, '')}/${token}-${side}` },
    ]),
  ) as Record<Side, SshHost>;
  // Perf files come home over the link (no ssh call of their own) while it lives.
  const take = (side: Side) => async (remote: string) => {
    const link = undo.links[side];
    return link?.alive ? link.ask(`take ${remote}`) : takeOverSsh(hosts[side], remote);
  };
  const places = { server: sshPlace(hosts.server, take('server')), client: sshPlace(hosts.client, take('client')) };
  let tornDown = false;
  const tearDown = async () => {
    if (tornDown) return;
    tornDown = true;
    await undoSetup(undo, hosts, places, t.work_dir, opts.keepRemote, notes);
  };
  const step = () => {
    if (opts.abort.aborted) throw new Interrupted('interrupted during setup');
  };
  try {
    const links = await bothSides(async (side) => (undo.links[side] = await HostLink.open(hosts[side], undo.linkTracker)));
    step();
    const unsupported = await bothSides((side) =>
      checkHost(hosts[side], hostTools(config.pinning[side] !== null), opts.perfEvents, config.pinning[side]),
    );
    for (const side of SIDES) {
      if (unsupported[side].length) notes.push(`${hostName(hosts[side])}: perf cannot count ${unsupported[side].join(', ')} there: those cells stay empty`);
    }
    step();
    // The client's route to the server's address first: its source address is where the server sends.
    const client = await readHostFacts(hosts.client, t.server.address);
    const server = await readHostFacts(hosts.server, client.facts.address ?? t.server.address);
    const identity: Record<Side, HostIdentity> = { server: server.identity, client: client.identity };
    const facts: Record<Side, HostFacts> = { server: server.facts, client: client.facts };
    notes.push(...factNotes(t, facts));
    for (const side of SIDES) notes.push(...(await repairDeadRuns(hosts[side], places[side], t.work_dir, identity[side])));
    step();
    await bothSides(async (side) => {
      const state: RunState = { owner: links[side].owner, identity: identity[side], originals: {} };
      undo.madeWorkDir[side] = await createRunFolder(hosts[side], t.work_dir, state);
      undo.states[side] = state;
      await buildAtHost(hosts[side], config.variants, binaryNames);
    });
    step();
    const sysctls = await applySysctls(t, hosts, places, undo.states as Record<Side, RunState>);
    return {
      kind: 'ssh',
      serverAddress: t.server.address,
      clientAddress: client.facts.address ?? t.server.address,
      places,
      ...readings(links),
      hosts: facts,
      perfUnsupported: [...new Set([...unsupported.server, ...unsupported.client])],
      sysctls,
      receiveSteering: null,
      notes,
      tearDown,
    };
  } catch (err) {
    await tearDown().catch((e: Error) => notes.push(e.message));
    throw err;
  }
}

/** TCP's counters and /proc/stat, each read on its host over the run's link. */
function readings(links: Record<Side, HostLink>): Pick<Topology, 'tcpCounters' | 'cpuTicks'> {
  const ask = (what: 'snmp' | 'stat') => bothSides((side) => links[side].ask(what));
  return {
    tcpCounters: async () => {
      const text = await ask('snmp');
      const s = text.server === null ? null : parseSnmpTcp(text.server.toString());
      const c = text.client === null ? null : parseSnmpTcp(text.client.toString());
      // Both hosts' retransmissions (their TcpRetransSegs); the server host's segments sent.
      const sum = s?.retransSegs != null && c?.retransSegs != null ? s.retransSegs + c.retransSegs : null;
      return { retransSegs: sum, serverOutSegs: s?.outSegs ?? null };
    },
    cpuTicks: async () => {
      const text = await ask('stat');
      const stat = (side: Side) => (text[side] === null ? null : parseProcStat(text[side].toString()));
      return { server: stat('server'), client: stat('client') };
    },
  };
}

const binaryNames = (impl: Implementation) => SIDES.map((role) => path.basename(binaryPath('', impl, role)));

/** What the facts tell the person running before the first row; throws when the client has no route to the server. */
function factNotes(t: SshConfig, facts: Record<Side, HostFacts>): string[] {
  const notes = ['stream rows leave the one-way delay empty (latency_kind none_two_clocks): the two hosts have two clocks; rr round trips are the latency'];
  if (facts.client.route === null) throw new TopologyError(`${hostName({ side: 'client', destination: t.client.ssh })}: no route to the server's address ${t.server.address}`);
  if (facts.client.route === 'local') notes.push(`client host ${t.client.ssh}: the server's address ${t.server.address} is local there: the pair never leaves that host`);
  if (facts.server.address !== null && facts.server.address !== t.server.address) {
    notes.push(`server host ${t.server.ssh}: sends to the client from ${facts.server.address}, not from topology.server.address ${t.server.address}`);
  }
  return notes;
}

/** The config's sysctls on both hosts, each original noted in the host's state file first; then every key read back. */
async function applySysctls(t: SshConfig, hosts: Record<Side, SshHost>, places: Record<Side, Place>, states: Record<Side, RunState>): Promise<Record<string, SysctlReading>> {
  const sysctls: Record<string, SysctlReading> = {};
  for (const [key, raw] of Object.entries(t.sysctls)) {
    const value = normalize(raw);
    for (const side of SIDES) {
      const original = await readSysctl(places[side], key);
      if (original === null) throw new TopologyError(`${hostName(hosts[side])}: cannot read sysctl ${key}`);
      states[side].originals[key] = original;
      await saveState(hosts[side], states[side]);
      const set = await writeSysctl(places[side], key, value);
      if (!set.ok) throw new TopologyError(`${hostName(hosts[side])}: cannot set ${key}=${value} (${set.why}); setting sysctls needs root there`);
    }
    sysctls[key] = { server: value, client: value, requested: value, scope: 'host' };
  }
  for (const key of RECORDED_SYSCTLS) {
    if (sysctls[key]) continue;
    sysctls[key] = { server: await readSysctl(places.server, key), client: await readSysctl(places.client, key), requested: null, scope: 'unchanged' };
  }
  return sysctls;
}

async function undoSetup(undo: Undo, hosts: Record<Side, SshHost>, places: Record<Side, Place>, workDir: string, keep: boolean, notes: string[]): Promise<void> {
  const problems: string[] = [];
  await Promise.all(
    SIDES.map(async (side) => {
      const state = undo.states[side];
      if (!state) return;
      try {
        notes.push(...(await cleanRunFolder(hosts[side], places[side], state.originals, keep)));
        // Only a work_dir this run made, and only when empty.
        if (undo.madeWorkDir[side] && !keep) await atHost(hosts[side], ['rmdir', workDir]);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }),
  );
  for (const side of SIDES) await undo.links[side]?.close(undo.linkTracker);
  await undo.linkTracker.endAll(500);
  rmSync(undo.controlDir, { recursive: true, force: true });
  if (problems.length) throw new TopologyError(`teardown: ${problems.join('; ')}`);
}
