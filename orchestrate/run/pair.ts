// The pair engine: one function runs every listener/driver pair — copybench's
// aN_server/aN_client and each peer tool alike. It owns what they share:
// perf stat and pinning around both processes, readiness (a line, never a
// sleep), one deadline, ordered shutdown, the raw files, TCP's counters read
// before and after, the steal time of each side's CPUs while the driver ran,
// and running a pair again when the hypervisor stole too much of it. What the
// outputs mean is the caller's pure `interpret` function.
//
// Raw files, in raw/<slug>/: commands.txt; per side server.* / client.*
// (.stdout, .stderr, .exit, .perf); problems.txt when the pair failed. Each
// side runs at its place (topology): a host's perf file is collected after. An
// attempt run again for interference keeps its files in raw/<slug>-try<k>/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProcessOutput } from 'zx';
import { perfEvents, type Config } from '../config/schema.ts';
import { SIDES, type Side } from '../config/domain.ts';
import { cpusOf } from '../config/cpus.ts';
import type { Interpretation, PairOutputs, ProcessRecord } from '../results/outputs.ts';
import { interferenceVerdict, stealPercent, type InterferenceLimits, type ProcStat, type StealReading } from '../results/steal.ts';
import { makeDir, moveAside, writeFile } from '../results/store.ts';
import { readProcStat } from './machine.ts';
import type { Place } from './place.ts';
import { Interrupted, describeExit, lastLines, waitExit, waitReady, type ProcessTracker, type Readiness, type Tracked } from './process.ts';
import type { Topology, TopologyCounters } from './topology/topology.ts';

/** One process of a pair: which side it runs on and what it runs there. */
export interface ProcessSpec {
  side: Side;
  /** For messages: `two_copy_server`, `iperf3 client`. */
  label: string;
  argv: string[];
}

export interface ListenerSpec<R> extends ProcessSpec {
  ready: Readiness<R>;
  /** True: it exits once the driver is done (copybench's --connections, iperf3 -1); false: it is asked to stop. */
  exitsByItself: boolean;
}

/** A listener, then a driver built from what the listener's readiness gave (e.g. its port). */
export interface PairSpec<R> {
  listener: ListenerSpec<R>;
  driver(ready: R): ProcessSpec;
}

/** Where and how a pair runs: places, pinning, perf events, time limits, counters. */
export interface PairContext {
  places: Record<Side, Place>;
  pinning: Record<Side, string | null>;
  perfEvents: readonly string[];
  /** Sample instead of counting: perf record -g of each side's pinned CPUs (all CPUs when unpinned) while it runs; files <side>.perf.data. */
  recorder?: Recorder | null;
  readyS: number;
  /** Everything from the listener's start to its exit must fit in this. */
  budgetS: number;
  /** TCP's counters so far on the topology (retransmitted segments, the server namespace's segments sent). */
  tcpCounters(): Promise<TopologyCounters>;
  /** Each side's /proc/stat now (one machine: the same reading twice); null when unreadable. Read right before the driver starts and right after it exits. */
  cpuTicks(): Promise<Record<Side, ProcStat | null>>;
  /** When steal on a side's CPUs makes an attempt run again; null: never. */
  interference: InterferenceLimits | null;
  tracker: ProcessTracker;
  abort: AbortSignal;
  /** This pair's raw folder (created). */
  dir: string;
}

/** What the interpreter is given: the outputs, and the engine's own findings. */
export interface PairRecord<R> {
  ready: R | null;
  outputs: PairOutputs;
  /** Problems with the processes' lives: not ready, past the deadline, a bad exit. */
  problems: string[];
  tcpRetransSegs: number | null;
  /** Segments the server's namespace sent during the pair (OutSegs delta); null when unknown. */
  serverOutSegs: number | null;
  /** Steal on each side's CPUs (its pinning; every CPU when unpinned) while the driver ran, %; null when unknown. */
  steal: StealReading;
  /** Which try this is, from 1 (more when interference made the engine run the pair again). */
  attempt: number;
  startedAt: string;
}

/** Seconds from the pair's start at which each step ended. */
export interface PairTimings {
  countersRead: number;
  listenerReady: number | null;
  driverExited: number | null;
  listenerExited: number | null;
  countersReadAgain: number;
  interpreted: number;
}

