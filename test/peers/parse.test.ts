// Parsing what iperf3 and sockperf print, on real outputs captured here
// (test/fixtures/peers/README.md says how each was made).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PeerOutputError, READY_LINE, parseIperf3Json, parseIperf3Version, parseSockperfTp, parseSockperfVersion, stripAnsi } from '../../orchestrate/peers/parse.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/peers');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const window = { warmupS: 0.5, durationS: 1 };

describe('iperf3 -J (the receiving client)', () => {
  type Report = { intervals: { sum: { start: number; end: number; bytes: number; seconds: number } }[] };

  it('takes the receiver’s bytes over the intervals inside the window, warm-up left out', () => {
    const text = fixture('iperf3-R-65536.json');
    const m = parseIperf3Json(text, { ...window, msgSize: 65536 });
    // The captured run's intervals [0.5, 1.0) and [1.0, 1.5), by hand:
    const inside = (JSON.parse(text) as Report).intervals.filter((i) => i.sum.start >= 0.49 && i.sum.start < 1.49);
    expect(inside).toHaveLength(2);
    const bytes = inside.reduce((s, i) => s + i.sum.bytes, 0);
    // Their edges are iperf3's timer's: within microseconds of the window's.
    expect(m.bytes / bytes).toBeCloseTo(1, 4);
    expect(m.windowS).toBeCloseTo(1, 4);
    expect(m.throughputGbps).toBeCloseTo((bytes * 8) / 1 / 1e9, 1);
    expect(m).toMatchObject({ countedBy: 'receiver', version: 'iperf 3.12' });
    expect(m.throughputGbps).toBeGreaterThan(1);
  });

  it('apportions an interval across the window’s edge (iperf3’s timer late on a busy machine)', () => {
    // Merge the last two intervals, [1.0, 1.5) and [1.5, 2.0), into one: the
    // window [0.5, 1.5] then takes [0.5, 1.0) whole and half of the merged one.
    const j = JSON.parse(fixture('iperf3-R-1024.json')) as Report;
    const [, second, third, fourth] = j.intervals.map((i) => i.sum);
    j.intervals.splice(2, 2, { sum: { ...third!, end: fourth!.end, seconds: third!.seconds + fourth!.seconds, bytes: third!.bytes + fourth!.bytes } });
    const m = parseIperf3Json(JSON.stringify(j), { ...window, msgSize: 1024 });
    const merged = third!.bytes + fourth!.bytes;
    const share = (1.5 - third!.start) / (fourth!.end - third!.start);
    const expected = second!.bytes + merged * share;
    // (plus the first interval's 2 µs past 0.5 s: a few kB)
    expect(Math.abs(m.bytes - expected) / expected).toBeLessThan(1e-5);
    // Counting the merged interval whole would have been 50 % off for that half.
    expect(m.bytes / (second!.bytes + merged)).toBeLessThan(0.7);
    expect(m.windowS).toBeCloseTo(1, 4);
  });

  it('takes the sender\'s bytes over its whole run from end.sum_sent, for bytes per segment', () => {
    const j = JSON.parse(fixture('iperf3-R-65536.json'));
    expect(parseIperf3Json(fixture('iperf3-R-65536.json'), { ...window, msgSize: 65536 }).senderBytes).toBe(j.end.sum_sent.bytes);
    delete j.end.sum_sent;
    expect(parseIperf3Json(JSON.stringify(j), { ...window, msgSize: 65536 }).senderBytes).toBeNull();
  });

  it('reads every captured size', () => {
    for (const size of [1024, 1472, 65536]) {
      expect(parseIperf3Json(fixture(`iperf3-R-${size}.json`), { ...window, msgSize: size }).bytes).toBeGreaterThan(0);
    }
  });

  it('refuses a report of another transfer: block size', () => {
    expect(() => parseIperf3Json(fixture('iperf3-R-1024.json'), { ...window, msgSize: 65536 })).toThrow(
      /iperf3: not the transfer asked for: block size 1024, expected 65536/,
    );
  });

  it('refuses a report where the client sent (no -R)', () => {
    const j = JSON.parse(fixture('iperf3-R-1024.json'));
    j.start.test_start.reverse = 0;
    for (const i of j.intervals) i.sum.sender = true;
    expect(() => parseIperf3Json(JSON.stringify(j), { ...window, msgSize: 1024 })).toThrow(/not reversed \(-R\).*intervals counted by the sender/);
  });

  it('refuses a run that did not cover the window (cut short)', () => {
    expect(() => parseIperf3Json(fixture('iperf3-R-1024.json'), { warmupS: 0.5, durationS: 3, msgSize: 1024 })).toThrow(
      /iperf3: its intervals cover 1\.\d+ s of the 3 s window after 0\.5 s/,
    );
  });

  it('reports iperf3’s own error (it exits 0 with it)', () => {
    expect(() => parseIperf3Json(fixture('iperf3-refused.json'), { ...window, msgSize: 1024 })).toThrow(
      new PeerOutputError('iperf3: unable to connect to server: Connection refused'),
    );
  });

  it('says when the output is not JSON or not a report', () => {
    expect(() => parseIperf3Json('iperf3: error - bad', { ...window, msgSize: 1024 })).toThrow(/iperf3: output is not JSON/);
    expect(() => parseIperf3Json('{"start":{}}', { ...window, msgSize: 1024 })).toThrow(/iperf3: not an iperf3 -J report: start\.version/);
  });

  it('version from `iperf3 --version`', () => {
    expect(parseIperf3Version(fixture('iperf3-version.txt'))).toBe('3.12');
    expect(parseIperf3Version('nonsense')).toBeNull();
  });
});

