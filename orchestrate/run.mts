// copybench orchestrator.
//
//   npx zx orchestrate/run.mts [CONFIG] [--out DIR] [--resume RUN_DIR]
//                              [--dry-run] [--only key=value,...] [--bin-dir DIR]
//
// YAML → Config → plan → (topology, runner) → rows → results.csv → summary.csv
// → plots/<run-id>/ (plotting.ts).
// Exit codes: 0 done, 1 an experiment or tool failed, 2 bad config or usage,
// 130 interrupted (after cleaning up).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/load.ts';
import { perfEvents, type Config } from './config/schema.ts';
import {
  UsageError,
  describeExperiment,
  estimateSeconds,
  formatDuration,
  matchesOnly,
  matrixSize,
  parseOnly,
  planExperiments,
  selectExperiments,
  OVERHEAD_PER_EXPERIMENT_S,
  experimentKey,
  type Experiment,
} from './config/plan.ts';
import { csvHeader, rowCells } from './results/row.ts';
import { summarize, summaryHeader } from './results/summary.ts';
import {
  ResumeError,
  appendCsvRow,
  appendFailure,
  createRunDir,
  readResultRecords,
  readResumeState,
  writeCsv,
  writeCsvHeader,
  writeMeta,
  RAW_DIR,
  SUMMARY_CSV,

  type ResumeState,
} from './results/store.ts';
import { Progress, estimateRemaining } from './run/progress.ts';
import type { Meta, TopologyRecord } from './results/meta.ts';
import { machineFacts, runExperiment } from './run/experiment.ts';
import { Session, scriptArgs } from './run/session.ts';
import type { Topology } from './run/topology/topology.ts';
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
  -h, --help             this text

