// The peer baseline and the benchmark end to end, as root, in network
// namespaces of their own (names and addresses no other test uses), with the
// real binaries and the real iperf3 and sockperf. Skipped, with the reason
// printed, when not root, when perf cannot count, or when a peer tool is not
// installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsvRecords } from '../../orchestrate/results/table.ts';
import { readPeersCsv } from '../../orchestrate/peers/rows.ts';
import { isAlive, isRoot, namespaces, perfWorks, processesMentioning, runDirIn, startScript } from '../run/orchestrator.ts';

const installed = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const skipReason = !isRoot
  ? 'not root: network namespaces need root'
  : !perfWorks()
    ? 'perf cannot count on this machine'
    : !installed('iperf3') || !installed('sockperf')
      ? 'iperf3 or sockperf is not installed (apt-get install iperf3 sockperf)'
      : null;
if (skipReason) console.warn(`peers e2e.test.ts skipped: ${skipReason}`);

// Our own namespaces and subnet: other test files run at the same time.
const NS = { server: 'cbp-srv', client: 'cbp-cli' };
const SUBNET = '10.78.0.';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-peers-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** One variant, one size, one repetition: ~6 s of runs. `extra` lines replace the settings of the same key. */
function writeConfig(name: string, extra: string[] = []): string {
  const file = path.join(tmp, `${name}.yaml`);
  const key = (line: string) => /^(\w+):/.exec(line)?.[1];
  const replaced = new Set(extra.map(key));
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'topology:',
      '  kind: netns',
      `  namespaces: { server: ${NS.server}, client: ${NS.client} }`,
      '  veth: { server: cbp-veth-s, client: cbp-veth-c }',
      `  addresses: { server: ${SUBNET}1, client: ${SUBNET}2 }`,
      'variants: [one_copy]',
      'modes: [stream]',
      'threads: [1]',
      'message_sizes: [65536]',
      'warmup_s: 0.5',
      'duration_s: 1',
      'repetitions: 1',
      'perf: { events: [task-clock, context-switches] }',
      'peers: { tools: [iperf3, sockperf] }',
    ]
      .filter((line) => !replaced.has(key(line)))
      .concat(extra)
      .join('\n') + '\n',
  );
  return file;
}

/** The run folder under `out`, or a path that does not exist yet. */
function runDirIn0(out: string): string {
  try {
    return runDirIn(out);
  } catch {
    return path.join(out, 'not-yet');
  }
}

const peersRows = (dir: string) => readPeersCsv(readFileSync(path.join(dir, 'peers.csv'), 'utf8'), 'peers.csv');

/** A PATH with every program of the current one but `tool`: as if it were not installed. */
function pathWithout(tool: string): string {
  const dir = path.join(tmp, `path-without-${tool}`);
  mkdirSync(dir, { recursive: true });
  for (const entry of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    if (!existsSync(entry)) continue;
    for (const name of readdirSync(entry)) {
      const link = path.join(dir, name);
      if (name !== tool && !existsSync(link)) symlinkSync(path.join(entry, name), link);
    }
  }
  return dir;
}

function leftovers(): { namespaces: string[]; processes: number[] } {
  return {
    namespaces: namespaces().filter((n) => n === NS.server || n === NS.client),
    processes: processesMentioning(SUBNET).filter(isAlive),
  };
}

