// The peer baseline as a campaign: copybench's stream runs (1 thread)
// alternating with iperf3 and sockperf over the same topology, into a run
// folder — results.csv (copybench's rows, as run.mts writes them), peers.csv
// (every run, copybench's and the peers'), meta.json, raw/ — and a figure in
// plots/<run-id>/. Shared by peers.mts and bench.mts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { OptionValues } from '../config/cli.ts';
import { ConfigError, loadConfig, withPeers } from '../config/load.ts';
import { peerSettings, type Config } from '../config/schema.ts';
import { type Experiment } from '../config/plan.ts';
import { formatDuration } from '../config/estimate.ts';
import { defaultPlotDir, writeFigure } from '../plots/plotting.ts';
import { formatCsvLine } from '../results/row.ts';
import { appendDurably } from '../results/store.ts';
import { Campaign, type Step, type StepResult } from '../run/campaign.ts';
import { experimentStep } from '../run/copybench.ts';
import type { PairTimings } from '../run/pair.ts';
import type { Progress } from '../run/progress.ts';
import { Session } from '../run/session.ts';
import { attributeCampaign } from '../run/attribute.ts';
import { AttributionSection } from '../config/attribution.ts';
import { ATTRIBUTION_CSV, AttributionRow } from '../results/attribution-rows.ts';
import { readTable } from '../results/table.ts';
import { PEER_FIGURE_ID, peerFigureSpec } from './figure.ts';
import { PEERS_CSV_HEADER, copybenchPeersRow, peerPeersRow, peersRowCells, type PeersRow, type RowContext } from './rows.ts';
import { compareWithPeers, formatComparison, type SizeComparison } from './compare.ts';
import { estimateRunSeconds, planBaseline, subjectName, type BaselineRun } from './plan.ts';
import { findPeerTools, runPeer, type PeerToolInfo } from './tools.ts';

export const PEERS_CSV = 'peers.csv';

/** One of copybench's runs in the baseline, for the orchestration-overhead figure. */
export interface CopybenchStep {
  /** Wall time of the step: from its start to its rows being on disk (the next step starts right after). */
  wallS: number;
  /** What the experiment itself asks for: warm-up + duration. */
  windowS: number;
  timings: PairTimings;
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
  /** From the session's start (before preflight and make) to the end of the campaign. */
  wallS: number;
  loopWallS: number;
  figure: string[];
  /** The sender's harness share per variant and size, when the attribution pass ran (bench). */
  attribution: AttributionRow[];
}

export interface BaselineOptions {
  configPath: string;
  out: string;
  binDir: string | null;
  progress: Progress;
  argv: string[];
  /** Steps run after the baseline in the same topology (bench.mts: the RSS experiments). */
  after?: (config: Config) => Step[];
  /** Run the copy-attribution pass (1 KiB and 64 KiB stream, 1 thread) after the baseline, in its own topology. */
  attribution?: boolean;
}

/** peers.mts's and bench.mts's shared command line ([CONFIG] [--out DIR] [--bin-dir DIR]) as baseline options. */
export const BASELINE_OPTIONS = { out: { type: 'string' }, 'bin-dir': { type: 'string' } } as const;

export function baselineOptions(cli: { values: OptionValues; positionals: string[] }, argv: string[], progress: Progress): BaselineOptions {
  return {
    configPath: cli.positionals[0] ?? 'configs/peers.yaml',
    out: (cli.values.out as string | undefined) ?? 'results',
    binDir: (cli.values['bin-dir'] as string | undefined) ?? null,
    progress,
    argv,
  };
}

export async function runBaseline(opts: BaselineOptions): Promise<BaselineResult> {
  const since = Date.now();
  const { progress } = opts;
  const say = (line: string) => progress.say(line);
  const session = new Session(say);
  const result: BaselineResult = { exitCode: 0, config: null, runDir: null, rows: [], comparison: [], steps: [], tools: [], wallS: 0, loopWallS: 0, figure: [], attribution: [] };

  let config: Config;
  try {
    config = withPeers(loadConfig(opts.configPath), opts.configPath);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    say(e.message);
    return { ...result, exitCode: 2 };
  }
  result.config = config;
  const settings = peerSettings(config)!;
  const prepared = await session.prepare(config, opts.binDir);
  if ('exitCode' in prepared) return { ...result, exitCode: prepared.exitCode };

  // A peer that is not installed is skipped, with how to install it.
  result.tools = await findPeerTools(settings.tools);
  for (const t of result.tools) if (t.missing) say(`note: ${t.missing}; skipped`);
  const installed = result.tools.filter((t) => !t.missing).map((t) => t.tool);
  const plan = planBaseline({ variants: config.variants, tools: installed, message_sizes: settings.message_sizes, repetitions: settings.repetitions });
  const peersCsv = (dir: string) => path.join(dir, PEERS_CSV);
  const campaign = await Campaign.open(
    {
      session, progress, config, since, ...prepared,
      configPath: opts.configPath,
      argv: opts.argv,
      folder: { out: opts.out },
      newFiles: (dir) => appendDurably(peersCsv(dir), formatCsvLine(PEERS_CSV_HEADER)),
      metaExtras: {
        peers: { tools: result.tools, settings, plan: { runs: plan.length, order: 'repetitions, then sizes, then every variant followed by every peer' } },
      },
    },
    plan.length,
  );
  const version = `copybench ${campaign.meta.machine.git_commit?.slice(0, 12) ?? 'unknown'}${campaign.meta.machine.git_dirty ? '+dirty' : ''}`;
  const steps = plan.map((run) => baselineStep(run, config, settings.repetitions, version, result));
  const estimate = steps.reduce((s, x) => s + x.estimateS, 0);
  let loopStart = Date.now();
  const tally = await campaign.run(steps, {
    started: () => {
      result.runDir = campaign.runDir;
      loopStart = Date.now();
      say(
        `run ${campaign.runId}: ${plan.length} runs ((${config.variants.length} variants + ${installed.length} peers) × ${settings.message_sizes.length} sizes × ` +
          `${settings.repetitions} repetitions), estimated ${formatDuration(estimate)}; results in ${campaign.runDir}`,
      );
    },
    after: () => {
      result.loopWallS = (Date.now() - loopStart) / 1000;
      return opts.after?.(config) ?? [];
    },
  });
  if (!campaign.created) return { ...result, exitCode: campaign.finish(), wallS: campaign.wallS };
  if (opts.attribution && config.topology.kind === 'netns' && !tally.interrupted) {
    const withPass = { ...config, attribution: AttributionSection.parse({ message_sizes: [1024, 65536], duration_s: 1 }) };
    await attributeCampaign(session, withPass, prepared.binDir, campaign, say);
    const file = path.join(campaign.runDir, ATTRIBUTION_CSV);
    if (existsSync(file)) result.attribution = readTable(AttributionRow.shape, readFileSync(file, 'utf8'), file);
  }
  if (!result.loopWallS) result.loopWallS = (Date.now() - loopStart) / 1000;
  result.comparison = compareWithPeers(result.rows);
  if (result.rows.length && !tally.interrupted) {
    try {
      result.figure = await drawFigure(campaign.runDir, result.rows, config);
    } catch (e) {
      tally.failed++;
      say(`figure: FAILED: ${(e as Error).message}`);
    }
  }
  result.exitCode = campaign.finish({ rows: result.rows.length, failed: tally.failed });
  result.wallS = campaign.wallS;
  say(`${tally.interrupted ? 'interrupted' : 'done'}: ${result.rows.length} runs in ${peersCsv(campaign.runDir)}, ${tally.failed} failed; wall time ${formatDuration(result.wallS)}`);
  return result;
}

