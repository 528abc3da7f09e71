// The planner: Config → Experiment[]. Pure; the runner executes what it returns.
import { estimateCountSeconds } from './estimate.ts';
import { repetitionPolicy } from './repetitions.ts';
import type { Config } from './schema.ts';
import { IMPLEMENTATIONS, MODES, RX_MODES, type Implementation, type Mode, type RxMode } from './domain.ts';

/** One run of one matrix point. */
export interface Experiment {
  /** 1-based position in the full plan (stable across --only and --resume). */
  index: number;
  impl: Implementation;
  mode: Mode;
  msgSize: number;
  threads: number;
  /** How the client receives (config `rx`). */
  rx: RxMode;
  /** 1-based repetition. */
  rep: number;
}

export type Point = Pick<Experiment, 'impl' | 'mode' | 'msgSize' | 'threads' | 'rx'>;

/** A results.csv record's receive mode: empty or absent (runs from before --rx) is copy. */
export function rxOf(record: Record<string, string | undefined>): RxMode {
  return record['rx'] === 'zerocopy' ? 'zerocopy' : 'copy';
}

/** The key's and slug's mark of a non-default receive: none for `copy`, so keys of runs from before --rx stay valid. */
const rxMark = (rx: RxMode, sep: string) => (rx === 'copy' ? '' : `${sep}rx=${rx}`);

/** Identifies a matrix point: `zero_copy/stream/4096/4`, `zero_copy/stream/4096/4/rx=zerocopy`. */
export function pointKey(p: Point): string {
  return `${p.impl}/${p.mode}/${p.msgSize}/${p.threads}${rxMark(p.rx, '/')}`;
}

/** Identifies an experiment across runs, for --resume: `zero_copy/stream/4096/4/2`. */
export function experimentKey(e: Point & { rep: number }): string {
  return `${pointKey(e)}/${e.rep}`;
}

/** File-system friendly name of an experiment: `r2-zero_copy-stream-4096B-4t`. */
export function experimentSlug(e: Experiment): string {
  return `r${e.rep}-${e.impl}-${e.mode}-${e.msgSize}B-${e.threads}t${rxMark(e.rx, '-').replace('=', '')}`;
}

/** Every matrix point, in the order one repetition runs them: modes, sizes, thread counts, receive modes, then variants innermost. */
export function planPoints(config: Config): Point[] {
  const out: Point[] = [];
  for (const mode of config.modes) {
    for (const msgSize of config.message_sizes) {
      for (const threads of config.threads) {
        for (const rx of config.rx) {
          for (const impl of config.variants) out.push({ impl, mode, msgSize, threads, rx });
        }
      }
    }
  }
  return out;
}

/**
 * Every point × repetition, for the first `repetitions.min` repetitions
 * (all of them for a plain count). Repetitions are the outer loop, so slow
 * drift (thermal state, background load, page cache) spreads over every
 * point alike instead of biasing the points measured last; variants are the
 * inner loop, so the three copies of one point are measured back to back.
 */
export function planExperiments(config: Config): Experiment[] {
  const points = planPoints(config);
  const out: Experiment[] = [];
  for (let rep = 1; rep <= repetitionPolicy(config).min; rep++) {
    for (const [i, p] of points.entries()) out.push({ ...p, rep, index: (rep - 1) * points.length + i + 1 });
  }
  return out;
}

/** One more repetition of a point, with the index it has in the plan of `max` repetitions (stable across sessions). */
export function plannedRepetition(config: Config, point: Point, rep: number): Experiment {
  const points = planPoints(config);
  const i = points.findIndex((p) => pointKey(p) === pointKey(point));
  if (i < 0) throw new Error(`${pointKey(point)} is not a point of this config`);
  return { ...points[i]!, rep, index: (rep - 1) * points.length + i + 1 };
}

// --only: `impl=zero_copy,threads=4`. A key given twice matches either value
// (`threads=1,threads=2`); different keys must all match.
const ONLY_KEYS = {
  impl: 'impl',
  implementation: 'impl',
  variant: 'impl',
  mode: 'mode',
  size: 'msgSize',
  msg_size: 'msgSize',
  threads: 'threads',
  rx: 'rx',
  rep: 'rep',
} as const;

export type OnlyFilter = Partial<{
  impl: Implementation[];
  mode: Mode[];
  msgSize: number[];
  threads: number[];
  rx: RxMode[];
  rep: number[];
}>;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseOnly(spec: string): OnlyFilter {
  const filter: OnlyFilter = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)=(.+)$/.exec(part);
    if (!m) throw new UsageError(`--only: expected key=value, got ${JSON.stringify(part)}`);
    const [, rawKey = '', value = ''] = m;
    if (!(rawKey in ONLY_KEYS)) {
      throw new UsageError(`--only: unknown key ${JSON.stringify(rawKey)} (use impl, mode, size, threads, rx or rep)`);
    }
    const key = ONLY_KEYS[rawKey as keyof typeof ONLY_KEYS];
    if (key === 'impl') {
      if (!(IMPLEMENTATIONS as readonly string[]).includes(value)) {
        throw new UsageError(`--only: impl must be one of ${IMPLEMENTATIONS.join(', ')}, got ${JSON.stringify(value)}`);
      }
      (filter.impl ??= []).push(value as Implementation);
    } else if (key === 'mode') {
      if (!(MODES as readonly string[]).includes(value)) {
        throw new UsageError(`--only: mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(value)}`);
      }
      (filter.mode ??= []).push(value as Mode);
    } else if (key === 'rx') {
      if (!(RX_MODES as readonly string[]).includes(value)) {
        throw new UsageError(`--only: rx must be one of ${RX_MODES.join(', ')}, got ${JSON.stringify(value)}`);
      }
      (filter.rx ??= []).push(value as RxMode);
    } else {
      if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--only: ${rawKey} must be a positive integer, got ${JSON.stringify(value)}`);
      (filter[key] ??= []).push(Number(value));
    }
  }
  return filter;
}

export function matchesOnly(e: Experiment, filter: OnlyFilter): boolean {
  return (
    (!filter.impl || filter.impl.includes(e.impl)) &&
    (!filter.mode || filter.mode.includes(e.mode)) &&
    (!filter.msgSize || filter.msgSize.includes(e.msgSize)) &&
    (!filter.threads || filter.threads.includes(e.threads)) &&
    (!filter.rx || filter.rx.includes(e.rx)) &&
    (!filter.rep || filter.rep.includes(e.rep))
  );
}

/** The experiments still to run: those --only selects, minus those already done. */
export function selectExperiments(plan: Experiment[], filter: OnlyFilter, done: ReadonlySet<string> = new Set()): Experiment[] {
  return plan.filter((e) => matchesOnly(e, filter) && !done.has(experimentKey(e)));
}

export function estimateSeconds(experiments: readonly Experiment[], config: Config): number {
  return estimateCountSeconds(experiments.length, config);
}

/** `two_copy stream 128 B 1 thread rep 2/3` (adaptive: `rep 4/3–10`). */
export function describeExperiment(e: Experiment, config: Pick<Config, 'repetitions'>): string {
  const { min, max } = repetitionPolicy(config);
  return `${e.impl} ${e.mode} ${e.msgSize} B ${e.threads} thread${e.threads === 1 ? '' : 's'}${e.rx === 'copy' ? '' : ` rx ${e.rx}`} rep ${e.rep}/${min === max ? min : `${min}–${max}`}`;
}
