// The answers, answers first: one paragraph per course question, its number and interval, its figure; each clause chosen by a rule.
import { describe, expect, it } from 'vitest';
import type { Implementation } from '../../orchestrate/config/domain.ts';
import type { Row } from '../../orchestrate/results/row.ts';
import { FIGURE_IDS, answerTo, answersOf } from './answers.ts';
import { HARDWARE_EVENTS, matrix, reps, runData } from './synthetic.ts';

/** two_copy at 10 Gbit/s (±2 % over 3 repetitions); the others as `ratio` says. */
function race(ratio: (impl: Implementation, size: number, threads: number) => number, threads = [1, 2]): Row[] {
  return (['two_copy', 'one_copy', 'zero_copy'] as const).flatMap((impl) =>
    [128, 1024, 65536].flatMap((size) => threads.flatMap((t) => reps({ impl, size, threads: t, gbps: 10 * (impl === 'two_copy' ? 1 : ratio(impl, size, t)), zc: impl === 'zero_copy' ? { completions: 100, copied: 100 } : undefined }))),
  );
}

describe('the course questions', () => {
  it('are answered in the course order, each in one paragraph with its figures', () => {
    const list = answersOf(race(() => 1));
    expect(list.map((a) => a.question)).toEqual([
      'Why does zero-copy not always give the best throughput?',
      'Which cache level shows the largest relative reduction from two_copy to the others?',
      'How does thread count interact with contention?',
      'At what message size does one_copy beat two_copy?',
      'At what message size does zero_copy beat two_copy?',
      'What result was unexpected?',
      'What share of zero_copy sends were copied after all?',
      'What does a byte cost the CPU in each variant?',
      'Did every repetition of a point run in the same TCP regime?',
    ]);
    for (const a of list) {
      expect(a.paragraph.split(/(?<=\.) (?=[A-Zr0-9z])/).length, a.question).toBeLessThanOrEqual(5);
      expect(a.figures.every((id) => FIGURE_IDS.includes(id))).toBe(true);
    }
  });

  it('still read well without their figures: no figure named, none shown', () => {
    const list = answersOf(race(() => 1), undefined, []);
    for (const a of list) {
      expect(a.figures).toEqual([]);
      expect(a.paragraph).not.toMatch(/figure/i);
      expect(a.paragraph).not.toMatch(/\(\)|\s\.|\.\./);
    }
  });
});

