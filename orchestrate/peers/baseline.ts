// The peer baseline as a run: copybench's stream runs (1 thread) alternating
// with iperf3 and sockperf over the same topology, into a run folder —
// results.csv (copybench's rows, as run.mts writes them), peers.csv (every
// run, copybench's and the peers'), meta.json, raw/ — and a figure in
// plots/<run-id>/. Shared by peers.mts and bench.mts.
//
// Processes are started only through runner.ts (copybench) and
// peer-tools.ts (the peers), under the session's tracker.
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, withPeers } from '../config/load.ts';
import { peerSettings, perfEvents, type Config } from '../config/schema.ts';
import { findPeerTools, runPeer, type PeerToolInfo } from './tools.ts';
import { PEER_FIGURE_ID, peerFigureSpec } from './figure.ts';
import {
  PEERS_CSV_HEADER,
  compareWithPeers,
  copybenchPeersRow,
  estimateRunSeconds,
  formatComparison,
  peerPeersRow,
  peersRowCells,
  planBaseline,
  subjectName,
  type BaselineRun,
  type PeersRow,
  type SizeComparison,
} from './parse.ts';
import { formatDuration, type Experiment } from '../config/plan.ts';
import { defaultPlotDir } from '../plots/plotting.ts';
import type { Progress } from '../run/progress.ts';
import { renderSvg, svgToPng } from '../plots/render.ts';
import { formatCsvLine, csvHeader, rowCells } from '../results/row.ts';
import { machineFacts, runExperiment, type ExperimentTimings } from '../run/experiment.ts';
import { Session } from '../run/session.ts';
import {
  RAW_DIR,
  appendCsvRow,
  appendDurably,
  appendFailure,
  createRunDir,
  writeCsvHeader,
  writeMeta,

} from '../results/store.ts';
import type { Meta } from '../results/meta.ts';
import type { Topology } from '../run/topology/topology.ts';

export const PEERS_CSV = 'peers.csv';

/** One of copybench's runs in the baseline, for the orchestration-overhead figure. */
export interface CopybenchStep {
  /** Wall time of the step: from its start to its rows being on disk (the next step starts right after). */
  wallS: number;
  /** What the experiment itself asks for: warm-up + duration. */
  windowS: number;
  timings: ExperimentTimings;
}

/** What runs inside the topology after the baseline (bench.mts: the RSS experiments). */
export interface BaselineEnv {
  session: Session;
  config: Config;
  topology: Topology;
  binDir: string;
  runDir: string;
  runId: string;
  say: (line: string) => void;
}

export interface BaselineResult {
  /** 0 done; 1 a run or a tool failed; 2 bad config; 130 interrupted. */
  exitCode: number;
  config: Config | null;
  runDir: string | null;
  rows: PeersRow[];
  comparison: SizeComparison[];
  steps: CopybenchStep[];
  tools: PeerToolInfo[];
  /** From the session's start (before preflight and make) to the end of the baseline loop. */
  wallS: number;
  loopWallS: number;
  figure: string[];
}

export interface BaselineOptions {
  configPath: string;
  out: string;
  binDir: string | null;
  progress: Progress;
  extra?: (env: BaselineEnv) => Promise<boolean>;
}

