// CPU lists as taskset takes them (`0`, `0,1`, `0-3`, `0-1,3`): the config's
// pinning, the RPS masks the topology writes, the analysis's CPU counts. Pure.
export const CPU_LIST_PATTERN = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;
/** The CPUs of a taskset-style list: `0-2,5` → [0, 1, 2, 5]. The list must match CPU_LIST_PATTERN. */
export function cpusOf(list: string): number[] {
  const cpus = new Set<number>();
  for (const part of list.split(',')) {
    const [lo, hi = lo] = part.split('-').map(Number) as [number, number?];
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