describe('why zero-copy is not fastest', () => {
  it('says it never beats two_copy, quotes its best point with intervals, the copies and the sender CPU', () => {
    const a = answerTo(answersOf(race((impl, size) => (impl === 'zero_copy' ? (size === 65536 ? 0.9 : 0.5) : 1))), /zero-copy not always/);
    expect(a.paragraph).toMatch(/^zero_copy never beats two_copy beyond noise in this run: even where it comes closest, stream 64K, \d threads?, it moves 0\.90× \[0\.\d\d, 0\.\d\d\] of two_copy's throughput and 0\.90× \[/);
    expect(a.paragraph).toMatch(/The kernel flagged 100% \(all 1,800\) of its completions as copied \(figure 5\): over veth the pages are copied at delivery/);
    // Same task-clock for fewer bytes: the sender pays more per byte than one_copy's.
    expect(a.paragraph).toMatch(/Its sender spends 1\.1\d× \[[\d.]+, [\d.]+\] one_copy's CPU time per byte there \(median [\d.]+× over 6 stream points; figure 4b\): pinning the pages and reading the completions cost more than the copy they save\./);
    expect(a.figures).toEqual(['6-speedup', '5-zero-copy-completions', '4b-cpu-time-per-byte']);
  });

  it('says where it does beat two_copy, when it does', () => {
    const a = answerTo(answersOf(race((impl, size) => (impl === 'zero_copy' && size === 65536 ? 1.3 : 1))), /zero-copy not always/);
    expect(a.paragraph).toMatch(/^zero_copy beats two_copy beyond noise only at 2 of 6 points \(stream 64K, 1 thread and stream 64K, 2 threads\); at its best, stream 64K, 1 thread, it moves 1\.30× \[/);
    expect(a.paragraph).toMatch(/one_copy's CPU time per byte there \(.*\): it saves sender CPU there, where it wins\./);
  });
});

describe('crossovers', () => {
  it('give one sentence per mode: from which size, at which thread counts, with an interval', () => {
    const rows = race((impl, size, t) => (impl === 'one_copy' ? (t === 1 ? (size >= 1024 ? 1.2 : 1) : size === 65536 ? 1.2 : 1) : 0.5));
    const a = answerTo(answersOf(rows), /one_copy beat/);
    expect(a.paragraph).toMatch(/^In stream, one_copy beats two_copy beyond noise from 1K at 1 thread \(1\.20× \[1\.\d\d, 1\.\d\d\]\); from 64K at 2 threads \(1\.20× \[/);
    expect(a.paragraph).toMatch(/of the other points, within noise at 3\./);
    expect(a.paragraph).toMatch(/about 0\.3 of these 6 points by chance \(figure 6\)\.$/);
    expect(a.details[0]).toMatch(/^"Beats" means beyond noise/);
    const z = answerTo(answersOf(rows), /zero_copy beat/);
    expect(z.paragraph).toMatch(/^In stream, zero_copy never beats two_copy beyond noise \(slower at 6 of 6 points; closest at stream .*: 0\.50× \[/);
  });
});

describe('threads', () => {
  it('answers stream and rr apart: rr scaling where stream stays flat, with the pinning and the CPU it left', () => {
    const rows = matrix({ threads: [1, 2], factor: (_impl, _size, t) => 1, modes: ['stream', 'rr'] }).map((r) =>
      r.mode === 'rr' && r.threads === 2 ? { ...r, throughput_gbps: r.throughput_gbps * 1.9 } : r,
    );
    const a = answerTo(answersOf(rows), /thread count/);
    expect(a.paragraph).toMatch(/^In stream, 2 threads move 1\.00× the total throughput of 1 thread: flat within 10% \(median of 9 variant × size points/);
    expect(a.paragraph).toMatch(/In rr, 2 threads move 1\.90× the total throughput of 1 thread: it scales \(median of 9 variant × size points, 1\.90–1\.90×; per variant two_copy 1\.90×, one_copy 1\.90×, zero_copy 1\.90×; middle point .*: 1\.90× \[1\.\d\d, 1\.\d\d\]\)/);
    // Synthetic pinning: server CPU 0, client CPU 1; 900 ms of task-clock each over 1.8 s.
    expect(a.paragraph).toMatch(/The sender is pinned to 1 CPU and the receiver to 1 CPU for up to 2 threads each: past 1 thread, threads take turns on a core; rr scales where stream does not because a round trip mostly waits: with 1 thread the busier side was 50% busy/);
    expect(a.paragraph).toMatch(/Cache misses were not counted here/);
    expect(a.details.some((l) => /^ {2}two_copy rr: 128 2t 1\.90× \[/.test(l))).toBe(true);
  });

  it('explains a flat total by both sides sharing one core', () => {
    const rows = matrix({ threads: [1, 4] });
    const data = runData(rows);
    data.config!.pinning = { server: '0', client: '0' };
    const a = answerTo(answersOf(rows, data), /thread count/);
    expect(a.paragraph).toMatch(/Both sides are pinned to CPU 0: 4 threads of each side and the kernel's work for both share one core, so a flat total is the expected outcome/);
    expect(a.paragraph).toMatch(/rr does not scale either: with 1 thread its round trips already kept the shared core 100% busy, leaving no waiting time to fill/);
  });

  it('gives misses per KiB at more threads where the PMU counts them', () => {
    const a = answerTo(answersOf(matrix({ counters: true })), /thread count/);
    expect(a.paragraph).toMatch(/Cache contention: L1 data-cache load misses per KiB at 2 threads are 1\.00× \(median of \d+ points/);
  });
});

describe('cache level', () => {
  it('without a PMU says so, names what would answer it, and gives no number', () => {
    const rows = matrix({});
    const a = answerTo(answersOf(rows, runData(rows, { unsupported: HARDWARE_EVENTS })), /cache level/);
    expect(a.paragraph).toMatch(/^Not measurable in this run: perf could not count L1-dcache-load-misses, LLC-load-misses, cache-misses on this machine: no hardware PMU/);
    expect(a.paragraph).toMatch(/`perf list` shows L1-dcache-load-misses and LLC-load-misses under \[Hardware cache event\]/);
    expect(a.paragraph).toMatch(/copybench already asks perf for L1-dcache-load-misses, LLC-load-misses and cache-misses on each side/);
    expect(a.paragraph).not.toMatch(/\d+% fewer|reduction of/);
  });

  it('with a PMU names the level with the largest reduction and its interval', () => {
    // synthetic matrix: L1 misses ∝ 3 : 2 : 1.5, LLC ∝ 9 : 4 : 2.25 (two_copy : one_copy : zero_copy)
    const a = answerTo(answersOf(matrix({ counters: true })), /cache level/);
    expect(a.paragraph).toMatch(/^LLC load misses fall the most: zero_copy has a median 75% fewer than two_copy per KiB sent over 6 stream points \(middle point 75% \[7\d%, 7\d%\] at zero_copy stream/);
    expect(a.paragraph).toMatch(/Next: L1 data-cache load misses: 50% at most \(zero_copy, median\)/);
    expect(a.figures).toEqual(['3-cache-misses']);
  });
});

describe('CPU cost and regimes', () => {
  it('give the median cost per byte with a middle point interval, and stand CPU time in for cycles', () => {
    const rows = matrix({});
    const a = answerTo(answersOf(rows, runData(rows, { unsupported: HARDWARE_EVENTS })), /cost the CPU/);
    expect(a.paragraph).toMatch(/^Per byte, one_copy costs [\d.]+× two_copy's CPU time \(task-clock\), server \+ client \(median of 6 stream points; middle point one_copy stream .*: [\d.]+× \[/);
    expect(a.paragraph).toMatch(/Cycles were not counted here \(no hardware counters\), so CPU time stands in/);
    expect(a.figures).toEqual(['4b-cpu-time-per-byte']);
  });
});
