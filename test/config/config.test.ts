import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../orchestrate/config/load.ts';
import { DEFAULT_PERF_EVENTS, perfEvents } from '../../orchestrate/config/schema.ts';
import { cpuMask, cpusOf } from '../../orchestrate/config/cpus.ts';
import { estimateSeconds, matrixSize, planExperiments } from '../../orchestrate/config/plan.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The problems a bad config is reported with (the test fails if it parses). */
function problemsOf(yaml: string): string[] {
  try {
    parseConfig(yaml, 'bad.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/^bad\.yaml: invalid config/);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig: defaults', () => {
  it('fills every setting from an empty file', () => {
    const c = parseConfig('', 'empty.yaml');
    expect(c.topology).toEqual({
      kind: 'netns',
      namespaces: { server: 'cb-srv', client: 'cb-cli' },
      veth: { server: 'cb-veth-s', client: 'cb-veth-c' },
      addresses: { server: '10.77.0.1', client: '10.77.0.2' },
      prefix_length: 24,
      mtu: 1500,
      steer_receive: true,
      sysctls: {},
    });
    expect(c.variants).toEqual(['two_copy', 'one_copy', 'zero_copy']);
    expect(c.modes).toEqual(['stream', 'rr']);
    expect(c.perf.events).toEqual([...DEFAULT_PERF_EVENTS]);
    expect(c.pinning).toEqual({ server: '0', client: '1' });
    expect(c.repetitions).toBeGreaterThanOrEqual(1);
  });

  it('fills a partly given section', () => {
    const c = parseConfig('topology:\n  kind: netns\n  namespaces: { server: a1 }\n', 'x.yaml');
    expect(c.topology.kind === 'netns' && c.topology.namespaces).toEqual({ server: 'a1', client: 'cb-cli' });
  });

  it('accepts loopback with its default address', () => {
    const c = parseConfig('topology: { kind: loopback }', 'x.yaml');
    expect(c.topology).toEqual({ kind: 'loopback', address: '127.0.0.1' });
  });

  it('splits hardware events into :u and :k but leaves software events whole', () => {
    const c = parseConfig('perf: { events: [cycles, task-clock, context-switches], split_user_kernel: true }', 'x.yaml');
    expect(perfEvents(c)).toEqual(['cycles:u', 'cycles:k', 'task-clock', 'context-switches']);
  });
});

describe('parseConfig: every kind of invalid', () => {
  it('names an unknown key, at the root and nested', () => {
    expect(problemsOf('treads: [1]\ntopology: { kind: netns, mtuu: 9000 }')).toEqual([
      'topology.mtuu: unknown key',
      'treads: unknown key',
    ]);
  });

  it('names a wrong type by its path, index included, with the value given', () => {
    expect(problemsOf('threads: [1, "four"]')).toEqual(['threads[1]: expected a thread count from 1 to 256, got "four"']);
  });

  it('reports every bad field at once', () => {
    const problems = problemsOf('duration_s: -1\nrepetitions: 0\nverify: none\nmodes: [stream, burst]\n');
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/^duration_s: expected a duration/m);
    expect(problems.join('\n')).toMatch(/^repetitions: expected a repetition count/m);
    expect(problems.join('\n')).toMatch(/^verify: expected stamps or full, got "none"/m);
    expect(problems.join('\n')).toMatch(/^modes\[1\]: expected one of stream, rr, got "burst"/m);
  });

  it('rejects repeated entries in a list', () => {
    expect(problemsOf('message_sizes: [1024, 4096, 1024]')).toEqual(['message_sizes[2]: repeats an earlier entry, got 1024']);
  });

  it('rejects empty lists', () => {
    expect(problemsOf('variants: []')).toEqual(['variants: expected at least one of variants, got []']);
  });

  it('rejects an unknown variant', () => {
    expect(problemsOf('variants: [two_copy, four_copy]')[0]).toMatch(/^variants\[1\]: expected one of two_copy, one_copy, zero_copy/);
  });

  it.each([
    ['a space', '"cb srv"'],
    ['a shell metacharacter', '"cb;reboot"'],
    ['a leading dash (an option to ip)', '"-all"'],
    ['a path', '"../x"'],
    ['too long', 'a' + 'b'.repeat(40)],
  ])('rejects a namespace name with %s', (_what, name) => {
    expect(problemsOf(`topology: { kind: netns, namespaces: { server: ${name} } }`)[0]).toMatch(
      /^topology\.namespaces\.server: expected a namespace name matching/,
    );
  });

  it('rejects an interface name longer than IFNAMSIZ allows', () => {
    expect(problemsOf('topology: { kind: netns, veth: { server: abcdefghijklmnop } }')[0]).toMatch(
      /^topology\.veth\.server: expected an interface name/,
    );
  });

  it('rejects the same namespace for both sides', () => {
    expect(problemsOf('topology: { kind: netns, namespaces: { server: x, client: x } }')).toEqual([
      'topology.namespaces.client: server and client must differ, got "x"',
    ]);
  });

  it('rejects addresses that are not IPv4 or not in one subnet', () => {
    expect(problemsOf('topology: { kind: netns, addresses: { server: 10.0.0.256 } }')[0]).toMatch(
      /^topology\.addresses\.server: expected an IPv4 address/,
    );
    expect(
      problemsOf('topology: { kind: netns, addresses: { server: 10.0.0.1, client: 10.0.1.2 }, prefix_length: 24 }'),
    ).toEqual([
      'topology.addresses: server and client must be in the same /24 subnet, got {"server":"10.0.0.1","client":"10.0.1.2"}',
    ]);
  });

  it('rejects an unknown topology kind and a non-loopback loopback address', () => {
    expect(problemsOf('topology: { kind: bridge }')[0]).toMatch(/^topology\.kind: expected kind: netns or kind: loopback/);
    expect(problemsOf('topology: { kind: loopback, address: 10.0.0.1 }')).toEqual([
      'topology.address: expected a loopback address (127.x.x.x), got "10.0.0.1"',
    ]);
  });

  it('rejects keys of the other topology kind', () => {
    expect(problemsOf('topology: { kind: loopback, namespaces: { server: a } }')).toEqual(['topology.namespaces: unknown key']);
  });

  it('rejects sysctls outside net.* and values with shell characters', () => {
    const problems = problemsOf(
      'topology:\n  kind: netns\n  sysctls:\n    kernel.panic: 1\n    net.core.wmem_max: "1; reboot"\n',
    );
    expect(problems.some((p) => p.startsWith('topology.sysctls.kernel.panic: expected a net.* sysctl name'))).toBe(true);
    expect(problems.some((p) => p.startsWith('topology.sysctls.net.core.wmem_max: expected a sysctl value'))).toBe(true);
  });

  it('rejects a bad CPU list and bad perf event names', () => {
    expect(problemsOf('pinning: { server: "0-a" }')[0]).toMatch(/^pinning\.server: expected a CPU list/);
    expect(problemsOf('perf: { events: ["cycles,instructions"] }')[0]).toMatch(/^perf\.events\[0\]: expected a perf event name/);
  });

  it('rejects split_user_kernel with events that carry modifiers already', () => {
    expect(problemsOf('perf: { events: [cycles:u], split_user_kernel: true }')).toEqual([
      'perf.events[0]: has a modifier already; split_user_kernel adds :u and :k itself, got "cycles:u"',
    ]);
  });

  it('gives YAML syntax errors with line and column', () => {
    expect(problemsOf('name: x\nthreads: [1, 2\nduration_s: 1\n')[0]).toMatch(/^YAML syntax error at line \d+, column \d+: /);
    expect(problemsOf('name: a\nname: b\n')).toEqual(['YAML syntax error at line 2, column 1: Map keys must be unique']);
  });

  it('rejects a document that is not a mapping', () => {
    expect(problemsOf('- 1\n- 2\n')).toEqual(['(root): expected a mapping of settings, got [1,2]']);
  });
});

describe('loadConfig', () => {
  it('names the file it cannot read', () => {
    expect(() => loadConfig('/nonexistent/x.yaml')).toThrow(/^\/nonexistent\/x\.yaml: invalid config\n  cannot read the file/);
  });

  it('full.yaml: both course matrices, >= 3 repetitions, estimated within 20 minutes', () => {
    const c = loadConfig(path.join(ROOT, 'configs/full.yaml'));
    expect(c.message_sizes).toEqual([128, 512, 1024, 4096, 16384, 65536]);
    expect(c.threads).toEqual([1, 2, 4, 8]);
    expect(c.variants).toHaveLength(3);
    expect(c.modes).toEqual(['stream', 'rr']);
    expect(c.repetitions).toBeGreaterThanOrEqual(3);
    expect(matrixSize(c)).toBe(144 * c.repetitions);
    expect(estimateSeconds(planExperiments(c), c)).toBeLessThan(20 * 60);
  });

  it('quick.yaml: a smoke run estimated under a minute', () => {
    const c = loadConfig(path.join(ROOT, 'configs/quick.yaml'));
    expect(estimateSeconds(planExperiments(c), c)).toBeLessThan(60);
  });

  it('mt25042.yaml: the report matrix', () => {
    const c = loadConfig(path.join(ROOT, 'configs/mt25042.yaml'));
    expect(c.message_sizes).toEqual([1024, 4096, 16384, 65536]);
    expect(c.threads).toEqual([1, 2, 4, 8]);
    expect(c.duration_s).toBe(10);
    expect(c.modes).toEqual(['stream']);
  });
});

describe('CPU lists', () => {
  it('expand ranges and singles, sorted, without repeats', () => {
    expect(cpusOf('0')).toEqual([0]);
    expect(cpusOf('3,0-2,2')).toEqual([0, 1, 2, 3]);
    expect(cpusOf('8-9,12')).toEqual([8, 9, 12]);
  });
  it('become the hex masks that rps_cpus takes', () => {
    expect(cpuMask('0')).toBe('1');
    expect(cpuMask('1')).toBe('2');
    expect(cpuMask('0-3')).toBe('f');
    expect(cpuMask('4,8')).toBe('110');
    expect(cpuMask('64')).toBe('1' + '0'.repeat(16)); // beyond 32 bits
  });
  it('receive steering can be turned off, and only with a boolean', () => {
    const c = parseConfig('topology: { kind: netns, steer_receive: false }\n', 'x.yaml');
    expect(c.topology.kind === 'netns' && c.topology.steer_receive).toBe(false);
    expect(() => parseConfig('topology: { kind: netns, steer_receive: maybe }\n', 'x.yaml')).toThrow(/topology\.steer_receive: expected true or false/);
  });
});
