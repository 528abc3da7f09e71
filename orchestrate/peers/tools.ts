// The peer tools, iperf3 and sockperf, as specs for the pair engine
// (run/pair.ts), which runs them over the same topology as copybench, pinned
// and wrapped in `perf stat` the same way, and ends exactly what it started.
// What their outputs mean is parse.ts's (pure) business.
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
import net from 'node:net';
import { $, which } from 'zx';
import type { Config, PeerTool } from '../config/schema.ts';
import { perfCounts, type Interpretation } from '../results/outputs.ts';
import type { PerfStat } from '../results/perf.ts';
import { iperf3Timing, parseIperf3Json, parseIperf3Version, parseSockperfTp, parseSockperfVersion, READY_LINE, type PeerMeasurement } from './parse.ts';
import { type BaselineRun } from './plan.ts';
import { pairContext, runPair, type PairOutcome, type PairRecord, type PairSpec, type RunContext } from '../run/pair.ts';
import { lineMatching } from '../run/process.ts';
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

export interface PeerResult {
  measurement: PeerMeasurement;
  perf: { server: PerfStat | null; client: PerfStat | null };
}

export type PeerOutcome = PairOutcome<PeerResult>;

export function peerSlug(tool: PeerTool, run: Pick<BaselineRun, 'rep' | 'msgSize'>): string {
  return `r${run.rep}-${tool}-stream-${run.msgSize}B-1t`;
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

/** How one peer run goes: its pair, and how its driver's stdout is read. */
interface PeerSpec {
  pair: PairSpec<true>;
  /** Which side's stdout holds the measurement. */
  reportSide: 'server' | 'client';
  parse(stdout: string): PeerMeasurement;
}

export function peerSpec(tool: PeerTool, run: BaselineRun, config: Config, topology: Pick<Topology, 'serverAddress' | 'clientAddress'>, port: number): PeerSpec {
  const { warmup_s: warmupS, duration_s: durationS } = config;
  if (tool === 'iperf3') {
    const timing = iperf3Timing(warmupS, durationS);
    const client = [
      'iperf3', '-c', topology.serverAddress, '-p', String(port),
      '-R', '-N', '-P', '1', '-l', String(run.msgSize),
      '-t', String(timing.timeS), '-i', String(timing.intervalS), '-J',
    ];
    return {
      pair: {
        // -1: serve one test, then exit. --forceflush: its "listening" line
        // reaches the pipe at once, not when the buffer fills.
        listener: {
          side: 'server',
          label: 'iperf3 server',
          argv: ['iperf3', '-s', '-B', topology.serverAddress, '-p', String(port), '-1', '--forceflush'],
          ready: lineMatching(READY_LINE.iperf3, true),
          exitsByItself: true,
        },
        driver: () => ({ side: 'client', label: 'iperf3 client', argv: client }),
      },
      reportSide: 'client',
      parse: (stdout) => parseIperf3Json(stdout, { warmupS, durationS, msgSize: run.msgSize }),
    };
  }
  const sender = [
    'sockperf', 'tp', '--tcp', '-i', topology.clientAddress, '-p', String(port),
    '-m', String(run.msgSize), '-t', String(durationS), '--tcp-avoid-nodelay',
  ];
  return {
    pair: {
      listener: {
        side: 'client',
        label: 'sockperf client',
        // -m: the largest message it accepts (65507 by default: UDP's limit).
        argv: ['sockperf', 'sr', '--tcp', '-i', topology.clientAddress, '-p', String(port), '-m', String(Math.max(run.msgSize, 65507))],
        ready: lineMatching(READY_LINE.sockperf, true),
        exitsByItself: false,
      },
      driver: () => ({ side: 'server', label: 'sockperf server', argv: sender }),
    },
    reportSide: 'server',
    parse: (stdout) => parseSockperfTp(stdout, run.msgSize),
  };
}

/** A peer pair's outputs → its measurement (pure; tests feed captured outputs). */
export function interpretPeer(spec: Pick<PeerSpec, 'reportSide' | 'parse'>, record: Pick<PairRecord<true>, 'outputs' | 'problems'>): Interpretation<PeerResult> {
  const problems = [...record.problems];
  const notes: string[] = [];
  const report = record.outputs[spec.reportSide];
  let measurement: PeerMeasurement | null = null;
  if (report) {
    try {
      measurement = spec.parse(report.stdout);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const perf = {
    server: perfCounts(record.outputs.perf.server, 'server', notes),
    client: perfCounts(record.outputs.perf.client, 'client', notes),
  };
  if (measurement && problems.length === 0) return { ok: true, value: { measurement, perf }, notes };
  if (problems.length === 0) problems.push('no result (see raw files)');
  return { ok: false, problems, notes };
}

/**
 * One run of a peer tool: the listener under perf stat, its ready line, the
 * driver, both exits (the sockperf receiver is asked to stop with SIGINT once
 * the sender is done), then the report parsed. Raw files stay in
 * raw/<slug>/ (server.* is the sending side, client.* the receiving side, as
 * for copybench). Throws Interrupted when aborted.
 */
export async function runPeer(tool: PeerTool, run: BaselineRun, ctx: RunContext): Promise<PeerOutcome> {
  const port = ctx.topology.kind === 'loopback' ? await freePort(ctx.topology.serverAddress) : DEFAULT_PORT[tool];
  const spec = peerSpec(tool, run, ctx.config, ctx.topology, port);
  return runPair(spec.pair, pairContext(ctx, peerSlug(tool, run)), (record) => interpretPeer(spec, record));
}
