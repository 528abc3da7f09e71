// What a run leaves on a host (topology ssh), and how it is repaired: the
// run's folder `<work_dir>/<token>-<side>` holds the sources and binaries,
// `pids/` (one file per process started, ssh-place.ts), `out/` (perf files
// until collected) and `state`, a few lines that outlive a SIGKILL:
//
//   owner PID START         the run's link shell there (ssh-link.ts)
//   net BOOT_ID NETNS       the network stack its sysctls belong to
//   sysctl KEY VALUE        an original value, before the run changed it
//
// At exit the run restores the sysctls, ends any process its pid files name
// that is still that process, and removes the folder (with --keep-remote:
// the state file only). A run that finds a folder whose owner is dead
// repairs it the same way first — if it is the same network stack; after a
// reboot only the folder is left to remove.
import type { HostIdentity } from '../../results/hosts.ts';
import type { Place } from '../place.ts';
import { lastLines } from '../process.ts';
import { atHost, hostName, type SshHost } from './ssh-place.ts';
import { writeSysctl } from './sysctl.ts';
import { TopologyError } from './topology.ts';

export interface RunState {
  owner: string;
  identity: HostIdentity;
  /** Sysctl key → its value before the run changed it. */
  originals: Record<string, string>;
}

/** The state file's text. Pure. */
export function stateText(s: RunState): string {
  return [
    `owner ${s.owner}`,
    `net ${s.identity.bootId} ${s.identity.netns}`,
    ...Object.entries(s.originals).map(([k, v]) => `sysctl ${k} ${v}`),
  ].join('\n') + '\n';
}

/** A state file's text → its state; null when it is not one. Pure. */
export function parseState(text: string): RunState | null {
  let owner: string | null = null;
  let identity: HostIdentity | null = null;
  const originals: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [word, ...rest] = line.trim().split(/\s+/);
    if (word === 'owner' && rest.length === 2) owner = rest.join(' ');
    else if (word === 'net' && rest.length === 2) identity = { bootId: rest[0]!, netns: rest[1]! };
    else if (word === 'sysctl' && rest.length >= 2) originals[rest[0]!] = rest.slice(1).join(' ');
  }
  return owner && identity ? { owner, identity, originals } : null;
}

type Reach = Omit<SshHost, 'runDir'>;

/**
 * Creates the run's folder with its state (and `work_dir` if needed: then
 * true, so teardown removes it again once empty). Refuses a folder that exists.
 */
export async function createRunFolder(host: SshHost, workDir: string, state: RunState): Promise<boolean> {
  const out = await atHost(
    host,
    ['sh', '-c', 'c=; [ -d "$0" ] || c=1; mkdir -p "$0" && mkdir "$1" && mkdir "$1/pids" "$1/out" && cat > "$1/state" && echo "made${c:+ work_dir}"', workDir, host.runDir],
    stateText(state),
  );
  if (out.exitCode !== 0 || !out.stdout.includes('made')) {
    throw new TopologyError(`${hostName(host)}: cannot create ${host.runDir}: ${lastLines(out.stderr)}`);
  }
  return out.stdout.includes('work_dir');
}

/** Writes the state file anew (before each sysctl is changed). */
export async function saveState(host: SshHost, state: RunState): Promise<void> {
  const out = await atHost(host, ['sh', '-c', 'cat > "$0.new" && mv "$0.new" "$0"', `${host.runDir}/state`], stateText(state));
  if (out.exitCode !== 0) throw new TopologyError(`${hostName(host)}: cannot write ${host.runDir}/state: ${lastLines(out.stderr)}`);
}

// `sh -c SWEEP RUN_DIR`: end (SIGKILL, its whole group) every process a pid file names that is still that process; print their files.
const SWEEP =
  'for f in "$0"/pids/*.pid; do [ -s "$f" ] || continue; read pid pgid start < "$f"; ' +
  'if [ "$(cut -d" " -f22 /proc/$pid/stat 2>/dev/null)" = "$start" ]; then kill -s KILL -- "-$pgid" && echo "${f##*/}"; fi; done';

