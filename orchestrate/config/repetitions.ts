// What a config's `repetitions` asks for, in one shape: a plain count N is
// min = max = N with no target; the adaptive form is { min, max,
// target_ci_pct, time_budget_s } (schema.ts bounds it). Pure.

export interface RepetitionPolicy {
  min: number;
  max: number;
  /** More repetitions where throughput's 95 % interval half-width exceeds this (%); null: a fixed count. */
  targetCiPct: number | null;
  /** The time the extra repetitions may take, from the script's start; null: the plan's estimate for `max`. */
  timeBudgetS: number | null;
}

export type RepetitionsSetting = number | { min: number; max: number; target_ci_pct: number; time_budget_s: number | null };

export function repetitionPolicy(config: { repetitions: RepetitionsSetting }): RepetitionPolicy {
  const r = config.repetitions;
  if (typeof r === 'number') return { min: r, max: r, targetCiPct: null, timeBudgetS: null };
  return { min: r.min, max: r.max, targetCiPct: r.target_ci_pct, timeBudgetS: r.time_budget_s };
}
