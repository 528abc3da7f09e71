// The runner: with topology.ts, the only module that starts processes.
//
// Every long-lived process is started in its own process group (detached)
// and tracked, so an interrupt ends exactly the processes this run started —
// the group holds `perf` and the binary it runs, nothing else.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { $, which, type ProcessPromise, type ProcessOutput } from 'zx';
import { perfEvents, type Config } from '../config/schema.ts';
import { cpusOf } from '../config/cpus.ts';
import { parsePerfStatReport, type PerfStat } from '../results/perf.ts';
import type { Implementation } from '../config/domain.ts';
import { ClientResult, ReadyLine, ServerResult, parseLine } from '../results/lines.ts';
import type { Experiment } from '../config/plan.ts';
import { experimentSlug } from '../config/plan.ts';
import { crossCheck } from '../results/checks.ts';
import { buildRow, type Row } from '../results/row.ts';
import type { Topology } from './topology/topology.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_BIN_DIR = path.join(ROOT, 'bin');

const BINARY_PREFIX: Record<Implementation, string> = { two_copy: 'a1', one_copy: 'a2', zero_copy: 'a3' };

export function binaryPath(binDir: string, impl: Implementation, role: 'server' | 'client'): string {
  return path.join(binDir, `${BINARY_PREFIX[impl]}_${role}`);
}

// perf prints numbers in the C locale only when told to; a comma decimal
// separator would split its -x, fields.
const CHILD_ENV = { ...process.env, LC_ALL: 'C' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
}

/** Starts processes in their own groups and ends exactly those. */
export class ProcessTracker {
  private readonly live = new Set<Tracked>();

  start(argv: readonly string[], label: string, env: NodeJS.ProcessEnv = CHILD_ENV): Tracked {
    const promise = $({ quiet: true, nothrow: true, detached: true, env })`${argv}`;
    const pid = promise.pid;
    if (pid === undefined) throw new Error(`${label}: could not start ${argv[0]}`);
    const tracked: Tracked = { label, promise, pid, exited: promise.then((o) => o), done: false };
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
   */
  async end(t: Tracked, graceMs = 2000): Promise<void> {
    for (const [signal, wait] of [
      ['SIGINT', graceMs],
      ['SIGTERM', 1000],
      ['SIGKILL', 1000],
    ] as const) {
      if (t.done) return;
      signalGroup(t.pid, signal);
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

/** Waits for the first stdout line of a server; it must be its ready event. */
function waitReady(t: Tracked, ms: number, abort: AbortSignal): Promise<ReadyLine> {
  return new Promise<ReadyLine>((resolve, reject) => {
    let buffered = '';
    const stdout = t.promise.stdout;
    const finish = (err: Error | null, value?: ReadyLine) => {
      clearTimeout(timer);
      stdout.off('data', onData);
      abort.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value!);
    };
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      try {
        finish(null, parseLine(ReadyLine, buffered.slice(0, nl), `${t.label} ready line`));
      } catch (e) {
        finish(e as Error);
      }
    };
    const onAbort = () => finish(new Interrupted('interrupted'));
    const timer = setTimeout(
      () => finish(new Error(`${t.label} printed no ready line within ${ms / 1000} s`)),
      ms,
    );
    stdout.on('data', onData);
    abort.addEventListener('abort', onAbort, { once: true });
    void t.exited.then((out) =>
      finish(new Error(`${t.label} exited (${describeExit(out)}) before its ready line: ${lastLines(out.stderr)}`)),
    );
  });
}

/**
 * Waits until a process prints a line matching `pattern` on stdout or stderr
 * (a peer tool's "listening" line): its readiness, without sleeping.
 */
export function waitForLine(t: Tracked, pattern: RegExp, ms: number, abort: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const buffered = { stdout: '', stderr: '' };
    const streams = [
      ['stdout', t.promise.stdout],
      ['stderr', t.promise.stderr],
    ] as const;
    const listeners = streams.map(([name, stream]) => {
      const onData = (chunk: Buffer | string) => {
        buffered[name] += chunk.toString();
        const line = buffered[name].split('\n').slice(0, -1).find((l) => pattern.test(l));
        if (line !== undefined) finish(null, line);
      };
      stream.on('data', onData);
      return () => stream.off('data', onData);
    });
    const finish = (err: Error | null, line?: string) => {
      clearTimeout(timer);
      for (const off of listeners) off();
      abort.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(line!);
    };
    const onAbort = () => finish(new Interrupted('interrupted'));
    const timer = setTimeout(() => finish(new Error(`${t.label} printed no line matching ${pattern} within ${ms / 1000} s`)), ms);
    abort.addEventListener('abort', onAbort, { once: true });
    void t.exited.then((out) =>
      finish(new Error(`${t.label} exited (${describeExit(out)}) before it was ready: ${lastLines(out.stderr || out.stdout)}`)),
    );
  });
}

