// Stream rows across two hosts (topology ssh): the client cannot subtract a
// send time read on the server's clock from its own, so the one-way delay is
// left empty and the row says why; rr round trips are kept (one clock).
import { describe, expect, it } from 'vitest';
import { ClientResult, ServerResult, parseLine } from '../../orchestrate/results/lines.ts';
import { TWO_CLOCKS, buildRow, formatCsvLine, csvHeader, parseResultsCsv, rowCells } from '../../orchestrate/results/row.ts';
import { lines, perfStat, zeroCopyStream } from '../run/helpers.ts';

const EVENTS = ['task-clock'];
const common = { serverPerf: perfStat({ 'task-clock': 10 }), clientPerf: perfStat({ 'task-clock': 12 }), events: EVENTS, tcpRetransSegs: 0, steal: { server: null, client: null }, attempt: 1, runId: 'r1', startedAt: '2026-11-30T00:00:00.000Z' };

function twoCopyRr() {
  return {
    experiment: { index: 2, impl: 'two_copy' as const, mode: 'rr' as const, msgSize: 1024, threads: 1, rx: 'copy' as const, rep: 1 },
    client: parseLine(ClientResult, lines('two_copy-rr-client.stdout')[0]!, 'fixture'),
    server: parseLine(ServerResult, lines('two_copy-rr-server.stdout')[1]!, 'fixture'),
  };
}

describe('stream rows across two hosts', () => {
  it('leave every latency cell empty, latency_kind saying why', () => {
    const r = buildRow({ ...zeroCopyStream(), ...common, clocks: 'two' });
    expect(r.latency_kind).toBe(TWO_CLOCKS);
    expect([r.latency_us, r.latency_p50_us, r.latency_p99_us, r.latency_max_us]).toEqual([null, null, null, null]);
    expect(r.throughput_gbps).toBeGreaterThan(0);
  });

  it('on one machine keep the one-way delay the client measured', () => {
    const input = zeroCopyStream();
    const r = buildRow({ ...input, ...common });
    expect(input.client.latency_us.kind).toBe('one_way');
    expect(r.latency_kind).toBe('one_way_queued');
    expect(r.latency_p50_us).toBe(input.client.latency_us.p50);
  });

  it('rr rows keep their round trips across hosts: one clock times them', () => {
    const input = twoCopyRr();
    const r = buildRow({ ...input, ...common, clocks: 'two' });
    expect(r.latency_kind).toBe('rtt');
    expect(r.latency_us).toBe(input.client.latency_us.mean);
    expect(r.latency_p99_us).toBe(input.client.latency_us.p99);
  });

  it('are written as empty cells and read back as unknown', () => {
    const r = buildRow({ ...zeroCopyStream(), ...common, clocks: 'two' });
    const text = formatCsvLine(csvHeader(EVENTS)) + formatCsvLine(rowCells(r, EVENTS));
    const header = csvHeader(EVENTS);
    const cells = text.trim().split('\n')[1]!.split(',');
    expect(cells[header.indexOf('latency_us')]).toBe('');
    expect(cells[header.indexOf('latency_kind')]).toBe('none_two_clocks');
    const [back] = parseResultsCsv(text).rows;
    expect(back).toMatchObject({ latency_kind: TWO_CLOCKS, latency_us: null, latency_p50_us: null, latency_p99_us: null, latency_max_us: null });
  });
});
