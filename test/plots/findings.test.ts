// Unexpected results, found by rules: each rule on synthetic data with a known answer.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../orchestrate/plots/analysis.ts';
import { copyCount, fallsWithThreads, pickFindings, strengthOf, twoRegimes, type Finding, type FindingInput } from '../../orchestrate/plots/findings.ts';
import { setupCost } from '../../orchestrate/plots/findings-setup.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { threadRatios } from '../../orchestrate/plots/threads.ts';
import type { Calibration } from '../../orchestrate/results/calibration.ts';
import type { Row } from '../../orchestrate/results/row.ts';
import type { LimitedBy } from '../../orchestrate/results/tcp.ts';
import { answerTo, answersOf } from './answers.ts';
import { reps, runData } from './synthetic.ts';

/** A row with TCP's account and each side's task-clock (ms) set. */
function tcp(r: Row, o: { limitedBy?: LimitedBy; bytesPerSegment?: number; retrans?: number; serverMs?: number; clientMs?: number }): Row {
  return {
    ...r,
    limited_by: o.limitedBy ?? 'sender',
    tcp_bytes_per_segment: o.bytesPerSegment ?? 1448,
    tcp_retrans_segs: o.retrans ?? 0,
    perf: { ...r.perf, 'server_task-clock': o.serverMs ?? 900, 'client_task-clock': o.clientMs ?? 900 },
  };
}

function inputOf(rows: Row[], resolutionPct: number | null = 5): FindingInput {
  const data = runData(rows);
  const points = pointStats(rows);
  return { points, rows, config: data.config, meta: data.meta, threadRatios: threadRatios(points), resolutionPct };
}

/** zero_copy stream 64K: `one` Gbit/s at 1 thread, `two` at 2; the receiver (client, its own CPU) ~98 % busy at both. */
const falling = (one: number, two: number) =>
  [...reps({ impl: 'zero_copy', size: 65536, threads: 1, gbps: one }), ...reps({ impl: 'zero_copy', size: 65536, threads: 2, gbps: two })].map((r) =>
    tcp(r, { clientMs: 1760, serverMs: 700 }),
  );