export function describeExit(out: ProcessOutput): string {
  return out.signal ? `signal ${out.signal}` : `exit code ${out.exitCode}`;
}

export function lastLines(text: string, n = 3): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.length ? lines.slice(-n).join(' | ') : '(no stderr)';
}

export interface ExperimentContext {
  config: Config;
  topology: Topology;
  tracker: ProcessTracker;
  binDir: string;
  rawDir: string;
  runId: string;
  abort: AbortSignal;
}

/**
 * Where an experiment's wall time went, in seconds from its start: the
 * retransmission counters read, the server ready, the client done, the
 * server done, the counters read again, everything parsed.
 */
export interface ExperimentTimings {
  countersRead: number;
  serverReady: number | null;
  clientExited: number | null;
  serverExited: number | null;
  countersReadAgain: number;
  parsed: number;
}

export type ExperimentOutcome =
  | {
      ok: true;
      row: Row;
      client: ClientResult;
      server: ServerResult;
      perf: { server: PerfStat; client: PerfStat };
      timings: ExperimentTimings;
      notes: string[];
      rawDir: string;
    }
  | { ok: false; problems: string[]; notes: string[]; rawDir: string; timings: ExperimentTimings };

export function perfArgv(config: Config, perfFile: string, cpus: string | null, argv: string[]): string[] {
  const pin = cpus === null ? [] : ['taskset', '-c', cpus];
  return [...pin, 'perf', 'stat', '-x,', '--no-big-num', '-o', perfFile, '-e', perfEvents(config).join(','), '--', ...argv];
}

/**
 * One experiment: server under perf stat, its ready line, the client under
 * perf stat, both exits, then every output parsed, validated and cross-checked.
 * Raw files stay in `raw/<slug>/`. Never throws for a failed experiment; it
 * throws Interrupted when `abort` fired.
 */
