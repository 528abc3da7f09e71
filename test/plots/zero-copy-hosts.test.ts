// The zero-copy answer across two hosts: the copied fraction, what true
// zero-copy saved against one_copy per byte, or why every send was copied.
import { describe, expect, it } from 'vitest';
import { copiedAnswer } from '../../orchestrate/plots/answer-copies.ts';
import type { Analysis } from '../../orchestrate/plots/analysis.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { zeroCopyFinding } from '../../orchestrate/plots/zero-copy.ts';
import { whyCopied, zeroCopyAcrossHosts } from '../../orchestrate/plots/zero-copy-hosts.ts';
import type { HostFacts, Meta } from '../../orchestrate/results/meta.ts';
import { reps } from './synthetic.ts';

const OFFLOADS = { 'scatter-gather': 'on', 'tx-checksumming': 'on' };

function host(patch: Partial<HostFacts> = {}, nic: Partial<NonNullable<HostFacts['interface']>> = {}): HostFacts {
  return {
    ssh: 'root@192.0.2.10', hostname: 'a', kernel: 'Linux 6.1', cpu_model: 'x', cores: 8, perf_version: null, gcc_version: null,
    route: 'network', address: '198.51.100.1',
    interface: { name: 'enp1s0', driver: 'mlx5_core', mtu: 1500, offloads: { ...OFFLOADS }, ...nic },
    ...patch,
  };
}
const hosts = (server: HostFacts, client = host()): NonNullable<Meta['hosts']> => ({ server, client });

/** one_copy and zero_copy at 64 KiB: the sender's CPU time per byte from task-clock over bytes sent. */
function points(zc: { completions: number; copied: number }, taskClockMs = { one: 900, zero: 600 }) {
  const bytesSent = 1e9;
  return pointStats([
    ...reps({ impl: 'one_copy', size: 65536, gbps: 10, taskClockMs: taskClockMs.one, bytesSent }),
    ...reps({ impl: 'zero_copy', size: 65536, gbps: 10, taskClockMs: taskClockMs.zero, bytesSent, zc }),
  ]);
}

describe('zero-copy across two hosts', () => {
  it('has nothing to say for a run on one machine', () => {
    expect(zeroCopyAcrossHosts(points({ completions: 100, copied: 100 }), undefined)).toBeNull();
  });

  it('below 100 % copied: the zero-copy that happened and what it saved per byte against one_copy', () => {
    const lines = zeroCopyAcrossHosts(points({ completions: 1000, copied: 50 }), hosts(host()))!;
    expect(lines[0]).toBe('95.0% of 3000 MSG_ZEROCOPY completions were true zero-copy (the NIC read the pages in place); 5.0% were copied.');
    // task-clock 900 vs 600 ms (+ the client's, counted apart) over 1e9 bytes: 0.9 vs 0.6 ns/B on the sender.
    expect(lines[1]).toBe(
      "stream 64K, 1 thread: the sender spent 0.600 ns/B against one_copy's 0.900 ns/B — saved 0.300 ns per byte (33%; 5.0% of its completions copied).",
    );
  });

  it('at 100 % copied: why, from the sender host\'s interface', () => {
    const all = points({ completions: 10, copied: 10 });
    const veth = zeroCopyAcrossHosts(all, hosts(host({}, { name: 'cbh-ab', driver: 'veth' })))!;
    expect(veth[0]).toBe('every one of 30 MSG_ZEROCOPY completions was flagged copied: no send left without a copy.');
    expect(veth[1]).toMatch(/^Why: the server host's interface cbh-ab \(driver veth\) is a virtual link on one machine/);
    expect(zeroCopyAcrossHosts(all, hosts(host({}, { offloads: { 'scatter-gather': 'off', 'tx-checksumming': 'on' } })))![1]).toMatch(
      /has scatter-gather off: .*\(ethtool -K enp1s0 sg on, if the NIC can\)/,
    );
  });

  it('names each reason the kernel copies for', () => {
    expect(whyCopied(hosts(host(), host({ route: 'local' })))).toMatch(/^the route between the two hosts is local/);
    expect(whyCopied(hosts(host({}, { offloads: { 'scatter-gather': 'on', 'tx-checksumming': 'off' } })))).toMatch(/transmit checksumming off/);
    expect(whyCopied(hosts(host({}, { offloads: null })))).toMatch(/offloads are unknown \(ethtool is not installed there\)/);
    expect(whyCopied(hosts(host({ interface: null })))).toMatch(/interface towards the client is unknown/);
    expect(whyCopied(hosts(host()))).toMatch(/scatter-gather and checksum offload on, yet every send was copied/);
  });
});

describe('the report\'s copied-share answer across two hosts', () => {
  const answerFor = (zc: { completions: number; copied: number }, h: NonNullable<Meta['hosts']>) => {
    const pts = points(zc);
    const analysis = { zeroCopy: zeroCopyFinding(pts, null, [], h) } as Analysis;
    return copiedAnswer({ analysis, data: { meta: null, config: null, events: [], rows: [], attribution: undefined }, figureIds: [] });
  };

  it('below 100 %: says how much was true zero-copy, and lists what it saved per point', () => {
    const a = answerFor({ completions: 1000, copied: 50 }, hosts(host()));
    expect(a.paragraph).toContain('95.0% of 3000 MSG_ZEROCOPY completions were true zero-copy');
    expect(a.details.join('\n')).toMatch(/what true zero-copy saved the sender:\n  stream 64K, 1 thread: the sender spent 0\.600 ns\/B/);
  });

  it('at 100 %: the reason comes from the hosts\' facts, not the one-machine text', () => {
    const a = answerFor({ completions: 10, copied: 10 }, hosts(host({}, { name: 'cbh-ab', driver: 'veth' })));
    expect(a.paragraph).toMatch(/Why: the server host's interface cbh-ab \(driver veth\) is a virtual link on one machine/);
    expect(a.paragraph).not.toMatch(/Loopback/);
  });
});
