// The benchmark's figures, targets and verdicts, on made-up inputs.
import { describe, expect, it } from 'vitest';
import type { CopybenchStep } from '../../orchestrate/peers/baseline.ts';
import { TARGETS, benchFigures, binaryName, formatBenchFigures, formatOverhead, formatPayloadPerSegment, orchestrationOverhead, payloadPerSegment, type BenchInput } from '../../orchestrate/peers/bench.ts';
import { compareWithPeers } from '../../orchestrate/peers/compare.ts';
import { type PeersRow } from '../../orchestrate/peers/rows.ts';

function row(subject: PeersRow['subject'], msgSize: number, gbps: number, rep = 1): PeersRow {
  const peer = subject === 'iperf3' || subject === 'sockperf';
  return {
    subject, kind: peer ? 'peer' : 'copybench', msg_size: msgSize, threads: 1, rep, throughput_gbps: gbps,
    window_s: 2, bytes: 1000, counted_by: 'receiver', server_cpu_s: null, client_cpu_s: null, tcp_retrans_segs: null, bytes_per_segment: null,
    wall_s: 2.6, version: 'v', run_id: 'r', started_at: 't',
  };
}

function step(wallS: number, windowS = 2.5): CopybenchStep {
  return {
    wallS,
    windowS,
    timings: { countersRead: 0.01, listenerReady: 0.03, driverExited: 2.55, listenerExited: 2.56, countersReadAgain: 2.57, interpreted: 2.58 },
  };
}

describe('orchestrationOverhead', () => {
  it('is Σ wall ÷ Σ (warm-up + duration), with the parts per experiment adding up to the wall time', () => {
    const o = orchestrationOverhead([step(2.6), step(2.7)])!;
    expect(o.ratio).toBeCloseTo(5.3 / 5, 12);
    expect(o.experiments).toBe(2);
    const sum = o.parts.reduce((s, p) => s + p.meanS, 0);
    expect(sum).toBeCloseTo(2.65, 9);
    expect(o.parts.find((p) => p.step.startsWith('client'))!.meanS).toBeCloseTo(2.52, 9);
    expect(o.parts.find((p) => p.step.startsWith('rows appended'))!.meanS).toBeCloseTo(2.65 - 2.58, 9);
  });

  it('is missing without experiments', () => {
    expect(orchestrationOverhead([])).toBeNull();
  });

  it('prints each part in milliseconds and the total against what was asked', () => {
    const text = formatOverhead(orchestrationOverhead([step(2.6)])!);
    expect(text).toMatch(/^\s+2520 ms {2}client started under perf, ran, exited/m);
    expect(text).toMatch(/2600 ms {2}in all, for 2500 ms of warm-up \+ duration$/m);
  });
});

function input(over: Partial<BenchInput> = {}): BenchInput {
  const rows: PeersRow[] = [];
  for (let rep = 1; rep <= 5; rep++) {
    for (const size of [1024, 4096, 16384, 65536]) {
      rows.push(row('iperf3', size, 10, rep), row('sockperf', size, 8, rep));
      rows.push(row('one_copy', size, size === 1024 ? 8.5 : 10.5, rep), row('two_copy', size, 9 + rep * 0.2, rep), row('zero_copy', size, 5, rep));
    }
  }
  return {
    comparison: compareWithPeers(rows),
    rows,
    overhead: orchestrationOverhead([step(2.6)]),
    rss: (['two_copy', 'one_copy', 'zero_copy'] as const).flatMap((impl) => [
      { impl, role: 'server' as const, kib: 9000 },
      { impl, role: 'client' as const, kib: impl === 'zero_copy' ? 70000 : 4000 },
    ]),
    variants: ['two_copy', 'one_copy', 'zero_copy'],
    ...over,
  };
}

