import { describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SEED_COLUMN_NAMES,
  buildRow,
  csvHeader,
  eventsFromHeader,
  formatCsvLine,
  parseResultsCsv,
  rowCells,
  sideCount,
  transferCount,
} from '../../orchestrate/results/row.ts';
import { parseCsv, parseCsvRecords } from '../../orchestrate/results/table.ts';
import { DataError } from '../../orchestrate/results/table.ts';
import { perfStat, zeroCopyStream } from '../run/helpers.ts';
import { EVENTS as SYNTHETIC_EVENTS, row as syntheticRow } from '../plots/synthetic.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EVENTS = ['cycles', 'L1-dcache-load-misses', 'LLC-load-misses', 'context-switches'];

function row(serverPerf = perfStat({ cycles: 1000, 'L1-dcache-load-misses': 10, 'LLC-load-misses': 1, 'context-switches': 5 }),
             clientPerf = perfStat({ cycles: 3000, 'L1-dcache-load-misses': 30, 'LLC-load-misses': 3, 'context-switches': 7 })) {
  return buildRow({ ...zeroCopyStream(), serverPerf, clientPerf, events: EVENTS, tcpRetransSegs: 0, steal: { server: null, client: null }, attempt: 1, runId: 'r1', startedAt: '2026-11-21T00:00:00.000Z' });
}

describe('CSV header', () => {
  it('starts with the nine course columns, in the course order', () => {
    expect(csvHeader(EVENTS).slice(0, 9)).toEqual([
      'implementation', 'msg_size', 'threads', 'throughput_gbps', 'latency_us',
      'cpu_cycles', 'l1_cache_misses', 'llc_cache_misses', 'context_switches',
    ]);
    expect(SEED_COLUMN_NAMES).toHaveLength(9);
  });

  it('then the details, every event per side with its run percentage, then the tail', () => {
    const h = csvHeader(['cycles', 'task-clock']);
    expect(h.slice(9, 19)).toEqual([
      'mode', 'rep', 'window_s', 'bytes', 'messages', 'server_bytes_sent', 'latency_kind', 'latency_p50_us', 'latency_p99_us', 'latency_max_us',
    ]);
    expect(h.slice(19, 27)).toEqual([
      'server_cycles', 'server_cycles_run_pct', 'server_task-clock', 'server_task-clock_run_pct',
      'client_cycles', 'client_cycles_run_pct', 'client_task-clock', 'client_task-clock_run_pct',
    ]);
    expect(h.slice(27)).toEqual([
      'cycles_per_byte', 'zc_sends', 'zc_completions', 'zc_copied', 'zc_enobufs',
      'rx', 'rx_mapped_bytes', 'rx_copied_bytes',
      'tcp_span', 'tcp_data_segs_out', 'tcp_bytes_sent', 'tcp_bytes_acked', 'tcp_retrans', 'tcp_busy_ms',
      'tcp_rwnd_limited_ms', 'tcp_sndbuf_limited_ms', 'tcp_srtt_us', 'tcp_segs_in_client', 'tcp_bytes_per_segment', 'limited_by',
      'steal_pct_server_cpu', 'steal_pct_client_cpu', 'attempts', 'tcp_retrans_segs',
      'queue_server_bytes_mean', 'queue_client_bytes_mean', 'run_id', 'started_at',
    ]);
    expect(new Set(h).size).toBe(h.length);
  });
});

