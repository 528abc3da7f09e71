// Crash repair and ownership (run/topology/state.ts), in a private state
// folder: a live run's claim is refused, a dead or recycled one is taken
// over, and any dead run's host sysctls are restored whatever its names.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-state-'));
process.env.COPYBENCH_STATE_DIR = dir;
const state = await import('../../orchestrate/run/topology/state.ts');

let other: ChildProcess;
const startOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};
beforeAll(() => {
  other = spawn('sleep', ['60'], { stdio: 'ignore' });
});
afterAll(() => {
  other.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const clean = () => {
  for (const f of readdirSync(dir)) rmSync(path.join(dir, f), { force: true });
};

describe('namespace ownership', () => {
  it('is taken with one owner file per namespace, holding our pid and start time', () => {
    clean();
    const files = state.claimNamespaces(['cbt-a', 'cbt-b']);
    expect(files.map((f) => path.basename(f))).toEqual(['cbt-a.owner', 'cbt-b.owner']);
    expect(readFileSync(files[0]!, 'utf8')).toBe(`${process.pid} ${startOf(process.pid)}\n`);
    expect(existsSync(path.join(dir, 'claim.lock'))).toBe(false);
  });

  it('is refused while another live process owns a namespace, and nothing is claimed', () => {
    clean();
    writeFileSync(path.join(dir, 'cbt-b.owner'), `${other.pid} ${startOf(other.pid!)}\n`);
    expect(() => state.claimNamespaces(['cbt-a', 'cbt-b'])).toThrow(`namespace cbt-b belongs to a run still in progress (pid ${other.pid})`);
    expect(existsSync(path.join(dir, 'cbt-a.owner'))).toBe(false);
  });

  it('is taken over from a dead owner, from a recycled pid (another start time), and from an old bare-pid file', () => {
    for (const line of ['999999999 1\n', `${other.pid} 1\n`, `${other.pid}\n`]) {
      clean();
      writeFileSync(path.join(dir, 'cbt-a.owner'), line);
      expect(state.claimNamespaces(['cbt-a'])).toHaveLength(1);
      expect(readFileSync(path.join(dir, 'cbt-a.owner'), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    }
  });

  it('names namespaces a dead run left under other names, not live runs\' nor our own', () => {
    clean();
    writeFileSync(path.join(dir, 'old-srv.owner'), '999999999 1\n');
    writeFileSync(path.join(dir, 'live-srv.owner'), `${other.pid} ${startOf(other.pid!)}\n`);
    writeFileSync(path.join(dir, 'gone-srv.owner'), '999999999 1\n');
    writeFileSync(path.join(dir, 'cbt-a.owner'), '999999999 1\n');
    const existing = new Set(['old-srv', 'live-srv', 'cbt-a', 'unrelated']);
    expect(state.strayNamespaces(existing, ['cbt-a'])).toEqual(['old-srv']);
  });
});

// Restoring writes the host's value back: done here with a key's current
// value, so the machine is left as it was.
describe.skipIf(process.getuid?.() !== 0)('host sysctls of dead runs', () => {
  const key = 'net.core.optmem_max';
  const now = () => readFileSync('/proc/sys/net/core/optmem_max', 'utf8').trim();

  it('are restored and their files removed whatever the run\'s names; a live run\'s are left alone', async () => {
    clean();
    const value = now();
    state.saveHostOriginals(path.join(dir, 'x-srv+x-cli.host-sysctls.json'), { [key]: value }); // ours: we are alive, but ourselves
    writeFileSync(path.join(dir, 'y-srv+y-cli.host-sysctls.json'), JSON.stringify({ [key]: value })); // before owners were recorded
    writeFileSync(path.join(dir, 'z-srv+z-cli.host-sysctls.json'), JSON.stringify({ owner: `${other.pid} ${startOf(other.pid!)}`, originals: { [key]: '1' } }));
    const notes: string[] = [];
    await state.restoreDeadRuns(notes);
    expect(notes.filter((n) => n === `host sysctl ${key} restored to ${value}`)).toHaveLength(2);
    expect(readdirSync(dir).sort()).toEqual(['z-srv+z-cli.host-sysctls.json']);
    expect(now()).toBe(value);
  });
});
