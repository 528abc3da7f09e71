// Runs the peer tools, iperf3 and sockperf, over the same topology as
// copybench, pinned and wrapped in `perf stat` the same way. A sibling of
// runner.ts (which runs copybench's own binaries) and, like it and
// topology.ts, a module that starts processes — only through runner.ts's
// ProcessTracker, so Ctrl-C and timeouts end exactly what was started here
// too. What their outputs mean is peers.ts's (pure) business.
//
// Fairness, tool by tool — copybench's sender is its server, on the server
// side of the topology (CPUs `pinning.server`), its receiver the client
// (CPUs `pinning.client`); every connection has TCP_NODELAY:
// - iperf3: `iperf3 -s` on the server side; `iperf3 -c -R` on the client
//   side, so the server sends and the client receives, as in copybench;
//   `-N` sets TCP_NODELAY; `-l SIZE` writes SIZE bytes per send; one stream.
// - sockperf: `sockperf tp` is the sender, so it runs on the server side,
//   aimed at `sockperf sr` (the receiver) listening on the client side's
//   address. sockperf's throughput mode turns Nagle *on* by default, and its
//   `--tcp-avoid-nodelay` flips that back to TCP_NODELAY (it inverts the
//   flag for `tp`; checked with strace: setsockopt(TCP_NODELAY, 1)).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { $, which, type ProcessOutput } from 'zx';
import type { Config } from '../config/schema.ts';
import { parsePerfStatReport, type PerfStat } from '../results/perf.ts';
import {
  iperf3Timing,
  parseIperf3Json,
  parseIperf3Version,
  parseSockperfTp,
  parseSockperfVersion,
  READY_LINE,
  type BaselineRun,
  type PeerMeasurement,
  type PeerTool,
} from './parse.ts';
import { Interrupted, describeExit, lastLines, perfArgv, waitExit, waitForLine, type ProcessTracker, type Tracked } from '../run/experiment.ts';
import type { Topology } from '../run/topology/topology.ts';

/** The Debian package that installs each tool. */
export const PEER_PACKAGES: Record<PeerTool, string> = { iperf3: 'iperf3', sockperf: 'sockperf' };

export interface PeerToolInfo {
  tool: PeerTool;
  /** Its version as it reports it; null when it is not installed. */
  version: string | null;
  /** Why it will be skipped and how to install it; null when it is installed. */
  missing: string | null;
}

/** Which of `tools` are installed here, and their versions. */
export async function findPeerTools(tools: readonly PeerTool[]): Promise<PeerToolInfo[]> {
  const out: PeerToolInfo[] = [];
  for (const tool of tools) {
    if (!(await which(tool, { nothrow: true }))) {
      out.push({ tool, version: null, missing: `${tool} is not installed; install it with: apt-get install ${PEER_PACKAGES[tool]}` });
      continue;
    }
    const res = await $({ quiet: true, nothrow: true })`${[tool, '--version']}`;
    const text = res.stdout + res.stderr;
    const version = tool === 'iperf3' ? parseIperf3Version(text) : parseSockperfVersion(text);
    out.push({ tool, version: version ?? 'unknown', missing: null });
  }
  return out;
}

export interface PeerContext {
  config: Config;
  topology: Topology;
  tracker: ProcessTracker;
  /** raw/ of the run: each run gets raw/<slug>/. */
  rawDir: string;
  abort: AbortSignal;
}

export type PeerOutcome =
  | {
      ok: true;
      measurement: PeerMeasurement;
      perf: { server: PerfStat | null; client: PerfStat | null };
      tcpRetransSegs: number | null;
      notes: string[];
      rawDir: string;
    }
  | { ok: false; problems: string[]; notes: string[]; rawDir: string };

export function peerSlug(tool: PeerTool, run: Pick<BaselineRun, 'rep' | 'msgSize'>): string {
  return `r${run.rep}-${tool}-stream-${run.msgSize}B-1t`;
}

type Side = 'server' | 'client';

