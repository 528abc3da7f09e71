// The baseline's plan, peers.csv rows, and the comparison math: best peer
// per size, ratios, coefficient of variation, iperf3's timing.
import { describe, expect, it } from 'vitest';
import { formatCsvLine } from '../../orchestrate/results/row.ts';
import { PEERS_CSV_HEADER, bytesPerSegment, copybenchPeersRow, cpuSecondsOf, peerPeersRow, peersRowCells, readPeersCsv, type PeersRow } from '../../orchestrate/peers/rows.ts';
import { compareWithPeers, formatComparison, variationAt } from '../../orchestrate/peers/compare.ts';
import { coefficientOfVariation } from '../../orchestrate/results/stats.ts';
import { iperf3Timing } from '../../orchestrate/peers/parse.ts';
import { planBaseline, subjectName } from '../../orchestrate/peers/plan.ts';

function row(subject: PeersRow['subject'], msgSize: number, gbps: number, rep = 1): PeersRow {
  const peer = subject === 'iperf3' || subject === 'sockperf';
  return {
    subject,
    kind: peer ? 'peer' : 'copybench',
    msg_size: msgSize,
    threads: 1,
    rep,
    throughput_gbps: gbps,
    window_s: 2,
    bytes: Math.round((gbps * 1e9 * 2) / 8),
    counted_by: subject === 'sockperf' ? 'sender' : 'receiver',
    server_cpu_s: 1.9,
    client_cpu_s: null,
    tcp_retrans_segs: 0,
    bytes_per_segment: 1448,
    wall_s: 2.6,
    version: peer ? '3.12' : 'copybench abc',
    run_id: 'peers-1',
    started_at: '2026-11-21T02:00:00.000Z',
  };
}

describe('planBaseline', () => {
  const plan = planBaseline({ variants: ['two_copy', 'one_copy'], tools: ['iperf3', 'sockperf'], message_sizes: [1024, 65536], repetitions: 2 });

  it('has every subject at every size in every repetition, numbered from 1', () => {
    expect(plan).toHaveLength(2 * 4 * 2);
    expect(plan.map((r) => r.index)).toEqual(plan.map((_, i) => i + 1));
  });

  it('alternates: a size’s variants and peers back to back, repetitions outermost', () => {
    expect(plan.slice(0, 4).map((r) => [subjectName(r.subject), r.msgSize, r.rep])).toEqual([
      ['two_copy', 1024, 1],
      ['one_copy', 1024, 1],
      ['iperf3', 1024, 1],
      ['sockperf', 1024, 1],
    ]);
    expect(plan.slice(4, 8).every((r) => r.msgSize === 65536 && r.rep === 1)).toBe(true);
    expect(plan.slice(8).every((r) => r.rep === 2)).toBe(true);
  });

  it('leaves out the tools it is not given (a peer that is not installed)', () => {
    const only = planBaseline({ variants: ['one_copy'], tools: ['iperf3'], message_sizes: [4096], repetitions: 1 });
    expect(only.map((r) => subjectName(r.subject))).toEqual(['one_copy', 'iperf3']);
  });
});

describe('iperf3Timing', () => {
  it('runs whole seconds, rounded up, with the longest interval both edges of the window fall on', () => {
    expect(iperf3Timing(0.5, 2)).toEqual({ timeS: 3, intervalS: 0.5 });
    expect(iperf3Timing(1, 2)).toEqual({ timeS: 3, intervalS: 1 });
    expect(iperf3Timing(0.3, 1.5)).toEqual({ timeS: 2, intervalS: 0.3 });
    expect(iperf3Timing(0, 2)).toEqual({ timeS: 2, intervalS: 1 });
    expect(iperf3Timing(0.1, 0.7)).toEqual({ timeS: 1, intervalS: 0.1 });
  });
});

describe('coefficient of variation', () => {
  it('CV is the sample standard deviation over the mean', () => {
    // mean 10, sample sd sqrt(((−1)²+0²+1²)/2) = 1
    expect(coefficientOfVariation([9, 10, 11])).toBeCloseTo(0.1, 12);
    expect(coefficientOfVariation([5, 5, 5, 5, 5])).toBe(0);
    expect(coefficientOfVariation([5])).toBeNull();
  });
});

describe('compareWithPeers', () => {
  const rows = [
    row('one_copy', 1024, 2.0, 1),
    row('one_copy', 1024, 2.4, 2),
    row('one_copy', 1024, 2.2, 3),
    row('two_copy', 1024, 1.8),
    row('iperf3', 1024, 2.0),
    row('sockperf', 1024, 2.5),
    row('one_copy', 65536, 30),
    row('iperf3', 65536, 25),
    row('sockperf', 65536, 20),
    row('zero_copy', 4096, 5),
  ];
  const cmp = compareWithPeers(rows);

  it('one entry per size, in order', () => {
    expect(cmp.map((c) => c.msgSize)).toEqual([1024, 4096, 65536]);
  });

  it('the best peer is the one with the highest median at that size', () => {
    expect(cmp[0]!.bestPeer).toEqual({ tool: 'sockperf', gbps: 2.5 });
    expect(cmp[2]!.bestPeer).toEqual({ tool: 'iperf3', gbps: 25 });
  });

  it('a variant’s ratio is its median over the best peer’s', () => {
    expect(cmp[0]!.medians.one_copy).toBe(2.2);
    expect(cmp[0]!.ratios.one_copy).toBeCloseTo(2.2 / 2.5, 12);
    expect(cmp[0]!.ratios.two_copy).toBeCloseTo(1.8 / 2.5, 12);
    expect(cmp[2]!.ratios.one_copy).toBeCloseTo(1.2, 12);
  });

  it('no peer at a size: no best peer and no ratio', () => {
    expect(cmp[1]!.bestPeer).toBeNull();
    expect(cmp[1]!.ratios.zero_copy).toBeNull();
  });

  it('prints the table with medians, the best peer and the ratios', () => {
    const text = formatComparison(cmp);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^size\s+a1 two_copy\s+a2 one_copy\s+a3 zero_copy\s+iperf3\s+sockperf\s+best peer\s+a1\/best\s+a2\/best\s+a3\/best$/);
    expect(lines[1]).toMatch(/^1 KiB\s+1\.80\s+2\.20\s+—\s+2\.00\s+2\.50\s+sockperf\s+0\.72×\s+0\.88×\s+—$/);
    expect(lines[3]).toMatch(/^64 KiB .* iperf3\s+—\s+1\.20×\s+—$/);
  });

  it('variationAt gives each subject’s CV and count at one size', () => {
    const v = variationAt(rows, 1024);
    expect(v.one_copy!.n).toBe(3);
    expect(v.one_copy!.cv).toBeCloseTo(coefficientOfVariation([2.0, 2.4, 2.2])!, 12);
    expect(v.iperf3).toEqual({ cv: null, n: 1 });
    expect(v.zero_copy).toBeUndefined();
  });
});

