// The setup's own cost: the candidates a config is measured against, and the
// judgement of the configured topology, on made-up figures with known answers.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../orchestrate/config/load.ts';
import { judgeCalibration, retransPerGib, type CalibrationCandidate } from '../../orchestrate/results/calibration.ts';
import { calibrationCandidates } from '../../orchestrate/run/calibrate.ts';

const GIB = 1024 ** 3;
function candidate(name: string, configured: boolean, gbps: [number, number], retrans = 0, failed: string | null = null, cpu: [number, number] | null = null): CalibrationCandidate {
  return {
    name,
    description: name,
    steer_receive: name !== 'unsteered',
    pinning: { server: '0', client: name === 'one_core' ? '0' : '1' },
    configured,
    failed,
    measurements: (['two_copy', 'one_copy'] as const).map((impl, i) => ({
      impl,
      throughput_gbps: gbps[i]!,
      sender_cpu_ns_per_byte: 0.5,
      total_cpu_ns_per_byte: cpu ? cpu[i]! : null,
      retrans_segs: retrans,
      bytes: GIB,
    })),
  };
}

describe('calibrationCandidates', () => {
  it('measures the configured netns topology against steering, no steering and one core', () => {
    const c = calibrationCandidates(parseConfig('name: t', 't.yaml'), 2);
    expect(c.map((x) => [x.name, x.steer_receive, x.pinning, x.configured])).toEqual([
      ['configured', true, { server: '0', client: '1' }, true],
      ['unsteered', false, { server: '0', client: '1' }, false],
      ['one_core', false, { server: '0', client: '0' }, false],
    ]);
    expect(c[2]!.description).toBe('one core (both on CPU 0)');
  });

  it('leaves out what the configured topology already is, and what one CPU cannot do', () => {
    const oneCore = calibrationCandidates(parseConfig('name: t\npinning: { server: "0", client: "0" }\ntopology: { kind: netns, steer_receive: false }', 't.yaml'), 2);
    expect(oneCore.map((x) => x.name)).toEqual(['configured', 'rps', 'unsteered']);
    expect(calibrationCandidates(parseConfig('name: t\npinning: { server: "0", client: "0" }', 't.yaml'), 1).map((x) => x.name)).toEqual(['configured']);
    expect(calibrationCandidates(parseConfig('name: t\ntopology: { kind: loopback }', 't.yaml'), 2)).toEqual([]);
  });
});

describe('judgeCalibration', () => {
  it('says nothing when no clean alternative wins by more than the margin for every variant', () => {
    expect(judgeCalibration([candidate('configured', true, [10, 11]), candidate('one_core', false, [12, 14])], 25)).toEqual([]);
    // One variant over the margin, the other not: no warning.
    expect(judgeCalibration([candidate('configured', true, [10, 11]), candidate('one_core', false, [13, 12])], 25)).toEqual([]);
  });

  it('warns when a clean alternative moves more than the margin more for every variant (no CPU time counted)', () => {
    const w = judgeCalibration([candidate('configured', true, [10, 10]), candidate('one_core', false, [13, 14])], 25);
    expect(w).toEqual([expect.stringMatching(/costs more than one_core: two_copy \+30 %, one_copy \+40 % CPU per byte \(margin 25 %\)/)]);
  });

  it('judges by both sides\' CPU per byte where counted: two CPUs outrunning one core is no setup cost', () => {
    // Steering free (Intel guest): two CPUs move more, for the same CPU per byte.
    expect(judgeCalibration([candidate('configured', true, [34, 36], 0, null, [0.5, 0.45]), candidate('one_core', false, [18, 19], 0, null, [0.52, 0.46])], 25)).toEqual([]);
    // Steering dear (AMD guest): the same bytes for 60 % more CPU.
    const w = judgeCalibration([candidate('configured', true, [9.4, 11], 0, null, [1.08, 0.97]), candidate('one_core', false, [11.7, 12.4], 0, null, [0.66, 0.65])], 25);
    expect(w).toEqual([expect.stringMatching(/costs more than one_core: two_copy \+64 %, one_copy \+49 % CPU per byte/)]);
  });

  it('never prefers an alternative that retransmits spuriously, and says so of the configured one', () => {
    expect(judgeCalibration([candidate('configured', true, [10, 10]), candidate('unsteered', false, [24, 22], 50_000)], 25)).toEqual([]);
    const w = judgeCalibration([candidate('configured', true, [24, 22], 50_000), candidate('one_core', false, [12, 12])], 25);
    expect(w).toEqual([expect.stringMatching(/retransmits spuriously: 50000 segments per GiB moved \(more than 100\)/)]);
  });

  it('says when the configured topology could not be measured', () => {
    expect(judgeCalibration([candidate('configured', true, [0, 0], 0, 'two_copy: server exit code 1')], 25)).toEqual([
      'the configured topology could not be calibrated: two_copy: server exit code 1',
    ]);
  });

  it('counts retransmissions per GiB moved, unknown when not counted', () => {
    expect(retransPerGib({ retrans_segs: 50, bytes: GIB / 2 })).toBe(100);
    expect(retransPerGib({ retrans_segs: null, bytes: GIB })).toBeNull();
  });
});