describe('benchFigures', () => {
  const figures = benchFigures(input());
  const find = (name: RegExp) => {
    const f = figures.find((x) => name.test(x.name));
    if (!f) throw new Error(`no figure ${name}`);
    return f;
  };

  it('has every figure the issue asks for: 12 ratios, 3 CVs, the overhead, 6 RSS', () => {
    expect(figures.filter((f) => f.name.startsWith('throughput'))).toHaveLength(12);
    expect(figures.filter((f) => f.name.startsWith('coefficient') && f.target !== null)).toHaveLength(3);
    expect(figures.filter((f) => f.name.startsWith('orchestration'))).toHaveLength(1);
    expect(figures.filter((f) => f.name.startsWith('peak RSS'))).toHaveLength(6);
  });

  it('judges the ratio targets: a2 ≥ 1.0× at 64 KiB and ≥ 0.9× at 1 KiB, a1 ≥ 0.9× at 64 KiB', () => {
    expect(find(/a2 one_copy \/ best peer at 64 KiB/)).toMatchObject({ value: 1.05, target: '≥ 1.0×', met: true });
    expect(find(/a2 one_copy \/ best peer at 1 KiB/)).toMatchObject({ value: 0.85, target: '≥ 0.9×', met: false });
    expect(find(/a1 two_copy \/ best peer at 64 KiB/).met).toBe(true);
    expect(find(/a3 zero_copy \/ best peer at 64 KiB/)).toMatchObject({ value: 0.5, target: null, met: null });
  });

  it('judges the CV target and says when there were too few repetitions', () => {
    expect(find(/variation .* a2 one_copy/)).toMatchObject({ value: 0, met: true });
    const a1 = find(/variation .* a1 two_copy/);
    expect(a1.value!).toBeGreaterThan(0.02);
    expect(a1.met).toBe(a1.value! <= TARGETS.cvMax);
    const few = benchFigures(input({ rows: input().rows.filter((r) => r.rep <= 3) }));
    const f = few.find((x) => /variation .* a2 one_copy/.test(x.name))!;
    expect(f).toMatchObject({ met: false, note: 'only 3 repetitions' });
  });

  it('adds the peers’ own variation, without a target, for comparison', () => {
    expect(find(/variation .* iperf3 at 64 KiB \(for comparison\)/)).toMatchObject({ value: 0, target: null, met: null });
    expect(find(/variation .* sockperf/).shown).toBe('0.00 % over 5 repetitions');
  });

  it('judges overhead and each binary’s RSS against 64 MiB', () => {
    expect(find(/orchestration overhead/)).toMatchObject({ met: true, target: '≤ 1.05' });
    expect(find(/peak RSS of a3_client/)).toMatchObject({ met: false, shown: '68.4 MiB' });
    expect(find(/peak RSS of a1_server/)).toMatchObject({ met: true, shown: '8.8 MiB' });
  });

  it('reports a figure it has no value for as missing, neither met nor missed', () => {
    const f = benchFigures(input({ rss: [], overhead: null }));
    expect(f.find((x) => /a2_server/.test(x.name))).toMatchObject({ shown: 'missing', met: null });
    expect(f.find((x) => /orchestration/.test(x.name))).toMatchObject({ shown: 'missing', met: null });
  });

  it('prints one line per figure with its value, target and verdict', () => {
    const lines = formatBenchFigures(figures).split('\n');
    expect(lines).toHaveLength(figures.length);
    expect(lines.find((l) => l.includes('a2 one_copy / best peer at 1 KiB'))).toMatch(/0\.850× \(8\.50 vs iperf3 10\.00 Gbit\/s\)\s+≥ 0\.9×\s+MISSED$/);
    expect(lines.find((l) => l.includes('a3 zero_copy / best peer at 4 KiB'))).toMatch(/—$/);
    expect(lines.find((l) => l.includes('a1_server'))).toMatch(/≤ 64 MiB\s+met$/);
  });

  it('judges the harness share of each sender at 1 KiB and 64 KiB against 5 %, missing without the attribution pass', () => {
    expect(figures.filter((f) => f.name.startsWith('harness share'))).toHaveLength(6);
    expect(find(/^harness share of a1_server's samples at 64 KiB/)).toMatchObject({ shown: 'missing', met: null });
    const row = (implementation: 'two_copy' | 'one_copy', msg_size: number, share: number) => ({ implementation, msg_size, mode: 'stream', side: 'server', site: 'harness', share });
    const withPass = benchFigures(input({ attribution: [row('two_copy', 65536, 0.012), row('one_copy', 1024, 0.08), { ...row('two_copy', 1024, 0.5), side: 'client' }] }));
    const at = (name: RegExp) => withPass.find((f) => name.test(f.name))!;
    expect(at(/a1_server's samples at 64 KiB/)).toMatchObject({ shown: '1.2 %', target: '≤ 5 %', met: true });
    expect(at(/a2_server's samples at 1 KiB/)).toMatchObject({ shown: '8.0 %', met: false });
    // The receiver's share is not the sender's.
    expect(at(/a1_server's samples at 1 KiB/)).toMatchObject({ shown: 'missing', met: null });
  });

  it('names binaries as the course does', () => {
    expect(binaryName('two_copy', 'server')).toBe('a1_server');
    expect(binaryName('zero_copy', 'client')).toBe('a3_client');
  });
});

describe('payload per segment', () => {
  const withSegments = (r: PeersRow, bytesPerSegment: number | null): PeersRow => ({ ...r, bytes_per_segment: bytesPerSegment });
  const rows = [
    withSegments(row('one_copy', 1024, 2, 1), 1000),
    withSegments(row('one_copy', 1024, 4, 2), 1100),
    withSegments(row('one_copy', 1024, 3, 3), 1200),
    withSegments(row('one_copy', 65536, 30, 1), 1448),
    withSegments(row('iperf3', 1024, 5, 1), null),
    withSegments(row('iperf3', 4096, 9, 1), 1448),
  ];

  it('gives each subject\'s median throughput and bytes per segment at 1 KiB and 64 KiB, unknown where no run had it', () => {
    expect(payloadPerSegment(rows)).toEqual([
      { subject: 'one_copy', msgSize: 1024, gbps: 3, bytesPerSegment: 1100 },
      { subject: 'one_copy', msgSize: 65536, gbps: 30, bytesPerSegment: 1448 },
      { subject: 'iperf3', msgSize: 1024, gbps: 5, bytesPerSegment: null },
    ]);
  });

  it('prints one line per subject, throughput next to bytes per segment', () => {
    const lines = formatPayloadPerSegment(payloadPerSegment(rows)).split('\n');
    expect(lines[1]).toMatch(/^subject\s+1 KiB\s+64 KiB$/);
    expect(lines[2]).toMatch(/^a2 one_copy\s+3\.00 Gbit\/s, 1100 B\/segment\s+30\.00 Gbit\/s, 1448 B\/segment$/);
    expect(lines[3]).toMatch(/^iperf3\s+5\.00 Gbit\/s, — \(unknown\)\s+—$/);
  });
});
