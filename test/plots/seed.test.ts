// MT25042's table beside a run: the project's copy of their numbers, the
// latency their throughput implies, and the side-by-side section. Pure but
// for reading the data file (and the report's text, where it is at hand).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COURSE_VARIANTS, IMPLEMENTATIONS } from '../../orchestrate/config/domain.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import {
  SEED_FILE,
  SEED_TABLE_HEADER,
  derivedLatencyDeviation,
  derivedLatencyUs,
  parseSeedTable,
  seedComparison,
  type SeedRow,
} from '../../orchestrate/plots/seed.ts';
import { DataError } from '../../orchestrate/results/table.ts';
import { reps, row, runData } from './synthetic.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The report's text: in ../shared beside the clone (CI has it), never read by the project at run time. */
const SEED_TEXT = path.resolve(ROOT, '../shared/seeds/002_ea86ad7cbb186532.txt');

const seedRows = () => parseSeedTable(readFileSync(SEED_FILE, 'utf8'), SEED_FILE);

/** The report's "Raw Results" rows: tab-separated, nine cells, numbers with thousands separators. */
function rowsOfReportText(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.split('\t').map((c) => c.trim()))
    .filter((cells) => cells.length === 9 && (IMPLEMENTATIONS as readonly string[]).includes(cells[0]!));
}

describe('the data file (seeds/mt25042-part-b.csv)', () => {
  it('is found relative to the repository, and holds 48 rows: 3 variants × 4 sizes × 4 thread counts', () => {
    expect(SEED_FILE).toBe(path.join(ROOT, 'seeds/mt25042-part-b.csv'));
    const rows = seedRows();
    expect(rows).toHaveLength(48);
    expect(new Set(rows.map((r) => r.implementation))).toEqual(new Set(COURSE_VARIANTS));
    expect([...new Set(rows.map((r) => r.msg_size))]).toEqual([1024, 4096, 16384, 65536]);
    expect([...new Set(rows.map((r) => r.threads))]).toEqual([1, 2, 4, 8]);
    expect(rows.every((r) => r.cpu_cycles !== null && r.context_switches !== null)).toBe(true);
  });

  it.skipIf(!existsSync(SEED_TEXT))('matches the report text number for number', () => {
    const text = rowsOfReportText(readFileSync(SEED_TEXT, 'utf8'));
    expect(text).toHaveLength(48);
    const columns = Object.keys(seedRows()[0]!) as (keyof SeedRow)[];
    seedRows().forEach((r, i) => {
      const cells = text[i]!;
      expect(cells[0], `row ${i + 1}`).toBe(r.implementation);
      columns.slice(1).forEach((col, j) => expect(r[col], `row ${i + 1} ${col}`).toBe(Number(cells[j + 1]!.replace(/,/g, ''))));
    });
  });

  it('a point listed twice is an error naming the line', () => {
    const text = 'implementation,msg_size,threads,throughput_gbps,latency_us,cpu_cycles,l1_cache_misses,llc_cache_misses,context_switches\n' +
      'two_copy,1024,1,4,2,1,1,1,1\ntwo_copy,1024,1,5,2,1,1,1,1\n';
    expect(() => parseSeedTable(text, 'x.csv')).toThrow(DataError);
    expect(() => parseSeedTable(text, 'x.csv')).toThrow(/x\.csv: line 3: two_copy\/1024\/1 appears twice/);
  });
});

const seed = (implementation: SeedRow['implementation'], msg_size: number, threads: number, throughput_gbps: number, latency_us = 1): SeedRow => ({
  implementation,
  msg_size,
  threads,
  throughput_gbps,
  latency_us,
  cpu_cycles: 1e10,
  l1_cache_misses: 1e8,
  llc_cache_misses: 1e5,
  context_switches: 1e6,
});

describe('their latency, derived from throughput', () => {
  it('is size × threads × 8 ÷ throughput', () => {
    // 1000 B × 2 threads = 16,000 bits in flight at 8 Gbit/s (8,000 bits per µs): 2 µs.
    expect(derivedLatencyUs({ msg_size: 1000, threads: 2, throughput_gbps: 8 })).toBeCloseTo(2, 12);
  });

  it('reports the largest deviation from the latency column, and where', () => {
    const rows = [seed('two_copy', 1000, 2, 8, 2.02), seed('one_copy', 1000, 2, 8, 2.1), seed('zero_copy', 1000, 1, 4, 1.98)];
    const d = derivedLatencyDeviation(rows)!;
    expect(d.maxPct).toBeCloseTo(5, 9);
    expect(d.row.implementation).toBe('one_copy');
    expect(d.derivedUs).toBeCloseTo(2, 12);
    expect(derivedLatencyDeviation([])).toBeNull();
  });

  it('in their table: within about 2 % at every row', () => {
    const d = derivedLatencyDeviation(seedRows())!;
    expect(d.maxPct).toBeGreaterThan(1.5);
    expect(d.maxPct).toBeLessThan(2.1);
    expect(d.row).toMatchObject({ implementation: 'two_copy', msg_size: 1024, threads: 1 });
  });
});

