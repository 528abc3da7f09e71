// One copybench experiment's outputs → its results.csv row, or the problems
// that fail it. Pure: tests feed it captured outputs.
import type { Experiment } from '../config/plan.ts';
import { crossCheck } from './checks.ts';
import { ClientResult, ServerResult, parseLine } from './lines.ts';
import { perfCounts, type Interpretation, type PairOutputs } from './outputs.ts';
import type { PerfStat } from './perf.ts';
import { buildRow, type Row } from './row.ts';

export interface ExperimentResult {
  row: Row;
  client: ClientResult;
  server: ServerResult;
  perf: { server: PerfStat; client: PerfStat };
}

export interface ExperimentRecord {
  outputs: PairOutputs;
  /** What went wrong with the processes' lives (from the pair engine). */
  problems: readonly string[];
  tcpRetransSegs: number | null;
  /** Steal on each side's CPUs while the client ran, %; null when unknown. */
  steal: { server: number | null; client: number | null };
  /** Which try this is, from 1. */
  attempt: number;
  startedAt: string;
  /** `two`: the sides ran on two hosts (no one-way delay, see row.ts TWO_CLOCKS); default `one`. */
  clocks?: 'one' | 'two';
}

export function interpretExperiment(
  e: Experiment,
  events: readonly string[],
  runId: string,
  record: ExperimentRecord,
): Interpretation<ExperimentResult> {
  const { outputs } = record;
  const problems = [...record.problems];
  const notes: string[] = [];
  if (record.tcpRetransSegs === null) notes.push('the TcpRetransSegs counters could not be read; tcp_retrans_segs left empty');
  const client = outputs.client ? resultLine(ClientResult, outputs.client.stdout, 'client stdout', 1, problems) : null;
  // The server's stdout: the ready line, then its result.
  const server = outputs.server ? resultLine(ServerResult, outputs.server.stdout, 'server stdout', 2, problems) : null;
  const perf = (side: 'server' | 'client') => {
    const counts = perfCounts(outputs.perf[side], side, notes);
    if (!counts) problems.push(`${side} perf file was not written`);
    return counts;
  };
  const serverPerf = perf('server');
  const clientPerf = outputs.client ? perf('client') : null;

  if (client && server && serverPerf && clientPerf) {
    problems.push(...crossCheck({ experiment: e, client, server, serverPerf, clientPerf, events }));
    notes.push(...counterNotes({ server: serverPerf, client: clientPerf }, events));
    if (problems.length === 0) {
      try {
        const row = buildRow({
          experiment: e,
          client,
          server,
          serverPerf,
          clientPerf,
          events,
          clocks: record.clocks,
          tcpRetransSegs: record.tcpRetransSegs,
          steal: record.steal,
          attempt: record.attempt,
          runId,
          startedAt: record.startedAt,
        });
        return { ok: true, value: { row, client, server, perf: { server: serverPerf, client: clientPerf } }, notes };
      } catch (err) {
        problems.push(`row failed validation: ${(err as Error).message}`);
      }
    }
  }
  if (problems.length === 0) problems.push('no result (see raw files)');
  return { ok: false, problems, notes };
}

/** Counters perf could not count all the time, as notes: their cells are empty or scaled. */
function counterNotes(perf: { server: PerfStat; client: PerfStat }, events: readonly string[]): string[] {
  const notes: string[] = [];
  for (const side of ['server', 'client'] as const) {
    for (const ev of events) {
      const c = perf[side][ev];
      if (c && c.supported && c.value === null) notes.push(`${side} ${ev}: <not counted>; cell left empty`);
      if (c && c.runPct !== null && c.runPct < 100) notes.push(`${side} ${ev}: multiplexed, counted ${c.runPct}% of the run`);
    }
  }
  return notes;
}

/** The last of `expectedLines` JSON lines of stdout, parsed with its schema. */
function resultLine<T extends typeof ClientResult | typeof ServerResult>(
  schema: T,
  stdout: string,
  source: string,
  expectedLines: number,
  problems: string[],
): ReturnType<T['parse']> | null {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== expectedLines) {
    problems.push(`${source}: expected ${expectedLines} JSON line(s), got ${lines.length}`);
    if (lines.length === 0) return null;
  }
  try {
    return parseLine(schema, lines[lines.length - 1]!, source) as ReturnType<T['parse']>;
  } catch (err) {
    problems.push((err as Error).message);
    return null;
  }
}
