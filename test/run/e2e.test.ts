// End to end, as root, in network namespaces, with the real binaries: the
// whole of quick.yaml (TCP's own account in every row plausible); a Ctrl-C
// after the first row, then --resume; leftovers of a crashed run; a bad
// config. Skipped, with the reason printed, when not root or when perf
// cannot count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../orchestrate/config/load.ts';
import { repetitionPolicy } from '../../orchestrate/config/repetitions.ts';
import { matrixSize } from '../../orchestrate/config/estimate.ts';
import { parseCsvRecords } from '../../orchestrate/results/table.ts';
import { isRoot, namespaces, perfWorks, processesMentioning, runDirIn, runOrchestrator, startOrchestrator, ROOT } from './orchestrator.ts';

const skipReason = !isRoot
  ? 'not root: network namespaces need root'
  : !perfWorks()
    ? 'perf cannot count on this machine'
    : null;
if (skipReason) console.warn(`e2e.test.ts skipped: ${skipReason}`);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const records = (dir: string) => parseCsvRecords(readFileSync(path.join(dir, 'results.csv'), 'utf8')).records;
const keyOf = (r: Record<string, string>) => `${r.implementation}/${r.mode}/${r.msg_size}/${r.threads}/${r.rep}`;
const sysctl = (key: string) => spawnSync('sysctl', ['-n', key], { encoding: 'utf8' }).stdout.trim();

/** A tiny matrix (one point, 0.3 s) unless `settings` say otherwise; later keys win. */
function writeConfig(name: string, settings: Record<string, string>): string {
  const file = path.join(tmp, `${name}.yaml`);
  const all: Record<string, string> = {
    variants: '[two_copy]',
    modes: '[stream]',
    message_sizes: '[1024]',
    threads: '[1]',
    duration_s: '0.3',
    warmup_s: '0.1',
    repetitions: '1',
    calibration: '{ enabled: false }',
    ...settings,
  };
  writeFileSync(file, [`name: ${name}`, ...Object.entries(all).map(([k, v]) => `${k}: ${v}`)].join('\n') + '\n');
  return file;
}

