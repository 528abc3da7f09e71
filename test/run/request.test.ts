// What run.mts is asked to do, read before anything is created.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../orchestrate/config/load.ts';
import { perfEvents } from '../../orchestrate/config/schema.ts';
import { csvHeader } from '../../orchestrate/results/row.ts';
import { ResumeError, createRunDir, writeCsvHeader, writeMeta } from '../../orchestrate/results/store.ts';
import { readRequest } from '../../orchestrate/run/request.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-request-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const MACHINE = { kernel: 'k', cpu_model: 'c', cores: 64, perf_version: null, gcc_version: null, node_version: 'v20', git_commit: null, git_dirty: null, hostname: 'h' };

function interruptedRun(pinning: string): string {
  // Parsed without this machine's CPU count, as on the machine that started it.
  const config = parseConfig(`name: t\nrepetitions: 2\npinning: { server: "${pinning}", client: "0" }`, 't.yaml');
  const { dir } = createRunDir(tmp, 't', new Date());
  writeMeta(dir, { run_id: path.basename(dir), config_path: 't.yaml', config, status: 'interrupted', started_at: 'x', ended_at: null, machine: MACHINE, perf_events: perfEvents(config), perf_unsupported: [] });
  writeCsvHeader(dir, csvHeader(perfEvents(config)));
  return dir;
}

describe('readRequest with --resume', () => {
  it('continues a run whose pinning fits this machine, with what is left of its plan', () => {
    const dir = interruptedRun('0');
    const r = readRequest(null, dir, 'impl=two_copy', () => {});
    expect(r.resume?.meta.status).toBe('interrupted');
    expect(r.todo.every((e) => e.impl === 'two_copy')).toBe(true);
    expect(r.selected).toBe(` (--only impl=two_copy) (0 already done in ${dir})`);
  });

  it('refuses, before anything runs, a run pinned to a CPU this machine lacks', () => {
    const dir = interruptedRun('4095');
    expect(() => readRequest(null, dir, null, () => {})).toThrow(ResumeError);
    expect(() => readRequest(null, dir, null, () => {})).toThrow(/pinning\.server \(4095\) does not fit this machine/);
  });
});
