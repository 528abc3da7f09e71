// Parser for `perf stat -x, --no-big-num -o FILE` output. Pure: text in,
// counts out; it never throws on a line it does not know, it reports it.
//
// One row per event, fields separated by commas (perf-stat(1), "CSV FORMAT"):
//   value, unit, event, run time, run percentage[, metric value, metric unit]
// e.g.  `123456,,cycles,2001234,100.00,1.23,GHz`
//       `<not supported>,,LLC-load-misses,0,100.00,,`
//       `0.57,msec,task-clock,573950,100.00,0.006,CPUs utilized`
// Older perf (before 3.x run columns) printed only the first three fields;
// those rows parse with `runPct: null`. perf may add rows that carry only a
// further metric of the previous event (`,,,,,0.50,stalled cycles per insn`):
// they hold no count and are skipped. Hybrid Intel CPUs print one row per
// core type (`cpu_core/cycles/`, `cpu_atom/cycles/`); those are summed under
// the plain name (`cycles`).

export interface PerfCount {
  /** The count (perf's scaled estimate when multiplexed); null when perf printed none. */
  value: number | null;
  /** perf's unit column: `msec` for task-clock, empty for plain counts. */
  unit: string;
  /** Share of the run the counter was scheduled, 0–100; below 100 means multiplexed. */
  runPct: number | null;
  /** False when perf said `<not supported>` (for every row of a hybrid event). */
  supported: boolean;
}

export type PerfStat = Record<string, PerfCount>;

export interface UnparsedLine {
  lineNumber: number;
  line: string;
  reason: string;
}

export interface PerfStatReport {
  counts: PerfStat;
  /** Lines that were not comments, blanks or count rows. */
  unparsed: UnparsedLine[];
  /** The `# started on ...` header, if any. */
  startedOn: string | null;
}

const NOT_SUPPORTED = '<not supported>';
const NOT_COUNTED = '<not counted>';
// PMUs of Intel hybrid parts: performance cores, efficiency cores, and the
// low-power island of some newer parts.
const HYBRID_PMU = /^cpu_(core|atom|lowpower)\/([^/]+)\/([A-Za-z]*)$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

interface Row {
  event: string;
  value: number | null;
  unit: string;
  runPct: number | null;
  supported: boolean;
}

/** `cpu_core/cycles/` → `cycles`; `cpu_atom/cycles/u` → `cycles:u`; others unchanged. */
export function canonicalEventName(name: string): { name: string; hybrid: boolean } {
  const m = HYBRID_PMU.exec(name);
  if (!m) return { name, hybrid: false };
  const [, , event = '', modifiers = ''] = m;
  return { name: modifiers ? `${event}:${modifiers}` : event, hybrid: true };
}

function parseRow(line: string): Row | string {
  const fields = line.split(',');
  if (fields.length < 3) return 'fewer than 3 comma-separated fields';
  const [rawValue = '', unit = '', rawEvent = '', , rawPct] = fields;
  const event = rawEvent.trim();
  if (event === '') return 'no event name';
  let value: number | null;
  let supported = true;
  const v = rawValue.trim();
  if (v === NOT_SUPPORTED) {
    value = null;
    supported = false;
  } else if (v === NOT_COUNTED) {
    value = null;
  } else if (NUMBER.test(v)) {
    value = Number(v);
  } else {
    return `value ${JSON.stringify(v)} is neither a number nor <not counted>/<not supported>`;
  }
  let runPct: number | null = null;
  if (rawPct !== undefined && rawPct.trim() !== '') {
    if (!NUMBER.test(rawPct.trim())) return `run percentage ${JSON.stringify(rawPct)} is not a number`;
    runPct = Number(rawPct.trim());
  }
  // A counter that never ran has no meaningful share; perf prints 0.00 or 100.00.
  if (value === null) runPct = null;
  return { event, value, unit: unit.trim(), runPct, supported };
}

/** Sum the rows of one hybrid event: counted rows add up, the rest only tell support. */
function mergeHybrid(rows: Row[]): PerfCount {
  const counted = rows.filter((r) => r.value !== null);
  const pcts = counted.map((r) => r.runPct).filter((p): p is number => p !== null);
  return {
    value: counted.length ? counted.reduce((s, r) => s + (r.value ?? 0), 0) : null,
    unit: rows.find((r) => r.unit !== '')?.unit ?? '',
    // The least-scheduled part bounds how much of the total was measured.
    runPct: pcts.length ? Math.min(...pcts) : null,
    supported: rows.some((r) => r.supported),
  };
}

export function parsePerfStatReport(text: string): PerfStatReport {
  const plain = new Map<string, PerfCount>();
  const hybrid = new Map<string, Row[]>();
  const unparsed: UnparsedLine[] = [];
  let startedOn: string | null = null;

  text.split(/\r?\n/).forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s*started on\s+(.*)$/.exec(line);
      if (m) startedOn = m[1] ?? null;
      return;
    }
    // A further metric of the previous event: no value, no event.
    if (/^,,,/.test(line) && line.split(',').slice(0, 3).every((f) => f.trim() === '')) return;
    const row = parseRow(line);
    if (typeof row === 'string') {
      unparsed.push({ lineNumber, line: rawLine, reason: row });
      return;
    }
    const { name, hybrid: isHybrid } = canonicalEventName(row.event);
    if (isHybrid) {
      hybrid.set(name, [...(hybrid.get(name) ?? []), row]);
      return;
    }
    if (plain.has(name)) {
      unparsed.push({ lineNumber, line: rawLine, reason: `second row for ${name}; the first is kept` });
      return;
    }
    plain.set(name, { value: row.value, unit: row.unit, runPct: row.runPct, supported: row.supported });
  });

  const counts: PerfStat = {};
  for (const [name, count] of plain) counts[name] = count;
  for (const [name, rows] of hybrid) {
    if (name in counts) {
      unparsed.push({ lineNumber: 0, line: name, reason: `${name} printed both plain and per core type; the plain row is kept` });
      continue;
    }
    counts[name] = mergeHybrid(rows);
  }
  return { counts, unparsed, startedOn };
}

/**
 * The DESIGN.md contract: counts keyed by event name as requested. Lines it
 * does not know are passed to `onUnparsed` (when given) instead of throwing.
 */
export function parsePerfStat(text: string, onUnparsed?: (line: UnparsedLine) => void): PerfStat {
  const report = parsePerfStatReport(text);
  if (onUnparsed) report.unparsed.forEach(onUnparsed);
  return report.counts;
}
