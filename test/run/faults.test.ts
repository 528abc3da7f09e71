// Faults a user meets (issue "hostile input and faults"), end to end as root:
// a full disk mid-run, a second run on the namespaces of a live one, and a
// killed run repaired by a run with other names. Every namespace and mount
// made here is removed here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvRecords } from '../../orchestrate/results/table.ts';
import { isRoot, namespaces, perfWorks, processesMentioning, runDirIn, runOrchestrator, startOrchestrator } from './orchestrator.ts';

const skipReason = !isRoot ? 'not root: mounts and namespaces need root' : !perfWorks() ? 'perf cannot count on this machine' : null;
if (skipReason) console.warn(`faults.test.ts skipped: ${skipReason}`);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-faults-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sysctl = (key: string) => readFileSync(path.join('/proc/sys', ...key.split('.')), 'utf8').trim();
const sh = (cmd: string[]) => spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });

function writeConfig(name: string, lines: string[]): string {
  const file = path.join(tmp, `${name}.yaml`);
  writeFileSync(file, [`name: ${name}`, 'modes: [stream]', 'threads: [1]', 'warmup_s: 0.1', 'calibration: { enabled: false }', ...lines].join('\n') + '\n');
  return file;
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (ok()) return;
  throw new Error(`not within ${ms} ms: ${what}`);
}

const rowsIn = (dir: string) => {
  try {
    return parseCsvRecords(readFileSync(path.join(dir, 'results.csv'), 'utf8')).records.length;
  } catch {
    return 0;
  }
};

describe.skipIf(skipReason !== null)('faults', () => {
  it('a full disk: one line with the path and the --resume command, no trace, no temporary file, meta says failed; --resume finishes once there is room', async () => {
    const disk = path.join(tmp, 'disk');
    mkdirSync(disk);
    expect(sh(['mount', '-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', disk]).status).toBe(0);
    try {
      const file = writeConfig('full', ['topology: { kind: loopback }', 'variants: [two_copy, one_copy]', 'message_sizes: [1024, 2048, 4096, 8192]', 'repetitions: 4', 'duration_s: 0.1']);
      const r = await runOrchestrator([file, '--out', disk]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const dir = runDirIn(disk);
      const failed = r.stderr.split('\n').filter((l) => l.startsWith('FAILED: cannot write'));
      expect(failed).toHaveLength(1);
      expect(failed[0]).toContain(dir);
      expect(failed[0]).toMatch(/ENOSPC|no space left/i);
      expect(failed[0]).toContain(`continue with: npx zx orchestrate/run.mts --resume ${dir}`);
      const all = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(path.join(d, e.name)) : [e.name]));
      expect(all(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')).status).toBe('failed');
      const kept = rowsIn(dir);

      expect(sh(['mount', '-o', 'remount,size=20m', disk]).status).toBe(0);
      const again = await runOrchestrator(['--resume', dir]);
      expect(again.code, again.stderr).toBe(0);
      expect(rowsIn(dir)).toBe(32);
      expect(kept).toBeLessThan(32);
    } finally {
      sh(['umount', disk]);
    }
  }, 120_000);

  it('a second run on the namespaces of a live one is refused and creates no run folder', async () => {
    const file = writeConfig('twice', [
      'topology: { kind: netns, namespaces: { server: cbt-twice-s, client: cbt-twice-c }, addresses: { server: 10.81.0.1, client: 10.81.0.2 } }',
      'variants: [two_copy]', 'message_sizes: [1024]', 'repetitions: 20', 'duration_s: 0.3',
    ]);
    const first = startOrchestrator([file, '--out', path.join(tmp, 'first')]);
    await until('the first run has a row', () => existsSync(path.join(tmp, 'first')) && rowsIn(runDirIn(path.join(tmp, 'first'))) > 0);
    const second = path.join(tmp, 'second');
    const r = await runOrchestrator([file, '--out', second]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/namespace cbt-twice-s belongs to a run still in progress \(pid \d+\)/);
    expect(r.stderr).not.toMatch(/done: 0 rows/);
    expect(existsSync(second) ? readdirSync(second) : []).toEqual([]);
    first.child.kill('SIGINT');
    expect((await first.finished).code).toBe(130);
    expect(namespaces().filter((n) => n.startsWith('cbt-twice'))).toEqual([]);
  }, 60_000);

  it('after a run is killed, a run with other names restores the host sysctls it changed and names its namespaces', async () => {
    const before = sysctl('net.core.wmem_max');
    const wanted = String(Number(before) + 8192);
    const killed = writeConfig('killed', [
      `topology: { kind: netns, namespaces: { server: cbt-kill-s, client: cbt-kill-c }, addresses: { server: 10.82.0.1, client: 10.82.0.2 }, sysctls: { net.core.wmem_max: ${wanted} } }`,
      'variants: [two_copy]', 'message_sizes: [1024]', 'repetitions: 20', 'duration_s: 0.3',
    ]);
    const out = path.join(tmp, 'killed');
    const run = startOrchestrator([killed, '--out', out]);
    await until('the run has a row', () => existsSync(out) && rowsIn(runDirIn(out)) > 0);
    run.child.kill('SIGKILL');
    await run.finished;
    expect(sysctl('net.core.wmem_max')).toBe(wanted);
    for (let i = 0; i < 100 && processesMentioning(runDirIn(out)).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    try {
      const other = writeConfig('other', [
        'topology: { kind: netns, namespaces: { server: cbt-other-s, client: cbt-other-c }, addresses: { server: 10.83.0.1, client: 10.83.0.2 } }',
        'variants: [two_copy]', 'message_sizes: [1024]', 'repetitions: 1', 'duration_s: 0.2',
      ]);
      const r = await runOrchestrator([other, '--out', path.join(tmp, 'other')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`host sysctl net.core.wmem_max restored to ${before}`);
      expect(r.stderr).toMatch(/namespace cbt-kill-s was left by a copybench run that was killed.*ip netns del cbt-kill-s/);
      expect(sysctl('net.core.wmem_max')).toBe(before);
    } finally {
      for (const ns of ['cbt-kill-s', 'cbt-kill-c']) sh(['ip', 'netns', 'del', ns]);
      rmSync('/run/copybench/cbt-kill-s.owner', { force: true });
      rmSync('/run/copybench/cbt-kill-c.owner', { force: true });
    }
    expect(namespaces().filter((n) => n.startsWith('cbt-'))).toEqual([]);
  }, 90_000);
});