describe('sockperf tp (the sender)', () => {
  it('throughput is its message rate × the size; bytes and window from its totals', () => {
    const m = parseSockperfTp(fixture('sockperf-tp-65536.txt'), 65536);
    const text = stripAnsi(fixture('sockperf-tp-65536.txt'));
    const messages = Number(/Total of (\d+) messages/.exec(text)![1]);
    const rate = Number(/Message Rate is (\d+)/.exec(text)![1]);
    expect(m.bytes).toBe(messages * 65536);
    expect(m.throughputGbps).toBeCloseTo((rate * 65536 * 8) / 1e9, 9);
    expect(m.windowS).toBeCloseTo(messages / rate, 9);
    expect(m).toMatchObject({ countedBy: 'sender', version: '3.7-no.git', senderBytes: messages * 65536 });
  });

  it('not its "MBps": that is MiB per second', () => {
    const m = parseSockperfTp(fixture('sockperf-tp-65536.txt'), 65536);
    const mibps = Number(/BandWidth is ([\d.]+) MBps/.exec(fixture('sockperf-tp-65536.txt'))![1]);
    expect(m.throughputGbps).toBeCloseTo((mibps * 1048576 * 8) / 1e9, 2);
    expect(m.throughputGbps).not.toBeCloseTo((mibps * 1e6 * 8) / 1e9, 1);
  });

  it('at 1472 B, where sockperf prints no size note, the size is its default', () => {
    expect(parseSockperfTp(fixture('sockperf-tp-1472.txt'), 1472).bytes % 1472).toBe(0);
    expect(() => parseSockperfTp(fixture('sockperf-tp-1472.txt'), 1024)).toThrow(/sent 1472-byte messages, expected 1024/);
  });

  it('refuses another size', () => {
    expect(() => parseSockperfTp(fixture('sockperf-tp-1024.txt'), 4096)).toThrow(/sockperf: sent 1024-byte messages, expected 4096/);
  });

  it('reports sockperf’s own error (it exits 0 with it)', () => {
    expect(() => parseSockperfTp(fixture('sockperf-tp-refused.txt'), 1024)).toThrow(
      new PeerOutputError('sockperf: Can`t connect socket (errno=111 Connection refused)'),
    );
  });

  it('says what is missing from an output that is not a summary (the receiver’s, say)', () => {
    expect(() => parseSockperfTp(fixture('sockperf-sr-65536.txt'), 65536)).toThrow(/not a sockperf tp summary \(no "Total of N messages sent in T sec", "Message Rate"\)/);
  });

  it('refuses a rate that disagrees with its totals', () => {
    const bad = fixture('sockperf-tp-1024.txt').replace(/Message Rate is \d+/, 'Message Rate is 5');
    expect(() => parseSockperfTp(bad, 1024)).toThrow(/message rate 5\/s disagrees/);
  });

  it('version from `sockperf --version` and from its banner', () => {
    expect(parseSockperfVersion(fixture('sockperf-version.txt'))).toBe('3.7-no.git');
    expect(parseSockperfVersion(fixture('sockperf-sr-65536.txt'))).toBe('3.7-no.git');
  });

  it('each listening side prints the line peer-tools.ts waits for, before anything connects', () => {
    const firstMatch = (text: string, re: RegExp) => stripAnsi(text).split('\n').findIndex((l) => re.test(l));
    const sr = fixture('sockperf-sr-65536.txt');
    expect(firstMatch(sr, READY_LINE.sockperf)).toBeGreaterThan(0);
    expect(firstMatch(sr, READY_LINE.sockperf)).toBeLessThan(firstMatch(sr, /Total \d+ messages received/));
    const iperf = fixture('iperf3-server-65536.txt');
    expect(firstMatch(iperf, READY_LINE.iperf3)).toBeLessThan(firstMatch(iperf, /Accepted connection/));
    expect(firstMatch(fixture('sockperf-tp-65536.txt'), READY_LINE.sockperf)).toBe(-1);
  });
});
