// A host reached over SSH, as a Place. Every ssh call goes through the run's
// own connection to the host (ControlPath in a per-run control folder; the
// master is the host's link, ssh-link.ts), so a call costs a channel, not a
// handshake. Host keys are always checked: StrictHostKeyChecking=yes on the
// command line wins over any ssh_config. BatchMode: never a prompt that would
// hang a run.
//
// ssh hands the remote command to the user's login shell as one string, so
// every argv is quoted here (shellQuote) and nothing is built by hand. A
// process that may have to be ended is started by LAUNCH, which writes its
// pid, process group and start time to a file in the run's folder on the
// host; ending it signals that process group there — sshd gives every session
// its own (setsid) — and only while that very process (pid and start time)
// is alive: never a name match.
import path from 'node:path';
import { $ } from 'zx';
import type { Side } from '../../config/domain.ts';
import { writeFile } from '../../results/store.ts';
import type { Launch, Place } from '../place.ts';
import { lastLines } from '../process.ts';

/** One end of topology ssh: how to reach it, and its folder for this run. */
export interface SshHost {
  side: Side;
  /** As the config names it: `root@192.0.2.10`, or a Host of the ssh_config. */
  destination: string;
  sshConfig: string | null;
  /** The master connection's socket (ssh-link.ts opens it). */
  controlPath: string;
  /** This run's folder on the host: `<work_dir>/<run token>-<side>`. */
  runDir: string;
}

/** For messages: `server host root@192.0.2.10`. */
export const hostName = (host: Pick<SshHost, 'side' | 'destination'>) => `${host.side} host ${host.destination}`;

// Characters a POSIX shell (and csh) reads literally outside quotes.
const BARE = /^[A-Za-z0-9_\/.,:=@%+-]+$/;

/** argv as one string a POSIX shell splits back into exactly argv. Pure. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (BARE.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** `ssh [-F FILE] -o ... -- DESTINATION COMMAND`; `master` opens the connection the others share. Pure. */
export function sshArgv(host: Omit<SshHost, 'runDir' | 'side'>, remote: readonly string[], { master = false } = {}): string[] {
  return [
    'ssh',
    ...(host.sshConfig ? ['-F', host.sshConfig] : []),
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `ControlPath=${host.controlPath}`,
    '-o', `ControlMaster=${master ? 'yes' : 'no'}`,
    // The master is the run's own process, ended by the run: never left behind as a daemon.
    '-o', 'ControlPersist=no',
    '-o', 'ConnectTimeout=10',
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    '-T',
    '--', host.destination,
    shellQuote(remote),
  ];
}

// `sh -c LAUNCH PIDFILE ARGV...`: note who we are, then become ARGV (exec keeps the pid).
const LAUNCH = 'echo "$$ $(cut -d" " -f5,22 /proc/$$/stat)" > "$0"; exec "$@"';

// `sh -c SIGNAL PIDFILE SIG`: wait briefly for the pid file of a process just
// started; signal its group only if the process it names is still that one.
// Exit 0: signalled or already gone; 3: it never started.
const SIGNAL =
  'i=0; while [ ! -s "$0" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; [ -s "$0" ] || exit 3; ' +
  'read pid pgid start < "$0"; [ "$(cut -d" " -f22 /proc/$pid/stat 2>/dev/null)" = "$start" ] || exit 0; ' +
  'kill -s "$1" -- "-$pgid"';

// perf's locale: a comma decimal separator would split its -x, fields.
const C_LOCALE = ['env', 'LC_ALL=C'];

/** Brings a file home from the host: its bytes, removed there; null when it was not written. */
export type TakeFile = (remotePath: string) => Promise<Buffer | null>;

/** A file taken home with an ssh call of its own (cat, then rm). */
export async function takeOverSsh(host: SshHost, remotePath: string): Promise<Buffer | null> {
  const out = await atHost(host, ['sh', '-c', 'cat "$0" && rm -f "$0"', remotePath]);
  // 255: ssh itself failed; 1: the file was not written (the process did not get that far).
  if (out.exitCode === 255) throw new Error(`${hostName(host)}: could not bring back ${path.basename(remotePath)}: ${lastLines(out.stderr)}`);
  return out.exitCode === 0 ? out.buffer() : null;
}

/** The host as a Place: commands over the run's connection, files in its run folder, brought home by `take`. */
export function sshPlace(host: SshHost, take: TakeFile = (remote) => takeOverSsh(host, remote)): Place {
  const command = (argv: readonly string[]) => sshArgv(host, [...C_LOCALE, ...argv]);
  let launched = 0;
  const launch = (argv: readonly string[], label: string): Launch => {
    const pidFile = `${host.runDir}/pids/${++launched}-${label.replace(/[^A-Za-z0-9_-]/g, '_')}.pid`;
    return {
      argv: sshArgv(host, ['sh', '-c', LAUNCH, pidFile, ...C_LOCALE, ...argv]),
      signal: async (signal) => {
        const out = await atHost(host, ['sh', '-c', SIGNAL, pidFile, signal.replace(/^SIG/, '')]);
        return out.exitCode === 0;
      },
    };
  };
  // raw/<slug>/server.perf → <run folder>/out/<slug>.server.perf: one flat folder made at setup.
  const outputPath = (localFile: string) => `${host.runDir}/out/${path.basename(path.dirname(localFile))}.${path.basename(localFile)}`;
  return {
    name: hostName(host),
    command,
    launch,
    outputPath,
    collect: async (localFiles) => {
      for (const file of localFiles) {
        const bytes = await take(outputPath(file));
        if (bytes !== null) writeFile(file, bytes.toString());
      }
    },
    binDir: () => `${host.runDir}/bin`,
  };
}

/**
 * Runs `argv` at the host over the run's connection, awaited; `input` is its
 * stdin. Detached, so a Ctrl-C at the terminal reaches only the orchestrator.
 * Exit code 255 is ssh's own failure.
 */
export function atHost(host: Omit<SshHost, 'runDir' | 'side'>, argv: readonly string[], input?: string | Buffer) {
  return $({ quiet: true, nothrow: true, detached: true, ...(input === undefined ? {} : { input }) })`${sshArgv(host, argv)}`;
}