describe('seedComparison', () => {
  // Ours: three repetitions each; two_copy 2 Gbit/s, one_copy 1.8 (÷ 0.9), zero_copy 1 (÷ 0.5), at 1 KiB, 1 and 2 threads.
  const ourRows = [1, 2].flatMap((threads) =>
    (['two_copy', 'one_copy', 'zero_copy'] as const).flatMap((impl) =>
      reps({ impl, size: 1024, threads, gbps: { two_copy: 2, one_copy: 1.8, zero_copy: 1 }[impl] * (threads === 2 ? 1.5 : 1) }),
    ),
  );
  const theirs = [
    seed('two_copy', 1024, 1, 4),
    seed('one_copy', 1024, 1, 3.2),
    seed('zero_copy', 1024, 1, 2.4),
    seed('two_copy', 1024, 2, 8),
    seed('one_copy', 1024, 2, 6),
    seed('zero_copy', 1024, 2, 4),
    seed('two_copy', 65536, 1, 60), // not in our run: left out
  ];
  const data = runData(ourRows);
  const mt = { ...data, config: { ...data.config!, name: 'mt25042' } };
  const section = seedComparison(theirs, pointStats(ourRows), mt)!;
  const rowOf = (impl: string, threads: number) => section.table.find((r) => r[0] === impl && r[2] === String(threads))!;

  it('is only for runs of configs/mt25042.yaml', () => {
    expect(seedComparison(theirs, pointStats(ourRows), data)).toBeNull();
    expect(section.title).toMatch(/MT25042/);
  });

  it('has a row for every point both have, theirs beside ours with its spread', () => {
    expect(section.table[0]).toEqual(SEED_TABLE_HEADER);
    expect(section.table).toHaveLength(1 + 6);
    // two_copy 1 thread: 1.96, 2, 2.04 against their 4.
    expect(rowOf('two_copy', 1)).toEqual(['two_copy', '1K', '1', '4', '2 [1.96–2.04]', '0.500', '1 (baseline)', '1 (baseline)']);
  });

  it('sets their variant ÷ two_copy beside ours with our 95 % interval', () => {
    const one = rowOf('one_copy', 1);
    expect(one[6]).toBe('0.80');
    const [ratio, lo, hi] = one[7]!.match(/[\d.]+/g)!.map(Number);
    expect(ratio).toBeCloseTo(0.9, 2);
    expect(lo).toBeLessThan(0.9);
    expect(hi).toBeGreaterThan(0.9);
    expect(rowOf('zero_copy', 2)[6]).toBe('0.50');
    // Our intervals are narrow (± 2 %): their 0.80 and 0.60 lie outside, their 0.75 and 0.50 too.
    expect(section.notes.find((n) => n.startsWith('one_copy'))).toMatch(/theirs median 0\.78 \(0\.75–0\.80\), ours median 0\.90 .*inside our 95% interval at 0 of 2 points/);
    expect(section.notes.find((n) => n.startsWith('zero_copy'))).toMatch(/theirs median 0\.55 \(0\.50–0\.60\), ours median 0\.50 .*at 1 of 2 points/);
  });

  it('with one repetition: no interval, and no claim', () => {
    const once = ourRows.filter((r) => r.rep === 2);
    const s = seedComparison(theirs, pointStats(once), { ...mt, rows: once })!;
    expect(s.table.find((r) => r[0] === 'one_copy')![7]).toBe('0.90 (no interval: 1 repetition)');
    expect(s.notes.find((n) => n.startsWith('one_copy'))).toMatch(/no interval, so no claim/);
  });

  it('says their latency is inverse throughput, their counters the client\'s, and how we pinned', () => {
    const [latency, counters, pinning] = section.notes.slice(-3);
    expect(latency).toMatch(/^\(i\) .*not a measured delay/);
    expect(counters).toMatch(/^\(ii\) .*client's \(the receiver's\) alone/);
    // synthetic rows: no PMU counts, 1000 client context switches.
    expect(counters).toMatch(/CPU cycles, L1-dcache-load-misses, LLC-load-misses: nothing to set beside theirs/);
    expect(counters).toMatch(/Context switches per KiB: theirs median [\d.]+, ours median [\d.]+/);
    expect(pinning).toMatch(/server pinned to CPU 0, client to CPU 1, receive steered to each side/);
    // Their 2 threads ÷ 1 thread: 2, 1.875, 1.667 → median 1.88; ours 1.5 everywhere.
    expect(pinning).toMatch(/theirs 2 threads 1\.88×; ours 2 threads 1\.50×/);
  });

  it('says when our ratios set points of different TCP regimes against each other', () => {
    const regimed = ourRows.map((r) => ({ ...r, limited_by: r.implementation === 'one_copy' ? ('receiver_window' as const) : ('sender' as const) }));
    const s = seedComparison(theirs, pointStats(regimed), { ...mt, rows: regimed })!;
    const note = s.notes.at(-1)!;
    expect(note).toMatch(/^\(iv\) Our points did not all run in one TCP regime \(results\.csv limited_by: receiver_window at 2, sender at 4 of 6 points\)/);
    expect(note).toMatch(/2 of our 4 variant ÷ two_copy ratios set points of different regimes against each other/);
    // Without limited_by (the synthetic rows above), nothing is said.
    expect(section.notes.some((n) => n.startsWith('(iv)'))).toBe(false);
  });

  it('compares context switches per KiB like for like', () => {
    // Theirs at two_copy 1 thread: 1e6 × 1024 ÷ (4 Gbit/s × 10 s ÷ 8) = 0.2048 per KiB; ours: 1000 × 1024 ÷ the bytes the server sent.
    const one = [row({ impl: 'two_copy', size: 1024, gbps: 2, bytesSent: 1024 * 1000 })];
    const s = seedComparison([seed('two_copy', 1024, 1, 4)], pointStats(one), { ...mt, rows: one })!;
    expect(s.notes.find((n) => n.startsWith('(ii)'))).toMatch(/theirs median 0\.205, ours median 1, ours ÷ theirs median 4\.88/);
  });
});
