// Shared test data: real JSON lines captured from the binaries, and perf counts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ClientResult, ServerResult, parseLine } from '../../orchestrate/results/lines.ts';
import type { PerfStat } from '../../orchestrate/results/perf.ts';
import type { Experiment } from '../../orchestrate/config/plan.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

export function lines(name: string): string[] {
  return readFileSync(path.join(FIXTURES, 'lines', name), 'utf8').split('\n').filter(Boolean);
}

/** zero_copy stream 65536 B 2 threads, as the binaries printed it. */
export function zeroCopyStream(): { experiment: Experiment; client: ClientResult; server: ServerResult } {
  return {
    experiment: { index: 1, impl: 'zero_copy', mode: 'stream', msgSize: 65536, threads: 2, rx: 'copy', rep: 1 },
    client: parseLine(ClientResult, lines('zero_copy-stream-client.stdout')[0]!, 'fixture'),
    server: parseLine(ServerResult, lines('zero_copy-stream-server.stdout')[1]!, 'fixture'),
  };
}

export function perfStat(values: Record<string, number | null>, opts: { unsupported?: string[] } = {}): PerfStat {
  const out: PerfStat = {};
  for (const [event, value] of Object.entries(values)) {
    const supported = !(opts.unsupported ?? []).includes(event);
    out[event] = { value: supported ? value : null, unit: '', runPct: supported && value !== null ? 100 : null, supported };
  }
  return out;
}