export type PairOutcome<T> = Interpretation<T> & {
  dir: string;
  timings: PairTimings;
  tcpRetransSegs: number | null;
  serverOutSegs: number | null;
  steal: StealReading;
  /** Tries in all; the outcome is the last one's. */
  attempts: number;
};

/** What every pair of a campaign shares: the config, the topology, the session's tracker and abort. */
export interface RunContext {
  config: Config;
  topology: Topology;
  tracker: ProcessTracker;
  abort: AbortSignal;
  /** raw/ of the run: each pair gets raw/<slug>/. */
  rawDir: string;
}

/** The pair engine's context for one pair of a campaign. */
export function pairContext(ctx: RunContext, slug: string): PairContext {
  const { config, topology } = ctx;
  return {
    places: topology.places,
    pinning: config.pinning,
    perfEvents: perfEvents(config),
    readyS: config.timeouts.ready_s,
    budgetS: config.warmup_s + config.duration_s + config.timeouts.margin_s,
    tcpCounters: () => topology.tcpCounters(),
    cpuTicks: topology.cpuTicks ?? thisMachineTicks,
    interference: { maxStealPct: config.interference.max_steal_pct, maxAttempts: config.interference.max_attempts },
    tracker: ctx.tracker,
    abort: ctx.abort,
    dir: path.join(ctx.rawDir, slug),
  };
}

/** Both sides on this machine: its /proc/stat for each. */
async function thisMachineTicks(): Promise<Record<Side, ProcStat | null>> {
  const stat = readProcStat();
  return { server: stat, client: stat };
}

/** perf record's sampling: event and frequency. */
export interface Recorder {
  event: string;
  frequencyHz: number;
}

/** `perf record -e EVENT -F FREQ -g (-C CPUS | -a) -o FILE -- [taskset -c CPUS] argv`: the CPU, not only the process (softirq, ksoftirqd). */
export function recordArgv(recorder: Recorder, dataFile: string, cpus: string | null, argv: readonly string[]): string[] {
  const pin = cpus === null ? [] : ['taskset', '-c', cpus];
  const where = cpus === null ? ['-a'] : ['-C', cpus];
  return ['perf', 'record', '-q', '-e', recorder.event, '-F', String(recorder.frequencyHz), '-g', ...where, '-o', dataFile, '--', ...pin, ...argv];
}

/** `[taskset -c CPUS] perf stat -x, --no-big-num -o FILE -e EVENTS -- argv`. */
export function perfArgv(events: readonly string[], perfFile: string, cpus: string | null, argv: readonly string[]): string[] {
  const pin = cpus === null ? [] : ['taskset', '-c', cpus];
  return [...pin, 'perf', 'stat', '-x,', '--no-big-num', '-o', perfFile, '-e', events.join(','), '--', ...argv];
}

/**
 * Runs one pair and interprets it; again, up to `ctx.interference`'s
 * attempts, while the hypervisor steals more than it allows of a side's CPUs
 * (interferenceVerdict). Each earlier attempt's raw folder is moved to
 * `<dir>-try<k>` and a note says so; the outcome is the last attempt's.
 * Never throws for a failed pair (its problems are in the outcome and in
 * problems.txt); throws Interrupted when `ctx.abort` fired — after ending
 * both processes and writing the raw files.
 */
export async function runPair<R, T>(
  spec: PairSpec<R>,
  ctx: PairContext,
  interpret: (record: PairRecord<R>) => Interpretation<T>,
): Promise<PairOutcome<T>> {
  const notes: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const outcome = await runAttempt(spec, ctx, interpret, attempt);
    const verdict = ctx.interference ? interferenceVerdict(outcome.steal, attempt, outcome.ok, ctx.interference) : null;
    const said = stealText(outcome.steal, ctx.pinning);
    if (verdict?.rerun) {
      const aside = `${ctx.dir}-try${attempt}`;
      moveAside(ctx.dir, aside);
      notes.push(
        `steal ${said} during attempt ${attempt} (more than ${ctx.interference!.maxStealPct} % allowed); ` +
          `run again, its raw files kept in ${path.basename(aside)}`,
      );
      continue;
    }
    if (verdict && !verdict.rerun && verdict.reason === 'last attempt') {
      notes.push(`steal ${said} still above ${ctx.interference!.maxStealPct} % after ${attempt} attempts; this attempt's row kept`);
    }
    return { ...outcome, notes: [...notes, ...outcome.notes] };
  }
}

