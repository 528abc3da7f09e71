import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, parseConfig } from '../../orchestrate/config/load.ts';
import { DEFAULT_PERF_EVENTS, perfEvents } from '../../orchestrate/config/schema.ts';
import { repetitionPolicy } from '../../orchestrate/config/repetitions.ts';
import { cpuMask, cpusOf } from '../../orchestrate/config/cpus.ts';
import { CONFIG_BYTES_MAX } from '../../orchestrate/config/limits.ts';
import { estimateSeconds, planExperiments } from '../../orchestrate/config/plan.ts';
import { matrixSize } from '../../orchestrate/config/estimate.ts';
import { problemsOf } from './problems.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');


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
    expect(c.interference).toEqual({ max_steal_pct: 2, max_attempts: 3 });
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
    expect(problemsOf('topology: { kind: bridge }')[0]).toMatch(/^topology\.kind: expected kind: netns, kind: loopback or kind: ssh/);
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

// Hostile input and faults: each of these once got past the config and failed
// later (a binary's usage error, a RangeError, an overflowed timer, gigabytes
// of plan). Each is now one problem naming the field, at load time.
describe('parseConfig: limits the binaries and the orchestrator have', () => {
  const BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcd'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill('*' + 'abcd'[i]).join(', ')}]`)].join('\n');
  it.each([
    ['a message size below the header (MSG_SIZE_MIN)', 'message_sizes: [8]', 'message_sizes[0]: expected a message size in bytes from 16 to 67108864, got 8'],
    ['a message size past MSG_SIZE_MAX', 'message_sizes: [134217728]', 'message_sizes[0]: expected a message size in bytes from 16 to 67108864, got 134217728'],
    ['a peer message size past MSG_SIZE_MAX', 'duration_s: 2\npeers: { message_sizes: [134217728] }', 'peers.message_sizes[0]: expected a message size in bytes from 16 to 67108864, got 134217728'],
    ['zc_slots past the server\'s --zc-slots limit', 'zc_slots: 4097', 'zc_slots: expected a slot count from 1 to 4096, got 4097'],
    ['a steal limit past 100 %', 'interference: { max_steal_pct: 101 }', 'interference.max_steal_pct: expected a percentage from 0 to 100, got 101'],
    ['a negative steal limit', 'interference: { max_steal_pct: -1 }', 'interference.max_steal_pct: expected a percentage from 0 to 100, got -1'],
    ['no attempt at all', 'interference: { max_attempts: 0 }', 'interference.max_attempts: expected an attempt count from 1 to 10, got 0'],
    ['attempts past ATTEMPTS_MAX', 'interference: { max_attempts: 11 }', 'interference.max_attempts: expected an attempt count from 1 to 10, got 11'],
    ['an unknown interference key', 'interference: { max_steal: 2 }', 'interference.max_steal: unknown key'],
    ['threads past the C THREADS_MAX', 'threads: [1025]', 'threads[0]: expected a thread count from 1 to 256, got 1025'],
    ['a duration below the client\'s 1 ms', 'duration_s: 0.0001', 'duration_s: expected a duration in seconds, from 0.001 to 3600, got 0.0001'],
    ['a duration past the C DURATION_MAX_S', 'duration_s: 86401', 'duration_s: expected a duration in seconds, from 0.001 to 3600, got 86401'],
    ['a duration past setTimeout', 'duration_s: 1e9', 'duration_s: expected a duration in seconds, from 0.001 to 3600, got 1000000000'],
    ['a warm-up past setTimeout', 'warmup_s: 1e9', 'warmup_s: expected a warm-up in seconds, from 0 to 3600, got 1000000000'],
    ['a ready timeout past setTimeout', 'timeouts: { ready_s: 1e9 }', 'timeouts.ready_s: expected a timeout in seconds, more than 0 and at most 600, got 1000000000'],
    ['a margin of 0', 'timeouts: { margin_s: 0 }', 'timeouts.margin_s: expected a timeout in seconds, more than 0 and at most 600, got 0'],
    ['a backwards CPU range', 'pinning: { server: "1-0" }', 'pinning.server: the range 1-0 runs backwards (write 0-1), got "1-0"'],
    ['an absurd CPU range (once a RangeError)', 'pinning: { client: "0-99999999" }', 'pinning.client: names CPU 99999999; no Linux machine has CPUs past 8191, got "0-99999999"'],
    ['repetitions: 1e9 (once 5.3 GB of --dry-run)', 'repetitions: 1e9', 'repetitions: expected a repetition count from 1 to 1000, got 1000000000'],
    ['a matrix past 100,000 experiments', 'repetitions: 1000\nmessage_sizes: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]',
      'matrix: 3 variants × 2 modes × 13 message_sizes × 4 threads × 1000 repetitions = 312000 experiments, more than 100000'],
    ['a plan estimated past a week', 'duration_s: 3600\nrepetitions: 100',
      'matrix: 14400 experiments of 0.3 s warm-up + 3600 s duration are estimated at 14401h24m00s (600.1 days), more than 7 days'],
    ['a peer baseline past 100,000 runs', 'duration_s: 2\npeers: { repetitions: 1000, message_sizes: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4194304, 8388608, 16777216] }',
      'peers: (3 variants + 2 tools) × 21 message_sizes × 1000 repetitions = 105000 runs, more than 100000'],
    ['a loopback netns address', 'topology: { kind: netns, addresses: { server: 127.0.0.1, client: 127.0.0.2 } }',
      'topology.addresses.server: expected an address on the veth pair, not a loopback one (127.0.0.0/8; use kind: loopback), got "127.0.0.1"'],
    ['a multicast netns address', 'topology: { kind: netns, addresses: { server: 224.0.0.1, client: 224.0.0.2 } }',
      'topology.addresses.server: expected a unicast address, not a multicast one (224.0.0.0/4), got "224.0.0.1"'],
    ['0.0.0.0', 'topology: { kind: netns, addresses: { server: 0.0.0.0, client: 0.0.0.1 } }', 'topology.addresses.server: expected a host address, not one in 0.0.0.0/8, got "0.0.0.0"'],
    ['the broadcast address', 'topology: { kind: netns, addresses: { server: 255.255.255.255, client: 255.255.255.254 } }',
      'topology.addresses.server: expected a host address, not the broadcast address, got "255.255.255.255"'],
    ['the subnet\'s broadcast address', 'topology: { kind: netns, addresses: { server: 10.77.0.1, client: 10.77.0.255 } }',
      'topology.addresses.client: expected a host address, not the broadcast address of its /24 subnet, got "10.77.0.255"'],
    ['a YAML alias bomb (once exit 1 with a stack trace)', BOMB + '\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]', 'YAML: Excessive alias count indicates a resource exhaustion attack'],
    ['a text past 1 MiB', '# ' + 'x'.repeat(CONFIG_BYTES_MAX), '(file): 1048578 bytes; a config may be at most 1 MiB (1048576 bytes)'],
  ])('refuses %s', (_what, yaml, problem) => {
    expect(problemsOf(yaml)[0]).toBe(problem);
  });

  it('reports both addresses when both are loopback, and the subnet check still applies', () => {
    expect(problemsOf('topology: { kind: netns, addresses: { server: 127.0.0.1, client: 127.0.0.2 } }')).toHaveLength(2);
    expect(problemsOf('topology: { kind: netns, addresses: { server: 10.0.0.1, client: 10.0.1.2 } }')[0]).toMatch(/same \/24 subnet/);
  });

  it('bounds the plan only once every field is valid (no estimate built on a bad duration)', () => {
    expect(problemsOf('duration_s: 1e9\nrepetitions: 1e9')).toHaveLength(2);
  });

  it('checks the pinning against the machine it is given, and only then', () => {
    expect(problemsOf('pinning: { client: "2" }', { cpus: 2 })).toEqual([
      'pinning.client: names CPU 2, which this machine does not have (CPUs 0-1), got "2"',
    ]);
    expect(problemsOf('pinning: { server: "0-3", client: "4" }', { cpus: 4 })).toEqual([
      'pinning.client: names CPU 4, which this machine does not have (CPUs 0-3), got "4"',
    ]);
    expect(parseConfig('pinning: { client: "2" }', 'x.yaml').pinning.client).toBe('2');
    expect(parseConfig('pinning: { server: null, client: "0-1" }', 'x.yaml', { cpus: 2 }).pinning.client).toBe('0-1');
  });

  it('takes the edges of every range', () => {
    const c = parseConfig(
      'message_sizes: [16, 67108864]\nthreads: [256]\nduration_s: 3600\nwarmup_s: 0\nrepetitions: 1\nzc_slots: 4096\n' +
        'variants: [zero_copy]\nmodes: [stream]\ntimeouts: { ready_s: 600, margin_s: 600 }',
      'x.yaml',
    );
    expect(c.message_sizes).toEqual([16, 67108864]);
  });
});