exit codes: 0 done, 1 an experiment or tool failed, 2 bad config or usage,
130 interrupted`;

interface Cli {
  configPath: string | null;
  out: string;
  resume: string | null;
  dryRun: boolean;
  only: string | null;
  binDir: string | null;
  help: boolean;
}

function parseCli(argv: string[]): Cli {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' },
        resume: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        only: { type: 'string' },
        'bin-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`one CONFIG at most, got ${positionals.join(' ')}`);
  return {
    configPath: positionals[0] ?? null,
    out: values.out ?? 'results',
    resume: values.resume ?? null,
    dryRun: values['dry-run'] ?? false,
    only: values.only ?? null,
    binDir: values['bin-dir'] ?? null,
    help: values.help ?? false,
  };
}

function printPlan(config: Config, configPath: string, todo: Experiment[], selectedNote: string): void {
  const perExp = config.warmup_s + config.duration_s + OVERHEAD_PER_EXPERIMENT_S;
  const lines = [
    `plan: ${configPath} (run name ${config.name}), topology ${config.topology.kind}`,
    `  ${config.variants.length} variants × ${config.modes.length} modes × ${config.message_sizes.length} sizes × ` +
      `${config.threads.length} thread counts × ${config.repetitions} repetitions = ${matrixSize(config)} experiments`,
    `  to run: ${todo.length}${selectedNote}`,
    `  each: ${config.warmup_s} s warm-up + ${config.duration_s} s measured + ~${OVERHEAD_PER_EXPERIMENT_S} s overhead = ~${perExp.toFixed(2)} s`,
    `  measured time: ${formatDuration(todo.length * config.duration_s)}; estimated duration: ${formatDuration(estimateSeconds(todo, config))}`,
    `  perf events: ${perfEvents(config).join(', ')}`,
    `  pinning: server ${config.pinning.server ?? 'unpinned'}, client ${config.pinning.client ?? 'unpinned'}`,
    ...todo.map((e) => `  ${String(e.index).padStart(4)} ${describeExperiment(e, config.repetitions)}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<number> {
  const wallStart = Date.now();
  const progress = new Progress();
  const err = (message: string) => progress.say(message);

  // Signals first: from here on a Ctrl-C or SIGTERM ends this run's processes,
  // undoes its setup and keeps its rows, whatever stage it arrives in.
  const run = new Session(err);

  // --- Everything that can be wrong with the request, before anything is created.
  let cli: Cli;
  try {
    cli = parseCli(scriptArgs(import.meta.url));
  } catch (e) {
    err(`run.mts: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }

  let config: Config;
  let configPath: string;
  let resume: ResumeState | null = null;
  const header = (c: Config) => csvHeader(perfEvents(c));
  try {
    if (cli.resume) {
      resume = readResumeState(cli.resume, header);
      config = resume.config;
      configPath = resume.meta.config_path;
      if (cli.configPath) err(`note: --resume uses the run's own config (${configPath}); ${cli.configPath} is ignored`);
    } else {
      configPath = cli.configPath ?? 'configs/full.yaml';
      config = loadConfig(configPath);
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ResumeError) {
      err(e.message);
      return 2;
    }
    throw e;
  }

  let only;
  try {
    only = parseOnly(cli.only ?? '');
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
  const plan = planExperiments(config);
  if (cli.only && !plan.some((e) => matchesOnly(e, only))) {
    err(`--only ${cli.only} selects none of the ${plan.length} experiments of ${configPath}`);
    return 2;
  }
  const todo = selectExperiments(plan, only, resume?.done);
  const selectedNote =
    (cli.only ? ` (--only ${cli.only})` : '') + (resume ? ` (${resume.done.size} already done in ${cli.resume})` : '');

  if (cli.dryRun) {
    printPlan(config, configPath, todo, selectedNote);
    return 0;
  }

  // --- From here on things are started and created.
  const prepared = await run.prepare(config, cli.binDir);
  if ('exitCode' in prepared) return prepared.exitCode;
  const { binDir, preflight: preflightResult } = prepared;

  const facts = await machineFacts();
  const startedAt = new Date();
  let runDir: string;
  let runId: string;
  let meta: Meta;
  const session = {
    started_at: startedAt.toISOString(),
    ended_at: null as string | null,
    argv: scriptArgs(import.meta.url),
    only: cli.only,
    experiments_planned: todo.length,
    rows_written: 0,
    failed: 0,
    topology: null as TopologyRecord | null,
    notes: [] as string[],
  };
  if (resume && cli.resume) {
    runDir = cli.resume;
    runId = resume.meta.run_id;
    if (resume.truncated) err(`note: dropped a half-written last row of ${runDir}/results.csv; that experiment runs again`);
    meta = { ...resume.meta, status: 'running', ended_at: null };
    meta.sessions = [...(resume.meta.sessions ?? []), session];
  } else {
    ({ runId, dir: runDir } = createRunDir(cli.out, config.name, startedAt));
    writeCsvHeader(runDir, header(config));
    meta = {
      run_id: runId,
      config_path: configPath,
      config,
      status: 'running',
      started_at: startedAt.toISOString(),
      ended_at: null,
      machine: facts,
      perf_events: perfEvents(config),
      perf_unsupported: preflightResult.unsupportedEvents,
      plan: { experiments: plan.length, estimated_s: Math.round(estimateSeconds(plan, config)) },
      sessions: [session],
    };
  }
  meta.machine = facts;
  writeMeta(runDir, meta);
  err(`run ${runId}: ${todo.length} experiments${selectedNote}, estimated ${formatDuration(estimateSeconds(todo, config))}; results in ${runDir}`);

  let failed = 0;
  let written = 0;
  const seenNotes = new Set<string>();
  const runAll = async (topology: Topology): Promise<void> => {
    session.topology = {
      kind: topology.kind,
      server_address: topology.serverAddress,
      sysctls: topology.sysctls,
      receive_steering: topology.receiveSteering,
    };
    meta.sysctls = topology.sysctls;
    session.notes.push(...topology.notes);
    writeMeta(runDir, meta);

    const loopStart = Date.now();
    const perExpEstimate = config.warmup_s + config.duration_s + OVERHEAD_PER_EXPERIMENT_S;
    for (const [i, e] of todo.entries()) {
      if (run.interrupted) break;
      const point = describeExperiment(e, config.repetitions);
      const spent = (Date.now() - loopStart) / 1000;
      progress.status({
        k: i + 1,
        n: todo.length,
        point,
        elapsedS: (Date.now() - wallStart) / 1000,
        etaS: estimateRemaining(i, todo.length - i, spent, perExpEstimate),
      });
      const outcome = await runExperiment(e, {
        config,
        topology,
        tracker: run.tracker,
        binDir,
        rawDir: path.join(runDir, RAW_DIR),
        runId,
        abort: run.abort,
      });
      for (const note of outcome.notes) {
        if (!seenNotes.has(note)) {
          seenNotes.add(note);
          err(`note: ${point}: ${note}`);
        }
      }
      if (outcome.ok) {
        appendCsvRow(runDir, rowCells(outcome.row, perfEvents(config)));
        written++;
      } else {
        failed++;
        err(`FAILED ${point}: ${outcome.problems.join('; ')} — raw files in ${outcome.rawDir}`);
        appendFailure(runDir, {
          key: experimentKey(e),
          at: new Date().toISOString(),
          problems: outcome.problems,
          raw: path.relative(runDir, outcome.rawDir),
        });
      }
    }
  };
  // Whatever happens in there, the processes are ended and the topology torn
  // down before the summary and meta.json are written.
  const { toolFailure } = await run.inTopology(config, runAll, () => progress.done());

  const interrupted = run.interrupted;
  const records = readResultRecords(runDir);
  writeCsv(path.join(runDir, SUMMARY_CSV), summaryHeader(), summarize(records));
  const endedAt = new Date().toISOString();
  session.ended_at = endedAt;
  session.rows_written = written;
  session.failed = failed;
  meta.ended_at = endedAt;
  meta.status = interrupted ? 'interrupted' : failed || toolFailure ? 'failed' : 'done';
  meta.rows = records.length;
  meta.wall_s = Math.round((Date.now() - wallStart) / 100) / 10;
  writeMeta(runDir, meta);
  err(
    `${interrupted ? 'interrupted' : 'done'}: ${written} rows written, ${failed} failed, ` +
      `${records.length} rows in ${path.join(runDir, 'results.csv')}; wall time ${formatDuration((Date.now() - wallStart) / 1000)}` +
      (interrupted ? `; continue with --resume ${runDir}` : ''),
  );
  if (interrupted) return 130;
  // Plots last: the results are on disk already; a plotting failure is
  // reported (with the command to retry) and makes the exit code 1.
  const plotted = await plotAfterRun(runDir, err);
  return failed || toolFailure || !plotted ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`run.mts: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