/** One run of the baseline: copybench's experiment or a peer's, its peers.csv row appended when it passes. */
function baselineStep(run: BaselineRun, config: Config, reps: number, version: string, result: BaselineResult): Step {
  const name = subjectName(run.subject);
  const label = `${name} stream ${run.msgSize} B 1 thread rep ${run.rep}/${reps}`;
  const base = { label, key: `${name}/stream/${run.msgSize}/1/${run.rep}`, estimateS: estimateRunSeconds(run.subject, config.warmup_s, config.duration_s) };
  const context = (ctx: { runId: string }, t0: number, tcpRetransSegs: number | null, serverOutSegs: number | null): RowContext => {
    const wallS = (performance.now() - t0) / 1000;
    return { run, tcpRetransSegs, serverOutSegs, wallS, version, runId: ctx.runId, startedAt: new Date(Date.now() - wallS * 1000).toISOString() };
  };
  const keep = (runDir: string, row: PeersRow) => {
    appendDurably(path.join(runDir, PEERS_CSV), formatCsvLine(peersRowCells(row)));
    result.rows.push(row);
  };
  if (run.subject.kind === 'copybench') {
    const e: Experiment = { index: run.index, impl: run.subject.impl, mode: 'stream', msgSize: run.msgSize, threads: 1, rx: 'copy', rep: run.rep };
    return {
      ...base,
      run: async (ctx): Promise<StepResult> => {
        const t0 = performance.now();
        let timings: PairTimings | null = null;
        const step = experimentStep(e, config, (outcome) => {
          const counts = context(ctx, t0, outcome.value.row.tcp_retrans_segs, outcome.serverOutSegs);
          keep(ctx.runDir, copybenchPeersRow(outcome.value.client, outcome.value.server, outcome.value.perf, counts));
          timings = outcome.timings;
        });
        const out = await step.run(ctx);
        if (timings) result.steps.push({ wallS: (performance.now() - t0) / 1000, windowS: config.warmup_s + config.duration_s, timings });
        return out;
      },
    };
  }
  const tool = run.subject.tool;
  return {
    ...base,
    run: async (ctx): Promise<StepResult> => {
      const t0 = performance.now();
      const outcome = await runPeer(tool, run, ctx);
      const { attempts } = outcome;
      if (!outcome.ok) return { ok: false, problems: outcome.problems, notes: outcome.notes, rawDir: outcome.dir, attempts };
      keep(ctx.runDir, peerPeersRow(outcome.value.measurement, outcome.value.perf, context(ctx, t0, outcome.tcpRetransSegs, outcome.serverOutSegs)));
      return { ok: true, notes: outcome.notes, attempts };
    },
  };
}

async function drawFigure(runDir: string, rows: readonly PeersRow[], config: Config): Promise<string[]> {
  const outDir = defaultPlotDir(runDir);
  const spec = peerFigureSpec(rows, {
    topology: config.topology.kind === 'netns' ? 'veth between two network namespaces' : 'loopback',
    pinning: config.pinning,
    warmupS: config.warmup_s,
    durationS: config.duration_s,
  });
  const { svgFile, pngFile } = await writeFigure(outDir, PEER_FIGURE_ID, spec);
  return [path.join(outDir, svgFile), path.join(outDir, pngFile)];
}

/** The comparison for a person: the table, then the ratios spelled out. */
export function comparisonText(comparison: readonly SizeComparison[]): string {
  if (comparison.length === 0) return 'no runs to compare';
  return `median throughput (Gbit/s) and each variant's ratio to the best peer at that size:\n${formatComparison(comparison)}`;
}
