// The pair engine: one function runs every listener/driver pair — copybench's
// aN_server/aN_client and each peer tool alike. It owns what they share:
// perf stat and pinning around both processes, readiness (a line, never a
// sleep), one deadline, ordered shutdown, the raw files, and the
// retransmission counters read before and after. What the outputs mean is
// the caller's pure `interpret` function.
//
// Raw files, in raw/<slug>/: commands.txt; per side server.* / client.*
// (.stdout, .stderr, .exit, .perf); problems.txt when the pair failed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProcessOutput } from 'zx';
import { perfEvents, type Config } from '../config/schema.ts';
import type { Side } from '../config/domain.ts';
import type { Interpretation, PairOutputs, ProcessRecord } from '../results/outputs.ts';
import { makeDir, writeFile } from '../results/store.ts';
import type { Place } from './place.ts';
import { Interrupted, describeExit, lastLines, waitExit, waitReady, type ProcessTracker, type Readiness, type Tracked } from './process.ts';
import type { Topology } from './topology/topology.ts';

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
  readyS: number;
  /** Everything from the listener's start to its exit must fit in this. */
  budgetS: number;
  /** TCP retransmitted segments so far on the topology; null when unreadable. */
  retransmissions(): Promise<number | null>;
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

export type PairOutcome<T> = Interpretation<T> & { dir: string; timings: PairTimings; tcpRetransSegs: number | null };

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
    retransmissions: () => topology.retransmissions(),
    tracker: ctx.tracker,
    abort: ctx.abort,
    dir: path.join(ctx.rawDir, slug),
  };
}

/** `[taskset -c CPUS] perf stat -x, --no-big-num -o FILE -e EVENTS -- argv`. */
export function perfArgv(events: readonly string[], perfFile: string, cpus: string | null, argv: readonly string[]): string[] {
  const pin = cpus === null ? [] : ['taskset', '-c', cpus];
  return [...pin, 'perf', 'stat', '-x,', '--no-big-num', '-o', perfFile, '-e', events.join(','), '--', ...argv];
}

/**
 * Runs one pair and interprets it. Never throws for a failed pair (its
 * problems are in the outcome and in problems.txt); throws Interrupted when
 * `ctx.abort` fired — after ending both processes and writing the raw files.
 */
export async function runPair<R, T>(
  spec: PairSpec<R>,
  ctx: PairContext,
  interpret: (record: PairRecord<R>) => Interpretation<T>,
): Promise<PairOutcome<T>> {
  // Raw files go through the store: a full disk is one WriteError naming the file.
  makeDir(ctx.dir);
  const file = (name: string) => path.join(ctx.dir, name);
  const t0 = performance.now();
  const since = () => (performance.now() - t0) / 1000;
  const startedAt = new Date().toISOString();
  const before = await ctx.retransmissions();
  const countersRead = since();
  const life = await runProcesses(spec, ctx, file, since);
  const after = await ctx.retransmissions();
  const timings: PairTimings = { countersRead, ...life.timings, countersReadAgain: since(), interpreted: 0 };
  const tcpRetransSegs = before === null || after === null ? null : after - before;

  const perfText = (side: Side) => (existsSync(file(`${side}.perf`)) ? readFileSync(file(`${side}.perf`), 'utf8') : null);
  const outputs: PairOutputs = { ...life.records, perf: { server: perfText('server'), client: perfText('client') } };
  const result = interpret({ ready: life.ready, outputs, problems: life.problems, tcpRetransSegs, startedAt });
  if (!result.ok) writeFile(file('problems.txt'), result.problems.join('\n') + '\n');
  timings.interpreted = since();
  return { ...result, dir: ctx.dir, timings, tcpRetransSegs };
}

interface ProcessLives<R> {
  ready: R | null;
  records: Record<Side, ProcessRecord | null>;
  problems: string[];
  timings: Pick<PairTimings, 'listenerReady' | 'driverExited' | 'listenerExited'>;
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
  const command = (p: ProcessSpec) =>
    ctx.places[p.side].command(perfArgv(ctx.perfEvents, file(`${p.side}.perf`), ctx.pinning[p.side], p.argv));
  const checkAbort = () => {
    if (abort.aborted) throw new Interrupted('interrupted');
  };
  const deadline = Date.now() + ctx.budgetS * 1000;
  const listenerCmd = command(spec.listener);
  const commands = [JSON.stringify(listenerCmd)];
  const listener = tracker.start(listenerCmd, spec.listener.label);
  let driver: { spec: ProcessSpec; tracked: Tracked } | null = null;
  const outs = new Map<Tracked, ProcessOutput>();
  let ready: R | null = null;
  let endedListener = false;
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
      const driverCmd = command(driverSpec);
      commands.push(JSON.stringify(driverCmd));
      driver = { spec: driverSpec, tracked: tracker.start(driverCmd, driverSpec.label) };
      const out = await waitExit(driver.tracked, deadline - Date.now(), abort);
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
  }
  const records: Record<Side, ProcessRecord | null> = { server: null, client: null };
  for (const [p, tracked] of started()) {
    const out = outs.get(tracked)!;
    records[p.side] = { stdout: out.stdout, stderr: out.stderr, exitCode: out.exitCode, signal: out.signal };
    // A listener that does not exit by itself ends on our SIGINT by design.
    const asked = p === spec.listener && endedListener && !spec.listener.exitsByItself && out.signal === 'SIGINT';
    if (out.exitCode !== 0 && !asked) problems.push(`${p.label} ${describeExit(out)}: ${lastLines(out.stderr || out.stdout)}`);
  }
  return { ready, records, problems, timings };
}

function recordRaw(file: (name: string) => string, side: Side, out: ProcessOutput): void {
  writeFile(file(`${side}.stdout`), out.stdout);
  writeFile(file(`${side}.stderr`), out.stderr);
  writeFile(file(`${side}.exit`), describeExit(out) + '\n');
}
