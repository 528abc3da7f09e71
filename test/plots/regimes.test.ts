// Repetitions in different TCP regimes are set apart with their throughputs, not taken for noise.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../orchestrate/plots/analysis.ts';
import { unsteadyPoints } from '../../orchestrate/plots/regime-points.ts';
import { speedupsOf } from '../../orchestrate/plots/compare.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { SEGMENT_REGIME_FACTOR, regimeSplit } from '../../orchestrate/plots/regimes.ts';
import { answersOf, textOf } from './answers.ts';
import type { Row } from '../../orchestrate/results/row.ts';
import type { LimitedBy } from '../../orchestrate/results/tcp.ts';
import type { Implementation } from '../../orchestrate/config/domain.ts';
import { reps, row, runData } from './synthetic.ts';

const withRegime = (r: Row, limitedBy: LimitedBy | null, bytesPerSegment: number | null): Row => ({ ...r, limited_by: limitedBy, tcp_bytes_per_segment: bytesPerSegment });

describe('regimeSplit', () => {
  const three = (impl: Implementation, gbps: number) => reps({ impl, size: 65536, gbps }, 0.02);

  it('is null when every repetition ran in one regime, or the run does not say', () => {
    expect(regimeSplit(three('one_copy', 10).map((r) => withRegime(r, 'sender', 60000)))).toBeNull();
    expect(regimeSplit(three('one_copy', 10))).toBeNull();
  });

  it('names each repetition of a point whose limit differs, with its throughput', () => {
    const [a, b, c] = three('one_copy', 10);
    const split = regimeSplit([withRegime(a!, 'sender', 60000), withRegime(b!, 'receiver_window', 60000), withRegime(c!, 'sender', 60000)]);
    expect(split).toEqual({
      differs: ['limited_by'],
      reps: [
        { rep: 1, limitedBy: 'sender', bytesPerSegment: 60000, throughputGbps: 9.8 },
        { rep: 2, limitedBy: 'receiver_window', bytesPerSegment: 60000, throughputGbps: 10 },
        { rep: 3, limitedBy: 'sender', bytesPerSegment: 60000, throughputGbps: 10.2 },
      ],
    });
  });

  it(`sets apart segment fullness differing by more than ${SEGMENT_REGIME_FACTOR}×, not less`, () => {
    const [a, b, c] = three('one_copy', 10);
    expect(regimeSplit([withRegime(a!, 'sender', 1448), withRegime(b!, 'sender', 1448 * 1.4), withRegime(c!, 'sender', 1448)])).toBeNull();
    expect(regimeSplit([withRegime(a!, 'sender', 1448), withRegime(b!, 'sender', 64000), withRegime(c!, 'sender', 1448)])!.differs).toEqual(['bytes_per_segment']);
  });
});

describe('a point in mixed regimes', () => {
  // two_copy at 10 Gbit/s; one_copy at 1.3× but its second repetition ran receiver-window limited at half speed.
  const rows = [
    ...reps({ impl: 'two_copy', size: 65536, gbps: 10 }).map((r) => withRegime(r, 'sender', 60000)),
    ...reps({ impl: 'one_copy', size: 65536, gbps: 13 }).map((r) => (r.rep === 2 ? withRegime({ ...r, throughput_gbps: 6.5 }, 'receiver_window', 60000) : withRegime(r, 'sender', 60000))),
    ...reps({ impl: 'zero_copy', size: 65536, gbps: 13 }).map((r) => withRegime(r, 'sender', 60000)),
  ];

  it('gets no verdict (mixed_regimes), while the point in one regime is judged', () => {
    const s = speedupsOf(pointStats(rows));
    expect(s.find((c) => c.impl === 'one_copy')!.verdict).toBe('mixed_regimes');
    expect(s.find((c) => c.impl === 'zero_copy')!.verdict).toBe('better');
  });

  it('is listed in the report with each repetition, its regime and throughput', () => {
    const a = analyse(pointStats(rows), runData(rows));
    expect(a.regimes).toHaveLength(1);
    const text = textOf(answersOf(rows));
    expect(text).toMatch(/1 point ran repetitions in different regimes/);
    expect(text).toMatch(/one_copy stream 64K 1t: rep 1 \(sender, 60000 B\/segment\): 12\.74 Gbit\/s; rep 2 \(receiver_window, 60000 B\/segment\): 6\.50 Gbit\/s; rep 3/);
    expect(text).toMatch(/64K .*\(regimes differ\)/);
  });

  it('without the columns the report says regimes are not known', () => {
    const plain = [row({ impl: 'two_copy', size: 128, gbps: 1 })];
    expect(textOf(answersOf(plain))).toMatch(/no limited_by or tcp_bytes_per_segment values/);
  });
});

describe('unsteady points', () => {
  it('names each repetition of a point that varied by more than 10 % within one regime, and no other', () => {
    const wide = reps({ impl: 'one_copy', size: 1024, gbps: 1 }, 0.4).map((r) => withRegime(r, 'sender', 1100));
    const narrow = reps({ impl: 'two_copy', size: 1024, gbps: 1 }, 0.02).map((r) => withRegime(r, 'sender', 1100));
    const split = reps({ impl: 'zero_copy', size: 1024, gbps: 1 }, 0.4).map((r, i) => withRegime(r, i === 0 ? 'receiver_window' : 'sender', 1100));
    const unsteady = unsteadyPoints(pointStats([...wide, ...narrow, ...split]));
    expect(unsteady.map((u) => [u.impl, Math.round(u.cvPct)])).toEqual([['one_copy', 40]]);
    expect(unsteady[0]!.reps.map((r) => [r.rep, r.limitedBy, r.bytesPerSegment])).toEqual([[1, 'sender', 1100], [2, 'sender', 1100], [3, 'sender', 1100]]);
    const text = textOf(answersOf([...wide, ...narrow]));
    expect(text).toMatch(/1 more point varied by more than 10% .* within one regime/);
    expect(text).toMatch(/one_copy stream 1K 1t \(CV 40%\): rep 1 \(sender, 1100 B\/segment\): 0\.60 Gbit\/s; rep 2/);
  });
});

