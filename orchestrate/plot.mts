// Draw a run's figures and report.
//
//   npx zx orchestrate/plot.mts results/<run-id> [--out plots/<run-id>]
//
// Exit codes: 0 done, 1 the run's data could not be read or drawn, 2 usage.
import path from 'node:path';
import { parseCommandLine, runMain, scriptArgs, stopWith } from './config/cli.ts';
import { DataError } from './results/table.ts';
import { defaultPlotDir, plotRun } from './plots/plotting.ts';
import { RenderError } from './plots/render.ts';

const USAGE = `usage: npx zx orchestrate/plot.mts RUN_DIR [--out DIR]

  RUN_DIR        a run folder: results.csv and meta.json (results/<run-id>)
  --out DIR      where the figures and the report go
                 (default: plots/<run-id> beside the folder holding RUN_DIR)
  -h, --help     this text

Writes, from the run's data only: 1-throughput, 2-latency,
2b-queueing-delay, 3-cache-misses, 4-cycles-per-byte, 4b-cpu-time-per-byte,
5-zero-copy-completions and 6-speedup as .svg and .png, report.html
(self-contained) and report.md.
A figure without data is drawn as a panel that says what is missing and why.

exit codes: 0 done, 1 unreadable data or a drawing failure, 2 usage`;

async function main(): Promise<number> {
  const cli = parseCommandLine(scriptArgs(import.meta.url), { out: { type: 'string' } }, USAGE, { min: 1, max: 1, name: 'RUN_DIR' });
  if (!cli.ok) return stopWith(cli, 'plot.mts', (line) => process.stderr.write(line + '\n'));
  const runDir = cli.positionals[0]!;
  const outDir = (cli.values.out as string | undefined) ?? defaultPlotDir(runDir);
  try {
    const result = await plotRun(runDir, outDir);
    for (const e of result.empty) process.stderr.write(`note: ${e.id}: no data: ${e.missing.join('; ')}\n`);
    process.stderr.write(`plots: ${result.files.length} files in ${result.outDir} (report: ${path.join(result.outDir, 'report.html')})\n`);
    return 0;
  } catch (e) {
    if (e instanceof DataError || e instanceof RenderError) {
      process.stderr.write(`plot.mts: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

runMain('plot.mts', main);