export async function runExperiment(e: Experiment, ctx: ExperimentContext): Promise<ExperimentOutcome> {
  const { config, topology, tracker, abort } = ctx;
  const dir = path.join(ctx.rawDir, experimentSlug(e));
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const problems: string[] = [];
  const notes: string[] = [];
  const startedAt = new Date().toISOString();
  const events = perfEvents(config);
  const t0 = performance.now();
  const since = () => (performance.now() - t0) / 1000;
  const timings: ExperimentTimings = {
    countersRead: 0,
    serverReady: null,
    clientExited: null,
    serverExited: null,
    countersReadAgain: 0,
    parsed: 0,
  };

  const serverArgv = [
    binaryPath(ctx.binDir, e.impl, 'server'),
    '--bind', topology.serverAddress,
    '--port', '0',
    '--connections', String(e.threads),
    ...(e.impl === 'zero_copy' && config.zc_slots !== null ? ['--zc-slots', String(config.zc_slots)] : []),
  ];
  const serverCmd = topology.wrap('server', perfArgv(config, file('server.perf'), config.pinning.server, serverArgv));
  const commands: string[] = [JSON.stringify(serverCmd)];

  const retransBefore = await topology.retransmissions();
  timings.countersRead = since();
  // Everything from the server's start to its exit must fit in this budget.
  const budgetMs = (config.warmup_s + config.duration_s + config.timeouts.margin_s) * 1000;
  const deadline = Date.now() + budgetMs;

  const server = tracker.start(serverCmd, `${e.impl}_server`);
  let client: Tracked | null = null;
  let serverOut: ProcessOutput | null = null;
  let clientOut: ProcessOutput | null = null;
  try {
    let ready: ReadyLine | null = null;
    try {
      ready = await waitReady(server, config.timeouts.ready_s * 1000, abort);
      timings.serverReady = since();
    } catch (err) {
      if (err instanceof Interrupted) throw err;
      problems.push((err as Error).message);
    }
    if (ready) {
      const clientArgv = [
        binaryPath(ctx.binDir, e.impl, 'client'),
        '--host', topology.serverAddress,
        '--port', String(ready.port),
        '--size', String(e.msgSize),
        '--threads', String(e.threads),
        '--duration', String(config.duration_s),
        '--warmup', String(config.warmup_s),
        '--mode', e.mode,
        '--verify', config.verify,
      ];
      const clientCmd = topology.wrap('client', perfArgv(config, file('client.perf'), config.pinning.client, clientArgv));
      commands.push(JSON.stringify(clientCmd));
      client = tracker.start(clientCmd, `${e.impl}_client`);
      clientOut = await waitExit(client, deadline - Date.now(), abort);
      timings.clientExited = since();
      if (abort.aborted) throw new Interrupted('interrupted');
      if (!clientOut) {
        problems.push(`client did not finish within ${budgetMs / 1000} s; ended it`);
        await tracker.end(client);
        clientOut = await client.exited;
      }
    }
    // With --connections N the server exits by itself once the client's
    // connections have ended; past the deadline it is asked to stop (SIGINT:
    // it still prints its result and perf still writes its file).
    serverOut = await waitExit(server, deadline - Date.now(), abort);
    timings.serverExited = since();
    if (abort.aborted) throw new Interrupted('interrupted');
    if (!serverOut) {
      if (ready) problems.push(`server did not exit by itself within ${budgetMs / 1000} s; ended it`);
      await tracker.end(server);
      serverOut = await server.exited;
    }
  } finally {
    // On interrupt (or any throw) nothing of this experiment outlives it.
    if (client && !client.done) await tracker.end(client);
    if (!server.done) await tracker.end(server);
    writeFileSync(file('commands.txt'), commands.join('\n') + '\n');
    for (const [name, out] of [
      ['server', serverOut ?? server.promise.output],
      ['client', clientOut ?? client?.promise.output ?? null],
    ] as const) {
      if (!out) continue;
      writeFileSync(file(`${name}.stdout`), out.stdout);
      writeFileSync(file(`${name}.stderr`), out.stderr);
      writeFileSync(file(`${name}.exit`), describeExit(out) + '\n');
    }
  }

  const retransAfter = await topology.retransmissions();
  timings.countersReadAgain = since();
  const tcpRetransSegs = retransBefore === null || retransAfter === null ? null : retransAfter - retransBefore;
  if (tcpRetransSegs === null) notes.push('the TcpRetransSegs counters could not be read; tcp_retrans_segs left empty');

  if (serverOut && serverOut.exitCode !== 0) problems.push(`server ${describeExit(serverOut)}: ${lastLines(serverOut.stderr)}`);
  if (clientOut && clientOut.exitCode !== 0) problems.push(`client ${describeExit(clientOut)}: ${lastLines(clientOut.stderr)}`);

  const client_ = clientOut ? parseResult(ClientResult, clientOut.stdout, 'client stdout', 1, problems) : null;
  // The server's stdout: the ready line, then its result.
  const server_ = serverOut ? parseResult(ServerResult, serverOut.stdout, 'server stdout', 2, problems) : null;
  const serverPerf = readPerf(file('server.perf'), 'server', problems, notes);
  const clientPerf = client ? readPerf(file('client.perf'), 'client', problems, notes) : null;

  if (client_ && server_ && serverPerf && clientPerf) {
    problems.push(...crossCheck({ experiment: e, client: client_, server: server_, serverPerf, clientPerf, events }));
    for (const [side, perf] of [['server', serverPerf], ['client', clientPerf]] as const) {
      for (const ev of events) {
        const c = perf[ev];
        if (c && c.supported && c.value === null) notes.push(`${side} ${ev}: <not counted>; cell left empty`);
        if (c && c.runPct !== null && c.runPct < 100) notes.push(`${side} ${ev}: multiplexed, counted ${c.runPct}% of the run`);
      }
    }
    if (problems.length === 0) {
      try {
        const row = buildRow({
          experiment: e,
          client: client_,
          server: server_,
          serverPerf,
          clientPerf,
          events,
          tcpRetransSegs,
          runId: ctx.runId,
          startedAt,
        });
        timings.parsed = since();
        return {
          ok: true,
          row,
          client: client_,
          server: server_,
          perf: { server: serverPerf, client: clientPerf },
          timings,
          notes,
          rawDir: dir,
        };
      } catch (err) {
        problems.push(`row failed validation: ${(err as Error).message}`);
      }
    }
  }
  if (problems.length === 0) problems.push('no result (see raw files)');
  writeFileSync(file('problems.txt'), problems.join('\n') + '\n');
  timings.parsed = since();
  return { ok: false, problems, notes, rawDir: dir, timings };
}

