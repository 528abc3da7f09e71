// What a run leaves on the machine to be repaired after a crash, under
// /run/copybench (tmpfs: gone at reboot, as the namespaces are):
// - `<namespace>.owner`: which process owns a namespace. A live owner's
//   namespaces are refused; a dead owner's are leftovers, deleted by the
//   next run with the same names and named by any other run.
// - `<server>+<client>.host-sysctls.json`: host-wide sysctls a run changed,
//   with their original values and the owner. Every run restores every such
//   file whose owner is dead, whatever its names.
// An owner is its pid and its start time (field 22 of /proc/<pid>/stat), so
// a recycled pid never passes for a live owner.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { LOCAL } from '../place.ts';
import { writeSysctl } from './sysctl.ts';
import { TopologyError } from './topology.ts';

export const STATE_DIR = process.env.COPYBENCH_STATE_DIR ?? '/run/copybench';

interface Owner {
  pid: number;
  start: string;
}

function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

const ME: Owner = { pid: process.pid, start: startTime(process.pid) ?? '?' };

function isLive(owner: Owner | null): boolean {
  return owner !== null && owner.pid !== ME.pid && startTime(owner.pid) === owner.start;
}

/** This process as other runs see it: `PID START`. */
export const OWNER_LINE = `${ME.pid} ${ME.start}`;

/** Whether `line` (`PID START`) names a process still running, other than this one. */
export function ownerIsLive(line: string): boolean {
  return isLive(readOwner(line));
}

/** `1234 567890` (pid and start time); an older file with a bare pid has no start time and counts as dead. */
function readOwner(text: string): Owner | null {
  const [pid, start] = text.trim().split(/\s+/);
  return pid && start && /^\d+$/.test(pid) ? { pid: Number(pid), start } : null;
}

function ownerPath(namespace: string): string {
  return path.join(STATE_DIR, `${namespace}.owner`);
}

/** Create `file` holding our owner line, only if it does not exist (O_EXCL): true if we made it. */
function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Take ownership of `namespaces` atomically: each owner file is created with
 * O_EXCL; one left by a dead owner is taken over under a short global lock,
 * so two runs that both find it stale cannot both take it. Throws
 * TopologyError, touching nothing, when a live run owns one. Returns the files to
 * remove at teardown.
 */
export function claimNamespaces(namespaces: readonly string[]): string[] {
  mkdirSync(STATE_DIR, { recursive: true });
  const lock = path.join(STATE_DIR, 'claim.lock');
  const line = `${ME.pid} ${ME.start}\n`;
  for (let tries = 0; !createExclusive(lock, line); tries++) {
    const holder = existsSync(lock) ? readOwner(readFileSync(lock, 'utf8')) : null;
    if (!isLive(holder) || tries > 200) rmSync(lock, { force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  const claimed: string[] = [];
  try {
    for (const name of namespaces) {
      const file = ownerPath(name);
      if (!createExclusive(file, line)) {
        const owner = readOwner(readFileSync(file, 'utf8'));
        if (isLive(owner)) throw new TopologyError(`namespace ${name} belongs to a run still in progress (pid ${owner!.pid}); not touching it`);
        // A dead owner's claim: ours now (we hold the lock).
        rmSync(file, { force: true });
        if (!createExclusive(file, line)) throw new TopologyError(`could not claim namespace ${name}`);
      }
      claimed.push(file);
    }
    return claimed;
  } catch (e) {
    for (const file of claimed) rmSync(file, { force: true });
    throw e;
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Namespaces that a dead copybench run owned and left, other than `mine`. */
export function strayNamespaces(existing: ReadonlySet<string>, mine: readonly string[]): string[] {
  if (!existsSync(STATE_DIR)) return [];
  return readdirSync(STATE_DIR)
    .filter((f) => f.endsWith('.owner'))
    .map((f) => f.slice(0, -'.owner'.length))
    .filter((name) => existing.has(name) && !mine.includes(name))
    .filter((name) => !isLive(readOwner(readFileSync(ownerPath(name), 'utf8'))));
}

const HOST_SUFFIX = '.host-sysctls.json';

export function hostStatePath(serverNs: string, clientNs: string): string {
  return path.join(STATE_DIR, `${serverNs}+${clientNs}${HOST_SUFFIX}`);
}

/** Note the host's original values before changing them: the file outlives a SIGKILL. */
export function saveHostOriginals(file: string, originals: Record<string, string>): void {
  mkdirSync(STATE_DIR, { recursive: true });
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, JSON.stringify({ owner: `${ME.pid} ${ME.start}`, originals }, null, 2));
  } finally {
    closeSync(fd);
  }
}

function readHostState(file: string): { owner: Owner | null; originals: Record<string, string> } {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // Before owners were recorded the file held the originals alone.
  if (typeof json.owner === 'string' && typeof json.originals === 'object' && json.originals !== null) {
    return { owner: readOwner(json.owner), originals: json.originals as Record<string, string> };
  }
  return { owner: null, originals: json as Record<string, string> };
}

/** Put the host's sysctls back as `file` says, then remove it. */
export async function restoreHostSysctls(file: string, notes: string[]): Promise<void> {
  if (!existsSync(file)) return;
  let state;
  try {
    state = readHostState(file);
  } catch (e) {
    throw new TopologyError(`${file}: unreadable (${(e as Error).message}); restore its sysctls by hand and delete it`);
  }
  for (const [key, value] of Object.entries(state.originals)) {
    const result = await writeSysctl(LOCAL, key, value);
    if (!result.ok) throw new TopologyError(`restoring host sysctl ${key} to ${value} failed: ${result.why}`);
    notes.push(`host sysctl ${key} restored to ${value}`);
  }
  rmSync(file, { force: true });
}

/** Every run, whatever its names: restore the host sysctls of every run that died without doing it. */
export async function restoreDeadRuns(notes: string[]): Promise<void> {
  if (!existsSync(STATE_DIR)) return;
  for (const f of readdirSync(STATE_DIR).filter((name) => name.endsWith(HOST_SUFFIX))) {
    const file = path.join(STATE_DIR, f);
    let owner: Owner | null = null;
    try {
      owner = readHostState(file).owner;
    } catch {
      // unreadable: restoreHostSysctls says so
    }
    if (isLive(owner)) continue;
    const before = notes.length;
    await restoreHostSysctls(file, notes);
    if (notes.length > before) notes.push(`(those were left changed by a run that ended without restoring them: ${f})`);
  }
}