describe('buildRow', () => {
  it('takes figures from the client, counters from both sides summed', () => {
    const r = row();
    const { client, server } = zeroCopyStream();
    expect(r.implementation).toBe('zero_copy');
    expect(r.throughput_gbps).toBe(client.throughput_gbps);
    expect(r.latency_us).toBe(client.latency_us.mean);
    expect(r.latency_kind).toBe('one_way_queued');
    expect(r.cpu_cycles).toBe(4000);
    expect(r.l1_cache_misses).toBe(40);
    expect(r.llc_cache_misses).toBe(4);
    expect(r.context_switches).toBe(12);
    expect(r.server_bytes_sent).toBe(server.bytes_sent);
    expect(r.cycles_per_byte).toBeCloseTo(4000 / server.bytes_sent);
    expect(r.zc_copied).toBe(server.zerocopy.copied);
    expect(r.perf['server_cycles']).toBe(1000);
    expect(r.perf['client_cycles_run_pct']).toBe(100);
  });

  it("fills TCP's account from the server's and client's tcp objects", () => {
    const r = row();
    const { client, server } = zeroCopyStream();
    expect(r).toMatchObject({
      tcp_span: 'connection',
      tcp_data_segs_out: server.tcp.data_segs_out,
      tcp_bytes_sent: server.tcp.bytes_sent,
      tcp_bytes_acked: server.tcp.bytes_acked,
      tcp_retrans: server.tcp.retrans,
      tcp_busy_ms: server.tcp.busy_ms,
      tcp_rwnd_limited_ms: server.tcp.rwnd_limited_ms,
      tcp_sndbuf_limited_ms: server.tcp.sndbuf_limited_ms,
      tcp_srtt_us: server.tcp.srtt_us,
      tcp_segs_in_client: client.tcp.segs_in,
    });
    expect(r.tcp_bytes_per_segment).toBeCloseTo(server.tcp.bytes_sent! / server.tcp.data_segs_out!);
    expect(['sender', 'receiver_window', 'send_buffer', 'mixed']).toContain(r.limited_by);
  });

  it("leaves TCP's figures the kernel did not report empty, never 0", () => {
    const { client, server, experiment } = zeroCopyStream();
    const unknown = { ...server.tcp, data_segs_out: null, busy_ms: null };
    const r = buildRow({ experiment, client, server: { ...server, tcp: unknown }, serverPerf: perfStat({}), clientPerf: perfStat({}),
      events: [], tcpRetransSegs: 0, steal: { server: null, client: null }, attempt: 1, runId: 'r1', startedAt: '2026-11-21T00:00:00.000Z' });
    expect(r.tcp_data_segs_out).toBeNull();
    expect(r.tcp_bytes_per_segment).toBeNull();
    expect(r.limited_by).toBeNull();
    const cells = parseCsv(formatCsvLine(rowCells(r, [])))[0]!;
    const header = csvHeader([]);
    expect(cells[header.indexOf('tcp_data_segs_out')]).toBe('');
    expect(cells[header.indexOf('limited_by')]).toBe('');
    expect(cells[header.indexOf('tcp_bytes_sent')]).toBe(String(server.tcp.bytes_sent));
  });

  it('names the latency by what it is: stream delays are one_way_queued, rr round trips rtt', () => {
    const { client, server, experiment } = zeroCopyStream();
    const rest = { serverPerf: perfStat({}), clientPerf: perfStat({}), events: [], tcpRetransSegs: 0, steal: { server: null, client: null }, attempt: 1, runId: 'r', startedAt: 't' };
    expect(client.latency_us.kind).toBe('one_way'); // the binaries' contract is unchanged
    expect(buildRow({ experiment, client, server, ...rest }).latency_kind).toBe('one_way_queued');
    const rr = buildRow({ experiment: { ...experiment, mode: 'rr' }, client: { ...client, mode: 'rr', latency_us: { ...client.latency_us, kind: 'rtt' }, queue: null }, server: { ...server, mode: 'rr', queue: null }, ...rest });
    expect(rr.latency_kind).toBe('rtt');
    expect(rr.queue_server_bytes_mean).toBeNull();
    expect(rr.queue_client_bytes_mean).toBeNull();
  });

  it("takes the bytes waiting from each side's queue, empty (never 0) where a line has none", () => {
    const r = row();
    const { client, server, experiment } = zeroCopyStream();
    expect(server.queue!.samples).toBeGreaterThan(0);
    expect(r.queue_server_bytes_mean).toBe(server.queue!.bytes_mean);
    expect(r.queue_client_bytes_mean).toBe(client.queue!.bytes_mean);
    const { queue: _s, ...oldServer } = server;
    const { queue: _c, ...oldClient } = client;
    const old = buildRow({ experiment, client: oldClient, server: { ...oldServer }, serverPerf: perfStat({}), clientPerf: perfStat({}),
      events: [], tcpRetransSegs: 0, steal: { server: null, client: null }, attempt: 1, runId: 'r1', startedAt: 't' });
    expect(old.queue_server_bytes_mean).toBeNull();
    const cells = parseCsv(formatCsvLine(rowCells(old, [])))[0]!;
    expect(cells[csvHeader([]).indexOf('queue_client_bytes_mean')]).toBe('');
  });

  it('leaves unsupported counters empty, never 0', () => {
    const unsupported = { unsupported: ['cycles', 'LLC-load-misses'] };
    const r = row(
      perfStat({ cycles: 0, 'L1-dcache-load-misses': 10, 'LLC-load-misses': 0, 'context-switches': 5 }, unsupported),
      perfStat({ cycles: 0, 'L1-dcache-load-misses': 30, 'LLC-load-misses': 0, 'context-switches': 7 }, unsupported),
    );
    expect(r.cpu_cycles).toBeNull();
    expect(r.llc_cache_misses).toBeNull();
    expect(r.cycles_per_byte).toBeNull();
    const header = csvHeader(EVENTS);
    const cells = parseCsv(formatCsvLine(rowCells(r, EVENTS)))[0]!;
    const at = (col: string) => cells[header.indexOf(col)];
    expect(at('cpu_cycles')).toBe('');
    expect(at('llc_cache_misses')).toBe('');
    expect(at('server_cycles')).toBe('');
    expect(at('server_cycles_run_pct')).toBe('');
    expect(at('l1_cache_misses')).toBe('40');
    expect(cells).toHaveLength(header.length);
  });

  it('never passes one side off as the whole', () => {
    const r = row(undefined, perfStat({ cycles: null, 'L1-dcache-load-misses': 30, 'LLC-load-misses': 3, 'context-switches': 7 }));
    expect(r.cpu_cycles).toBeNull();
    expect(r.l1_cache_misses).toBe(40);
  });

  it('rejects a figure that is not a finite number', () => {
    const { client, server, experiment } = zeroCopyStream();
    expect(() =>
      buildRow({
        experiment,
        client: { ...client, throughput_gbps: Number.NaN },
        server,
        serverPerf: perfStat({}),
        clientPerf: perfStat({}),
        events: [],
        tcpRetransSegs: null,
        steal: { server: null, client: null },
        attempt: 1,
        runId: 'r',
        startedAt: 't',
      }),
    ).toThrow(/throughput_gbps/);
  });
});

