// The machine table of the report: mitigations and the calibration.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMeta } from '../../orchestrate/results/meta.ts';
import { machineFacts, machineLine, mitigationSummary, rowsText } from '../../orchestrate/plots/report-tables.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { matrix } from './synthetic.ts';

const example = readFileSync(path.resolve(import.meta.dirname, '../../results/example/meta.json'), 'utf8');

describe('the machine table', () => {
  it('lists the speculative-execution issues this CPU has, and says when it has none', () => {
    expect(mitigationSummary({ meltdown: 'Not affected', retbleed: 'Vulnerable: Safe RET, no microcode', spectre_v2: 'Mitigation: Retpolines' })).toBe(
      'retbleed: Vulnerable: Safe RET, no microcode; spectre_v2: Mitigation: Retpolines',
    );
    expect(mitigationSummary({ meltdown: 'Not affected' })).toBe('not affected by any the kernel knows');
  });

  it('shows each calibrated topology and the verdict; a run without them says unknown or nothing', () => {
    const meta = parseMeta(example, 'meta.json');
    // As a run from before they were recorded.
    delete meta.machine.mitigations;
    delete meta.calibration;
    const without = Object.fromEntries(machineFacts({ runId: 'x', meta, config: null, rows: [] }));
    expect(without['speculative-execution mitigations']).toBe('unknown (not in meta.json)');
    expect(Object.keys(without).some((k) => k.startsWith('calibration'))).toBe(false);
    const m = { impl: 'two_copy', throughput_gbps: 11.66, sender_cpu_ns_per_byte: 0.12, total_cpu_ns_per_byte: 0.661, retrans_segs: 0, bytes: 1 };
    meta.calibration = {
      message_size: 65536, warmup_s: 0.3, duration_s: 1, margin_pct: 25, warnings: ['W'],
      candidates: [{ name: 'configured', description: 'one core (both on CPU 0)', steer_receive: false, pinning: { server: '0', client: '0' }, configured: true, measurements: [m], failed: null }],
    };
    const facts = Object.fromEntries(machineFacts({ runId: 'x', meta, config: null, rows: [] }));
    expect(facts['calibration: one core (both on CPU 0) (configured)']).toBe('two_copy 11.66 Gbit/s, 0.661 ns CPU/B both sides, 0 retransmitted');
    expect(facts['calibration verdict']).toBe('W');
  });
});

describe('the line under the title', () => {
  it('names the machine in one line, and says when it has no hardware counters', () => {
    const meta = parseMeta(example, 'meta.json');
    expect(machineLine({ runId: 'x', meta, config: null, rows: [] })).toBe('AMD EPYC, 2 cores, Linux 6.18.44-fc-v669, no hardware counters (PMU)');
    expect(machineLine({ runId: 'x', meta: { ...meta, perf_unsupported: [] }, config: null, rows: [] })).toBe('AMD EPYC, 2 cores, Linux 6.18.44-fc-v669');
    expect(machineLine({ runId: 'x', meta: null, config: null, rows: [] })).toBe('machine unknown (no meta.json)');
  });

  it('counts rows, points and repetitions', () => {
    const rows = matrix({ repetitions: 2 });
    expect(rowsText({ runId: 'x', meta: null, config: null, rows }, pointStats(rows))).toBe('72 rows (36 points × 2 repetitions)');
  });
});
