// Topology ssh in the config: two hosts by their ssh destinations, the
// server's data-plane address, defaults, and what is refused with a reason.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../orchestrate/config/load.ts';
import { problemsOf } from './problems.ts';

const TOPOLOGY = 'topology:\n  kind: ssh\n  server: { ssh: root@192.0.2.10, address: 198.51.100.1 }\n  client: { ssh: root@192.0.2.11 }\n';


describe('topology ssh', () => {
  it('takes the two destinations and the address, with defaults for the rest', () => {
    const c = parseConfig(TOPOLOGY, 'x.yaml');
    expect(c.topology).toEqual({
      kind: 'ssh',
      ssh_config: null,
      server: { ssh: 'root@192.0.2.10', address: '198.51.100.1' },
      client: { ssh: 'root@192.0.2.11' },
      work_dir: '/tmp/copybench',
      sysctls: {},
    });
  });

  it('takes an ssh_config, Host aliases, ssh:// destinations, a work_dir and sysctls', () => {
    const c = parseConfig(
      'topology:\n  kind: ssh\n  ssh_config: lab/ssh_config\n  server: { ssh: "ssh://me@lab-a:2222", address: 10.0.0.1 }\n' +
        '  client: { ssh: lab-b }\n  work_dir: /var/tmp/cb/\n  sysctls: { net.ipv4.tcp_wmem: "4096 16384 16777216" }\n',
      'x.yaml',
    );
    expect(c.topology.kind === 'ssh' && [c.topology.ssh_config, c.topology.server.ssh, c.topology.work_dir, c.topology.sysctls]).toEqual([
      'lab/ssh_config', 'ssh://me@lab-a:2222', '/var/tmp/cb/', { 'net.ipv4.tcp_wmem': '4096 16384 16777216' },
    ]);
  });

  it('refuses a destination that ssh would read as an option', () => {
    const [problem] = problemsOf(TOPOLOGY.replace('root@192.0.2.11', '"-oProxyCommand=sh"'));
    expect(problem).toMatch(/^topology\.client\.ssh: expected an ssh destination/);
  });

  it('refuses a work_dir that is relative or climbs out', () => {
    expect(problemsOf(`${TOPOLOGY}  work_dir: tmp/cb\n`)[0]).toMatch(/^topology\.work_dir: expected an absolute folder path/);
    expect(problemsOf(`${TOPOLOGY}  work_dir: /tmp/../etc\n`)[0]).toMatch(/^topology\.work_dir: expected an absolute folder path/);
    expect(problemsOf(`${TOPOLOGY}  work_dir: /\n`)[0]).toMatch(/^topology\.work_dir: /);
  });

  it('needs the server address, and not a loopback one', () => {
    expect(problemsOf(TOPOLOGY.replace(', address: 198.51.100.1', ''))).toEqual(['topology.server.address: expected the IPv4 address the client connects to, such as 198.51.100.1, got nothing']);
    expect(problemsOf(TOPOLOGY.replace('198.51.100.1', '127.0.0.1'))[0]).toMatch(/^topology\.server\.address: expected the unicast address of the server host/);
  });

  it('refuses the peer baseline and copy attribution with it, saying which kind runs them', () => {
    expect(problemsOf(`${TOPOLOGY}peers: {}\n`)).toContain('peers: not available with topology ssh (yet): run it with kind netns, got {}');
    expect(problemsOf(`${TOPOLOGY}attribution: {}\n`)[0]).toMatch(/^attribution: not available with topology ssh \(yet\)/);
  });

  it('does not check the pinning against this machine: each host is checked when the run connects', () => {
    const c = parseConfig(`${TOPOLOGY}pinning: { server: "6", client: "7" }\n`, 'x.yaml', { cpus: 2 });
    expect(c.pinning).toEqual({ server: '6', client: '7' });
  });
});