describe('counters split into user and kernel', () => {
  const split = perfStat({ 'cycles:u': 100, 'cycles:k': 250 });
  it('adds the halves', () => {
    expect(sideCount(split, ['cycles'])).toBe(350);
  });
  it('is unknown if a half is', () => {
    expect(sideCount(perfStat({ 'cycles:u': 100, 'cycles:k': null }), ['cycles'])).toBeNull();
  });
  it('prefers the whole event and accepts aliases', () => {
    expect(sideCount(perfStat({ 'cpu-cycles': 7 }), ['cycles', 'cpu-cycles'])).toBe(7);
    expect(transferCount(split, perfStat({ cycles: 1 }), ['cycles'])).toBe(351);
    expect(sideCount(perfStat({}), ['cycles'])).toBeNull();
  });
});

describe('CSV escaping', () => {
  it('quotes commas, quotes and newlines, and reads them back', () => {
    const cells = ['plain', 'a,b', 'say "hi"', 'two\nlines', '', 42, 0.5, null];
    const line = formatCsvLine(cells);
    expect(line).toBe('plain,"a,b","say ""hi""","two\nlines",,42,0.5,\n');
    expect(parseCsv(line)).toEqual([['plain', 'a,b', 'say "hi"', 'two\nlines', '', '42', '0.5', '']]);
  });

  it('reads what csv-stringify writes, CRLF included', () => {
    const rows = [['h1', 'h2'], ['x', 'y,"z"'], ['', '1']];
    expect(parseCsv(stringify(rows, { record_delimiter: 'windows' }))).toEqual(rows);
  });

  it('sets apart rows whose width differs from the header', () => {
    const { records, malformed } = parseCsvRecords('a,b\n1,2\n3\n4,5\n');
    expect(records).toEqual([{ a: '1', b: '2' }, { a: '4', b: '5' }]);
    expect(malformed).toEqual([3]);
  });
});

