// How copybench writes a message size for people. Pure.
//
// Two styles, because two readers: the figures and the report label sizes
// as the course does (`64K`, the same as the figures' axis labels), the
// peer baseline's plain-text table as iperf3 and sockperf users read them
// (`64 KiB`).

export type SizeStyle = 'course' | 'iec';

const MIB = 1 << 20;
const KIB = 1024;

/**
 * `course`: `128`, `512`, `1K`, `64K`, `1M`.
 * `iec`: `128 B`, `1 KiB`, `64 KiB`, `1 MiB`.
 * A size that is not a whole number of KiB stays in bytes.
 */
export function formatSize(bytes: number, style: SizeStyle): string {
  const [k, m, b] = style === 'course' ? ['K', 'M', ''] : [' KiB', ' MiB', ' B'];
  if (bytes >= MIB && bytes % MIB === 0) return `${bytes / MIB}${m}`;
  if (bytes >= KIB && bytes % KIB === 0) return `${bytes / KIB}${k}`;
  return `${bytes}${b}`;
}