export async function runBaseline(opts: BaselineOptions): Promise<BaselineResult> {
  const wallStart = performance.now();
  const { progress } = opts;
  const say = (line: string) => progress.say(line);
  const session = new Session(say);
  const result: BaselineResult = {
    exitCode: 0,
    config: null,
    runDir: null,
    rows: [],
    comparison: [],
    steps: [],
    tools: [],
    wallS: 0,
    loopWallS: 0,
    figure: [],
  };

  let config: Config;
  try {
    config = withPeers(loadConfig(opts.configPath), opts.configPath);
  } catch (e) {
    if (e instanceof ConfigError) {
      say(e.message);
      return { ...result, exitCode: 2 };
    }
    throw e;
  }
  result.config = config;
  const settings = peerSettings(config)!;

  const prepared = await session.prepare(config, opts.binDir);
  if ('exitCode' in prepared) return { ...result, exitCode: prepared.exitCode };
  const { binDir } = prepared;

  // A peer that is not installed is skipped, with how to install it.
  result.tools = await findPeerTools(settings.tools);
  for (const t of result.tools) if (t.missing) say(`note: ${t.missing}; skipped`);
  const installed = result.tools.filter((t) => !t.missing).map((t) => t.tool);

  const plan = planBaseline({ variants: config.variants, tools: installed, message_sizes: settings.message_sizes, repetitions: settings.repetitions });
  const facts = await machineFacts();
  const startedAt = new Date();
  const { runId, dir: runDir } = createRunDir(opts.out, config.name, startedAt);
  result.runDir = runDir;
  writeCsvHeader(runDir, csvHeader(perfEvents(config)));
  appendDurably(path.join(runDir, PEERS_CSV), formatCsvLine(PEERS_CSV_HEADER));
  const copybenchVersion = `copybench ${facts.git_commit?.slice(0, 12) ?? 'unknown'}${facts.git_dirty ? '+dirty' : ''}`;
  const meta: Meta = {
    run_id: runId,
    config_path: opts.configPath,
    config,
    status: 'running',
    started_at: startedAt.toISOString(),
    ended_at: null,
    machine: facts,
    perf_events: perfEvents(config),
    perf_unsupported: prepared.preflight.unsupportedEvents,
    peers: {
      tools: result.tools,
      settings,
      plan: { runs: plan.length, order: 'repetitions, then sizes, then every variant followed by every peer' },
    },
  };
  writeMeta(runDir, meta);
  const estimates = plan.map((r) => estimateRunSeconds(r.subject, config.warmup_s, config.duration_s));
  const estimate = estimates.reduce((s, x) => s + x, 0);
  say(
    `run ${runId}: ${plan.length} runs ((${config.variants.length} variants + ${installed.length} peers) × ${settings.message_sizes.length} sizes × ` +
      `${settings.repetitions} repetitions), estimated ${formatDuration(estimate)}; results in ${runDir}`,
  );

  let failed = 0;
  let loopStart = 0;
  const seenNotes = new Set<string>();
  const noteOnce = (label: string, notes: readonly string[]) => {
    for (const note of notes) {
      if (!seenNotes.has(note)) {
        seenNotes.add(note);
        say(`note: ${label}: ${note}`);
      }
    }
  };
  const fail = (label: string, run: BaselineRun, problems: string[], rawDir: string) => {
    failed++;
    say(`FAILED ${label}: ${problems.join('; ')} — raw files in ${rawDir}`);
    appendFailure(runDir, { key: `${subjectName(run.subject)}/stream/${run.msgSize}/1/${run.rep}`, at: new Date().toISOString(), problems, raw: path.relative(runDir, rawDir) });
  };

  const body = async (topology: Topology): Promise<void> => {
    meta.sysctls = topology.sysctls;
    meta.topology = { kind: topology.kind, server_address: topology.serverAddress, client_address: topology.clientAddress, receive_steering: topology.receiveSteering, notes: [...topology.notes] };
    writeMeta(runDir, meta);
    loopStart = performance.now();
    for (const [i, run] of plan.entries()) {
      if (session.interrupted) break;
      const stepStart = performance.now();
      const name = subjectName(run.subject);
      const label = `${name} stream ${run.msgSize} B 1 thread rep ${run.rep}/${settings.repetitions}`;
      progress.status({
        k: i + 1,
        n: plan.length,
        point: label,
        elapsedS: (stepStart - wallStart) / 1000,
        // What is left of the estimate, scaled by the pace so far.
        etaS: i === 0 ? estimate : (estimates.slice(i).reduce((s, x) => s + x, 0) * (stepStart - loopStart)) / 1000 / estimates.slice(0, i).reduce((s, x) => s + x, 0),
      });
      const rowContext = (wallS: number, tcpRetransSegs: number | null) => ({
        run,
        tcpRetransSegs,
        wallS,
        version: copybenchVersion,
        runId,
        startedAt: new Date(Date.now() - wallS * 1000).toISOString(),
      });
      if (run.subject.kind === 'copybench') {
        const e: Experiment = { index: run.index, impl: run.subject.impl, mode: 'stream', msgSize: run.msgSize, threads: 1, rep: run.rep };
        const outcome = await runExperiment(e, { config, topology, tracker: session.tracker, binDir, rawDir: path.join(runDir, RAW_DIR), runId, abort: session.abort });
        noteOnce(label, outcome.notes);
        if (!outcome.ok) {
          fail(label, run, outcome.problems, outcome.rawDir);
          continue;
        }
        appendCsvRow(runDir, rowCells(outcome.row, perfEvents(config)));
        const row = copybenchPeersRow(outcome.client, outcome.perf, rowContext((performance.now() - stepStart) / 1000, outcome.row.tcp_retrans_segs));
        appendDurably(path.join(runDir, PEERS_CSV), formatCsvLine(peersRowCells(row)));
        result.rows.push(row);
        result.steps.push({ wallS: (performance.now() - stepStart) / 1000, windowS: config.warmup_s + config.duration_s, timings: outcome.timings });
      } else {
        const outcome = await runPeer(run.subject.tool, run, { config, topology, tracker: session.tracker, rawDir: path.join(runDir, RAW_DIR), abort: session.abort });
        noteOnce(label, outcome.notes);
        if (!outcome.ok) {
          fail(label, run, outcome.problems, outcome.rawDir);
          continue;
        }
        const row = peerPeersRow(outcome.measurement, outcome.perf, rowContext((performance.now() - stepStart) / 1000, outcome.tcpRetransSegs));
        appendDurably(path.join(runDir, PEERS_CSV), formatCsvLine(peersRowCells(row)));
        result.rows.push(row);
      }
    }
    result.loopWallS = (performance.now() - loopStart) / 1000;
    if (opts.extra && !session.interrupted) {
      const ok = await opts.extra({ session, config, topology, binDir, runDir, runId, say });
      if (!ok) failed++;
    }
  };
  const { toolFailure } = await session.inTopology(config, body, () => progress.done());
  result.wallS = (performance.now() - wallStart) / 1000;

  result.comparison = compareWithPeers(result.rows);
  if (result.rows.length && !session.interrupted) {
    try {
      result.figure = await drawFigure(runDir, result.rows, config);
    } catch (e) {
      failed++;
      say(`figure: FAILED: ${(e as Error).message}`);
    }
  }
  meta.status = session.interrupted ? 'interrupted' : failed || toolFailure ? 'failed' : 'done';
  meta.ended_at = new Date().toISOString();
  meta.wall_s = Math.round(result.wallS * 10) / 10;
  meta.rows = result.rows.length;
  meta.failed = failed;
  writeMeta(runDir, meta);
  say(
    `${session.interrupted ? 'interrupted' : 'done'}: ${result.rows.length} runs in ${path.join(runDir, PEERS_CSV)}, ${failed} failed; wall time ${formatDuration(result.wallS)}`,
  );
  result.exitCode = session.interrupted ? 130 : failed || toolFailure ? 1 : 0;
  return result;
}

