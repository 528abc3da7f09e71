// The peer baseline: is what copybench prints what this machine can do?
//
//   npx zx orchestrate/peers.mts [CONFIG] [--out DIR] [--bin-dir DIR]
//
// Runs copybench's stream runs (1 thread) alternating with iperf3 and
// sockperf over the same topology, pinned the same way, for the same sizes
// and durations (the config's `peers:` section; CONFIG defaults to
// configs/peers.yaml). Writes results/<run-id>/peers.csv (and results.csv,
// meta.json, raw/), plots/<run-id>/peers-throughput.{svg,png}, and prints
// each variant's ratio to the best peer per size. A peer that is not
// installed is skipped with an install hint.
// Exit codes: 0 done, 1 a run or tool failed, 2 bad config or usage,
// 130 interrupted (after cleaning up).
import { parseCommandLine, runMain, scriptArgs, stopWith } from './config/cli.ts';
import { BASELINE_OPTIONS, baselineOptions, comparisonText, runBaseline } from './peers/baseline.ts';
import { Progress } from './run/progress.ts';

const USAGE = `usage: npx zx orchestrate/peers.mts [CONFIG] [options]

  CONFIG           YAML config with a peers: section (default: configs/peers.yaml;
                   without one: every peer, the config's sizes and repetitions)
  --out DIR        where run folders go (default: results)
  --bin-dir DIR    copybench binaries to run (default: bin/, built with make)
  -h, --help       this text

exit codes: 0 done, 1 a run or tool failed, 2 bad config or usage, 130 interrupted`;

async function main(): Promise<number> {
  const progress = new Progress();
  const argv = scriptArgs(import.meta.url);
  const cli = parseCommandLine(argv, BASELINE_OPTIONS, USAGE, { min: 0, max: 1, name: 'CONFIG' });
  if (!cli.ok) return stopWith(cli, 'peers.mts', (line) => progress.say(line));
  const result = await runBaseline(baselineOptions(cli, argv, progress));
  if (result.rows.length) {
    process.stdout.write(comparisonText(result.comparison) + '\n');
    if (result.figure.length) process.stdout.write(`figure: ${result.figure.join(', ')}\n`);
  }
  return result.exitCode;
}

runMain('peers.mts', main);