describe('parseResultsCsv', () => {
  const csvOf = (rows: ReturnType<typeof syntheticRow>[], events = SYNTHETIC_EVENTS) =>
    [formatCsvLine(csvHeader(events)), ...rows.map((r) => formatCsvLine(rowCells(r, events)))].join('');

  it('reads back what row.ts wrote, unknown counters as null (never 0)', () => {
    const written = [syntheticRow({ impl: 'zero_copy', size: 4096, threads: 2, gbps: 3.5, counters: null, zc: { completions: 10, copied: 10 }, bytesSent: 123456 })];
    const { events, rows } = parseResultsCsv(csvOf(written));
    expect(events).toEqual(SYNTHETIC_EVENTS);
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    expect(r).toMatchObject({ implementation: 'zero_copy', msg_size: 4096, threads: 2, throughput_gbps: 3.5, mode: 'stream', zc_copied: 10 });
    expect(r.server_bytes_sent).toBe(123456);
    expect(r.cpu_cycles).toBeNull();
    expect(r.cycles_per_byte).toBeNull();
    expect(r.perf['server_cycles']).toBeNull();
    expect(r.perf['server_task-clock']).toBe(900);
    expect(r.perf['client_context-switches']).toBe(1000);
    expect(r).toEqual(written[0]);
  });

  it('keeps counted hardware events as numbers', () => {
    const { rows } = parseResultsCsv(csvOf([syntheticRow({ impl: 'two_copy', size: 128, gbps: 1, counters: { cycles: 5e8, l1: 1e6, llc: 1e4 } })]));
    expect(rows[0]!.cpu_cycles).toBe(1e9);
    expect(rows[0]!.perf['client_LLC-load-misses']).toBe(7000);
  });

  it('rejects an empty file, a header without rows and a foreign header', () => {
    expect(() => parseResultsCsv('')).toThrow(/empty file/);
    expect(() => parseResultsCsv(formatCsvLine(csvHeader(SYNTHETIC_EVENTS)))).toThrow(/a header but no rows/);
    expect(() => parseResultsCsv('a,b,c\n1,2,3\n')).toThrow(DataError);
    expect(() => parseResultsCsv('a,b,c\n1,2,3\n')).toThrow(/not the one copybench writes/);
  });

  it('rejects a results.csv from before server_bytes_sent: its header is not this one', () => {
    const old = csvOf([syntheticRow({ impl: 'two_copy', size: 128, gbps: 1 })]).split('\n').map((line) => {
      const cells = line.split(',');
      cells.splice(csvHeader(SYNTHETIC_EVENTS).indexOf('server_bytes_sent'), 1);
      return cells.join(',');
    });
    expect(() => parseResultsCsv(old.join('\n'))).toThrow(/not the one copybench writes/);
  });

  it('names the line and column of a bad cell', () => {
    const text = csvOf([syntheticRow({ impl: 'two_copy', size: 128, gbps: 1 })]).replace(/\ntwo_copy,128,1,[^,]+,/, '\ntwo_copy,128,1,fast,');
    expect(() => parseResultsCsv(text)).toThrow(/line 2, throughput_gbps/);
    const perf = csvOf([syntheticRow({ impl: 'two_copy', size: 128, gbps: 1 })]).replace(/,900,100,/, ',lots,100,');
    expect(() => parseResultsCsv(perf)).toThrow(/line 2, server_task-clock: .*"lots"/);
  });

  it('reads a results.csv from before the explaining columns (TCP, steal, attempts): absent is unknown, a stranger still refused', () => {
    const base = csvOf([syntheticRow({ impl: 'two_copy', size: 128, gbps: 1 })]);
    const drop = (text: string, names: string[]) => {
      const lines = text.split('\n').filter(Boolean).map((l) => l.split(','));
      const keep = lines[0]!.map((c, i) => (names.includes(c) ? -1 : i)).filter((i) => i >= 0);
      return lines.map((c) => keep.map((i) => c[i]).join(',')).join('\n') + '\n';
    };
    const full = parseResultsCsv(base).rows[0]!;
    const old = parseResultsCsv(drop(base, ['tcp_bytes_per_segment', 'limited_by', 'tcp_span', 'steal_pct_server_cpu', 'attempts'])).rows[0]!;
    expect(old).toEqual({ ...full, tcp_bytes_per_segment: null, limited_by: null, tcp_span: null, steal_pct_server_cpu: null, attempts: null });
    expect(() => parseResultsCsv(base.replace(',limited_by,', ',mood,'))).toThrow(/not the one copybench writes/);
    const tired = base.split('\n');
    const at = tired[0]!.split(',').indexOf('limited_by');
    tired[1] = tired[1]!.split(',').map((c, i) => (i === at ? 'tired' : c)).join(',');
    expect(() => parseResultsCsv(tired.join('\n'))).toThrow(/line 2, limited_by/);
  });

  it("reads an older results.csv's latency_kind one_way as one_way_queued, and one without queue columns as unknown", () => {
    const written = [
      syntheticRow({ impl: 'two_copy', size: 128, gbps: 1, queue: { server: 1000, client: 24 } }),
      syntheticRow({ impl: 'two_copy', mode: 'rr', size: 128, gbps: 1 }),
    ];
    const header = csvHeader(SYNTHETIC_EVENTS);
    const keep = header.map((c, i) => (c.startsWith('queue_') ? -1 : i)).filter((i) => i >= 0);
    const old = csvOf(written)
      .split('\n')
      .filter(Boolean)
      .map((line) => keep.map((i) => line.split(',')[i]).join(','))
      .join('\n')
      .replace(',one_way_queued,', ',one_way,');
    expect(old).toMatch(/,one_way,/);
    const { rows } = parseResultsCsv(old);
    expect(rows.map((r) => r.latency_kind)).toEqual(['one_way_queued', 'rtt']);
    expect(rows.map((r) => [r.queue_server_bytes_mean, r.queue_client_bytes_mean])).toEqual([[null, null], [null, null]]);
    const now = parseResultsCsv(csvOf(written)).rows;
    expect(now[0]).toMatchObject({ queue_server_bytes_mean: 1000, queue_client_bytes_mean: 24 });
    expect(() => parseResultsCsv(csvOf(written).replace(',one_way_queued,', ',one_weigh,'))).toThrow(/line 2, latency_kind/);
  });

  it('reads the committed example run: stream rows queueing delay with their queues measured, rr round trips without', () => {
    const { rows } = parseResultsCsv(readFileSync(path.join(ROOT, 'results/example/results.csv'), 'utf8'));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.latency_kind).toBe(r.mode === 'stream' ? 'one_way_queued' : 'rtt');
      if (r.mode === 'stream') expect(r.queue_server_bytes_mean).toBeGreaterThanOrEqual(0);
      else expect(r.queue_server_bytes_mean).toBeNull();
    }
  });

  it('reads a results.csv written before the queue columns and the rename (one_way)', () => {
    const text = readFileSync(path.join(ROOT, 'results/example/results.csv'), 'utf8');
    const [header, ...lines] = text.trimEnd().split('\n');
    const cols = header!.split(',');
    const drop = new Set(['queue_server_bytes_mean', 'queue_client_bytes_mean'].map((c) => cols.indexOf(c)));
    expect(drop.has(-1)).toBe(false);
    const keep = (line: string) => line.split(',').filter((_, i) => !drop.has(i)).join(',');
    const legacy = [keep(header!), ...lines.map((l) => keep(l).replace(',one_way_queued,', ',one_way,'))].join('\n') + '\n';
    expect(legacy).toContain(',one_way,');
    const { rows } = parseResultsCsv(legacy);
    expect(rows).toHaveLength(lines.length);
    for (const r of rows) {
      expect(r.latency_kind).toBe(r.mode === 'stream' ? 'one_way_queued' : 'rtt');
      expect(r.queue_server_bytes_mean).toBeNull();
    }
  });

  it('rejects a row with the wrong number of cells', () => {
    const text = csvOf([syntheticRow({ impl: 'two_copy', size: 128, gbps: 1 })]) + 'two_copy,128\n';
    expect(() => parseResultsCsv(text)).toThrow(/lines 3 do not have/);
  });
});

describe('eventsFromHeader', () => {
  it('finds the perf events a header was written for, with modifiers', () => {
    const events = ['cycles:u', 'cycles:k', 'task-clock'];
    expect(eventsFromHeader(csvHeader(events))).toEqual(events);
  });
});
