// What run.mts is asked to do, read before anything is created: the config
// (or an interrupted run's own, with what it already did), the plan, and
// what --only and --resume leave of it.
import { cpuListProblem } from '../config/cpus.ts';
import { SIDES } from '../config/domain.ts';
import { loadConfig, machineCpus } from '../config/load.ts';
import { perfEvents, type Config } from '../config/schema.ts';
import { repetitionPolicy } from '../config/repetitions.ts';
import {
  UsageError,
  describeExperiment,
  estimateSeconds,
  matchesOnly,
  parseOnly,
  planExperiments,
  selectExperiments,
  type Experiment,
  type OnlyFilter,
} from '../config/plan.ts';
import { experimentOverheadS, formatDuration, matrixSize } from '../config/estimate.ts';
import { csvHeader } from '../results/row.ts';
import { ResumeError, readResumeState, type ResumeState } from '../results/store.ts';
import { adaptiveBudgetS } from './adaptive.ts';

export interface Request {
  config: Config;
  configPath: string;
  resume: ResumeState | null;
  planned: Experiment[];
  todo: Experiment[];
  /** --only, parsed (adaptive repetitions keep to it too). */
  only: OnlyFilter;
  /** What narrowed the plan, for messages: ` (--only ...)`, ` (12 already done in ...)`. */
  selected: string;
}

/** The config (or the resumed run's), the plan and what is left of it; throws ConfigError, ResumeError or UsageError. */
export function readRequest(configArg: string | null, resumeDir: string | null, onlyArg: string | null, say: (line: string) => void): Request {
  let config: Config;
  let configPath: string;
  let resume: ResumeState | null = null;
  if (resumeDir) {
    resume = readResumeState(resumeDir, (c) => csvHeader(perfEvents(c)));
    ({ config, meta: { config_path: configPath } } = resume);
    // The run may have started on a machine with more CPUs than this one.
    for (const side of config.topology.kind === 'ssh' ? [] : SIDES) {
      const list = config.pinning[side];
      const problem = list === null ? null : cpuListProblem(list, machineCpus());
      if (problem) throw new ResumeError(`${resumeDir}: its config's pinning.${side} (${list}) does not fit this machine: ${problem}`);
    }
    if (configArg) say(`note: --resume uses the run's own config (${configPath}); ${configArg} is ignored`);
  } else {
    configPath = configArg ?? 'configs/full.yaml';
    config = loadConfig(configPath);
  }
  const only = parseOnly(onlyArg ?? '');
  const planned = planExperiments(config);
  if (onlyArg && !planned.some((e) => matchesOnly(e, only))) {
    throw new UsageError(`--only ${onlyArg} selects none of the ${planned.length} experiments of ${configPath}`);
  }
  const selected = (onlyArg ? ` (--only ${onlyArg})` : '') + (resume ? ` (${resume.done.size} already done in ${resumeDir})` : '');
  return { config, configPath, resume, planned, todo: selectExperiments(planned, only, resume?.done), only, selected };
}

/** What --dry-run prints: the matrix, the time it will take, and every experiment. */
export function describePlan(config: Config, configPath: string, todo: readonly Experiment[], selectedNote: string, only: OnlyFilter = {}): string[] {
  const perExp = config.warmup_s + config.duration_s + experimentOverheadS(config);
  const policy = repetitionPolicy(config);
  const adaptive = policy.targetCiPct !== null;
  return [
    `plan: ${configPath} (run name ${config.name}), topology ${config.topology.kind}`,
    `  ${config.variants.length} variants × ${config.modes.length} modes × ${config.message_sizes.length} sizes × ` +
      `${config.threads.length} thread counts × ${adaptive ? `up to ${policy.max}` : policy.min} repetitions = ${matrixSize(config)} experiments` +
      (adaptive ? ` at most` : ''),
    ...(adaptive
      ? [
          `  repetitions: adaptive, ${policy.min} of every point first, then up to ${policy.max} where throughput's 95% interval is wider than ±${policy.targetCiPct}%;` +
            ` time budget ${formatDuration(adaptiveBudgetS(config, only))} (${policy.timeBudgetS !== null ? 'time_budget_s' : `the estimate for ${policy.max} repetitions`}), from the run's start`,
        ]
      : []),
    `  to run: ${todo.length}${selectedNote}${adaptive ? ` in the first ${policy.min} repetitions, then as the intervals ask` : ''}`,
    `  each: ${config.warmup_s} s warm-up + ${config.duration_s} s measured + ~${experimentOverheadS(config)} s overhead = ~${perExp.toFixed(2)} s`,
    `  measured time: ${formatDuration(todo.length * config.duration_s)}; estimated duration: ${formatDuration(estimateSeconds(todo, config))}`,
    `  perf events: ${perfEvents(config).join(', ')}`,
    `  pinning: server ${config.pinning.server ?? 'unpinned'}, client ${config.pinning.client ?? 'unpinned'}`,
    ...todo.map((e) => `  ${String(e.index).padStart(4)} ${describeExperiment(e, config)}`),
  ];
}
