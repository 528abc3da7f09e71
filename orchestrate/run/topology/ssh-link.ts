// The run's link to a host: one ssh process that is at once the connection
// every other ssh call of the run shares (ControlMaster) and a small shell
// at the host that answers requests on its stdin — /proc/net/snmp for TCP's
// counters, /proc/stat for steal, a perf file to bring home — without a
// process start per request (a new ssh channel costs ~0.1 s on a busy host).
//
// The shell's pid and start time at the host are the run's owner there: the
// state file of the run's folder names them (ssh-state.ts), and a later run
// finds the owner dead when this run was killed — its stdin, a pipe from us,
// then ends, and so does the shell.
import type { ProcessOutput } from 'zx';
import { TopologyError } from './topology.ts';
import { hostName, sshArgv, type SshHost } from './ssh-place.ts';
import { lastLines, type ProcessTracker, type Tracked } from '../process.ts';

// First line: "PID START". Then per request line `snmp`, `stat` or `take PATH`
// (the file, removed once read): its length in bytes on a line, then exactly
// that many bytes; -1 when it cannot be read. Read into a variable first, so
// the length is that of what is sent ($(...) drops trailing newlines: hence
// the "." kept and cut). LC_ALL=C: ${#t} counts bytes.
const HOLDER =
  'echo "$$ $(cut -d" " -f22 /proc/$$/stat)"; ' +
  'while read -r what arg; do case "$what" in snmp) f=/proc/net/snmp;; stat) f=/proc/stat;; take) f=$arg;; *) f=/nonexistent;; esac; ' +
  'if t=$(cat "$f" 2>/dev/null && echo .); then t=${t%.}; [ "$what" = take ] && rm -f "$f"; printf "%s\n%s" "${#t}" "$t"; else echo -1; fi; done';

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

export type Request = 'snmp' | 'stat' | `take ${string}`;

export class HostLink {
  /** `PID START` of the shell at the host: the run's owner there. */
  readonly owner: string;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly waiting: ((answer: Buffer | null) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly host: Omit<SshHost, 'runDir'>,
    private readonly tracked: Tracked,
    owner: string,
    rest: Buffer,
  ) {
    this.owner = owner;
    this.buffered = rest;
    tracked.promise.stdout.on('data', (d: Buffer) => this.take(d));
    void tracked.exited.then(() => this.waiting.splice(0).forEach((w) => w(null)));
  }

  /** Connects (host key checked, keys as ssh finds them); throws TopologyError naming the host when it cannot. */
  static async open(host: Omit<SshHost, 'runDir'>, tracker: ProcessTracker, timeoutMs = 20_000): Promise<HostLink> {
    const argv = sshArgv(host, ['env', 'LC_ALL=C', 'sh', '-c', HOLDER], { master: true });
    const tracked = tracker.start(argv, `${hostName(host)} link`, process.env);
    const first = await new Promise<[string, Buffer] | ProcessOutput | null>((resolve) => {
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => resolve(null), timeoutMs);
      // A login script may print lines of its own first: the owner line is the first that looks like one.
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        for (let start = 0, nl: number; (nl = buf.indexOf(10, start)) >= 0; start = nl + 1) {
          const m = /^(\d+ \d+)$/.exec(buf.subarray(start, nl).toString());
          if (!m) continue;
          clearTimeout(timer);
          tracked.promise.stdout.off('data', onData);
          return resolve([m[1]!, buf.subarray(nl + 1)]);
        }
      };
      tracked.promise.stdout.on('data', onData);
      void tracked.exited.then((out) => {
        clearTimeout(timer);
        resolve(out);
      });
    });
    if (Array.isArray(first)) return new HostLink(host, tracked, first[0], first[1]);
    if (!tracked.done) await tracker.end(tracked, 500);
    const stderr = first === null ? `no answer within ${timeoutMs / 1000} s` : lastLines(first.stderr, 4);
    throw new TopologyError(`${hostName(host)}: ${connectHint(stderr)} (ssh: ${stderr})`);
  }

  /** Answers in order: a length line, then that many bytes. */
  private take(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const nl = this.buffered.indexOf(10);
      if (nl < 0) return;
      const length = Number(this.buffered.subarray(0, nl).toString());
      if (length >= 0 && this.buffered.length < nl + 1 + length) return;
      const answer = length < 0 ? null : this.buffered.subarray(nl + 1, nl + 1 + length);
      this.buffered = this.buffered.subarray(nl + 1 + Math.max(0, length));
      this.waiting.shift()?.(answer);
    }
  }

  get alive(): boolean {
    return !this.tracked.done;
  }

  /** The file's bytes at the host (snmp: /proc/net/snmp, stat: /proc/stat, take: a file, removed); null when unreadable or the link is gone. */
  ask(request: Request): Promise<Buffer | null> {
    const next = this.queue.then(
      () =>
        new Promise<Buffer | null>((resolve) => {
          if (this.tracked.done) return resolve(null);
          this.waiting.push(resolve);
          this.tracked.promise.stdin.write(`${request}\n`);
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