/** How one peer run goes: a listener that must be ready first, then a driver that runs for the duration. */
interface PeerSpec {
  listener: { side: Side; argv: string[]; ready: RegExp; exitsByItself: boolean };
  driver: { side: Side; argv: string[] };
  /** The measurement, from the driver's stdout. */
  parse(driverStdout: string): PeerMeasurement;
}

// Default ports; inside our own namespaces nothing else listens. On loopback
// a free port is asked of the kernel instead.
const DEFAULT_PORT: Record<PeerTool, number> = { iperf3: 5201, sockperf: 11111 };

async function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, address, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function specFor(tool: PeerTool, run: BaselineRun, config: Config, topology: Topology, port: number): PeerSpec {
  const { warmup_s: warmupS, duration_s: durationS } = config;
  if (tool === 'iperf3') {
    const timing = iperf3Timing(warmupS, durationS);
    return {
      // -1: serve one test, then exit. --forceflush: its "listening" line
      // reaches the pipe at once, not when the buffer fills.
      listener: {
        side: 'server',
        argv: ['iperf3', '-s', '-B', topology.serverAddress, '-p', String(port), '-1', '--forceflush'],
        ready: READY_LINE.iperf3,
        exitsByItself: true,
      },
      driver: {
        side: 'client',
        argv: [
          'iperf3', '-c', topology.serverAddress, '-p', String(port),
          '-R', '-N', '-P', '1', '-l', String(run.msgSize),
          '-t', String(timing.timeS), '-i', String(timing.intervalS), '-J',
        ],
      },
      parse: (stdout) => parseIperf3Json(stdout, { warmupS, durationS, msgSize: run.msgSize }),
    };
  }
  return {
    listener: {
      side: 'client',
      // -m: the largest message it accepts (65507 by default: UDP's limit).
      argv: ['sockperf', 'sr', '--tcp', '-i', topology.clientAddress, '-p', String(port), '-m', String(Math.max(run.msgSize, 65507))],
      ready: READY_LINE.sockperf,
      exitsByItself: false,
    },
    driver: {
      side: 'server',
      argv: [
        'sockperf', 'tp', '--tcp', '-i', topology.clientAddress, '-p', String(port),
        '-m', String(run.msgSize), '-t', String(durationS), '--tcp-avoid-nodelay',
      ],
    },
    parse: (stdout) => parseSockperfTp(stdout, run.msgSize),
  };
}

/**
 * One run of a peer tool: the listener under perf stat, its ready line, the
 * driver under perf stat, both exits (the sockperf receiver is asked to stop
 * with SIGINT once the sender is done), then the driver's report parsed.
 * Raw files stay in raw/<slug>/ (server.* is the sending side, client.* the
 * receiving side, as for copybench). Never throws for a failed run; throws
 * Interrupted when `abort` fired.
 */
