// Topology ssh end to end, with the real OpenSSH server: two network
// namespaces stand for the two hosts (test/run/two-hosts.ts), each with its
// own sshd; the orchestrator runs in a third. The quick matrix over ssh, and
// a Ctrl-C mid-run followed by --resume: every row valid, and nothing left
// on either host — no process, no run folder, every sysctl as it was.
// Skipped, with the reason printed, when not root or without sshd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../orchestrate/config/load.ts';
import { matrixSize } from '../../orchestrate/config/estimate.ts';
import { parseCsvRecords } from '../../orchestrate/results/table.ts';
import { perfWorks, processesMentioning, runDirIn, ROOT } from './orchestrator.ts';
import { DATA_ADDRESS, NS, TwoHosts, canRunTwoHosts } from './two-hosts.ts';

const skipReason = canRunTwoHosts() ?? (perfWorks() ? null : 'perf cannot count on this machine');
if (skipReason) console.warn(`ssh-e2e.test.ts skipped: ${skipReason}`);

const WMEM = 'net.ipv4.tcp_wmem';
let hosts: TwoHosts;
let wmemBefore: Record<'server' | 'client', string>;
beforeAll(async () => {
  if (skipReason) return;
  hosts = new TwoHosts();
  await hosts.start();
  wmemBefore = { server: hosts.sysctl(NS.server, WMEM), client: hosts.sysctl(NS.client, WMEM) };
});
afterAll(async () => hosts?.stop());

const records = (dir: string) => parseCsvRecords(readFileSync(path.join(dir, 'results.csv'), 'utf8')).records;
const keyOf = (r: Record<string, string>) => `${r.implementation}/${r.mode}/${r.msg_size}/${r.threads}/${r.rep}`;

/** Neither host runs anything but its sshd, no run folder is left, every sysctl is back, and no ssh of ours runs here. */
async function expectNothingLeft(): Promise<void> {
  expect(await hosts.leftovers()).toEqual([]);
  expect(existsSync(hosts.workDir) ? readdirSync(hosts.workDir) : []).toEqual([]);
  expect(hosts.sysctl(NS.server, WMEM)).toBe(wmemBefore.server);
  expect(hosts.sysctl(NS.client, WMEM)).toBe(wmemBefore.client);
  expect(processesMentioning(hosts.sshConfig)).toEqual([]);
}

async function waitForRows(out: string, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if (records(runDirIn(out)).length >= n) return;
    } catch {
      // not created yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${n} rows in ${out} within 30 s`);
}

describe.skipIf(skipReason !== null)('topology ssh, two hosts with real sshd', () => {
  it("the quick matrix: one valid row per experiment, each host's facts, nothing left on either host", async () => {
    // configs/quick.yaml's matrix and sysctls, shorter windows.
    const quick = loadConfig(path.join(ROOT, 'configs/quick.yaml'));
    const list = (xs: readonly (string | number)[]) => `[${xs.join(', ')}]`;
    const file = hosts.config('quick-ssh', { server: 'srv', client: 'cli' }, {
      variants: list(quick.variants), modes: list(quick.modes), message_sizes: list(quick.message_sizes), threads: list(quick.threads),
      duration_s: '0.3', pinning: `{ server: "${quick.pinning.server}", client: "${quick.pinning.client}" }`,
    });
    const out = path.join(hosts.dir, 'quick');
    const r = await hosts.run([file, '--out', out]).finished;
    expect(r.code, r.stderr).toBe(0);
    const dir = runDirIn(out);
    const rows = records(dir);
    expect(rows).toHaveLength(matrixSize(loadConfig(file)));
    expect(new Set(rows.map(keyOf)).size).toBe(rows.length);
    for (const row of rows) {
      const key = keyOf(row);
      expect(Number(row.throughput_gbps), key).toBeGreaterThan(0);
      expect(Number(row.tcp_bytes_acked), key).toBeGreaterThanOrEqual(Number(row.server_bytes_sent));
      if (row.mode === 'stream') {
        // Two hosts, two clocks: no one-way delay, and the row says why.
        expect(row.latency_kind, key).toBe('none_two_clocks');
        expect([row.latency_us, row.latency_p50_us, row.latency_p99_us, row.latency_max_us], key).toEqual(['', '', '', '']);
      } else {
        expect(row.latency_kind, key).toBe('rtt');
        expect(Number(row.latency_p50_us), key).toBeGreaterThan(0);
      }
      if (row.implementation === 'zero_copy') expect(Number(row.zc_sends), key).toBeGreaterThan(0);
    }
    const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    expect(meta.status).toBe('done');
    expect(meta.sessions[0].topology).toMatchObject({ kind: 'ssh', server_address: DATA_ADDRESS.server, client_address: DATA_ADDRESS.client });
    expect(meta.sysctls[WMEM]).toEqual({ server: '4096 16384 8388608', client: '4096 16384 8388608', requested: '4096 16384 8388608', scope: 'host' });
    // Each host's facts, read there: its route and interface towards the other.
    expect(meta.hosts.server).toMatchObject({ ssh: 'srv', route: 'network', address: DATA_ADDRESS.server, interface: { name: 'cbh-ab', driver: 'veth', mtu: 1500 } });
    expect(meta.hosts.client).toMatchObject({ ssh: 'cli', route: 'network', address: DATA_ADDRESS.client, interface: { name: 'cbh-ba', driver: 'veth' } });
    expect(meta.hosts.server.interface.offloads['scatter-gather']).toMatch(/^(on|off)$/);
    expect(meta.hosts.server.cores).toBeGreaterThan(0);
    // The perf files came home into raw/.
    expect(readFileSync(path.join(dir, 'raw', 'r1-zero_copy-stream-65536B-2t', 'server.perf'), 'utf8')).toMatch(/task-clock/);
    await expectNothingLeft();
  }, 150_000);

  it('Ctrl-C mid-run: exit 130, nothing left on either host; --resume completes the run (--keep-remote: the folders stay)', async () => {
    const file = hosts.config('interrupt-ssh', { server: 'srv', client: 'cli' }, { variants: '[two_copy, one_copy, zero_copy]', modes: '[stream, rr]' });
    const out = path.join(hosts.dir, 'interrupt');
    const { child, finished } = hosts.run([file, '--out', out]);
    await waitForRows(out, 1);
    // As a terminal does: to the whole process group.
    process.kill(-child.pid!, 'SIGINT');
    const r = await finished;
    expect(r.code, r.stderr).toBe(130);
    const dir = runDirIn(out);
    const kept = records(dir).length;
    expect(kept).toBeLessThan(6);
    expect(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')).status).toBe('interrupted');
    await expectNothingLeft();

    const resumed = await hosts.run(['--resume', dir, '--keep-remote']).finished;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`(${kept} already done in ${dir})`);
    const rows = records(dir);
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map(keyOf)).size).toBe(6);
    // Kept: each host's folder with its binaries, without the state file (nothing for a later run to repair).
    const folders = readdirSync(hosts.workDir).sort();
    expect(folders.map((f) => f.replace(/^.*-/, ''))).toEqual(['client', 'server']);
    for (const f of folders) {
      expect(existsSync(path.join(hosts.workDir, f, 'bin', 'a3_server')), f).toBe(true);
      expect(existsSync(path.join(hosts.workDir, f, 'state')), f).toBe(false);
    }
    for (const f of folders) rmSync(path.join(hosts.workDir, f), { recursive: true });
    await expectNothingLeft();
  }, 150_000);
});
