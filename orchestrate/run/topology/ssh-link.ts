// The run's link to a host: one ssh process that is at once the connection
// every other ssh call of the run shares (ControlMaster) and a small shell
// at the host that answers requests on its stdin — /proc/net/snmp for TCP's
// counters, /proc/stat for steal — without a process start per reading.
//
// The shell's pid and start time at the host are the run's owner there: the
// state file of the run's folder names them (ssh-state.ts), and a later run
// finds the owner dead when this run was killed — its stdin, a pipe from us,
// then ends, and so does the shell.
import type { ProcessOutput } from 'zx';
import { TopologyError } from './topology.ts';
import { hostName, sshArgv, type SshHost } from './ssh-place.ts';
import { lastLines, type ProcessTracker, type Tracked } from '../process.ts';

// First line: "PID START"; then one answer per request, ended by a line ".".
const HOLDER =
  'echo "$$ $(cut -d" " -f22 /proc/$$/stat)"; ' +
  'while read -r what; do case "$what" in snmp) cat /proc/net/snmp;; stat) cat /proc/stat;; esac; echo .; done';

/** What an ssh failure to connect usually means, for the person running. */
export function connectHint(stderr: string): string {
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(stderr)) {
    return (
      'its host key is not the one known_hosts holds for it (or none is known). copybench never accepts a host key by itself: ' +
      'check the key, then connect once with plain ssh, or add it with ssh-keyscan after checking its fingerprint'
    );
  }
  if (/Permission denied/i.test(stderr)) return 'authentication failed: copybench uses your keys and agent as ssh does (BatchMode: no password prompt)';
  if (/timed out|No route to host|Connection refused|Could not resolve|Network is unreachable/i.test(stderr)) return 'the host cannot be reached over SSH';
  return 'ssh could not connect';
}

export class HostLink {
  /** `PID START` of the shell at the host: the run's owner there. */
  readonly owner: string;
  private buffered = '';
  private answer: string[] = [];
  private readonly waiting: ((text: string | null) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly host: Omit<SshHost, 'runDir'>,
    private readonly tracked: Tracked,
    owner: string,
  ) {
    this.owner = owner;
    tracked.promise.stdout.on('data', (d: Buffer) => this.take(d.toString()));
    void tracked.exited.then(() => this.waiting.splice(0).forEach((w) => w(null)));
  }

  /** Connects (host key checked, keys as ssh finds them); throws TopologyError naming the host when it cannot. */
  static async open(host: Omit<SshHost, 'runDir'>, tracker: ProcessTracker, timeoutMs = 20_000): Promise<HostLink> {
    const tracked = tracker.start(sshArgv(host, ['sh', '-c', HOLDER], { master: true }), `${hostName(host)} link`, process.env);
    const first = await new Promise<string | ProcessOutput | null>((resolve) => {
      let buf = '';
      const timer = setTimeout(() => resolve(null), timeoutMs);
      const onData = (d: Buffer) => {
        buf += d.toString();
        const m = /^(\d+ \d+)\n/.exec(buf);
        if (m) {
          clearTimeout(timer);
          tracked.promise.stdout.off('data', onData);
          resolve(m[1]!);
        }
      };
      tracked.promise.stdout.on('data', onData);
      void tracked.exited.then((out) => {
        clearTimeout(timer);
        resolve(out);
      });
    });
    if (typeof first === 'string') return new HostLink(host, tracked, first);
    if (!tracked.done) await tracker.end(tracked, 500);
    const stderr = first === null ? `no answer within ${timeoutMs / 1000} s` : lastLines(first.stderr, 4);
    throw new TopologyError(`${hostName(host)}: ${connectHint(stderr)} (ssh: ${stderr})`);
  }

  private take(text: string): void {
    this.buffered += text;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line !== '.') {
        this.answer.push(line);
        continue;
      }
      const text = this.answer.join('\n') + '\n';
      this.answer = [];
      this.waiting.shift()?.(text);
    }
  }

  /** The text of /proc/net/snmp or /proc/stat at the host now; null once the link is gone. */
  ask(what: 'snmp' | 'stat'): Promise<string | null> {
    const next = this.queue.then(
      () =>
        new Promise<string | null>((resolve) => {
          if (this.tracked.done) return resolve(null);
          this.waiting.push(resolve);
          this.tracked.promise.stdin.write(`${what}\n`);
        }),
    );
    this.queue = next.catch(() => {});
    return next;
  }

  /** Ends the shell (end of its stdin), and with it the connection; ends the ssh process if it lingers. */
  async close(tracker: ProcessTracker): Promise<void> {
    if (this.tracked.done) return;
    this.tracked.promise.stdin.end();
    await Promise.race([this.tracked.exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    if (!this.tracked.done) await tracker.end(this.tracked, 500);
  }
}
