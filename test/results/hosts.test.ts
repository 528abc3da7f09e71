// A host's facts for meta.json, from what the facts script printed there
// (test/fixtures/hosts/, captured on the development VM).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseHostFacts, parseRoute } from '../../orchestrate/results/hosts.ts';
import { HostFacts } from '../../orchestrate/results/meta.ts';
import { FIXTURES } from '../run/helpers.ts';

const fixture = (name: string) => readFileSync(path.join(FIXTURES, 'hosts', name), 'utf8');

describe('host facts', () => {
  it('a route through a NIC: its driver, MTU and the offloads that decide zero-copy', () => {
    const { facts, identity } = parseHostFacts(fixture('nic-route.txt'), 'root@192.0.2.2');
    expect(HostFacts.parse(facts)).toEqual(facts);
    expect(facts).toMatchObject({ ssh: 'root@192.0.2.2', hostname: 'vm', cores: 2, route: 'network', address: '192.0.2.2', perf_version: 'perf version 6.1.187' });
    expect(facts.interface).toEqual({
      name: 'eth0',
      driver: 'virtio_net',
      mtu: 1400,
      offloads: {
        'tx-checksumming': 'on',
        'scatter-gather': 'on',
        'tcp-segmentation-offload': 'on',
        'generic-segmentation-offload': 'on',
        'generic-receive-offload': 'on',
        'large-receive-offload': 'off',
      },
    });
    expect(identity).toEqual({ bootId: '4b8c484d-ae83-4ae0-a329-6ee88a9aa1b2', netns: 'net:[4026531833]' });
  });

  it('a local route: delivered on the host itself, a device without a driver', () => {
    const { facts } = parseHostFacts(fixture('local-route.txt'), 'h');
    expect(facts.route).toBe('local');
    expect(facts.interface).toMatchObject({ name: 'lo', driver: null, mtu: 65536 });
  });

  it('without ethtool the offloads are unknown (null), not "off"', () => {
    const text = fixture('nic-route.txt').split('\n').filter((l) => !l.startsWith('offload ')).join('\n');
    expect(parseHostFacts(text, 'h').facts.interface?.offloads).toBeNull();
  });

  it('without a route there is no interface, and a missing fact is named', () => {
    const text = fixture('nic-route.txt').replace(/^route_line=.*$/m, 'route_line=').replace(/^perf_version=.*$/m, 'perf_version=');
    const { facts } = parseHostFacts(text, 'h');
    expect([facts.route, facts.interface, facts.perf_version]).toEqual([null, null, null]);
    expect(() => parseHostFacts('kernel=Linux\n', 'h')).toThrow(/host facts: no cores/);
  });

  it('reads ip route get lines', () => {
    expect(parseRoute('10.213.3.1 dev cbh-ba src 10.213.3.2 uid 0 \\    cache ')).toEqual({ route: 'network', dev: 'cbh-ba', src: '10.213.3.2' });
    expect(parseRoute('198.51.100.1 via 192.0.2.1 dev eth0 src 192.0.2.2 uid 0')).toEqual({ route: 'network', dev: 'eth0', src: '192.0.2.2' });
    expect(parseRoute('local 10.0.0.1 dev lo table local src 10.0.0.1 uid 0')).toEqual({ route: 'local', dev: 'lo', src: '10.0.0.1' });
    expect(parseRoute('')).toEqual({ route: null, dev: null, src: null });
  });
});
