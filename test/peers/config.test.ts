// The config's peers: section: defaults from the matrix, strictness, and the
// peers' constraints on warm-up and duration.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadConfig, parseConfig, withPeers } from '../../orchestrate/config/load.ts';
import { peerSettings } from '../../orchestrate/config/schema.ts';
import { problemsOf } from '../config/problems.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');


describe('peers: section', () => {
  it('is absent unless given', () => {
    const c = parseConfig('', 'x.yaml');
    expect(c.peers).toBeNull();
    expect(peerSettings(c)).toBeNull();
  });

  it('takes sizes and repetitions from the matrix when it gives none', () => {
    const c = parseConfig('message_sizes: [1024, 65536]\nrepetitions: 4\nduration_s: 2\npeers: {}', 'x.yaml');
    expect(peerSettings(c)).toEqual({ tools: ['iperf3', 'sockperf'], message_sizes: [1024, 65536], repetitions: 4 });
  });

  it('keeps its own sizes, repetitions and tools', () => {
    const c = parseConfig('duration_s: 2\npeers: { tools: [sockperf], message_sizes: [4096], repetitions: 7 }', 'x.yaml');
    expect(peerSettings(c)).toEqual({ tools: ['sockperf'], message_sizes: [4096], repetitions: 7 });
  });

  it('names an unknown key, an unknown tool and a repeated tool', () => {
    expect(problemsOf('duration_s: 2\npeers: { tool: [iperf3] }')).toEqual(['peers.tool: unknown key']);
    expect(problemsOf('duration_s: 2\npeers: { tools: [netperf] }')[0]).toMatch(/^peers\.tools\[0\]: expected one of iperf3, sockperf/);
    expect(problemsOf('duration_s: 2\npeers: { tools: [iperf3, iperf3] }')[0]).toMatch(/^peers\.tools\[1\]: repeats an earlier entry/);
  });

  it('wants whole seconds of duration when sockperf runs (its -t takes whole seconds)', () => {
    expect(problemsOf('duration_s: 1.5\npeers: { tools: [sockperf] }')).toEqual([
      'duration_s: must be whole seconds when peers.tools has sockperf (its -t takes whole seconds), got 1.5',
    ]);
    expect(() => parseConfig('duration_s: 1.5\npeers: { tools: [iperf3] }', 'x.yaml')).not.toThrow();
  });

  it('wants multiples of 0.1 s when iperf3 runs (its shortest interval)', () => {
    expect(problemsOf('warmup_s: 0.25\nduration_s: 2\npeers: { tools: [iperf3] }')).toEqual([
      'warmup_s: must be a multiple of 0.1 s when peers.tools has iperf3 (its window is cut from 0.1 s intervals), got 0.25',
    ]);
  });

  it('withPeers gives a config without the section the default one, checked the same way', () => {
    const c = withPeers(parseConfig('duration_s: 2\nrepetitions: 2', 'x.yaml'), 'x.yaml');
    expect(peerSettings(c)).toEqual({ tools: ['iperf3', 'sockperf'], message_sizes: [128, 512, 1024, 4096, 16384, 65536], repetitions: 2 });
    expect(() => withPeers(parseConfig('duration_s: 1.5', 'x.yaml'), 'x.yaml')).toThrow(/duration_s: must be whole seconds .*\(with the default peers section\)/);
  });

  it('configs/peers.yaml: the four sizes, one thread, stream, netns, pinned as full.yaml, at least 5 repetitions', () => {
    const c = loadConfig(path.join(ROOT, 'configs/peers.yaml'));
    const s = peerSettings(c)!;
    expect(s.message_sizes).toEqual([1024, 4096, 16384, 65536]);
    expect(s.repetitions).toBeGreaterThanOrEqual(5);
    expect(s.tools).toEqual(['iperf3', 'sockperf']);
    expect(c.threads).toEqual([1]);
    expect(c.modes).toEqual(['stream']);
    expect(c.topology.kind).toBe('netns');
    // Pinned and steered as the main run, so that its figures and the peers' compare.
    const full = loadConfig(path.join(ROOT, 'configs/full.yaml'));
    expect(c.pinning).toEqual(full.pinning);
    expect(c.topology.kind === 'netns' && full.topology.kind === 'netns' && c.topology.steer_receive === full.topology.steer_receive).toBe(true);
  });

  it('every other shipped config still loads', () => {
    for (const name of ['full', 'quick', 'mt25042']) expect(loadConfig(path.join(ROOT, `configs/${name}.yaml`)).peers).toBeNull();
  });
});