/** The last `expectedLines`-th JSON line of stdout, parsed with its schema. */
function parseResult<T extends typeof ClientResult | typeof ServerResult>(
  schema: T,
  stdout: string,
  source: string,
  expectedLines: number,
  problems: string[],
): ReturnType<T['parse']> | null {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== expectedLines) {
    problems.push(`${source}: expected ${expectedLines} JSON line(s), got ${lines.length}`);
    if (lines.length === 0) return null;
  }
  try {
    return parseLine(schema, lines[lines.length - 1]!, source) as ReturnType<T['parse']>;
  } catch (err) {
    problems.push((err as Error).message);
    return null;
  }
}

function readPerf(file: string, side: string, problems: string[], notes: string[]): PerfStat | null {
  if (!existsSync(file)) {
    problems.push(`${side} perf file was not written`);
    return null;
  }
  const report = parsePerfStatReport(readFileSync(file, 'utf8'));
  for (const u of report.unparsed) notes.push(`${side} perf line ${u.lineNumber} not understood (${u.reason}): ${u.line}`);
  return report.counts;
}

// ---------------------------------------------------------------------------
// Preflight, build and machine facts.

export class PreflightError extends Error {
  override name = 'PreflightError';
}

const TOOL_PACKAGES: Record<string, string> = {
  perf: 'linux-perf',
  ip: 'iproute2',
  taskset: 'util-linux',
  make: 'make',
  cc: 'gcc',
};

export interface PreflightResult {
  /** Events perf reported as <not supported> here: their cells stay empty. */
  unsupportedEvents: string[];
  warnings: string[];
}

