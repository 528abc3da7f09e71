// CPU lists as taskset takes them (`0`, `0,1`, `0-3`, `0-1,3`): the config's
// pinning, the RPS masks the topology writes, the analysis's CPU counts. Pure.
export const CPU_LIST_PATTERN = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

/**
 * No Linux machine numbers a CPU at or past this: CONFIG_NR_CPUS tops out at
 * 8192 (x86-64 MAXSMP). The schema checks it without knowing the machine, so
 * that `0-99999999` is refused before anything expands it.
 */
export const CPU_NUMBER_LIMIT = 8192;

/** The ranges of a list as written, not expanded: `0-2,5` → [[0, 2], [5, 5]]. The list must match CPU_LIST_PATTERN. */
export function cpuRanges(list: string): Array<[number, number]> {
  return list.split(',').map((part) => {
    const [lo, hi = lo] = part.split('-').map(Number) as [number, number?];
    return [lo, hi];
  });
}

/**
 * What is wrong with a list that matches CPU_LIST_PATTERN, or null: a range
 * written backwards (taskset refuses `1-0`), or a CPU at or past `cpuCount`
 * (the machine's, when known; else any machine's limit).
 */
export function cpuListProblem(list: string, cpuCount: number = CPU_NUMBER_LIMIT): string | null {
  for (const [lo, hi] of cpuRanges(list)) {
    if (lo > hi) return `the range ${lo}-${hi} runs backwards (write ${hi}-${lo})`;
  }
  const highest = Math.max(...cpuRanges(list).map(([, hi]) => hi));
  if (highest >= cpuCount) {
    return cpuCount === CPU_NUMBER_LIMIT
      ? `names CPU ${highest}; no Linux machine has CPUs past ${CPU_NUMBER_LIMIT - 1}`
      : `names CPU ${highest}, which this machine does not have (CPUs 0-${cpuCount - 1})`;
  }
  return null;
}

/** The CPUs of a taskset-style list: `0-2,5` → [0, 1, 2, 5]. The list must match CPU_LIST_PATTERN and pass cpuListProblem. */
export function cpusOf(list: string): number[] {
  const cpus = new Set<number>();
  for (const [lo, hi] of cpuRanges(list)) {
    for (let c = lo; c <= hi; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** A CPU list as the hexadecimal mask that /sys/.../rps_cpus takes: `0` → "1", `1` → "2", `0-3` → "f". */
export function cpuMask(list: string): string {
  return cpusOf(list)
    .reduce((mask, c) => mask | (1n << BigInt(c)), 0n)
    .toString(16);
}
