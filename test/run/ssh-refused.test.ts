// Topology ssh refuses before anything runs, with the real OpenSSH server
// (test/run/two-hosts.ts): a wrong host key, a host that cannot be reached,
// and a host without perf each end the run with exit 1 and a message naming
// that host — and nothing created: no run folder here, nothing on the hosts.
// Then a run killed outright (SIGKILL) leaves its sysctls changed and its
// folders behind, and the next run repairs both.
// Skipped, with the reason printed, when not root or without sshd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsvRecords } from '../../orchestrate/results/table.ts';
import { perfWorks, processesMentioning, runDirIn } from './orchestrator.ts';
import { NS, TwoHosts, canRunTwoHosts } from './two-hosts.ts';

const skipReason = canRunTwoHosts() ?? (perfWorks() ? null : 'perf cannot count on this machine');
if (skipReason) console.warn(`ssh-refused.test.ts skipped: ${skipReason}`);

const WMEM = 'net.ipv4.tcp_wmem';
let hosts: TwoHosts;
beforeAll(async () => {
  if (skipReason) return;
  hosts = new TwoHosts();
  await hosts.start();
});
afterAll(async () => hosts?.stop());

/** Runs `server` against the good client host; the run must stop at setup. */
async function refused(name: string, server: string): Promise<string> {
  const out = path.join(hosts.dir, name);
  const { child, finished } = hosts.run([hosts.config(name, { server, client: 'cli' }), '--out', out]);
  const r = await finished;
  expect(r.code, r.stderr).toBe(1);
  // Nothing created: no run folder or ssh control folder here, no work folder there, no process on either host.
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(os.tmpdir()).filter((d) => d.startsWith(`cb-ssh-${child.pid}-`))).toEqual([]);
  expect(existsSync(hosts.workDir)).toBe(false);
  expect(await hosts.leftovers()).toEqual([]);
  expect(processesMentioning(hosts.sshConfig)).toEqual([]);
  return r.stderr;
}

describe.skipIf(skipReason !== null)('topology ssh refuses before anything runs', () => {
  it('a wrong host key: refused, never accepted', async () => {
    const stderr = await refused('badkey', 'srv-badkey');
    expect(stderr).toMatch(/^topology: server host srv-badkey: its host key is not the one known_hosts holds/m);
    expect(stderr).toContain('Host key verification failed');
  });

  it('a host that cannot be reached', async () => {
    const stderr = await refused('down', 'down');
    expect(stderr).toMatch(/^topology: server host down: the host cannot be reached over SSH \(ssh: .*10\.213\.1\.9/m);
  });

  it('a host without perf: named with its Debian package', async () => {
    const stderr = await refused('noperf', 'srv-noperf');
    expect(stderr).toMatch(/^topology: server host srv-noperf: missing perf \(Debian package linux-perf[^)]*\); install there: apt-get install linux-perf$/m);
  });
});

describe.skipIf(skipReason !== null)('a run killed outright', () => {
  it("leaves its sysctls and folders on the hosts; the next run restores and removes them", async () => {
    const before = { server: hosts.sysctl(NS.server, WMEM), client: hosts.sysctl(NS.client, WMEM) };
    const file = hosts.config('killed', { server: 'srv', client: 'cli' }, { variants: '[two_copy, one_copy]', modes: '[stream, rr]' });
    const out = path.join(hosts.dir, 'killed');
    const { child, finished } = hosts.run([file, '--out', out]);
    for (let i = 0; i < 600; i++) {
      if (existsSync(out) && parseCsvRecords(readFileSync(path.join(runDirIn(out), 'results.csv'), 'utf8')).records.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL'); // the orchestrator alone: no cleanup can run
    await finished;
    expect(hosts.sysctl(NS.server, WMEM)).toBe('4096 16384 8388608');
    expect(readdirSync(hosts.workDir).sort().map((d) => d.replace(/^.*-/, ''))).toEqual(['client', 'server']);

    const r = await hosts.run(['--resume', runDirIn(out)]).finished;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^note: server host srv: sysctl net\.ipv4\.tcp_wmem restored to /m);
    expect(r.stderr).toMatch(/^note: client host cli: removed .*-client, left by a run that was killed$/m);
    expect(hosts.sysctl(NS.server, WMEM)).toBe(before.server);
    expect(hosts.sysctl(NS.client, WMEM)).toBe(before.client);
    expect(readdirSync(hosts.workDir)).toEqual([]);
    expect(await hosts.leftovers()).toEqual([]);
    // Here too: the killed run's ssh control folder (`ip netns exec` execs node: the child's pid is the run's).
    expect(r.stderr).toMatch(new RegExp(`^note: removed \\S+/cb-ssh-${child.pid}-\\d+-\\w+, the ssh control folder of a run that was killed$`, 'm'));
    expect(readdirSync(os.tmpdir()).filter((d) => d.startsWith(`cb-ssh-${child.pid}-`))).toEqual([]);
  }, 120_000);
});