describe('peers.csv rows', () => {
  it('the header is the row schema’s keys', () => {
    expect(PEERS_CSV_HEADER.slice(0, 6)).toEqual(['subject', 'kind', 'msg_size', 'threads', 'rep', 'throughput_gbps']);
    expect(PEERS_CSV_HEADER).toContain('version');
  });

  it('round-trips through CSV, an unknown CPU time as an empty cell', () => {
    const rows = [row('iperf3', 1024, 2.0), row('one_copy', 65536, 31.5, 2)];
    const text = formatCsvLine(PEERS_CSV_HEADER) + rows.map((r) => formatCsvLine(peersRowCells(r))).join('');
    expect(text.split('\n')[1]).toContain(',1.9,,0,');
    const back = readPeersCsv(text, 'peers.csv');
    expect(back).toEqual(rows);
  });

  it('refuses a row that is not a measurement (zero throughput), loudly', () => {
    expect(() => peersRowCells({ ...row('iperf3', 1024, 2.0), throughput_gbps: 0 })).toThrow();
  });

  it('names the column of a bad cell when reading back', () => {
    const text = formatCsvLine(PEERS_CSV_HEADER) + formatCsvLine(peersRowCells(row('iperf3', 1024, 2.0))).replace(',receiver,', ',nobody,');
    expect(() => readPeersCsv(text, 'peers.csv')).toThrow(/peers\.csv: line 2, counted_by: .*\(cell "nobody"\)/);
  });
});

describe('cpuSecondsOf', () => {
  it('reads perf’s task-clock (msec) as seconds, and nothing when it was not counted', () => {
    expect(cpuSecondsOf({ 'task-clock': { value: 604.52, unit: 'msec', runPct: 100, supported: true } })).toBeCloseTo(0.60452, 9);
    expect(cpuSecondsOf({ 'task-clock': { value: null, unit: '', runPct: null, supported: false } })).toBeNull();
    expect(cpuSecondsOf({})).toBeNull();
    expect(cpuSecondsOf(null)).toBeNull();
  });
});

describe('bytesPerSegment', () => {
  it('is the sender\'s bytes over the server namespace\'s segments, to one decimal', () => {
    expect(bytesPerSegment(1448 * 1000 + 7, 1000)).toBe(1448);
    expect(bytesPerSegment(1000, 3)).toBe(333.3);
  });

  it('is unknown, never 0 or infinite, without both counts or without a segment', () => {
    expect(bytesPerSegment(null, 10)).toBeNull();
    expect(bytesPerSegment(1000, null)).toBeNull();
    expect(bytesPerSegment(1000, 0)).toBeNull();
  });
});

describe('peers.csv rows: bytes per segment', () => {
  const ctx = (subject: { kind: 'copybench'; impl: 'one_copy' } | { kind: 'peer'; tool: 'iperf3' }, serverOutSegs: number | null) => ({
    run: { index: 0, subject, msgSize: 65536, rep: 1 },
    tcpRetransSegs: 0, serverOutSegs, wallS: 2.6, version: 'v', runId: 'r', startedAt: 't',
  });

  it('divides what the sender sent over its whole life, not the window\'s bytes, by the server namespace\'s segments', () => {
    const client = { throughput_gbps: 30, window_s: 2, bytes: 7_000_000_000 };
    const row = copybenchPeersRow(client, { bytes_sent: 1448 * 6_000_000 }, { server: null, client: null }, ctx({ kind: 'copybench', impl: 'one_copy' }, 6_000_000));
    expect(row.bytes_per_segment).toBe(1448);
  });

  it('takes a peer\'s sender total, and is empty when a count is unknown', () => {
    const m = { bytes: 100, windowS: 1, throughputGbps: 1, senderBytes: 2896, countedBy: 'receiver' as const, version: '3.12' };
    expect(peerPeersRow(m, { server: null, client: null }, ctx({ kind: 'peer', tool: 'iperf3' }, 2)).bytes_per_segment).toBe(1448);
    expect(peerPeersRow(m, { server: null, client: null }, ctx({ kind: 'peer', tool: 'iperf3' }, null)).bytes_per_segment).toBeNull();
    expect(peerPeersRow({ ...m, senderBytes: null }, { server: null, client: null }, ctx({ kind: 'peer', tool: 'iperf3' }, 2)).bytes_per_segment).toBeNull();
  });
});
