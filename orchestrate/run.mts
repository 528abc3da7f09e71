// copybench orchestrator: the matrix run.
//
//   npx zx orchestrate/run.mts [CONFIG] [--out DIR] [--resume RUN_DIR]
//                              [--dry-run] [--only key=value,...] [--bin-dir DIR]
//                              [--keep-remote]
//
// YAML → Config → plan → campaign (topology, pair engine) → results.csv →
// summary.csv → plots/<run-id>/.
// Exit codes: 0 done, 1 an experiment or tool failed, 2 bad config or usage,
// 130 interrupted (after cleaning up).
import path from 'node:path';
import { parseCommandLine, runMain, scriptArgs, stopWith } from './config/cli.ts';
import { ConfigError } from './config/load.ts';
import { estimateSeconds, UsageError } from './config/plan.ts';
import { formatDuration } from './config/estimate.ts';
import { ResumeError, RESULTS_CSV, SUMMARY_CSV, WriteError, readResultRecords, writeCsv } from './results/store.ts';
import { summarize, summaryHeader } from './results/summary.ts';
import { calibrate } from './run/calibrate.ts';
import { Campaign, type Tally } from './run/campaign.ts';
import { experimentStep } from './run/copybench.ts';
import { Progress } from './run/progress.ts';
import { describePlan, readRequest, type Request } from './run/request.ts';
import { adaptiveRounds } from './run/rounds.ts';
import { attributeCampaign } from './run/attribute.ts';
import { Session } from './run/session.ts';
import { plotAfterRun } from './plots/plotting.ts';

const USAGE = `usage: npx zx orchestrate/run.mts [CONFIG] [options]

  CONFIG                 YAML experiment matrix (default: configs/full.yaml)
  --out DIR              where run folders go (default: results)
  --resume RUN_DIR       continue an interrupted run (its own config is used)
  --dry-run              print the plan and its estimated duration, run nothing
  --only key=value,...   run a subset: impl, mode, size, threads, rep
                         (a key given twice matches either value)
  --bin-dir DIR          binaries to run (default: bin/, built with make;
                         another folder is used as it is)
  --keep-remote          topology ssh: leave each host's run folder (sources,
                         binaries) in place at exit
  -h, --help             this text

exit codes: 0 done, 1 an experiment or tool failed, 2 bad config or usage,
130 interrupted`;

const OPTIONS = {
  out: { type: 'string' },
  resume: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  only: { type: 'string' },
  'bin-dir': { type: 'string' },
  'keep-remote': { type: 'boolean', default: false },
} as const;

async function main(): Promise<number> {
  const since = Date.now();
  const progress = new Progress();
  const say = (line: string) => progress.say(line);
  // Signals first: from here on a Ctrl-C or SIGTERM ends this run's processes,
  // undoes its setup and keeps its rows, whatever stage it arrives in.
  const session = new Session(say);

  // Everything that can be wrong with the request, before anything is created.
  const argv = scriptArgs(import.meta.url);
  const cli = parseCommandLine(argv, OPTIONS, USAGE, { min: 0, max: 1, name: 'CONFIG' });
  if (!cli.ok) return stopWith(cli, 'run.mts', say);
  const opt = (name: keyof typeof OPTIONS) => cli.values[name] as string | undefined;
  let request: Request;
  try {
    request = readRequest(cli.positionals[0] ?? null, opt('resume') ?? null, opt('only') ?? null, say);
  } catch (e) {
    if (!(e instanceof ConfigError || e instanceof ResumeError || e instanceof UsageError)) throw e;
    say(e.message);
    return 2;
  }
  const { config, configPath, resume, todo } = request;
  if (cli.values['dry-run']) {
    process.stdout.write(describePlan(config, configPath, todo, request.selected, request.only).join('\n') + '\n');
    return 0;
  }

  // From here on things are started and created.
  session.keepRemote = cli.values['keep-remote'] === true;
  const prepared = await session.prepare(config, opt('bin-dir') ?? null);
  if ('exitCode' in prepared) return prepared.exitCode;
  // The setup's own cost, on this machine, before the matrix (netns only).
  const calibration = config.calibration.enabled && config.topology.kind === 'netns' ? await calibrate(session, config, prepared.binDir, say) : null;
  if (session.interrupted) return 130;
  for (const w of calibration?.warnings ?? []) say(`WARNING: ${w}`);
  const campaign = await Campaign.open(
    {
      session, progress, config, configPath, argv, since, ...prepared,
      only: opt('only') ?? null,
      folder: resume ? { resume: opt('resume')!, meta: resume.meta } : { out: opt('out') ?? 'results' },
      metaExtras: {
        plan: { experiments: request.planned.length, estimated_s: Math.round(estimateSeconds(request.planned, config)) },
      },
      resumeHint: (dir) => `npx zx orchestrate/run.mts --resume ${dir}`,
    },
    todo.length,
  );
  // A resumed run keeps its first calibration's figures only if this machine gave none now.
  if (calibration) campaign.meta.calibration = calibration;
  const tally = await campaign.run(
    todo.map((e) => experimentStep(e, config)),
    {
      more: adaptiveRounds(request, since, () => campaign.runDir, say),
      started: () => {
        if (resume?.truncated) say(`note: dropped a half-written last row of ${campaign.runDir}/${RESULTS_CSV}; that experiment runs again`);
        say(`run ${campaign.runId}: ${todo.length} experiments${request.selected}, estimated ${formatDuration(estimateSeconds(todo, config))}; results in ${campaign.runDir}`);
      },
    },
  );
  // A run refused at setup created nothing; the reason has been said.
  if (!campaign.created) return campaign.finish();
  // Copy attribution after the matrix, in its own topology: no measured row is taken under perf record.
  if (config.attribution && !tally.interrupted && !session.interrupted) {
    await attributeCampaign(session, config, prepared.binDir, campaign, say);
  }
  const exitCode = closeRun(campaign, tally, say);
  if (tally.interrupted) return exitCode;
  // Plots last: the results are on disk already; a plotting failure is
  // reported (with the command to retry) and makes the exit code 1.
  const plotted = await plotAfterRun(campaign.runDir, say);
  return plotted ? exitCode : 1;
}

/** The processes are ended and the topology torn down: summary.csv, meta.json's last word, the closing line. */
function closeRun(campaign: Campaign, tally: Tally, say: (line: string) => void): number {
  const { runDir } = campaign;
  const records = readResultRecords(runDir);
  try {
    writeCsv(path.join(runDir, SUMMARY_CSV), summaryHeader(), summarize(records));
  } catch (e) {
    if (!(e instanceof WriteError)) throw e;
    campaign.writeFailed(e);
  }
  const exitCode = campaign.finish({ rows: records.length });
  say(
    `${tally.interrupted ? 'interrupted' : 'done'}: ${tally.done} rows written, ${tally.failed} failed, ` +
      `${records.length} rows in ${path.join(runDir, RESULTS_CSV)}; wall time ${formatDuration(campaign.wallS)}` +
      (tally.interrupted ? `; continue with --resume ${runDir}` : ''),
  );
  return exitCode;
}

runMain('run.mts', main);