/** `server CPU 0 3.1 %, client CPU 1 0.4 %` (unknown sides left out). */
function stealText(steal: StealReading, pinning: Record<Side, string | null>): string {
  return SIDES.filter((side) => steal[side] !== null)
    .map((side) => `${side} CPU ${pinning[side] ?? 'all'} ${steal[side]!.toFixed(1)} %`)
    .join(', ');
}

async function runAttempt<R, T>(
  spec: PairSpec<R>,
  ctx: PairContext,
  interpret: (record: PairRecord<R>) => Interpretation<T>,
  attempt: number,
): Promise<PairOutcome<T>> {
  // Raw files go through the store: a full disk is one WriteError naming the file.
  makeDir(ctx.dir);
  const file = (name: string) => path.join(ctx.dir, name);
  const t0 = performance.now();
  const since = () => (performance.now() - t0) / 1000;
  const startedAt = new Date().toISOString();
  const before = await ctx.tcpCounters();
  const countersRead = since();
  const life = await runProcesses(spec, ctx, file, since);
  const after = await ctx.tcpCounters();
  const timings: PairTimings = { countersRead, ...life.timings, countersReadAgain: since(), interpreted: 0 };
  const delta = (k: keyof TopologyCounters) => (before[k] === null || after[k] === null ? null : after[k]! - before[k]!);
  const tcpRetransSegs = delta('retransSegs');
  const serverOutSegs = delta('serverOutSegs');
  // Unpinned: every CPU, since the scheduler may run it on any.
  const steal = Object.fromEntries(
    SIDES.map((side) => [
      side,
      stealPercent(life.ticks.before?.[side] ?? null, life.ticks.after?.[side] ?? null, ctx.pinning[side] === null ? null : cpusOf(ctx.pinning[side]!)),
    ]),
  ) as StealReading;

  const perfText = (side: Side) => (existsSync(file(`${side}.perf`)) ? readFileSync(file(`${side}.perf`), 'utf8') : null);
  const outputs: PairOutputs = { ...life.records, perf: { server: perfText('server'), client: perfText('client') } };
  const result = interpret({ ready: life.ready, outputs, problems: life.problems, tcpRetransSegs, serverOutSegs, steal, attempt, startedAt });
  if (!result.ok) writeFile(file('problems.txt'), result.problems.join('\n') + '\n');
  timings.interpreted = since();
  return { ...result, dir: ctx.dir, timings, tcpRetransSegs, serverOutSegs, steal, attempts: attempt };
}

interface ProcessLives<R> {
  ready: R | null;
  records: Record<Side, ProcessRecord | null>;
  problems: string[];
  timings: Pick<PairTimings, 'listenerReady' | 'driverExited' | 'listenerExited'>;
  /** Each side's /proc/stat right before the driver started and right after it exited; null when not read. */
  ticks: { before: Record<Side, ProcStat | null> | null; after: Record<Side, ProcStat | null> | null };
}

