// The pure step from a pair's outputs to a results.csv row, on outputs the
// binaries and perf really printed (test/fixtures/lines, test/fixtures/perf).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpretExperiment, type ExperimentRecord } from '../../orchestrate/results/experiment.ts';
import type { Experiment } from '../../orchestrate/config/plan.ts';
import { FIXTURES } from '../run/helpers.ts';

const EVENTS = ['cycles', 'instructions', 'L1-dcache-load-misses', 'LLC-load-misses', 'cache-misses', 'context-switches', 'cpu-migrations', 'task-clock'];
const E: Experiment = { index: 1, impl: 'zero_copy', mode: 'stream', msgSize: 65536, threads: 2, rx: 'copy', rep: 1 };
const text = (dir: string, name: string) => readFileSync(path.join(FIXTURES, dir, name), 'utf8');
const proc = (stdout: string) => ({ stdout, stderr: '', exitCode: 0, signal: null });

function record(patch: (r: ExperimentRecord) => void = () => {}): ExperimentRecord {
  const r: ExperimentRecord = {
    outputs: {
      server: proc(text('lines', 'zero_copy-stream-server.stdout')),
      client: proc(text('lines', 'zero_copy-stream-client.stdout')),
      perf: { server: text('perf', 'real-kvm-server.perf'), client: text('perf', 'real-kvm-client.perf') },
    },
    problems: [],
    tcpRetransSegs: 3,
    steal: { server: 0.5, client: null },
    attempt: 2,
    startedAt: '2026-11-30T00:00:00.000Z',
  };
  patch(r);
  return r;
}

describe('interpretExperiment', () => {
  it('turns real outputs into a row: the client counts, the counters perf could count, nothing made up', () => {
    const out = interpretExperiment(E, EVENTS, 'run-1', record());
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const { row } = out.value;
    expect(row.bytes).toBe(1443430400);
    expect(row.throughput_gbps).toBe(23.094886);
    expect(row.zc_copied).toBe(25808);
    expect(row.tcp_bytes_sent).toBe(1691398064);
    expect(row.tcp_segs_in_client).toBe(47938);
    expect(row.latency_kind).toBe('one_way_queued');
    expect(row.queue_server_bytes_mean).toBe(673574.901961);
    expect(row.queue_client_bytes_mean).toBe(838933.76);
    expect(row.tcp_retrans_segs).toBe(3);
    expect(row.cpu_cycles).toBeNull(); // <not supported> here: empty, never 0
    expect(row.perf['server_task-clock']).toBe(604.52);
    expect(row.run_id).toBe('run-1');
  });

  it('carries the engine\'s steal readings and attempt number into the row; unknown steal stays empty', () => {
    const out = interpretExperiment(E, EVENTS, 'run-1', record());
    expect(out.ok && out.value.row).toMatchObject({ steal_pct_server_cpu: 0.5, steal_pct_client_cpu: null, attempts: 2 });
  });

  it('fails, with every reason, when a side printed no result or perf wrote no file', () => {
    const out = interpretExperiment(E, EVENTS, 'run-1', record((r) => {
      r.outputs.server = proc('{"event":"ready","port":1}\n');
      r.outputs.perf.client = null;
    }));
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.problems).toEqual([
      'server stdout: expected 2 JSON line(s), got 1',
      expect.stringMatching(/^server stdout: /),
      'client perf file was not written',
    ]);
  });

  it('keeps the engine\'s problems, and never reads a client that did not start', () => {
    const out = interpretExperiment(E, EVENTS, 'run-1', record((r) => {
      r.outputs.client = null;
      r.outputs.perf.client = null;
      r.problems = ['a3_server printed no ready line within 5 s'];
    }));
    expect(out).toMatchObject({ ok: false, problems: ['a3_server printed no ready line within 5 s'] });
  });

  it('says when the retransmission counters could not be read, and leaves the cell empty', () => {
    const out = interpretExperiment(E, EVENTS, 'run-1', record((r) => (r.tcpRetransSegs = null)));
    expect(out.notes).toContain('the TcpRetransSegs counters could not be read; tcp_retrans_segs left empty');
    expect(out.ok && out.value.row.tcp_retrans_segs).toBeNull();
  });
});
