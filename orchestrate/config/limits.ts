// What a config may ask for. The schema checks every bound here, so a config
// the binaries or the orchestrator cannot carry out fails when it is loaded
// (exit 2, naming the field) instead of in the middle of a run. Where the C
// binaries set a bound, the constant repeats it and names its source: the
// two must move together. Pure.

/** c/common.h MSG_SIZE_MIN: 16 B hold a message's header (sequence number and send time). */
export const MSG_SIZE_MIN = 16;
/** c/common.h MSG_SIZE_MAX (64u << 20): 64 MiB, the largest --size a client takes and a hello carries. */
export const MSG_SIZE_MAX = 64 * 2 ** 20;

/** Ours, the schema's bound from the start, below c/common.h THREADS_MAX (1024): one connection and one thread per side each. */
export const THREADS_MAX = 256;

/** c/server_opts.c: --zc-slots is parsed with parse_uint_opt(..., 1, 4096). */
export const ZC_SLOTS_MAX = 4096;

/** c/client_opts.c: --duration is parsed with parse_seconds_opt(..., 0.001, DURATION_MAX_S); a hello carries whole ms. */
export const DURATION_MIN_S = 0.001;
/**
 * Ours, below c/common.h DURATION_MAX_S (86400 s, --duration and --warmup):
 * an hour. With the timeouts' bound, the longest timer the orchestrator arms
 * (warm-up + duration + margin) stays far inside setTimeout's 2^31 - 1 ms;
 * beyond it Node fires the timer at once (TimeoutOverflowWarning).
 */
export const DURATION_MAX_S = 3600;
export const WARMUP_MAX_S = 3600;
/** Ours: the ready wait and the per-experiment margin, each at most 10 minutes. */
export const TIMEOUT_MAX_S = 600;

/**
 * The plan's size. planExperiments builds every experiment in memory and the
 * run writes one CSV row each: `repetitions: 1e9` took 5.3 GB before --dry-run
 * aborted. 100,000 experiments are already weeks of runs at 1.5 s each.
 */
export const REPETITIONS_MAX = 1000;
export const EXPERIMENTS_MAX = 100_000;
/** The plan's estimated duration (plan.ts estimateCountSeconds): a week. */
export const PLAN_SECONDS_MAX = 7 * 24 * 3600;

/** A config file's size, checked before it is parsed (a 50 MB file took 730 MB and 9 s to be refused). */
export const CONFIG_BYTES_MAX = 2 ** 20;

/** Ours: tries per experiment when interference forces re-runs; each costs a whole experiment. */
export const ATTEMPTS_MAX = 10;