/** The two processes from start to exit, in order; raw files written whatever happens. */
async function runProcesses<R>(
  spec: PairSpec<R>,
  ctx: PairContext,
  file: (name: string) => string,
  since: () => number,
): Promise<ProcessLives<R>> {
  const { tracker, abort } = ctx;
  const problems: string[] = [];
  const timings: ProcessLives<R>['timings'] = { listenerReady: null, driverExited: null, listenerExited: null };
  const { start, commands, perfFile } = starter(ctx, file);
  const checkAbort = () => {
    if (abort.aborted) throw new Interrupted('interrupted');
  };
  const deadline = Date.now() + ctx.budgetS * 1000;
  const listener = start(spec.listener);
  let driver: { spec: ProcessSpec; tracked: Tracked } | null = null;
  const outs = new Map<Tracked, ProcessOutput>();
  let ready: R | null = null;
  let endedListener = false;
  const ticks: ProcessLives<R>['ticks'] = { before: null, after: null };
  const started = () =>
    [[spec.listener, listener] as const, ...(driver ? [[driver.spec, driver.tracked] as const] : [])] as [ProcessSpec, Tracked][];
  try {
    try {
      ready = await waitReady(listener, spec.listener.ready, ctx.readyS * 1000, abort);
      timings.listenerReady = since();
    } catch (err) {
      if (err instanceof Interrupted) throw err;
      problems.push((err as Error).message);
    }
    if (ready !== null) {
      const driverSpec = spec.driver(ready);
      ticks.before = await ctx.cpuTicks();
      driver = { spec: driverSpec, tracked: start(driverSpec) };
      const out = await waitExit(driver.tracked, deadline - Date.now(), abort);
      ticks.after = await ctx.cpuTicks();
      timings.driverExited = since();
      checkAbort();
      if (!out) {
        problems.push(`${driverSpec.label} did not finish within ${ctx.budgetS} s; ended it`);
        await tracker.end(driver.tracked);
      }
      outs.set(driver.tracked, out ?? (await driver.tracked.exited));
    }
    let out: ProcessOutput | null = null;
    if (spec.listener.exitsByItself && ready !== null) {
      out = await waitExit(listener, deadline - Date.now(), abort);
      checkAbort();
      if (!out) problems.push(`${spec.listener.label} did not exit by itself within ${ctx.budgetS} s; ended it`);
    }
    if (!out) {
      // SIGINT: it stops as on Ctrl-C; perf still writes its file.
      endedListener = true;
      await tracker.end(listener);
      out = await listener.exited;
    }
    timings.listenerExited = since();
    outs.set(listener, out);
  } finally {
    // On interrupt (or any throw) nothing of this pair outlives it, and its raw files are written.
    if (driver && !driver.tracked.done) await tracker.end(driver.tracked);
    if (!listener.done) await tracker.end(listener);
    writeFile(file('commands.txt'), commands.join('\n') + '\n');
    for (const [p, tracked] of started()) {
      const out = outs.get(tracked) ?? tracked.promise.output;
      if (out) recordRaw(file, p.side, out);
    }
    // Perf files written at another host come home into raw/ (a no-op on this machine).
    await Promise.all(
      started().map(([p]) => ctx.places[p.side].collect([perfFile(p.side)]).catch((e: Error) => problems.push(e.message))),
    );
  }
  const records = exitRecords(started(), outs, spec.listener, endedListener, problems);
  return { ready, records, problems, timings, ticks };
}

/**
 * How the pair's processes start: under perf at their side's place, each
 * command noted for commands.txt. Each side's perf file is written at its
 * place (on a host: in the run's folder there) and collected after.
 */
function starter(ctx: PairContext, file: (name: string) => string) {
  const perfFile = (side: Side) => file(ctx.recorder ? `${side}.perf.data` : `${side}.perf`);
  const output = (side: Side) => ctx.places[side].outputPath(perfFile(side));
  const command = (p: ProcessSpec) =>
    ctx.recorder
      ? recordArgv(ctx.recorder, output(p.side), ctx.pinning[p.side], p.argv)
      : perfArgv(ctx.perfEvents, output(p.side), ctx.pinning[p.side], p.argv);
  const commands: string[] = [];
  const start = (p: ProcessSpec): Tracked => {
    const launch = ctx.places[p.side].launch(command(p), p.label);
    commands.push(JSON.stringify(launch.argv));
    return ctx.tracker.start(launch.argv, p.label, undefined, launch.signal);
  };
  return { start, commands, perfFile };
}

/** Each side's outputs; an exit other than 0 is a problem, but for a listener we stopped by design. */
function exitRecords(
  started: [ProcessSpec, Tracked][],
  outs: Map<Tracked, ProcessOutput>,
  listener: ListenerSpec<unknown>,
  endedListener: boolean,
  problems: string[],
): Record<Side, ProcessRecord | null> {
  const records: Record<Side, ProcessRecord | null> = { server: null, client: null };
  for (const [p, tracked] of started) {
    const out = outs.get(tracked)!;
    records[p.side] = { stdout: out.stdout, stderr: out.stderr, exitCode: out.exitCode, signal: out.signal };
    const asked = p === listener && endedListener && !listener.exitsByItself && out.signal === 'SIGINT';
    if (out.exitCode !== 0 && !asked) problems.push(`${p.label} ${describeExit(out)}: ${lastLines(out.stderr || out.stdout)}`);
  }
  return records;
}

function recordRaw(file: (name: string) => string, side: Side, out: ProcessOutput): void {
  writeFile(file(`${side}.stdout`), out.stdout);
  writeFile(file(`${side}.stderr`), out.stderr);
  writeFile(file(`${side}.exit`), describeExit(out) + '\n');
}