export async function runPeer(tool: PeerTool, run: BaselineRun, ctx: PeerContext): Promise<PeerOutcome> {
  const { config, topology, tracker, abort } = ctx;
  const dir = path.join(ctx.rawDir, peerSlug(tool, run));
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const problems: string[] = [];
  const notes: string[] = [];
  const port = topology.kind === 'loopback' ? await freePort(topology.serverAddress) : DEFAULT_PORT[tool];
  const spec = specFor(tool, run, config, topology, port);
  const command = (p: { side: Side; argv: string[] }) =>
    topology.wrap(p.side, perfArgv(config, file(`${p.side}.perf`), config.pinning[p.side], p.argv));
  const listenerCmd = command(spec.listener);
  const driverCmd = command(spec.driver);
  const commands = [JSON.stringify(listenerCmd)];

  const retransBefore = await topology.retransmissions();
  const budgetMs = (config.warmup_s + config.duration_s + config.timeouts.margin_s) * 1000;
  const deadline = Date.now() + budgetMs;

  const listener = tracker.start(listenerCmd, `${tool} ${spec.listener.side}`);
  let driver: Tracked | null = null;
  let listenerOut: ProcessOutput | null = null;
  let driverOut: ProcessOutput | null = null;
  try {
    let ready = false;
    try {
      await waitForLine(listener, spec.listener.ready, config.timeouts.ready_s * 1000, abort);
      ready = true;
    } catch (err) {
      if (err instanceof Interrupted) throw err;
      problems.push((err as Error).message);
    }
    if (ready) {
      commands.push(JSON.stringify(driverCmd));
      driver = tracker.start(driverCmd, `${tool} ${spec.driver.side}`);
      driverOut = await waitExit(driver, deadline - Date.now(), abort);
      if (abort.aborted) throw new Interrupted('interrupted');
      if (!driverOut) {
        problems.push(`${tool} ${spec.driver.side} did not finish within ${budgetMs / 1000} s; ended it`);
        await tracker.end(driver);
        driverOut = await driver.exited;
      }
    }
    if (spec.listener.exitsByItself && ready) {
      listenerOut = await waitExit(listener, deadline - Date.now(), abort);
      if (abort.aborted) throw new Interrupted('interrupted');
      if (!listenerOut) problems.push(`${tool} ${spec.listener.side} did not exit by itself within ${budgetMs / 1000} s; ended it`);
    }
    if (!listenerOut) {
      // SIGINT: the tool stops as on Ctrl-C, and perf still writes its file.
      await tracker.end(listener);
      listenerOut = await listener.exited;
    }
  } finally {
    if (driver && !driver.done) await tracker.end(driver);
    if (!listener.done) await tracker.end(listener);
    writeFileSync(file('commands.txt'), commands.join('\n') + '\n');
    for (const [side, out] of [
      [spec.listener.side, listenerOut ?? listener.promise.output],
      [spec.driver.side, driverOut ?? driver?.promise.output ?? null],
    ] as const) {
      if (!out) continue;
      writeFileSync(file(`${side}.stdout`), out.stdout);
      writeFileSync(file(`${side}.stderr`), out.stderr);
      writeFileSync(file(`${side}.exit`), describeExit(out) + '\n');
    }
  }

  const retransAfter = await topology.retransmissions();
  const tcpRetransSegs = retransBefore === null || retransAfter === null ? null : retransAfter - retransBefore;

  // The sockperf receiver ends on SIGINT by design; anything else must exit 0.
  const expectedListenerExit = (out: ProcessOutput) => out.exitCode === 0 || (!spec.listener.exitsByItself && out.signal === 'SIGINT');
  if (listenerOut && !expectedListenerExit(listenerOut)) {
    problems.push(`${tool} ${spec.listener.side} ${describeExit(listenerOut)}: ${lastLines(listenerOut.stderr || listenerOut.stdout)}`);
  }
  if (driverOut && driverOut.exitCode !== 0) {
    problems.push(`${tool} ${spec.driver.side} ${describeExit(driverOut)}: ${lastLines(driverOut.stderr || driverOut.stdout)}`);
  }
  let measurement: PeerMeasurement | null = null;
  if (driverOut) {
    try {
      measurement = spec.parse(driverOut.stdout);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const perf = {
    server: readPerf(file('server.perf'), notes),
    client: readPerf(file('client.perf'), notes),
  };
  if (measurement && problems.length === 0) return { ok: true, measurement, perf, tcpRetransSegs, notes, rawDir: dir };
  if (problems.length === 0) problems.push('no result (see raw files)');
  writeFileSync(file('problems.txt'), problems.join('\n') + '\n');
  return { ok: false, problems, notes, rawDir: dir };
}

function readPerf(file: string, notes: string[]): PerfStat | null {
  if (!existsSync(file)) return null;
  const report = parsePerfStatReport(readFileSync(file, 'utf8'));
  for (const u of report.unparsed) notes.push(`perf line ${u.lineNumber} of ${path.basename(file)} not understood (${u.reason}): ${u.line}`);
  return report.counts;
}
