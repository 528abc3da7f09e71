// copybench's own pair: aN_server listening, aN_client driving, as a spec
// for the pair engine; its outputs become a row in results/experiment.ts.
import { isZeroCopy } from '../config/domain.ts';
import { perfEvents, type Config } from '../config/schema.ts';
import { describeExperiment, experimentKey, experimentSlug, type Experiment } from '../config/plan.ts';
import { experimentOverheadS } from '../config/estimate.ts';
import { interpretExperiment, type ExperimentResult } from '../results/experiment.ts';
import { ReadyLine, parseLine } from '../results/lines.ts';
import { rowCells } from '../results/row.ts';
import { appendCsvRow } from '../results/store.ts';
import type { Step } from './campaign.ts';
import { binaryPath } from './paths.ts';
import { pairContext, runPair, type PairOutcome, type PairSpec, type RunContext } from './pair.ts';
import type { Readiness } from './process.ts';
import type { Topology } from './topology/topology.ts';

/** The server's first stdout line must be its ready event; it names the port. */
const SERVER_READY: Readiness<number> = {
  describe: 'its {"event":"ready"} line',
  onLine: (line, stream) => (stream === 'stdout' ? parseLine(ReadyLine, line, 'server ready line').port : undefined),
};

/** The pair for `e` on `topology`: each side's binary where that side's place has it. */
export function copybenchPair(e: Experiment, config: Config, binDir: string, topology: Pick<Topology, 'serverAddress' | 'places'>): PairSpec<number> {
  const { serverAddress, places } = topology;
  return {
    listener: {
      side: 'server',
      label: `${e.impl}_server`,
      argv: [
        binaryPath(places.server.binDir(binDir), e.impl, 'server'),
        '--bind', serverAddress,
        '--port', '0',
        '--connections', String(e.threads),
        // Exactly the connections the client opens: the server's cap (default 64) never refuses one of ours.
        '--max-connections', String(e.threads),
        // A server whose orchestrator was killed before its client started gives up, instead of waiting for ever.
        '--idle-timeout', String(config.warmup_s + config.duration_s + config.timeouts.margin_s),
        ...(isZeroCopy(e.impl) && config.zc_slots !== null ? ['--zc-slots', String(config.zc_slots)] : []),
      ],
      ready: SERVER_READY,
      // --connections N: it exits once the client's connections have ended.
      exitsByItself: true,
    },
    driver: (port) => ({
      side: 'client',
      label: `${e.impl}_client`,
      argv: [
        binaryPath(places.client.binDir(binDir), e.impl, 'client'),
        '--host', serverAddress,
        '--port', String(port),
        '--size', String(e.msgSize),
        '--threads', String(e.threads),
        '--duration', String(config.duration_s),
        '--warmup', String(config.warmup_s),
        '--mode', e.mode,
        '--verify', config.verify,
        // Only when asked: a copying client is told nothing new (its default).
        ...(e.rx === 'copy' ? [] : ['--rx', e.rx]),
      ],
    }),
  };
}

export type ExperimentOutcome = PairOutcome<ExperimentResult>;

/** One copybench experiment, start to row. Throws Interrupted when aborted. */
export async function runExperiment(e: Experiment, ctx: RunContext & { binDir: string; runId: string }): Promise<ExperimentOutcome> {
  const spec = copybenchPair(e, ctx.config, ctx.binDir, ctx.topology);
  // Across two hosts the client's clock is not the server's: no one-way delay.
  const clocks = ctx.topology.kind === 'ssh' ? 'two' : 'one';
  return runPair(spec, pairContext(ctx, experimentSlug(e)), (record) => interpretExperiment(e, perfEvents(ctx.config), ctx.runId, { ...record, clocks }));
}

/** One experiment as a campaign step: its row appended to results.csv (fsync'ed) when it passes. */
export function experimentStep(e: Experiment, config: Config, onRow?: (outcome: ExperimentOutcome & { ok: true }) => void): Step {
  return {
    label: describeExperiment(e, config),
    key: experimentKey(e),
    estimateS: config.warmup_s + config.duration_s + experimentOverheadS(config),
    run: async (ctx) => {
      const outcome = await runExperiment(e, ctx);
      const { attempts } = outcome;
      if (!outcome.ok) return { ok: false, problems: outcome.problems, notes: outcome.notes, rawDir: outcome.dir, attempts };
      appendCsvRow(ctx.runDir, rowCells(outcome.value.row, perfEvents(config)));
      onRow?.(outcome);
      return { ok: true, notes: outcome.notes, attempts };
    },
  };
}
