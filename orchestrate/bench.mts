// copybench's own benchmark (`npm run bench`):
//
//   npx zx orchestrate/bench.mts [CONFIG] [--out DIR] [--bin-dir DIR]
//
// Runs the peer baseline of CONFIG (default configs/peers.yaml), then one
// copybench experiment per variant at 8 threads × 64 KiB for peak RSS, and
// prints every figure with its target and whether it was met:
// - throughput of each variant ÷ the best peer per size (1 thread, stream);
// - each subject's throughput and TCP payload per segment at 1 KiB and 64 KiB;
// - coefficient of variation of throughput at 64 KiB over the repetitions;
// - orchestration overhead: Σ wall time ÷ Σ (warm-up + duration) over
//   copybench's experiments of this run, and where the time went;
// - peak RSS of each binary (its own getrusage, `max_rss_kib`).
// A benchmark reports, it does not fail on noise: exit 0 whenever it ran;
// 1 only when it could not (a tool or the topology failed, nothing
// measured); 2 bad config or usage; 130 interrupted.
import path from 'node:path';
import { parseCommandLine, runMain, scriptArgs, stopWith } from './config/cli.ts';
import type { Implementation } from './config/domain.ts';
import { BASELINE_OPTIONS, baselineOptions, comparisonText, runBaseline } from './peers/baseline.ts';
import { benchFigures, formatBenchFigures, formatOverhead, formatPayloadPerSegment, orchestrationOverhead, payloadPerSegment, type PeakRss } from './peers/bench.ts';
import type { Step } from './run/campaign.ts';
import { experimentStep } from './run/copybench.ts';
import { Progress } from './run/progress.ts';

const USAGE = `usage: npm run bench [-- CONFIG] [options]
       npx zx orchestrate/bench.mts [CONFIG] [options]

  CONFIG           YAML config with a peers: section (default: configs/peers.yaml)
  --out DIR        where run folders go (default: results)
  --bin-dir DIR    copybench binaries to run (default: bin/, built with make)
  -h, --help       this text

exit codes: 0 it ran (missed targets included), 1 it could not run,
2 bad config or usage, 130 interrupted`;

// Peak RSS is measured where memory use is largest in the matrix.
const RSS_THREADS = 8;
const RSS_SIZE = 65536;

/** One experiment per variant at RSS_THREADS × RSS_SIZE; each binary's peak RSS kept in `rss`. */
function rssSteps(variants: readonly Implementation[], rss: PeakRss[], config: Parameters<typeof experimentStep>[1]): Step[] {
  return variants.map((impl) => ({
    ...experimentStep({ index: 0, impl, mode: 'stream', msgSize: RSS_SIZE, threads: RSS_THREADS, rx: 'copy', rep: 1 }, config, ({ value }) => {
      rss.push({ impl, role: 'server', kib: value.server.max_rss_kib }, { impl, role: 'client', kib: value.client.max_rss_kib });
    }),
    label: `peak RSS: ${impl} stream ${RSS_SIZE} B ${RSS_THREADS} threads`,
    key: `peak-rss/${impl}/stream/${RSS_SIZE}/${RSS_THREADS}`,
  }));
}

async function main(): Promise<number> {
  const progress = new Progress();
  const argv = scriptArgs(import.meta.url);
  const cli = parseCommandLine(argv, BASELINE_OPTIONS, USAGE, { min: 0, max: 1, name: 'CONFIG' });
  if (!cli.ok) return stopWith(cli, 'bench.mts', (line) => progress.say(line));
  const rss: PeakRss[] = [];
  const result = await runBaseline({ ...baselineOptions(cli, argv, progress), after: (config) => rssSteps(config.variants, rss, config), attribution: true });
  if (result.exitCode === 2 || result.exitCode === 130) return result.exitCode;
  if (result.rows.length === 0 || !result.config) {
    progress.say('bench: nothing was measured; see above');
    return 1;
  }

  const overhead = orchestrationOverhead(result.steps);
  const figures = benchFigures({
    comparison: result.comparison,
    rows: result.rows,
    overhead,
    rss,
    variants: result.config.variants,
    attribution: result.attribution,
  });
  const out: string[] = [
    '',
    `copybench bench — run ${path.basename(result.runDir!)} (${result.runDir})`,
    '',
    comparisonText(result.comparison),
    '',
    formatPayloadPerSegment(payloadPerSegment(result.rows)),
    '',
    ...(overhead ? [formatOverhead(overhead), ''] : []),
    `whole run: ${result.wallS.toFixed(1)} s wall (preflight, make, topology and teardown included); the baseline loop ${result.loopWallS.toFixed(1)} s`,
    '',
    formatBenchFigures(figures),
  ];
  const missed = figures.filter((f) => f.met === false).length;
  const met = figures.filter((f) => f.met === true).length;
  out.push('', `${met} targets met, ${missed} missed${result.exitCode !== 0 ? '; some runs failed (see above)' : ''}`);
  if (result.figure.length) out.push(`figure: ${result.figure.join(', ')}`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

runMain('bench.mts', main);