describe.skipIf(skipReason !== null)('peer baseline end to end', () => {
  it('peers.mts: copybench, iperf3 and sockperf over the same veth, one row each, a figure, the ratios; exit 0', async () => {
    const out = path.join(tmp, 'all');
    const r = await startScript('orchestrate/peers.mts', [writeConfig('all'), '--out', out]).finished;
    expect(r.code, r.stderr).toBe(0);
    const dir = runDirIn(out);
    const rows = peersRows(dir);
    expect(rows.map((x) => x.subject)).toEqual(['one_copy', 'iperf3', 'sockperf']);
    for (const row of rows) {
      expect(row.throughput_gbps).toBeGreaterThan(0.1);
      expect(row.server_cpu_s).toBeGreaterThan(0);
      expect(row.client_cpu_s).toBeGreaterThan(0);
    }
    expect(rows.find((x) => x.subject === 'iperf3')!.counted_by).toBe('receiver');
    expect(rows.find((x) => x.subject === 'sockperf')!.counted_by).toBe('sender');
    // copybench's own rows also go to results.csv, as run.mts writes them.
    expect(parseCsvRecords(readFileSync(path.join(dir, 'results.csv'), 'utf8')).records).toHaveLength(1);
    const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    expect(meta.status).toBe('done');
    expect(meta.peers.tools.map((t: { tool: string; version: string }) => [t.tool, t.version])).toEqual([
      ['iperf3', expect.stringMatching(/^3\.\d+/)],
      ['sockperf', expect.stringMatching(/^3\.\d+/)],
    ]);
    // Each tool ran pinned, on its side, under perf, as copybench does.
    const iperfCommands = readFileSync(path.join(dir, 'raw/r1-iperf3-stream-65536B-1t/commands.txt'), 'utf8');
    expect(iperfCommands).toMatch(/"ip","netns","exec","cbp-srv","taskset","-c","0","perf","stat",.*"iperf3","-s"/);
    expect(iperfCommands).toMatch(/"ip","netns","exec","cbp-cli","taskset","-c","1","perf","stat",.*"iperf3","-c","10\.78\.0\.1",.*"-R","-N",.*"-l","65536"/);
    const sockCommands = readFileSync(path.join(dir, 'raw/r1-sockperf-stream-65536B-1t/commands.txt'), 'utf8');
    expect(sockCommands).toMatch(/"cbp-cli","taskset","-c","1",.*"sockperf","sr","--tcp","-i","10\.78\.0\.2"/);
    expect(sockCommands).toMatch(/"cbp-srv","taskset","-c","0",.*"sockperf","tp","--tcp","-i","10\.78\.0\.2",.*"-m","65536","-t","1","--tcp-avoid-nodelay"/);
    expect(r.stdout).toMatch(/^64 KiB\s.*\d\.\d\d×$/m);
    const png = path.join(path.dirname(path.dirname(dir)), 'plots', path.basename(dir), 'peers-throughput.png');
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(leftovers()).toEqual({ namespaces: [], processes: [] });
  });

  it('a peer that is not installed is skipped with an install hint, and the run completes', async () => {
    const out = path.join(tmp, 'without');
    const r = await startScript('orchestrate/peers.mts', [writeConfig('without'), '--out', out], { PATH: pathWithout('sockperf') }).finished;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sockperf is not installed; install it with: apt-get install sockperf; skipped/);
    expect(peersRows(runDirIn(out)).map((x) => x.subject)).toEqual(['one_copy', 'iperf3']);
    expect(leftovers()).toEqual({ namespaces: [], processes: [] });
  });

  it('Ctrl-C while a peer runs ends everything it started, deletes the namespaces, exits 130', async () => {
    const out = path.join(tmp, 'ctrl-c');
    const { child, finished } = startScript('orchestrate/peers.mts', [writeConfig('ctrlc'), '--out', out]);
    // Wait until iperf3 is running, then interrupt the whole group as a terminal does.
    for (let i = 0; i < 400; i++) {
      if (processesMentioning('iperf3').filter(isAlive).some((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${SUBNET}1`))) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(leftovers().processes.length).toBeGreaterThan(0);
    process.kill(-child.pid!, 'SIGINT');
    const r = await finished;
    expect(r.code, r.stderr).toBe(130);
    expect(leftovers()).toEqual({ namespaces: [], processes: [] });
    expect(JSON.parse(readFileSync(path.join(runDirIn(out), 'meta.json'), 'utf8')).status).toBe('interrupted');
  });

  it('a run killed outright (SIGKILL) leaves no counter-reading process in its namespaces; the next run cleans up', async () => {
    const out = path.join(tmp, 'killed');
    const { child, finished } = startScript('orchestrate/peers.mts', [writeConfig('killed'), '--out', out]);
    for (let i = 0; i < 400 && !existsSync(path.join(runDirIn0(out), 'raw', 'r1-iperf3-stream-65536B-1t')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const inodes = [NS.server, NS.client].map((n) => `net:[${statSync(`/run/netns/${n}`).ino}]`);
    const inOurNamespaces = () =>
      readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .filter((pid) => {
          try {
            return inodes.includes(readlinkSync(`/proc/${pid}/ns/net`)) && isAlive(Number(pid));
          } catch {
            return false;
          }
        })
        .map((pid) => ({ pid: Number(pid), comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim() }));
    expect(inOurNamespaces().filter((p) => p.comm === 'cat')).toHaveLength(2);
    process.kill(child.pid!, 'SIGKILL');
    await finished;
    // The holders read a pipe from the killed process: end of file ends them.
    let holders = inOurNamespaces().filter((p) => p.comm === 'cat');
    for (let i = 0; i < 200 && holders.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      holders = inOurNamespaces().filter((p) => p.comm === 'cat');
    }
    expect(holders).toEqual([]);
    // What the killed run had started for the experiment is orphaned, as after
    // any crash; end it (these tests started it) before the next run.
    for (const p of inOurNamespaces()) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    const again = await startScript('orchestrate/peers.mts', [writeConfig('killed'), '--out', path.join(tmp, 'killed-again')]).finished;
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/deleted namespace cbp-srv left by an earlier run/);
    expect(leftovers()).toEqual({ namespaces: [], processes: [] });
  });

  it('bench.mts prints every figure with its target and verdict, and exits 0 whatever the figures', async () => {
    const out = path.join(tmp, 'bench');
    const r = await startScript('orchestrate/bench.mts', [writeConfig('bench'), '--out', out]).finished;
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const line = (re: RegExp) => lines.find((l) => re.test(l)) ?? '';
    expect(line(/^throughput a2 one_copy \/ best peer at 64 KiB/)).toMatch(/\d\.\d{3}× \(.*Gbit\/s\)\s+≥ 1\.0×\s+(met|MISSED)$/);
    expect(line(/^throughput a2 one_copy \/ best peer at 1 KiB/)).toMatch(/missing\s+≥ 0\.9×\s+n\/a/);
    expect(line(/^coefficient of variation .* a2 one_copy/)).toMatch(/≤ 5 % over ≥ 5 repetitions/);
    expect(line(/^orchestration overhead: Σ/)).toMatch(/\d\.\d{3} \(.* 1 experiments\)\s+≤ 1\.05\s+(met|MISSED)$/);
    expect(line(/^peak RSS of a2_server at 8 threads × 64 KiB/)).toMatch(/\d+\.\d MiB\s+≤ 64 MiB\s+(met|MISSED)$/);
    expect(line(/^peak RSS of a2_client at 8 threads × 64 KiB/)).toMatch(/\d+\.\d MiB\s+≤ 64 MiB\s+(met|MISSED)$/);
    // copybench's own share of the sender's samples, from the attribution pass.
    expect(line(/^harness share of a2_server's samples at 64 KiB/)).toMatch(/\d+\.\d %\s+≤ 5 %\s+(met|MISSED)$/);
    expect(r.stdout).toMatch(/server started under perf, ready line/);
    // The RSS experiments' rows join copybench's in results.csv.
    const results = parseCsvRecords(readFileSync(path.join(runDirIn(out), 'results.csv'), 'utf8')).records;
    expect(results.map((x) => x.threads)).toEqual(['1', '8']);
    expect(leftovers()).toEqual({ namespaces: [], processes: [] });
  });

  it('usage: an unknown option is exit 2 with the usage; --help is exit 0', async () => {
    const bad = await startScript('orchestrate/peers.mts', ['--bogus']).finished;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/peers\.mts: Unknown option '--bogus'[\s\S]*usage: npx zx orchestrate\/peers\.mts/);
    const help = await startScript('orchestrate/bench.mts', ['--help']).finished;
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run bench/);
  });

  it('a bad config is exit 2 and creates nothing', async () => {
    const out = path.join(tmp, 'bad');
    const r = await startScript('orchestrate/peers.mts', [writeConfig('bad', ['duration_s: 1.5']), '--out', out]).finished;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/duration_s: must be whole seconds when peers\.tools has sockperf/);
    expect(existsSync(out)).toBe(false);
  });
});
