// How big a plan is and how long it takes, from the config's numbers alone
// (no Config type: the schema itself bounds them with these). Pure.

/** Experiments in the full matrix: variants × modes × sizes × thread counts × repetitions (the most adaptive ones may reach). */
export function matrixSize(m: {
  variants: readonly unknown[];
  modes: readonly unknown[];
  message_sizes: readonly unknown[];
  threads: readonly unknown[];
  repetitions: number | { max: number };
}): number {
  const reps = typeof m.repetitions === 'number' ? m.repetitions : m.repetitions.max;
  return m.variants.length * m.modes.length * m.message_sizes.length * m.threads.length * reps;
}

// Time per experiment beyond warm-up + duration: process start under perf and
// `ip netns exec`, the server's ready line, connection set-up, the
// TCP counters before and after, the server's exit, parsing and
// the CSV append. Measured at 0.035 s on the 2-core reference machine
// (`npm run bench`: 60 experiments of 2.5 s took 152.1 s); rounded up. Used
// only for the estimate and the first ETA.
export const OVERHEAD_PER_EXPERIMENT_S = 0.05;

// Across two hosts (topology ssh) each of the two processes also starts
// through an ssh channel and a login shell there: 0.23 s more per experiment
// on the 2-core reference machine (quick.yaml × 3 repetitions: 0.88 s per
// experiment over ssh, 0.65 s over netns; docs/two-hosts.md, "What SSH costs").
export const SSH_OVERHEAD_PER_EXPERIMENT_S = 0.3;

/** Seconds per experiment beyond warm-up + duration, for the topology's kind. */
export function experimentOverheadS(config: { topology?: { kind: string } }): number {
  return config.topology?.kind === 'ssh' ? SSH_OVERHEAD_PER_EXPERIMENT_S : OVERHEAD_PER_EXPERIMENT_S;
}

/** The estimate for `count` experiments, without planning them (the schema bounds it). */
export function estimateCountSeconds(count: number, config: { warmup_s: number; duration_s: number; topology?: { kind: string } }): number {
  return count * (config.warmup_s + config.duration_s + experimentOverheadS(config));
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(r).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}
