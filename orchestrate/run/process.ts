// Processes: how run/ starts, watches and ends them. Every long-lived process
// is started in its own process group (detached) and tracked, so an interrupt
// ends exactly the processes this run started — a group holds `perf` and the
// program it runs, nothing else. Readiness is a line the process prints,
// never a sleep. A process started at another host is signalled there, by
// its remote process group (its place says how), before its local ssh.
import { $, type ProcessOutput, type ProcessPromise } from 'zx';
import type { RemoteSignal } from './place.ts';

// perf prints numbers in the C locale only when told to; a comma decimal
// separator would split its -x, fields.
export const CHILD_ENV = { ...process.env, LC_ALL: 'C' };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Interrupted extends Error {
  override name = 'Interrupted';
}

export interface Tracked {
  label: string;
  promise: ProcessPromise;
  pid: number;
  /** Settles when the process has exited (never rejects). */
  exited: Promise<ProcessOutput>;
  done: boolean;
  /** How a signal reaches it at another host; null: its local process group is all of it. */
  remote: RemoteSignal | null;
}

/** How long a remote signal may take before the local ssh is signalled instead. */
const REMOTE_SIGNAL_MS = 5000;

/** Starts processes in their own groups and ends exactly those. */
export class ProcessTracker {
  private readonly live = new Set<Tracked>();

  start(argv: readonly string[], label: string, env: NodeJS.ProcessEnv = CHILD_ENV, remote: RemoteSignal | null = null): Tracked {
    const promise = $({ quiet: true, nothrow: true, detached: true, env })`${argv}`;
    const pid = promise.pid;
    if (pid === undefined) throw new Error(`${label}: could not start ${argv[0]}`);
    const tracked: Tracked = { label, promise, pid, exited: promise.then((o) => o), done: false, remote };
    this.live.add(tracked);
    void tracked.exited.finally(() => {
      tracked.done = true;
      this.live.delete(tracked);
    });
    return tracked;
  }

  get size(): number {
    return this.live.size;
  }

  /**
   * End one process group: SIGINT first (perf then writes its file and the
   * binaries print their result), SIGTERM after `graceMs`, SIGKILL last.
   * A remote process is signalled at its host, and its local ssh as well
   * when that fails or at SIGKILL (the ssh then ends however the host is).
   */
  async end(t: Tracked, graceMs = 2000): Promise<void> {
    for (const [signal, wait] of [
      ['SIGINT', graceMs],
      ['SIGTERM', 1000],
      ['SIGKILL', 1000],
    ] as const) {
      if (t.done) return;
      const delivered = t.remote ? await Promise.race([t.remote(signal), sleep(REMOTE_SIGNAL_MS).then(() => false)]) : false;
      if (!delivered || signal === 'SIGKILL') signalGroup(t.pid, signal);
      await Promise.race([t.exited, sleep(wait)]);
    }
  }

  async endAll(graceMs = 2000): Promise<void> {
    await Promise.all([...this.live].map((t) => this.end(t, graceMs)));
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // The group id is the pid of the process we started (detached → setsid).
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Resolves with the exit, or with null once `ms` have passed or `abort` fires. */
export async function waitExit(t: Tracked, ms: number, abort: AbortSignal): Promise<ProcessOutput | null> {
  if (abort.aborted) return null;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), Math.max(0, ms));
    onAbort = () => resolve(null);
    abort.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([t.exited, timeout]);
  } finally {
    clearTimeout(timer);
    if (onAbort) abort.removeEventListener('abort', onAbort);
  }
}

/**
 * How a listener says it is ready: `onLine` sees each complete line of its
 * stdout and stderr as it comes, and returns what the driver needs (a port),
 * undefined to keep waiting, or throws when the line proves it will never
 * be ready (e.g. a malformed ready line).
 */
export interface Readiness<R> {
  /** What is awaited, for messages: "its {\"event\":\"ready\"} line". */
  describe: string;
  onLine(line: string, stream: 'stdout' | 'stderr'): R | undefined;
}

/** Readiness as a line matching `pattern` on either stream, answered with `value`. */
export function lineMatching<R>(pattern: RegExp, value: R): Readiness<R> {
  return { describe: `a line matching ${pattern}`, onLine: (line) => (pattern.test(line) ? value : undefined) };
}

/** Waits until `t` is ready by `readiness`; rejects on timeout, exit, a refused line, or Interrupted on abort. */
export function waitReady<R>(t: Tracked, readiness: Readiness<R>, ms: number, abort: AbortSignal): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const offs: (() => void)[] = [];
    const finish = (err: Error | null, value?: R) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const off of offs) off();
      abort.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value as R);
    };
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = t.promise[name];
      let buffered = '';
      const onData = (chunk: Buffer | string) => {
        buffered += chunk.toString();
        let nl: number;
        while (!settled && (nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          try {
            const value = readiness.onLine(line, name);
            if (value !== undefined) finish(null, value);
          } catch (e) {
            finish(e as Error);
          }
        }
      };
      stream.on('data', onData);
      offs.push(() => stream.off('data', onData));
    }
    const onAbort = () => finish(new Interrupted('interrupted'));
    const timer = setTimeout(
      () => finish(new Error(`${t.label} printed no ready line within ${ms / 1000} s (waiting for ${readiness.describe})`)),
      ms,
    );
    abort.addEventListener('abort', onAbort, { once: true });
    void t.exited.then((out) =>
      finish(new Error(`${t.label} exited (${describeExit(out)}) before it was ready: ${lastLines(out.stderr || out.stdout)}`)),
    );
  });
}

export function describeExit(out: Pick<ProcessOutput, 'signal' | 'exitCode'>): string {
  return out.signal ? `signal ${out.signal}` : `exit code ${out.exitCode}`;
}

export function lastLines(text: string, n = 3): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.length ? lines.slice(-n).join(' | ') : '(no stderr)';
}
