import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_PERF_EVENTS } from '../../orchestrate/config/schema.ts';
import { canonicalEventName, parsePerfStat, parsePerfStatReport, type UnparsedLine } from '../../orchestrate/results/perf.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/perf');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const notSupported = { value: null, unit: '', runPct: null, supported: false };

describe('perf fixtures', () => {
  it.each(readdirSync(FIXTURES))('%s says which perf format it stands for', (name) => {
    expect(fixture(name).split('\n')[0]).toMatch(/^# fixture: (real|hand-written), .+/);
  });
});

describe('parsePerfStat on real output of this machine', () => {
  it.each(['real-kvm-server.perf', 'real-kvm-client.perf', 'real-kvm-default-events.perf'])(
    '%s: every default event, hardware ones <not supported>, software ones counted',
    (name) => {
      const report = parsePerfStatReport(fixture(name));
      expect(report.unparsed).toEqual([]);
      expect(report.startedOn).toMatch(/\d{4}$/);
      expect(Object.keys(report.counts).sort()).toEqual([...DEFAULT_PERF_EVENTS].sort());
      for (const ev of ['cycles', 'instructions', 'L1-dcache-load-misses', 'LLC-load-misses', 'cache-misses']) {
        expect(report.counts[ev]).toEqual(notSupported);
      }
      expect(report.counts['context-switches']).toMatchObject({ supported: true, unit: '', runPct: 100 });
      expect(report.counts['context-switches']!.value).toBeGreaterThan(0);
      expect(report.counts['task-clock']).toMatchObject({ supported: true, unit: 'msec', runPct: 100 });
    },
  );

  it('real-kvm-server.perf: exact counts', () => {
    const c = parsePerfStat(fixture('real-kvm-server.perf'));
    expect(c['context-switches']!.value).toBe(172);
    expect(c['cpu-migrations']!.value).toBe(0);
    expect(c['task-clock']!.value).toBe(604.52);
  });

  it('keeps :u and :k modifiers as part of the event name', () => {
    const c = parsePerfStat(fixture('real-kvm-user-kernel.perf'));
    expect(Object.keys(c)).toEqual(['cycles:u', 'cycles:k', 'instructions:u', 'instructions:k', 'context-switches', 'task-clock']);
    expect(c['cycles:u']).toEqual(notSupported);
  });
});

describe('parsePerfStat on hand-written formats', () => {
  it('sums hybrid cpu_core and cpu_atom rows under the plain name', () => {
    const c = parsePerfStat(fixture('hybrid-perf6.perf'));
    expect(c.cycles).toEqual({ value: 1_750_000_000, unit: '', runPct: 100, supported: true });
    // The atom row was <not counted>: the task never ran there; the total is the core's.
    expect(c.instructions).toEqual({ value: 2_400_000_000, unit: '', runPct: 100, supported: true });
    // Supported on one core type only: still a count.
    expect(c['L1-dcache-load-misses']).toEqual({ value: 12_000_000, unit: '', runPct: 100, supported: true });
    expect(c['LLC-load-misses']).toEqual(notSupported);
    // Multiplexed differently per core type: the lower share is kept.
    expect(c['cache-misses']).toEqual({ value: 400_000, unit: '', runPct: 60, supported: true });
    expect(c['task-clock']).toEqual({ value: 1200.5, unit: 'msec', runPct: 100, supported: true });
    expect(Object.keys(c).some((k) => k.includes('/'))).toBe(false);
  });

  it('reads both spellings of hybrid modifiers', () => {
    const c = parsePerfStat(fixture('hybrid-modifiers.perf'));
    expect(c['cycles:u']!.value).toBe(800_000_000);
    expect(c['cycles:k']!.value).toBe(900_000_000);
    expect(Object.keys(c).sort()).toEqual(['cycles:k', 'cycles:u']);
  });

  it('keeps multiplexing percentages below 100', () => {
    const c = parsePerfStat(fixture('multiplexed.perf'));
    expect(c.cycles).toMatchObject({ value: 4_000_000_000, runPct: 80 });
    expect(c['L1-dcache-load-misses']).toMatchObject({ value: 20_000_000, runPct: 40.05 });
    expect(c['context-switches']!.runPct).toBe(100);
  });

  it('maps <not counted> to an unknown value of a supported event', () => {
    const c = parsePerfStat(fixture('not-counted.perf'));
    expect(c.cycles).toEqual({ value: null, unit: '', runPct: null, supported: true });
    expect(c['context-switches']!.value).toBe(123);
  });

  it('reads rows with and without metric columns, skipping metric-only continuation rows and blanks', () => {
    const report = parsePerfStatReport(fixture('metric-columns.perf'));
    expect(report.unparsed).toEqual([]);
    expect(Object.keys(report.counts)).toEqual(['cycles', 'instructions', 'stalled-cycles-frontend', 'context-switches', 'task-clock']);
    expect(report.counts.instructions!.value).toBe(3_000_000_000);
    expect(report.counts['context-switches']).toEqual({ value: 45, unit: '', runPct: 100, supported: true });
  });

  it('reads minimal rows without run columns as counts of unknown share', () => {
    const c = parsePerfStat(fixture('minimal-rows.perf'));
    expect(c.cycles).toEqual({ value: 123456789, unit: '', runPct: null, supported: true });
    expect(c['task-clock']).toEqual({ value: 12.5, unit: 'msec', runPct: null, supported: true });
  });

  it('reports lines it does not know, keeps the rest, and never throws', () => {
    const seen: UnparsedLine[] = [];
    const c = parsePerfStat(fixture('unknown-lines.perf'), (u) => seen.push(u));
    expect(c).toEqual({
      cycles: { value: 1000, unit: '', runPct: 100, supported: true },
      'context-switches': { value: 7, unit: '', runPct: 100, supported: true },
    });
    expect(seen.map((u) => u.lineNumber)).toEqual([4, 6, 8, 9]);
    expect(seen[1]!.reason).toMatch(/neither a number/);
    expect(seen[2]!.reason).toMatch(/second row for context-switches/);
  });

  it('survives arbitrary input', () => {
    const junk = ['', '\n\n', ',,,,', 'a,b', '<not counted>', '1,2,3,4,5,6,7,8,9', '\u0000\uffff', '#'.repeat(1000)];
    for (const text of junk) expect(() => parsePerfStat(text)).not.toThrow();
  });
});

describe('canonicalEventName', () => {
  it.each([
    ['cpu_core/cycles/', 'cycles', true],
    ['cpu_atom/L1-dcache-load-misses/', 'L1-dcache-load-misses', true],
    ['cpu_core/cycles/u', 'cycles:u', true],
    ['cpu_atom/cycles:k/', 'cycles:k', true],
    ['cycles', 'cycles', false],
    ['msr/tsc/', 'msr/tsc/', false],
  ])('%s → %s', (raw, name, hybrid) => {
    expect(canonicalEventName(raw)).toEqual({ name, hybrid });
  });
});
