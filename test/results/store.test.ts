import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../orchestrate/config/load.ts';
import { perfEvents, type Config } from '../../orchestrate/config/schema.ts';
import { csvHeader, formatCsvLine } from '../../orchestrate/results/row.ts';
import { ResumeError, WriteError, appendCsvRow, appendDurably, createRunDir, readResumeState, writeAtomically, writeCsvHeader, writeMeta } from '../../orchestrate/results/store.ts';

const MACHINE = {
  kernel: 'Linux 6.1',
  cpu_model: 'test CPU',
  cores: 2,
  perf_version: null,
  gcc_version: null,
  node_version: 'v20',
  git_commit: null,
  git_dirty: null,
  hostname: 'test',
};
const config = parseConfig('name: t\nrepetitions: 2', 't.yaml');
const header = (c: Config) => csvHeader(perfEvents(c));
let out: string;
let dir: string;

beforeEach(() => {
  out = mkdtempSync(path.join(os.tmpdir(), 'cb-store-'));
  dir = createRunDir(out, 't', new Date(Date.UTC(2026, 10, 21, 1, 2, 3))).dir;
  writeMeta(dir, {
    run_id: path.basename(dir),
    config_path: 't.yaml',
    config,
    status: 'interrupted',
    started_at: 'x',
    ended_at: null,
    machine: MACHINE,
    perf_events: perfEvents(config),
    perf_unsupported: [],
  });
  writeCsvHeader(dir, header(config));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

function cellsFor(impl: string, rep: number): string[] {
  const h = header(config);
  const values: Record<string, string> = { implementation: impl, mode: 'stream', msg_size: '128', threads: '1', rep: String(rep) };
  return h.map((c) => values[c] ?? '1');
}

describe('run directories', () => {
  it('are named after the run and never reused', () => {
    expect(path.basename(dir)).toBe('t-20261121-010203');
    const again = createRunDir(out, 't', new Date(Date.UTC(2026, 10, 21, 1, 2, 3)));
    expect(path.basename(again.dir)).toBe('t-20261121-010203-2');
  });
});

describe('readResumeState', () => {
  it('knows which experiments are done', () => {
    appendCsvRow(dir, cellsFor('two_copy', 1));
    appendCsvRow(dir, cellsFor('zero_copy', 2));
    const state = readResumeState(dir, header);
    expect([...state.done].sort()).toEqual(['two_copy/stream/128/1/1', 'zero_copy/stream/128/1/2']);
    expect(state.config).toEqual(config);
    expect(state.truncated).toBe(false);
  });

  it('drops a half-written last row, keeping every finished one byte for byte', () => {
    appendCsvRow(dir, cellsFor('two_copy', 1));
    const before = readFileSync(path.join(dir, 'results.csv'), 'utf8');
    appendFileSync(path.join(dir, 'results.csv'), formatCsvLine(cellsFor('one_copy', 1)).slice(0, 25));
    const state = readResumeState(dir, header);
    expect(state.truncated).toBe(true);
    expect([...state.done]).toEqual(['two_copy/stream/128/1/1']);
    expect(readFileSync(path.join(dir, 'results.csv'), 'utf8')).toBe(before);
  });

  it('refuses a results.csv written for other columns', () => {
    writeFileSync(path.join(dir, 'results.csv'), 'implementation,msg_size\ntwo_copy,128\n');
    expect(() => readResumeState(dir, header)).toThrow(ResumeError);
  });

  it('refuses a folder that is not a run', () => {
    expect(() => readResumeState(out, header)).toThrow(/no meta\.json/);
  });

  it('refuses, in one line naming the file, a meta.json that is not JSON or not copybench\'s', () => {
    writeFileSync(path.join(dir, 'meta.json'), '{"run_id": "t", "sta');
    expect(() => readResumeState(dir, header)).toThrow(ResumeError);
    expect(() => readResumeState(dir, header)).toThrow(/meta\.json: not JSON: .*; cannot resume$/);
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ run_id: 't', status: 'sleeping' }));
    expect(() => readResumeState(dir, header)).toThrow(/meta\.json: not a copybench meta\.json: .*status.*; cannot resume$/);
  });
});

describe('writes that fail', () => {
  it('are one WriteError naming the file, and leave no temporary file', () => {
    const missing = path.join(dir, 'gone', 'summary.csv');
    expect(() => writeAtomically(missing, 'x')).toThrow(WriteError);
    expect(() => writeAtomically(missing, 'x')).toThrow(`cannot write ${missing}`);
    expect(() => appendDurably(missing, 'x')).toThrow(WriteError);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