export async function preflight(config: Config, opts: { build: boolean }): Promise<PreflightResult> {
  const warnings: string[] = [];
  if (config.topology.kind === 'netns' && process.getuid?.() !== 0) {
    throw new PreflightError(
      'topology netns needs root (it creates network namespaces and a veth pair): run as root, ' +
        'or use `topology: { kind: loopback }` in the config, which needs no root',
    );
  }
  const tools = ['perf', 'ip'];
  if (config.pinning.server !== null || config.pinning.client !== null) tools.push('taskset');
  if (opts.build) tools.push('make', 'cc');
  const missing: string[] = [];
  for (const tool of tools) {
    if (!(await which(tool, { nothrow: true }))) missing.push(`${tool} (Debian package ${TOOL_PACKAGES[tool]})`);
  }
  if (missing.length) {
    const packages = [...new Set(missing.map((m) => /package (\S+)\)/.exec(m)?.[1]))].join(' ');
    throw new PreflightError(`missing tools: ${missing.join(', ')}; install with: apt-get install ${packages}`);
  }

  const cpuCount = os.cpus().length;
  for (const side of ['server', 'client'] as const) {
    const list = config.pinning[side];
    if (list === null) continue;
    const cpus = cpusOf(list);
    if (cpus.some((c) => c >= cpuCount)) {
      throw new PreflightError(`pinning.${side}: CPU list ${list} names a CPU this machine does not have (CPUs 0-${cpuCount - 1})`);
    }
  }

  // Can perf count at all, and which events does it support here?
  const tmp = path.join(os.tmpdir(), `copybench-preflight-${process.pid}.perf`);
  const events = perfEvents(config);
  const probe = await $({ quiet: true, nothrow: true, env: CHILD_ENV })`perf stat -x, --no-big-num -o ${tmp} -e ${events.join(',')} -- true`;
  if (probe.exitCode !== 0) {
    let paranoid = '?';
    try {
      paranoid = readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim();
    } catch {
      // not Linux, or no procfs
    }
    throw new PreflightError(
      `perf cannot count here (kernel.perf_event_paranoid = ${paranoid}): ${lastLines(probe.stderr)}. ` +
        'Run as root, or lower it: sysctl -w kernel.perf_event_paranoid=1',
    );
  }
  const report = parsePerfStatReport(readFileSync(tmp, 'utf8'));
  rmSync(tmp, { force: true });
  const unsupportedEvents = events.filter((ev) => report.counts[ev] && !report.counts[ev]!.supported);
  const absent = events.filter((ev) => !report.counts[ev]);
  if (absent.length) throw new PreflightError(`perf printed no row for: ${absent.join(', ')} (is the event name right? see perf list)`);
  if (unsupportedEvents.length) {
    warnings.push(`perf cannot count ${unsupportedEvents.join(', ')} on this machine: those cells stay empty`);
  }
  return { unsupportedEvents, warnings };
}

/** `make` (compile only). Throws PreflightError with the compiler's output. */
export async function build(tracker: ProcessTracker): Promise<void> {
  const t = tracker.start(['make', '-s', '-C', ROOT, 'all'], 'make', process.env);
  const out = await t.exited;
  if (out.exitCode !== 0) throw new PreflightError(`make failed (${describeExit(out)}):\n${out.stderr || out.stdout}`);
}

export function checkBinaries(binDir: string, impls: readonly Implementation[]): void {
  const missing = impls.flatMap((impl) =>
    (['server', 'client'] as const).map((role) => binaryPath(binDir, impl, role)).filter((p) => !existsSync(p)),
  );
  if (missing.length) throw new PreflightError(`binaries missing: ${missing.join(', ')} (run make)`);
}

export interface MachineFacts {
  kernel: string;
  cpu_model: string;
  cores: number;
  perf_version: string | null;
  gcc_version: string | null;
  node_version: string;
  git_commit: string | null;
  git_dirty: boolean | null;
  hostname: string;
}

async function firstLine(argv: string[]): Promise<string | null> {
  const out = await $({ quiet: true, nothrow: true, cwd: ROOT })`${argv}`;
  return out.exitCode === 0 ? (out.stdout.split('\n')[0] ?? '').trim() || null : null;
}

export async function machineFacts(): Promise<MachineFacts> {
  const status = await $({ quiet: true, nothrow: true, cwd: ROOT })`git status --porcelain --untracked-files=no`;
  return {
    kernel: `${os.type()} ${os.release()}`,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    perf_version: await firstLine(['perf', '--version']),
    gcc_version: await firstLine(['gcc', '--version']),
    node_version: process.version,
    git_commit: await firstLine(['git', 'rev-parse', 'HEAD']),
    git_dirty: status.exitCode === 0 ? status.stdout.trim() !== '' : null,
    hostname: os.hostname(),
  };
}
