// What a process pair left behind, as the pure interpreters see it: each
// side's stdout, stderr and exit, and the text of its perf file. run/pair.ts
// fills it; copybench's and the peers' interpreters turn it into a result.
import type { Side } from '../config/domain.ts';
import { parsePerfStatReport, type PerfStat } from './perf.ts';

export interface ProcessRecord {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
}

export interface PairOutputs {
  /** null when that side never started (its listener was not ready). */
  server: ProcessRecord | null;
  client: ProcessRecord | null;
  /** Each side's `perf stat` file; null when it was not written. */
  perf: Record<Side, string | null>;
}

/** The outcome of interpreting a pair's outputs: a value, or the problems that fail it. */
export type Interpretation<T> = { ok: true; value: T; notes: string[] } | { ok: false; problems: string[]; notes: string[] };

/** A perf file's counts; lines perf printed that the parser did not understand become notes. */
export function perfCounts(text: string | null, what: string, notes: string[]): PerfStat | null {
  if (text === null) return null;
  const report = parsePerfStatReport(text);
  for (const u of report.unparsed) notes.push(`${what} perf line ${u.lineNumber} not understood (${u.reason}): ${u.line}`);
  return report.counts;
}
