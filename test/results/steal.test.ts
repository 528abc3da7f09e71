// Steal time from /proc/stat and the re-run decision (results/steal.ts), on
// real readings of this KVM guest and on synthetic numbers with known answers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interferenceVerdict, parseProcStat, stealPercent, stealReported, type ProcStat } from '../../orchestrate/results/steal.ts';

const fixture = (name: string) => readFileSync(path.resolve(import.meta.dirname, '../fixtures/proc', name), 'utf8');

/** A /proc/stat reading: per CPU, [busy ticks, steal ticks] (the rest of the columns zero). */
function stat(cpus: Record<number, [number, number | null]>): ProcStat {
  const text = Object.entries(cpus)
    .map(([cpu, [busy, steal]]) => `cpu${cpu} ${busy} 0 0 0 0 0 0${steal === null ? '' : ` ${steal} 0 0`}`)
    .join('\n');
  return parseProcStat(`cpu  0 0 0 0 0 0 0 0 0 0\n${text}\nintr 1 2 3\n`);
}

describe('parseProcStat', () => {
  it('reads every cpuN line of a real /proc/stat: total of the first eight columns, steal the eighth', () => {
    const s = parseProcStat(fixture('proc-stat-before.txt'));
    expect([...s.keys()]).toEqual([0, 1]);
    // cpu0 95714 157 32896 88291 112 0 14970 124 0 0
    expect(s.get(0)).toEqual({ total: 95714 + 157 + 32896 + 88291 + 112 + 0 + 14970 + 124, steal: 124 });
  });

  it('skips the aggregate line and every other line, and knows a line without a steal column', () => {
    const s = parseProcStat('cpu  1 2 3 4 5 6 7 8 0 0\ncpu3 10 0 5 85\nctxt 99\n');
    expect([...s.keys()]).toEqual([3]);
    expect(s.get(3)).toEqual({ total: 100, steal: null });
  });

  it('guest time is inside user time: columns past the eighth are not added again', () => {
    expect(parseProcStat('cpu0 10 0 0 0 0 0 0 0 7 3\n').get(0)!.total).toBe(10);
  });
});

describe('stealReported', () => {
  it('is true on this machine, whose hypervisor reports steal', () => {
    expect(stealReported(parseProcStat(fixture('proc-stat-after.txt')))).toBe(true);
  });

  it('is false when every CPU has 0 steal since boot, or a CPU has no steal column', () => {
    expect(stealReported(stat({ 0: [100, 0], 1: [100, 0] }))).toBe(false);
    expect(stealReported(stat({ 0: [100, 5], 1: [100, null] }))).toBe(false);
    expect(stealReported(new Map())).toBe(false);
  });
});

describe('stealPercent', () => {
  it('is 0 over a real second in which nothing was stolen', () => {
    const before = parseProcStat(fixture('proc-stat-before.txt'));
    const after = parseProcStat(fixture('proc-stat-after.txt'));
    expect(stealPercent(before, after, [1])).toBe(0);
    expect(stealPercent(before, after, null)).toBe(0);
  });

  it('is the stolen share of the pinned CPUs\' ticks over the span', () => {
    const before = stat({ 0: [1000, 10], 1: [1000, 10] });
    const after = stat({ 0: [1095, 15], 1: [1100, 10] }); // cpu0: 5 of 100 ticks stolen; cpu1: none of 100
    expect(stealPercent(before, after, [0])).toBe(5);
    expect(stealPercent(before, after, [1])).toBe(0);
    expect(stealPercent(before, after, [0, 1])).toBe(2.5);
    // Unpinned: every CPU.
    expect(stealPercent(before, after, null)).toBe(2.5);
  });

  it('is unknown, never 0, without steal reported, a reading, a CPU, or a tick', () => {
    const zero = stat({ 0: [1000, 0], 1: [1000, 0] });
    expect(stealPercent(zero, stat({ 0: [1100, 0], 1: [1100, 0] }), [0])).toBeNull();
    const before = stat({ 0: [1000, 10], 1: [1000, 10] });
    expect(stealPercent(null, before, [0])).toBeNull();
    expect(stealPercent(before, null, [0])).toBeNull();
    expect(stealPercent(before, stat({ 0: [1100, 12], 1: [1100, 10] }), [7])).toBeNull();
    expect(stealPercent(before, before, [0])).toBeNull();
  });
});

describe('interferenceVerdict', () => {
  const limits = { maxStealPct: 2, maxAttempts: 3 };

  it('runs again when either side\'s steal is above the limit and attempts remain', () => {
    expect(interferenceVerdict({ server: 2.5, client: 0 }, 1, true, limits)).toEqual({ rerun: true, sides: ['server'] });
    expect(interferenceVerdict({ server: 0.1, client: 9 }, 2, true, limits)).toEqual({ rerun: true, sides: ['client'] });
  });

  it('keeps an attempt at or under the limit', () => {
    expect(interferenceVerdict({ server: 2, client: 1.99 }, 1, true, limits)).toEqual({ rerun: false, reason: 'clean' });
  });

  it('keeps the last attempt, however much was stolen', () => {
    expect(interferenceVerdict({ server: 50, client: 50 }, 3, true, limits)).toEqual({ rerun: false, reason: 'last attempt' });
    expect(interferenceVerdict({ server: 50, client: 50 }, 1, true, { maxStealPct: 2, maxAttempts: 1 })).toEqual({
      rerun: false,
      reason: 'last attempt',
    });
  });

  it('never re-runs on unknown steal, nor a failed attempt', () => {
    expect(interferenceVerdict({ server: null, client: null }, 1, true, limits)).toEqual({ rerun: false, reason: 'unknown' });
    expect(interferenceVerdict({ server: 10, client: null }, 1, false, limits)).toEqual({ rerun: false, reason: 'failed' });
  });
});
