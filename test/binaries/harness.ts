// Starting the binaries in tests: a server on a free loopback port (found from
// its ready line, never a sleep), a client against it, and every process
// accounted for so a failing test leaves nothing running.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientResult, ReadyLine, ServerResult, parseLine } from '../../orchestrate/results/lines.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const VARIANTS = [
  { impl: 'two_copy', n: 1 },
  { impl: 'one_copy', n: 2 },
  { impl: 'zero_copy', n: 3 },
  { impl: 'uring_zero_copy', n: 4 },
] as const;
export type Build = 'bin' | 'bin/asan';

export function binary(build: Build, n: number, role: 'server' | 'client'): string {
  return path.join(ROOT, build, `a${n}_${role}`);
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const live = new Set<ChildProcess>();
/** End whatever a failed test left running (by the ids we started). */
export function killAll(): void {
  for (const p of live) p.kill('SIGKILL');
  live.clear();
}

const SANITIZER_ENV = {
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:exitcode=99',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1:exitcode=99',
};

export interface Started {
  proc: ChildProcess;
  exited: Promise<Exited>;
}

export function start(file: string, args: string[]): Started {
  const proc = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...SANITIZER_ENV } });
  live.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = (async () => {
    const [code, signal] = (await once(proc, 'close')) as [number | null, NodeJS.Signals | null];
    live.delete(proc);
    return { code, signal, stdout, stderr };
  })();
  return { proc, exited };
}

export async function run(file: string, args: string[]): Promise<Exited> {
  return start(file, args).exited;
}

export interface Server extends Started {
  port: number;
}

/** Start a server on port 0 and resolve once its ready line names the port. */
export async function startServer(file: string, args: string[] = []): Promise<Server> {
  const s = start(file, ['--bind', '127.0.0.1', '--port', '0', ...args]);
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    s.proc.stdout!.on('data', (d: string) => {
      seen += d;
      const nl = seen.indexOf('\n');
      if (nl >= 0) {
        try {
          resolve(parseLine(ReadyLine, seen.slice(0, nl), 'ready line').port);
        } catch (e) {
          reject(e);
        }
      }
    });
    s.exited.then((e) => reject(new Error(`server exited before ready: ${e.code} ${e.stderr}`)));
  });
  return { ...s, port };
}

export function lastLine(stdout: string): string {
  const lines = stdout.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

export function serverResult(e: Exited): ServerResult {
  return parseLine(ServerResult, lastLine(e.stdout), 'server result');
}

export function clientResult(e: Exited): ClientResult {
  return parseLine(ClientResult, lastLine(e.stdout), 'client result');
}

/** A port on loopback that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Sanitizer reports in a process's stderr, if any. */
export function sanitizerReports(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/.test(l));
}
