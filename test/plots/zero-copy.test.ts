// The share of zero_copy sends copied after all: exact, with its reason at 99 % or more, and the rest located.
import { describe, expect, it } from 'vitest';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { COPIED_REASON_SHARE, exactShare, remainderOf, zeroCopyFinding } from '../../orchestrate/plots/zero-copy.ts';
import type { Row } from '../../orchestrate/results/row.ts';
import { answerTo, answersOf } from './answers.ts';
import { row, runData } from './synthetic.ts';

describe('exactShare', () => {
  it('says 100 % only when every completion was copied', () => {
    expect(exactShare(12873675, 12873675)).toBe('100% (all 12,873,675)');
    expect(exactShare(34012030, 34012800)).toBe('99.998% (34,012,030 of 34,012,800)');
    expect(exactShare(999999, 1000000)).toBe('99.9999% (999,999 of 1,000,000)');
    expect(exactShare(25, 100)).toBe('25.0% (25 of 100)');
    expect(exactShare(1, 1000000)).toBe('0.0001% (1 of 1,000,000)');
    expect(exactShare(0, 40)).toBe('0% (none of 40)');
  });

  it('never rounds a part up to 100 % or down to 0 %', () => {
    for (const whole of [7, 1000, 34012800, 2 ** 40]) {
      for (const part of [1, whole - 1]) expect(exactShare(part, whole)).not.toMatch(/^(100|0)(\.0+)?%/);
    }
  });
});

/** zero_copy rows over two modes, two sizes, two thread counts and three repetitions; `unflagged` says which hold completions not flagged as copied. */
function zcRun(unflagged: (r: Row) => number, retrans: (r: Row) => number = () => 0): Row[] {
  const out: Row[] = [];
  for (const mode of ['stream', 'rr'] as const)
    for (const size of [128, 65536])
      for (const threads of [1, 2])
        for (const rep of [1, 2, 3]) {
          const r = row({ impl: 'zero_copy', mode, size, threads, rep, gbps: 1, zc: { completions: 1000, copied: 1000 } });
          out.push({ ...r, zc_copied: r.zc_completions - unflagged(r), tcp_retrans_segs: retrans(r) });
        }
  return out;
}

describe('the remainder', () => {
  it('is located: only rr, only at the smallest size, only where TCP retransmitted', () => {
    const hot = (r: Row) => r.mode === 'rr' && r.msg_size === 128 && r.rep !== 2;
    const rows = zcRun((r) => (hot(r) ? 5 : 0), (r) => (hot(r) ? 3 : r.rep === 2 ? 1 : 0));
    const rem = remainderOf(rows)!;
    expect(rem.unflagged).toBe(20);
    expect(rem.rows.map((x) => `${x.mode} ${x.msgSize} ${x.threads}t rep ${x.rep}`)).toEqual(['rr 128 1t rep 1', 'rr 128 1t rep 3', 'rr 128 2t rep 1', 'rr 128 2t rep 3']);
    expect(rem.common).toEqual(['only in rr', 'only at 128 (the smallest size)', 'only where TCP retransmitted']);
  });

  it('names a single thread count and repetition when they hold it all', () => {
    const rows = zcRun((r) => (r.threads === 2 && r.rep === 3 ? 1 : 0));
    expect(remainderOf(rows)!.common).toEqual(['only at 2 threads', 'only in repetition 3']);
  });

  it('says when the remainder has nothing in common', () => {
    const rows = zcRun((r) => ((r.mode === 'rr' && r.msg_size === 128 && r.threads === 1 && r.rep === 1) || (r.mode === 'stream' && r.msg_size === 65536 && r.threads === 2 && r.rep === 2) ? 1 : 0));
    expect(remainderOf(rows)!.common).toEqual([]);
    expect(answerTo(answersOf(rows), /copied after all/).paragraph).toMatch(/The 2 completions not flagged as copied are in 2 repetitions of 2 points, with no mode, size, thread count, repetition or retransmission in common\./);
  });

  it('is absent when every completion was flagged', () => {
    expect(remainderOf(zcRun(() => 0))).toBeNull();
  });
});

describe('the copied share in the answers', () => {
  it(`gives the reason at ${COPIED_REASON_SHARE * 100}% or more, with the exact share and where the rest were`, () => {
    const rows = zcRun((r) => (r.mode === 'rr' && r.msg_size === 128 ? 10 : 0));
    const z = zeroCopyFinding(pointStats(rows), runData(rows).config, rows)!;
    expect(z.fraction).toBeGreaterThanOrEqual(COPIED_REASON_SHARE);
    expect(z.reason).toMatch(/^over veth/);
    const a = answerTo(answersOf(rows), /copied after all/);
    expect(a.paragraph).toMatch(/^The kernel flagged 99\.8% \(23,940 of 24,000\) of zero_copy's MSG_ZEROCOPY completions as copied/);
    expect(a.paragraph).toMatch(/Why: over veth/);
    expect(a.paragraph).toMatch(/The 60 completions not flagged as copied are in 6 repetitions of 2 points: only in rr and only at 128 \(the smallest size\)\./);
    expect(a.details).toContain('  rr 128, 1 thread, repetition 1: 10 of 1,000 not flagged; 0 retransmitted segments');
    expect(a.figures).toEqual(['5-zero-copy-completions']);
  });

  it('gives no reason below it, and says the rest went without a copy', () => {
    const rows = zcRun((r) => (r.mode === 'rr' ? 100 : 0));
    const a = answerTo(answersOf(rows), /copied after all/);
    expect(a.paragraph).toMatch(/^The kernel flagged 95\.0% \(22,800 of 24,000\)/);
    expect(a.paragraph).not.toMatch(/Why:/);
    expect(a.paragraph).toMatch(/The rest completed without the copied flag/);
  });

  it('says 100 % (all N) when every completion was copied, and names no remainder', () => {
    const a = answerTo(answersOf(zcRun(() => 0)), /copied after all/);
    expect(a.paragraph).toMatch(/^The kernel flagged 100% \(all 24,000\)/);
    expect(a.paragraph).not.toMatch(/not flagged/);
  });
});