describe('falls_with_threads', () => {
  it('finds throughput falling beyond noise and explains it by the saturated receiver', () => {
    const [f] = fallsWithThreads(inputOf(falling(30, 21)));
    expect(f).toMatchObject({ rule: 'falls_with_threads' });
    expect(f!.ratio).toBeCloseTo(0.7, 2);
    expect(f!.ci!.hi).toBeLessThan(1);
    expect(f!.headline).toMatch(/^zero_copy stream 64K loses throughput with more threads: 2 threads move 0\.70× \[0\.\d\d, 0\.\d\d\] of 1 thread's \(30\.00 → 21\.00 Gbit\/s\)/);
    // 1760 ms of task-clock over 0.3 s warm-up + 1.5 s window on the client's one CPU (synthetic pinning: client CPU 1).
    expect(f!.why.join(' ')).toMatch(/receiver \(client\) 98% of its one CPU/);
    expect(f!.why.join(' ')).toMatch(/So the receiver's CPU was already saturated with 1 thread, so more threads could only take turns on it\./);
  });

  it('is picked as the unexpected result, with its interval and figure', () => {
    const a = answerTo(answersOf(falling(30, 21)), /unexpected/);
    expect(a.paragraph).toMatch(/^zero_copy stream 64K loses throughput with more threads: 2 threads move 0\.70× \[/);
    expect(a.paragraph).toMatch(/\(figures 1 and 4b\)/);
    expect(a.figures).toEqual(['1-throughput', '4b-cpu-time-per-byte']);
  });

  it('is not found when the difference is within noise', () => {
    expect(fallsWithThreads(inputOf(falling(30, 29.6)))).toEqual([]);
    expect(answerTo(answersOf(falling(30, 29.6)), /unexpected/).paragraph).toMatch(/^No rule found a result beyond noise/);
  });

  it('names a change of TCP limit, shrinking segments and new retransmissions', () => {
    const rows = [
      ...reps({ impl: 'one_copy', size: 65536, threads: 1, gbps: 20 }).map((r) => tcp(r, { limitedBy: 'sender', bytesPerSegment: 60000 })),
      ...reps({ impl: 'one_copy', size: 65536, threads: 4, gbps: 10 }).map((r) => tcp(r, { limitedBy: 'receiver_window', bytesPerSegment: 20000, retrans: 40 })),
    ];
    const why = fallsWithThreads(inputOf(rows))[0]!.why.join(' ');
    expect(why).toMatch(/TCP's limit moved from sender to receiver window/);
    expect(why).toMatch(/segments shrank from 60,000 to 20,000 B/);
    expect(why).toMatch(/retransmissions rose from 0 to 120/);
    expect(why).not.toMatch(/saturated/);
  });
});

describe('two_regimes', () => {
  it('finds a point whose repetitions ran in two regimes, with both groups and the segment fullness', () => {
    const [a, b, c] = reps({ impl: 'one_copy', size: 512, gbps: 1 });
    const rows = [tcp({ ...a!, throughput_gbps: 1.42 }, { bytesPerSegment: 1261 }), tcp({ ...b!, throughput_gbps: 0.44 }, { bytesPerSegment: 522 }), tcp({ ...c!, throughput_gbps: 0.44 }, { bytesPerSegment: 522 })];
    const [f] = twoRegimes(inputOf(rows, 8));
    expect(f!.headline).toBe(
      'one_copy stream 512, 1 thread ran in two regimes, 3.23× apart: 1 repetition at 1.42 Gbit/s (sender, 1,261 B/segment) against 2 repetitions at 0.44, 0.44 Gbit/s (sender, 522 B/segment)',
    );
    expect(f!.ci).toBeNull();
    expect(f!.why[0]).toMatch(/how full the segments were: the faster one carried 2\.42× the bytes per segment/);
    // No interval: the ratio less the run's resolution (8 %).
    expect(f!.strength).toBeCloseTo(Math.log(1.42 / 0.44) - Math.log(1.08), 6);
  });

  it('finds nothing where every repetition ran in one regime', () => {
    expect(twoRegimes(inputOf(reps({ impl: 'one_copy', size: 512, gbps: 1 }).map((r) => tcp(r, {}))))).toEqual([]);
  });
});

describe('copy_count', () => {
  const race = (ratio: Record<string, number>) =>
    (['two_copy', 'one_copy', 'zero_copy'] as const).flatMap((impl) => [128, 1024, 65536].flatMap((size) => reps({ impl, size, gbps: 10 * (ratio[impl] ?? 1) })));

  it('finds a variant with fewer copies slower beyond noise at every point, and says so', () => {
    const found = copyCount(inputOf(race({ one_copy: 0.8, zero_copy: 1.2 })));
    const one = found.find((f) => f.headline.startsWith('one_copy'))!;
    expect(one.headline).toMatch(/^one_copy \(1 send copy in theory\) is slower than two_copy \(2\) beyond noise at every one of the 3 stream points \(median 0\.80×; middle of the slower, one_copy stream .*: 0\.80× \[/);
    expect(one.answeredElsewhere).toBe(false);
    expect(one.strength).toBeGreaterThan(0);
    // zero_copy is faster than both: nothing unexpected about it.
    expect(found.some((f) => f.headline.startsWith('zero_copy'))).toBe(false);
  });

  it('lists zero_copy slower than one_copy, but leaves it to the zero-copy answers', () => {
    const found = copyCount(inputOf(race({ zero_copy: 0.5 })));
    expect(found.map((f) => f.headline.split(' is ')[0])).toEqual(['zero_copy (0 send copies in theory)', 'zero_copy (0 send copies in theory)']);
    expect(found.every((f) => f.answeredElsewhere)).toBe(true);
    expect(pickFindings(found)).toEqual([]);
  });
});

describe('setup_cost', () => {
  const m = (impl: string, gbps: number, ns: number, retrans: number) => ({
    impl,
    throughput_gbps: gbps,
    sender_cpu_ns_per_byte: ns / 2,
    total_cpu_ns_per_byte: ns,
    retrans_segs: retrans,
    bytes: Math.round((gbps * 1e9) / 8),
  });
  const candidate = (name: string, description: string, configured: boolean, measurements: ReturnType<typeof m>[]) => ({
    name,
    description,
    steer_receive: name === 'rps',
    pinning: { server: '0', client: configured ? '0' : '1' },
    configured,
    measurements,
    failed: null,
  });
  const calibration: Calibration = {
    message_size: 65536,
    warmup_s: 0.3,
    duration_s: 1,
    margin_pct: 25,
    warnings: [],
    candidates: [
      candidate('configured', 'one core (both on CPU 0)', true, [m('two_copy', 13.29, 0.596, 0), m('one_copy', 14.45, 0.554, 0)]),
      candidate('rps', 'receive steering to each side\'s CPU', false, [m('two_copy', 11.56, 0.967, 0), m('one_copy', 11.3, 0.888, 0)]),
      candidate('unsteered', 'no steering', false, [m('two_copy', 24.56, 0.461, 7493), m('one_copy', 10.64, 0.946, 2725)]),
    ],
  };
  const meta = () => ({ ...runData([]).meta!, calibration });

  it('says what receive steering cost, and that the faster unsteered setup retransmitted', () => {
    const found = setupCost({ meta: meta(), resolutionPct: 5 });
    expect(found.map((f) => f.headline)).toEqual([
      "the calibration's receive steering to each side's CPU cost 13% of two_copy's throughput (11.56 vs 13.29 Gbit/s) and 1.62× the CPU per byte (0.97 vs 0.60 ns/B, both sides)",
      "the calibration's no steering moved 1.85× the configured topology's two_copy throughput (24.56 vs 13.29 Gbit/s) but retransmitted 7,493 segments (2,621 per GiB, over 100 is spurious over veth): a faster setup that is not a clean measurement",
    ]);
    expect(found[1]!.why[0]).toMatch(/one_copy 0\.74× \(10\.64 vs 14\.45 Gbit\/s, 2,725 retransmitted\)/);
    expect(found.every((f) => f.ci === null && f.strength > 0)).toBe(true);
    expect(found[1]!.strength).toBeCloseTo(Math.log(24.56 / 13.29) - Math.log(1.05), 6);
  });

  it('finds nothing without a calibration', () => {
    expect(setupCost({ meta: runData([]).meta, resolutionPct: 5 })).toEqual([]);
  });

  it('reaches the analysis through meta.json', () => {
    const rows = reps({ impl: 'two_copy', size: 65536, gbps: 10 });
    const data = { ...runData(rows), meta: meta() };
    expect(analyse(pointStats(rows), data).findings.filter((f) => f.rule === 'setup_cost')).toHaveLength(2);
  });
});

describe('strength and picking', () => {
  it('is the interval bound nearest 1, or the ratio less the resolution without one', () => {
    const ci = (lo: number, hi: number) => ({ estimate: Math.sqrt(lo * hi), lo, hi, halfWidthPct: 0, df: 2 });
    expect(strengthOf(0.7, ci(0.6, 0.8), 5)).toBeCloseTo(-Math.log(0.8));
    expect(strengthOf(1.3, ci(1.1, 1.5), 5)).toBeCloseTo(Math.log(1.1));
    expect(strengthOf(1.3, ci(0.9, 1.5), 5)).toBe(0);
    expect(strengthOf(2, null, 10)).toBeCloseTo(Math.log(2) - Math.log(1.1));
    expect(strengthOf(1.05, null, 10)).toBe(0);
  });

  it('takes the strongest, then the strongest of another rule', () => {
    const f = (rule: Finding['rule'], strength: number): Finding => ({ rule, strength, headline: `${rule} ${strength}`, why: [], ratio: 1, ci: null, figures: [], answeredElsewhere: false });
    expect(pickFindings([f('two_regimes', 1), f('two_regimes', 0.9), f('setup_cost', 0.5), f('falls_with_threads', 0.1)]).map((x) => x.headline)).toEqual(['two_regimes 1', 'setup_cost 0.5']);
    expect(pickFindings([f('two_regimes', 0)])).toEqual([]);
  });

  it('puts a finding its interval backs before a stronger one without an interval', () => {
    const f = (rule: Finding['rule'], strength: number, backed: boolean): Finding => ({
      rule,
      strength,
      headline: `${rule} ${strength}`,
      why: [],
      ratio: 0.8,
      ci: backed ? { estimate: 0.8, lo: 0.75, hi: 0.85, halfWidthPct: 6, df: 2 } : null,
      figures: [],
      answeredElsewhere: false,
    });
    const picked = pickFindings([f('two_regimes', 1.2, false), f('setup_cost', 0.6, false), f('falls_with_threads', 0.16, true)]);
    expect(picked.map((x) => x.headline)).toEqual(['falls_with_threads 0.16', 'two_regimes 1.2']);
  });
});

describe('falls_with_threads, saturation that comes with the threads', () => {
  it('says the side became saturated when it was not with one thread', () => {
    const rows = [
      ...reps({ impl: 'two_copy', size: 65536, threads: 1, gbps: 20 }).map((r) => tcp(r, { serverMs: 900, clientMs: 900 })),
      ...reps({ impl: 'two_copy', size: 65536, threads: 2, gbps: 15 }).map((r) => tcp(r, { serverMs: 1790, clientMs: 900 })),
    ];
    const why = fallsWithThreads(inputOf(rows))[0]!.why.join(' ');
    expect(why).toMatch(/With 1: .*sender \(server\) 50% of its one CPU/);
    expect(why).toMatch(/So the sender's CPU became saturated with more threads\./);
  });
});
