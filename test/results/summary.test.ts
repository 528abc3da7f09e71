import { describe, expect, it } from 'vitest';
import { summarize, summaryHeader } from '../../orchestrate/results/summary.ts';

const rec = (impl: string, size: number, tput: string, cycles = '') => ({
  implementation: impl, mode: 'stream', msg_size: String(size), threads: '1', throughput_gbps: tput, cpu_cycles: cycles,
});

describe('summarize', () => {
  it('gives median, min and max per matrix point over its repetitions', () => {
    const rows = summarize([rec('two_copy', 64, '1'), rec('two_copy', 64, '5'), rec('two_copy', 64, '2')]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      implementation: 'two_copy', mode: 'stream', msg_size: 64, threads: 1, reps: 3,
      throughput_gbps_median: 2, throughput_gbps_min: 1, throughput_gbps_max: 5,
    });
  });

  it('leaves unknown cells out, and an all-unknown figure empty', () => {
    const rows = summarize([rec('two_copy', 64, '1', '100'), rec('two_copy', 64, '2', ''), rec('two_copy', 64, '3', '300')]);
    expect(rows[0]).toMatchObject({ cpu_cycles_median: 200, cpu_cycles_min: 100, cpu_cycles_max: 300 });
    const none = summarize([rec('one_copy', 64, '1')]);
    expect(none[0]).toMatchObject({ cpu_cycles_median: null, cpu_cycles_min: null, cpu_cycles_max: null });
  });

  it('orders points by mode, variant, size and threads', () => {
    const rows = summarize([rec('zero_copy', 64, '1'), rec('two_copy', 4096, '1'), rec('two_copy', 64, '1')]);
    expect(rows.map((r) => `${r.implementation}/${r.msg_size}`)).toEqual(['two_copy/64', 'two_copy/4096', 'zero_copy/64']);
  });

  it('has a header naming every column it fills', () => {
    const header = summaryHeader();
    const row = summarize([rec('two_copy', 64, '1')])[0]!;
    expect(Object.keys(row).sort()).toEqual([...header].sort());
  });
});
