// Hypervisor steal time: how much of a CPU the hypervisor gave to someone
// else while an experiment ran, from two readings of /proc/stat, and whether
// that is enough interference to run the experiment again. Pure: run/ reads
// the file, tests feed captured text and synthetic numbers.
//
// /proc/stat's `cpuN` lines count, in USER_HZ ticks since boot: user, nice,
// system, idle, iowait, irq, softirq, steal, guest, guest_nice. guest and
// guest_nice are already inside user and nice, so a CPU's total is the sum
// of the first eight. Kernels before 2.6.11 have no steal column, and a
// hypervisor that does not report steal (or bare metal) leaves it 0 on every
// CPU since boot: then steal is unknown here, never a measured 0.

/** One CPU's ticks since boot; `steal` null when the line has no steal column. */
export interface CpuTicks {
  total: number;
  steal: number | null;
}

/** /proc/stat's per-CPU lines, by CPU number. */
export type ProcStat = Map<number, CpuTicks>;

/** The `cpuN` lines of /proc/stat's text (the aggregate `cpu` line and everything else are skipped). */
export function parseProcStat(text: string): ProcStat {
  const cpus: ProcStat = new Map();
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const fields = m[2]!.trim().split(/\s+/).map(Number);
    if (fields.length < 4 || fields.some((f) => !Number.isFinite(f) || f < 0)) continue;
    const eight = fields.slice(0, 8);
    cpus.set(Number(m[1]), { total: eight.reduce((s, f) => s + f, 0), steal: fields.length >= 8 ? fields[7]! : null });
  }
  return cpus;
}

/** True when this machine reports steal at all: every CPU has the column and some CPU has stolen ticks since boot. */
export function stealReported(stat: ProcStat): boolean {
  const cpus = [...stat.values()];
  return cpus.length > 0 && cpus.every((c) => c.steal !== null) && cpus.some((c) => c.steal! > 0);
}

/**
 * Steal on `cpus` (null: every CPU) between two readings, as a percentage of
 * those CPUs' ticks over the same span. Null when unknown: a reading missing,
 * a CPU absent from either, steal not reported (see stealReported), or no
 * tick elapsed (a span shorter than one USER_HZ tick, 10 ms at 100 Hz).
 */
export function stealPercent(before: ProcStat | null, after: ProcStat | null, cpus: readonly number[] | null): number | null {
  if (!before || !after || !stealReported(after)) return null;
  let steal = 0;
  let total = 0;
  for (const cpu of cpus ?? [...after.keys()]) {
    const a = before.get(cpu);
    const b = after.get(cpu);
    if (!a || !b || a.steal === null || b.steal === null) return null;
    steal += b.steal - a.steal;
    total += b.total - a.total;
  }
  if (total <= 0 || steal < 0) return null;
  return (steal / total) * 100;
}

export interface InterferenceLimits {
  /** Steal above this on either side's CPUs makes an attempt interfered with. */
  maxStealPct: number;
  /** Tries in all, the first included. */
  maxAttempts: number;
}

export type StealReading = Record<'server' | 'client', number | null>;

export type InterferenceVerdict =
  | { rerun: false; reason: 'clean' | 'unknown' | 'last attempt' | 'failed' }
  | { rerun: true; sides: ('server' | 'client')[] };

/**
 * Whether attempt `attempt` (1-based) of an experiment is run again: only
 * when it succeeded, steal on some side's CPUs exceeded the limit, and
 * attempts remain. Unknown steal never forces a re-run (nothing says it was
 * interfered with); a failed attempt is a failure, not interference.
 */
export function interferenceVerdict(steal: StealReading, attempt: number, ok: boolean, limits: InterferenceLimits): InterferenceVerdict {
  if (!ok) return { rerun: false, reason: 'failed' };
  const sides = (['server', 'client'] as const).filter((s) => steal[s] !== null && steal[s]! > limits.maxStealPct);
  if (sides.length === 0) return { rerun: false, reason: steal.server === null && steal.client === null ? 'unknown' : 'clean' };
  if (attempt >= limits.maxAttempts) return { rerun: false, reason: 'last attempt' };
  return { rerun: true, sides };
}