/** Polls until the run folder under `out` has `n` rows; returns the CSV text then. */
async function waitForRows(out: string, n: number): Promise<string> {
  for (let i = 0; i < 300; i++) {
    try {
      const dir = runDirIn(out);
      if (records(dir).length >= n) return readFileSync(path.join(dir, 'results.csv'), 'utf8');
    } catch {
      // not created yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${n} rows in ${out} within 15 s`);
}

/**
 * TCP's own account in a real row: filled in, at most one 64 KiB segment's
 * worth per segment, everything sent acknowledged (within 1 % without a
 * retransmission; else at most one segment per retransmission apart, since
 * tcp_bytes_sent counts resent bytes), and one of the four limits.
 */
function expectPlausibleTcp(row: Record<string, string>): void {
  const key = keyOf(row);
  expect(row.tcp_span, key).toBe('connection');
  const perSegment = Number(row.tcp_bytes_per_segment);
  expect(row.tcp_bytes_per_segment, key).not.toBe('');
  expect(perSegment, key).toBeGreaterThanOrEqual(1);
  expect(perSegment, key).toBeLessThanOrEqual(65536);
  const sent = Number(row.tcp_bytes_sent);
  const acked = Number(row.tcp_bytes_acked);
  const retrans = Number(row.tcp_retrans);
  expect(row.tcp_retrans, key).not.toBe('');
  expect(acked, key).toBeGreaterThanOrEqual(Number(row.server_bytes_sent));
  if (retrans === 0) expect(Math.abs(sent - acked), key).toBeLessThanOrEqual(0.01 * sent);
  else expect(sent - acked, key).toBeLessThanOrEqual(retrans * 65536);
  expect(Number(row.tcp_segs_in_client), key).toBeGreaterThanOrEqual(1);
  expect(['sender', 'receiver_window', 'send_buffer', 'mixed'], key).toContain(row.limited_by);
}

describe.skipIf(skipReason !== null)('end to end in network namespaces', () => {
  it('configs/quick.yaml: one row per experiment, exit 0, no namespace left', async () => {
    const config = loadConfig(path.join(ROOT, 'configs/quick.yaml'));
    const out = path.join(tmp, 'quick');
    const r = await runOrchestrator(['configs/quick.yaml', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const dir = runDirIn(out);
    const rows = records(dir);
    expect(rows).toHaveLength(matrixSize(config));
    expect(new Set(rows.map(keyOf)).size).toBe(rows.length);
    for (const row of rows) {
      expect(Number(row.throughput_gbps)).toBeGreaterThan(0);
      expect(Number(row.context_switches)).toBeGreaterThan(0);
      // Interference: steal on each side's CPU is a percentage (empty only where the machine reports none); tries counted.
      for (const cell of [row.steal_pct_server_cpu, row.steal_pct_client_cpu]) {
        if (cell === '') continue;
        expect(Number(cell)).toBeGreaterThanOrEqual(0);
        expect(Number(cell)).toBeLessThanOrEqual(100);
      }
      expect(Number(row.attempts)).toBeGreaterThanOrEqual(1);
      expectPlausibleTcp(row);
    }
    const summary = parseCsvRecords(readFileSync(path.join(dir, 'summary.csv'), 'utf8')).records;
    expect(summary).toHaveLength(matrixSize(config) / repetitionPolicy(config).max);
    const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    expect(meta.status).toBe('done');
    expect(typeof meta.interference.steal_reported).toBe('boolean');
    expect(meta.sysctls['net.ipv4.tcp_wmem']).toMatchObject({ scope: 'namespace', server: '4096 16384 16777216', client: '4096 16384 16777216' });
    expect(meta.machine.cores).toBeGreaterThan(0);
    // Each side's incoming packets steered to its pinned CPU (0 and 1), read back.
    expect(meta.sessions[0].topology.receive_steering).toEqual({ server: '1', client: '2' });
    // The preflight measured the configured topology against its alternatives, each with every calibrated variant.
    expect(meta.calibration.candidates.map((c: { name: string }) => c.name)).toEqual(['configured', 'unsteered', 'one_core']);
    for (const c of meta.calibration.candidates) {
      expect(c.failed).toBeNull();
      expect(c.measurements.map((m: { impl: string }) => m.impl)).toEqual(['two_copy', 'one_copy']);
      for (const m of c.measurements) expect(m.throughput_gbps).toBeGreaterThan(0);
    }
    expect(r.stderr).toMatch(/^calibration: receive steering to each side's CPU \(server CPU 0, client CPU 1\) \[configured\]: two_copy [\d.]+ Gbit\/s/m);
    expect(Object.keys(meta.machine.mitigations ?? { none: '' }).length).toBeGreaterThan(0);
    expect(namespaces()).not.toContain('cb-srv');
    expect(namespaces()).not.toContain('cb-cli');
    expect(r.ms).toBeLessThan(60_000);
  }, 120_000);

  it('a4 (io_uring SEND_ZC) across the veth pair, stream and rr: every send completed, every completion copied at delivery', async () => {
    const file = writeConfig('a4', { variants: '[uring_zero_copy, zero_copy]', modes: '[stream, rr]', message_sizes: '[1024, 65536]' });
    const out = path.join(tmp, 'a4');
    const r = await runOrchestrator([file, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const rows = records(runDirIn(out));
    expect(rows.map(keyOf).filter((k) => k.startsWith('uring_zero_copy/')).sort()).toEqual([
      'uring_zero_copy/rr/1024/1/1', 'uring_zero_copy/rr/65536/1/1', 'uring_zero_copy/stream/1024/1/1', 'uring_zero_copy/stream/65536/1/1',
    ]);
    for (const row of rows) {
      expect(Number(row.throughput_gbps)).toBeGreaterThan(0);
      expect(Number(row.zc_sends)).toBeGreaterThanOrEqual(Number(row.messages));
      expect(Number(row.zc_completions)).toBe(Number(row.zc_sends));
      // veth delivers to a socket on this host: the kernel copies (msg_zerocopy.rst, "Loopback"), and io_uring's usage report says so.
      expect(Number(row.zc_copied)).toBe(Number(row.zc_completions));
    }
    expect(namespaces()).not.toContain('cb-srv');
  }, 120_000);

  it('rx: [copy, zerocopy] with every sender across the veth pair: rx columns filled, zero-copy senders\' data mapped', async () => {
    const file = writeConfig('rx', { variants: '[two_copy, one_copy, zero_copy, uring_zero_copy]', rx: '[copy, zerocopy]', message_sizes: '[65536]' });
    const out = path.join(tmp, 'rx');
    const r = await runOrchestrator([file, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const rows = records(runDirIn(out));
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      const mapped = Number(row.rx_mapped_bytes);
      const copied = Number(row.rx_copied_bytes);
      expect(row.rx === 'copy' || row.rx === 'zerocopy').toBe(true);
      expect(mapped + copied).toBeGreaterThanOrEqual(Number(row.bytes));
      if (row.rx === 'copy') expect(mapped).toBe(0);
      // Over veth a zero-copy send is copied at delivery into whole pages, which the receiver can map.
      if (row.rx === 'zerocopy' && row.implementation!.endsWith('zero_copy')) expect(mapped).toBeGreaterThan(0);
    }
    const summary = parseCsvRecords(readFileSync(path.join(runDirIn(out), 'summary.csv'), 'utf8')).records;
    expect(summary.map((s) => s.rx).sort()).toEqual(['copy', 'copy', 'copy', 'copy', 'zerocopy', 'zerocopy', 'zerocopy', 'zerocopy']);
  }, 120_000);

  it('Ctrl-C after the first row: exit 130, nothing left, rows kept; --resume finishes the rest', async () => {
    const file = writeConfig('interrupt', {
      topology:
        '{ kind: netns, namespaces: { server: cbt-int-s, client: cbt-int-c }, veth: { server: cbt-int-vs, client: cbt-int-vc }, addresses: { server: 10.78.0.1, client: 10.78.0.2 } }',
      variants: '[two_copy, one_copy, zero_copy]',
      message_sizes: '[1024, 16384]',
      duration_s: '0.4',
    });
    const out = path.join(tmp, 'interrupt');
    const { child, finished } = startOrchestrator([file, '--out', out]);
    // After the first row, Ctrl-C as a terminal sends it: to the whole group.
    const csv = await waitForRows(out, 1);
    process.kill(-child.pid!, 'SIGINT');
    const r = await finished;
    expect(r.code, r.stderr).toBe(130);
    const dir = runDirIn(out);
    expect(namespaces().filter((n) => n.startsWith('cbt-int'))).toEqual([]);
    expect(processesMentioning(dir)).toEqual([]);
    const kept = readFileSync(path.join(dir, 'results.csv'), 'utf8');
    expect(kept.startsWith(csv)).toBe(true);
    const keptRows = records(dir);
    expect(keptRows.length).toBeGreaterThanOrEqual(1);
    expect(keptRows.length).toBeLessThan(6);
    expect(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')).status).toBe('interrupted');

    const resumed = await runOrchestrator(['--resume', dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`(${keptRows.length} already done in ${dir})`);
    const all = readFileSync(path.join(dir, 'results.csv'), 'utf8');
    expect(all.startsWith(kept)).toBe(true);
    const rows = records(dir);
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map(keyOf)).size).toBe(6);
    expect(namespaces().filter((n) => n.startsWith('cbt-int'))).toEqual([]);
  }, 120_000);

  it('SIGTERM during setup: exit 130, namespaces deleted, nothing left', async () => {
    const file = writeConfig('term', {
      topology: '{ kind: netns, namespaces: { server: cbt-term-s, client: cbt-term-c }, addresses: { server: 10.80.0.1, client: 10.80.0.2 } }',
    });
    const out = path.join(tmp, 'term');
    const { child, finished } = startOrchestrator([file, '--out', out]);
    // The "run <id>: ..." line is printed just before the namespaces are made.
    let stderr = '';
    let sent = false;
    child.stderr!.on('data', (d) => {
      stderr += d;
      if (!sent && /^run term-/m.test(stderr)) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    const r = await finished;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGTERM: stopping');
    expect(namespaces().filter((n) => n.startsWith('cbt-term'))).toEqual([]);
    const dir = runDirIn(out);
    expect(processesMentioning(dir)).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')).status).toBe('interrupted');
  }, 60_000);

  it('after a crashed run (SIGKILL): removes its namespaces, restores host-only sysctls', async () => {
    const before = sysctl('net.core.wmem_max');
    const wanted = String(Number(before) + 4096);
    const file = writeConfig('crash', {
      topology: `{ kind: netns, namespaces: { server: cbt-crash-s, client: cbt-crash-c }, addresses: { server: 10.79.0.1, client: 10.79.0.2 }, sysctls: { net.core.wmem_max: ${wanted} } }`,
      variants: '[one_copy, two_copy]',
      modes: '[rr]',
      message_sizes: '[512]',
      threads: '[2]',
      repetitions: '2',
    });
    const out = path.join(tmp, 'crash');
    const { child, finished } = startOrchestrator([file, '--out', out]);
    await waitForRows(out, 1);
    // Inside the namespaces the value is in force, which takes the host's.
    expect(sysctl('net.core.wmem_max')).toBe(wanted);
    child.kill('SIGKILL'); // the orchestrator alone: no cleanup can run
    await finished;
    expect(namespaces()).toContain('cbt-crash-s');
    expect(sysctl('net.core.wmem_max')).toBe(wanted);
    // Its orphans end by themselves (the client after its duration, the server after its connections).
    const crashed = runDirIn(out);
    for (let i = 0; i < 100 && processesMentioning(crashed).length > 0; i++) await new Promise((r) => setTimeout(r, 100));

    const again = path.join(tmp, 'crash-again');
    const r = await runOrchestrator([file, '--out', again]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`host sysctl net.core.wmem_max restored to ${before}`);
    expect(r.stderr).toContain('deleted namespace cbt-crash-s left by an earlier run');
    expect(r.stderr).toContain('deleted namespace cbt-crash-c left by an earlier run');
    const meta = JSON.parse(readFileSync(path.join(runDirIn(again), 'meta.json'), 'utf8'));
    expect(meta.sysctls['net.core.wmem_max']).toMatchObject({ scope: 'host', server: wanted, client: wanted });
    expect(sysctl('net.core.wmem_max')).toBe(before);
    expect(namespaces().filter((n) => n.startsWith('cbt-crash'))).toEqual([]);
  }, 60_000);

  it('a bad config: exit 2, every bad field named, nothing created', async () => {
    const file = writeConfig('bad', {
      topology: '{ kind: netns, namespaces: { server: cbt-bad-s, client: cbt-bad-c } }',
      threads: '[0, 2]',
      mode: '[stream]',
    });
    const out = path.join(tmp, 'bad');
    const r = await runOrchestrator([file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('threads[0]: expected a thread count from 1 to 256, got 0');
    expect(r.stderr).toContain('mode: unknown key');
    expect(existsSync(out)).toBe(false);
    expect(namespaces().filter((n) => n.startsWith('cbt-bad'))).toEqual([]);
  });
});

describe('usage', () => {
  it('an unknown option exits 2 with the usage text', async () => {
    const r = await runOrchestrator(['--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: npx zx orchestrate\/run\.mts/);
  });

  it('--dry-run prints the plan and its estimate, and creates nothing', async () => {
    const out = path.join(tmp, 'dry');
    const r = await runOrchestrator(['configs/full.yaml', '--dry-run', '--only', 'impl=zero_copy,threads=4', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/to run: 36 \(--only impl=zero_copy,threads=4\)/);
    expect(r.stdout).toMatch(/estimated duration: \d+m\d\ds/);
    expect(r.stdout.split('\n').filter((l) => /zero_copy \w+ \d+ B 4 threads rep/.test(l))).toHaveLength(36);
    expect(existsSync(out)).toBe(false);
  });

  it('--only that selects nothing is a usage error', async () => {
    const r = await runOrchestrator(['configs/quick.yaml', '--dry-run', '--only', 'threads=3']);
    expect(r.code).toBe(2);
    const planned = matrixSize(loadConfig(path.join(ROOT, 'configs/quick.yaml')));
    expect(r.stderr).toContain(`--only threads=3 selects none of the ${planned} experiments of configs/quick.yaml`);
  });
});
