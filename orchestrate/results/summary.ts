// summary.csv: per matrix point, median / min / max over repetitions. Pure;
// reads the records of results.csv (strings) so a resumed run summarises
// every row, old and new.
import { IMPLEMENTATIONS, MODES } from '../config/domain.ts';
import { median } from './stats.ts';

/** The figures summarised, in column order. */
export const SUMMARY_METRICS = [
  'throughput_gbps',
  'latency_us',
  'latency_p50_us',
  'latency_p99_us',
  'cpu_cycles',
  'l1_cache_misses',
  'llc_cache_misses',
  'context_switches',
  'cycles_per_byte',
  'zc_copied',
  'tcp_retrans_segs',
] as const;

const KEY_COLUMNS = ['implementation', 'mode', 'msg_size', 'threads', 'rx'] as const;
const STATS = ['median', 'min', 'max'] as const;

export function summaryHeader(): string[] {
  return [...KEY_COLUMNS, 'reps', ...SUMMARY_METRICS.flatMap((m) => STATS.map((s) => `${m}_${s}`))];
}

export type SummaryRow = Record<string, string | number | null>;

/** An empty cell is unknown, not zero: it is left out of the statistics. */
function numbersOf(records: readonly Record<string, string>[], column: string): number[] {
  return records
    .map((r) => r[column])
    .filter((v): v is string => v !== undefined && v.trim() !== '')
    .map(Number)
    .filter((n) => Number.isFinite(n));
}

const order = (list: readonly string[], v: string | undefined) => {
  const i = list.indexOf(v ?? '');
  return i < 0 ? list.length : i;
};

export function summarize(records: readonly Record<string, string>[]): SummaryRow[] {
  const groups = new Map<string, Record<string, string>[]>();
  for (const r of records) {
    const key = KEY_COLUMNS.map((k) => r[k] ?? '').join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: SummaryRow[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const row: SummaryRow = {
      implementation: first.implementation ?? '',
      mode: first.mode ?? '',
      msg_size: Number(first.msg_size),
      threads: Number(first.threads),
      rx: first.rx || 'copy',
      reps: group.length,
    };
    for (const metric of SUMMARY_METRICS) {
      const values = numbersOf(group, metric);
      row[`${metric}_median`] = median(values);
      row[`${metric}_min`] = values.length ? Math.min(...values) : null;
      row[`${metric}_max`] = values.length ? Math.max(...values) : null;
    }
    rows.push(row);
  }
  return rows.sort(
    (a, b) =>
      order(MODES, String(a.mode)) - order(MODES, String(b.mode)) ||
      order(IMPLEMENTATIONS, String(a.implementation)) - order(IMPLEMENTATIONS, String(b.implementation)) ||
      Number(a.msg_size) - Number(b.msg_size) ||
      Number(a.threads) - Number(b.threads) ||
      String(a.rx).localeCompare(String(b.rx)),
  );
}
