// Failure paths of the runner, on loopback with stand-in binaries
// (test/fixtures/fake-bin): a failed experiment is reported with its raw
// files, the run goes on, the exit code says so, and nothing it started is
// left running. Needs perf, not root.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsvRecords } from '../../orchestrate/results/table.ts';
import { isAlive, perfWorks, processesMentioning, runDirIn, runOrchestrator, ROOT } from './orchestrator.ts';

const FAKE_BIN = path.join(ROOT, 'test/fixtures/fake-bin');
const canRun = perfWorks();
if (!canRun) console.warn('failures.test.ts skipped: perf cannot count on this machine');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-failures-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeConfig(name: string): string {
  const file = path.join(tmp, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'topology: { kind: loopback }',
      'modes: [stream]',
      'message_sizes: [4096]',
      'threads: [1]',
      'duration_s: 0.3',
      'warmup_s: 0.1',
      'repetitions: 1',
      'timeouts: { ready_s: 1, margin_s: 1.5 }',
    ].join('\n'),
  );
  return file;
}

function pidsIn(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
}

describe.skipIf(!canRun)('failed experiments', () => {
  it('are reported with their raw files while the run goes on, and exit 1', async () => {
    const out = path.join(tmp, 'out-a');
    const pidFile = path.join(tmp, 'pids-a');
    const r = await runOrchestrator([writeConfig('fails'), '--out', out, '--bin-dir', FAKE_BIN], { FAKE_PID_FILE: pidFile });
    expect(r.code, r.stderr).toBe(1);
    const dir = runDirIn(out);

    const { records } = parseCsvRecords(readFileSync(path.join(dir, 'results.csv'), 'utf8'));
    expect(records.map((x) => x.implementation)).toEqual(['two_copy']);

    const failures = readFileSync(path.join(dir, 'failures.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(failures.map((f) => f.key)).toEqual(['one_copy/stream/4096/1/1', 'zero_copy/stream/4096/1/1']);
    expect(failures[0].problems.join(' ')).toMatch(/printed no ready line within 1 s/);
    expect(failures[1].problems.join(' ')).toMatch(/client saw 3 corrupt messages/);
    for (const f of failures) {
      expect(existsSync(path.join(dir, f.raw, 'problems.txt'))).toBe(true);
      expect(existsSync(path.join(dir, f.raw, 'commands.txt'))).toBe(true);
    }
    expect(r.stderr).toMatch(/FAILED one_copy stream 4096 B 1 thread rep 1\/1: .* raw files in /);
    expect(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')).status).toBe('failed');

    // The hung server was ended, and nothing of the run is left.
    expect(pidsIn(pidFile)).toHaveLength(1);
    expect(pidsIn(pidFile).filter(isAlive)).toEqual([]);
    expect(processesMentioning(dir)).toEqual([]);
  });

  it('a client that never finishes is ended at the experiment timeout', async () => {
    const out = path.join(tmp, 'out-b');
    const pidFile = path.join(tmp, 'pids-b');
    const r = await runOrchestrator([writeConfig('hangs'), '--out', out, '--bin-dir', FAKE_BIN, '--only', 'impl=two_copy'], {
      FAKE_PID_FILE: pidFile,
      FAKE_HANG_CLIENT: '1',
    });
    expect(r.code, r.stderr).toBe(1);
    const dir = runDirIn(out);
    const failure = JSON.parse(readFileSync(path.join(dir, 'failures.jsonl'), 'utf8'));
    // warm-up 0.1 + duration 0.3 + margin 1.5
    expect(failure.problems.join(' ')).toMatch(/client did not finish within 1.9 s; ended it/);
    expect(pidsIn(pidFile).filter(isAlive)).toEqual([]);
    expect(processesMentioning(dir)).toEqual([]);
    // A missing figure is not a zero: nothing was written for it.
    expect(readFileSync(path.join(dir, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