describe('loadConfig', () => {
  const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'copybench-config-'));

  it('refuses a file past 1 MiB before parsing it, and a device that never ends', () => {
    const dir = tmp();
    try {
      const file = path.join(dir, 'big.yaml');
      writeFileSync(file, '# ' + 'x'.repeat(50 * 2 ** 20));
      expect(() => loadConfig(file)).toThrow(/big\.yaml: invalid config\n  \(file\): 52428802 bytes; a config may be at most 1 MiB/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => loadConfig('/dev/zero')).toThrow(/\(file\): more than 1048576 bytes/);
  });

  it('checks the pinning against this machine unless told otherwise', () => {
    const dir = tmp();
    try {
      const file = path.join(dir, 'pin.yaml');
      writeFileSync(file, 'pinning: { server: "0", client: "9000" }\n');
      expect(() => loadConfig(file)).toThrow(/pinning\.client: names CPU 9000; no Linux machine/);
      writeFileSync(file, 'pinning: { server: "0", client: "1" }\n');
      expect(() => loadConfig(file, { cpus: 1 })).toThrow(/pinning\.client: names CPU 1, which this machine does not have \(CPUs 0-0\)/);
      expect(loadConfig(file, { cpus: 2 }).pinning.client).toBe('1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });


  it('names the file it cannot read', () => {
    expect(() => loadConfig('/nonexistent/x.yaml')).toThrow(/^\/nonexistent\/x\.yaml: invalid config\n  cannot read the file/);
  });

  it('full.yaml: both course matrices, >= 3 repetitions, estimated within 20 minutes', () => {
    const c = loadConfig(path.join(ROOT, 'configs/full.yaml'));
    expect(c.message_sizes).toEqual([128, 512, 1024, 4096, 16384, 65536]);
    expect(c.threads).toEqual([1, 2, 4, 8]);
    expect(c.variants).toHaveLength(3);
    expect(c.modes).toEqual(['stream', 'rr']);
    expect(repetitionPolicy(c).min).toBeGreaterThanOrEqual(3);
    expect(matrixSize(c)).toBe(144 * repetitionPolicy(c).max);
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

  it('mt25042.yaml: pinned and steered as full.yaml (both sides on CPU 0, unsteered), under 10 minutes', () => {
    const c = loadConfig(path.join(ROOT, 'configs/mt25042.yaml'));
    expect(c.pinning).toEqual({ server: '0', client: '0' });
    expect(c.topology.kind === 'netns' && c.topology.steer_receive).toBe(false);
    expect(c.repetitions).toBe(1);
    expect(estimateSeconds(planExperiments(c), c)).toBeLessThan(10 * 60);
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

describe('parseConfig: adaptive repetitions', () => {
  it('takes { min, max, target_ci_pct } and an optional time budget', () => {
    const c = parseConfig('repetitions: { min: 3, max: 10, target_ci_pct: 5 }\n', 'a.yaml');
    expect(repetitionPolicy(c)).toEqual({ min: 3, max: 10, targetCiPct: 5, timeBudgetS: null });
    expect(repetitionPolicy(parseConfig('repetitions: 4\n', 'a.yaml'))).toEqual({ min: 4, max: 4, targetCiPct: null, timeBudgetS: null });
    expect(repetitionPolicy(parseConfig('repetitions: { min: 2, max: 2, target_ci_pct: 1, time_budget_s: 600 }\n', 'a.yaml')).timeBudgetS).toBe(600);
  });

  it('bounds the planned size by max', () => {
    expect(matrixSize(parseConfig('repetitions: { min: 3, max: 10, target_ci_pct: 5 }\n', 'a.yaml'))).toBe(144 * 10);
    expect(planExperiments(parseConfig('repetitions: { min: 3, max: 10, target_ci_pct: 5 }\n', 'a.yaml'))).toHaveLength(144 * 3);
  });

  it('names what is wrong: min below 2, max below min, a target out of range, a word', () => {
    expect(problemsOf('repetitions: { min: 1, max: 3, target_ci_pct: 5 }\n').join('\n')).toMatch(/repetitions\.min: expected a repetition count from 2/);
    expect(problemsOf('repetitions: { min: 5, max: 3, target_ci_pct: 5 }\n').join('\n')).toMatch(/repetitions\.max: expected max at least min/);
    expect(problemsOf('repetitions: { min: 3, max: 5, target_ci_pct: 0 }\n').join('\n')).toMatch(/repetitions\.target_ci_pct: expected a percentage above 0/);
    expect(problemsOf('repetitions: many\n').join('\n')).toMatch(/repetitions: expected a repetition count, or \{ min, max, target_ci_pct \}/);
  });
});