async function drawFigure(runDir: string, rows: readonly PeersRow[], config: Config): Promise<string[]> {
  const outDir = defaultPlotDir(runDir);
  mkdirSync(outDir, { recursive: true });
  const spec = peerFigureSpec(rows, {
    topology: config.topology.kind === 'netns' ? 'veth between two network namespaces' : 'loopback',
    pinning: config.pinning,
    warmupS: config.warmup_s,
    durationS: config.duration_s,
  });
  const svg = await renderSvg(spec);
  const files = [path.join(outDir, `${PEER_FIGURE_ID}.svg`), path.join(outDir, `${PEER_FIGURE_ID}.png`)];
  writeFileSync(files[0]!, svg);
  writeFileSync(files[1]!, svgToPng(svg).png);
  return files;
}

/** The comparison for a person: the table, then the ratios spelled out. */
export function comparisonText(comparison: readonly SizeComparison[]): string {
  if (comparison.length === 0) return 'no runs to compare';
  return `median throughput (Gbit/s) and each variant's ratio to the best peer at that size:\n${formatComparison(comparison)}`;
}


/**
 * The command line peers.mts and bench.mts share: [CONFIG] [--out DIR]
 * [--bin-dir DIR] [-h]. Returns the options, or the exit code to stop with
 * (0 after --help, 2 for a usage error), the usage already printed.
 */
export function baselineCli(
  argv: string[],
  usage: string,
  say: (line: string) => void,
): { configPath: string; out: string; binDir: string | null } | { exitCode: number } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' },
        'bin-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (parsed.positionals.length > 1) throw new Error(`one CONFIG at most, got ${parsed.positionals.join(' ')}`);
  } catch (e) {
    say(`${(e as Error).message}\n${usage}`);
    return { exitCode: 2 };
  }
  if (parsed.values.help) {
    process.stdout.write(usage + '\n');
    return { exitCode: 0 };
  }
  return {
    configPath: parsed.positionals[0] ?? 'configs/peers.yaml',
    out: parsed.values.out ?? 'results',
    binDir: parsed.values['bin-dir'] ?? null,
  };
}