/** Puts the sysctls back, ends what the pid files name, removes the folder (or only its state, to keep it). Returns notes. */
export async function cleanRunFolder(host: Reach & { runDir: string }, place: Place, originals: Record<string, string>, keep: boolean): Promise<string[]> {
  const name = hostName(host);
  const notes: string[] = [];
  const problems: string[] = [];
  const swept = await atHost(host, ['sh', '-c', SWEEP, host.runDir]);
  if (swept.exitCode !== 0) problems.push(`ending its processes: ${lastLines(swept.stderr)}`);
  const ended = swept.stdout.split('\n').filter(Boolean);
  if (ended.length) notes.push(`${name}: ended ${ended.length} process(es) still running there (${ended.join(', ')})`);
  for (const [key, value] of Object.entries(originals)) {
    const back = await writeSysctl(place, key, value);
    if (back.ok) notes.push(`${name}: sysctl ${key} restored to ${value}`);
    else problems.push(`restoring ${key} to ${value}: ${back.why}`);
  }
  // Only once the sysctls are back: the state file is how a later run would finish the job.
  if (problems.length === 0) {
    const rm = await atHost(host, keep ? ['rm', '-f', `${host.runDir}/state`] : ['rm', '-rf', host.runDir]);
    if (rm.exitCode !== 0) problems.push(`removing ${host.runDir}: ${lastLines(rm.stderr)}`);
    else if (keep) notes.push(`${name}: kept ${host.runDir} (--keep-remote)`);
  }
  if (problems.length) throw new TopologyError(`${name}: ${problems.join('; ')}; its state is in ${host.runDir}/state`);
  return notes;
}

// `sh -c LEFTOVERS WORK_DIR`: every run folder with a state file, and whether its owner lives.
const LEFTOVERS =
  'for f in "$0"/*/state; do [ -f "$f" ] || continue; echo "== ${f%/state}"; cat "$f"; ' +
  'set -- $(sed -n "s/^owner //p" "$f"); ' +
  'if [ -n "$1" ] && [ "$(cut -d" " -f22 /proc/$1/stat 2>/dev/null)" = "$2" ]; then echo "alive yes"; else echo "alive no"; fi; done';

/** Folders under work_dir left by runs whose owner at this host is dead. Pure. */
export function deadRuns(listing: string): { dir: string; state: RunState }[] {
  const found: { dir: string; state: RunState }[] = [];
  for (const block of listing.split(/^== /m).filter((b) => b.trim())) {
    const [dir, ...lines] = block.split('\n');
    const state = parseState(lines.join('\n'));
    if (dir && state && lines.some((l) => l.trim() === 'alive no')) found.push({ dir: dir.trim(), state });
  }
  return found;
}

/**
 * Repairs what killed runs left under work_dir at this host: on this network
 * stack their sysctls restored, their processes ended and their folders
 * removed; after a reboot the folder alone; another stack's left (named).
 */
export async function repairDeadRuns(host: Reach, place: Place, workDir: string, here: HostIdentity): Promise<string[]> {
  const listing = await atHost(host, ['sh', '-c', LEFTOVERS, workDir]);
  if (listing.exitCode !== 0) throw new TopologyError(`${hostName(host)}: cannot look for leftovers in ${workDir}: ${lastLines(listing.stderr)}`);
  const notes: string[] = [];
  for (const { dir, state } of deadRuns(listing.stdout)) {
    const sameBoot = state.identity.bootId === here.bootId;
    if (sameBoot && state.identity.netns !== here.netns) {
      notes.push(`${hostName(host)}: ${dir} was left by a killed run on another network namespace there; not touched`);
      continue;
    }
    if (sameBoot) notes.push(...(await cleanRunFolder({ ...host, runDir: dir }, place, state.originals, false)));
    else {
      // After a reboot its sysctls and processes are gone already (and its pids mean nothing).
      const rm = await atHost(host, ['rm', '-rf', dir]);
      if (rm.exitCode !== 0) throw new TopologyError(`${hostName(host)}: cannot remove ${dir}: ${lastLines(rm.stderr)}`);
    }
    notes.push(`${hostName(host)}: removed ${dir}, left by a run that was killed`);
  }
  return notes;
}
