// results/<run-id>/: the files a run leaves. File system only, no processes.
//
// results.csv is appended one row at a time and fsync'ed before the next
// experiment starts, so a crash or Ctrl-C loses at most the experiment that
// was running. A row cut short by a crash (no trailing newline) is dropped on
// --resume, and that experiment runs again.
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigSchema, type Config } from '../config/schema.ts';
import { formatCsvLine, type Cell } from './row.ts';
import { parseCsvRecords } from './table.ts';
import { experimentKey, rxOf } from '../config/plan.ts';
import { MetaError, parseMeta, type Meta } from './meta.ts';
import { IMPLEMENTATIONS, MODES } from '../config/domain.ts';

export const RESULTS_CSV = 'results.csv';
export const SUMMARY_CSV = 'summary.csv';
export const META_JSON = 'meta.json';
export const FAILURES_JSONL = 'failures.jsonl';
export const RAW_DIR = 'raw';

export function runIdFor(name: string, at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}` +
    `-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `${name}-${stamp}`;
}

/** A fresh run directory under `outRoot`; never reuses an existing one. */
export function createRunDir(outRoot: string, name: string, at: Date): { runId: string; dir: string } {
  writing(outRoot, () => mkdirSync(outRoot, { recursive: true }));
  const base = runIdFor(name, at);
  for (let i = 1; ; i++) {
    const runId = i === 1 ? base : `${base}-${i}`;
    const dir = path.join(outRoot, runId);
    if (existsSync(dir)) continue;
    writing(dir, () => mkdirSync(path.join(dir, RAW_DIR), { recursive: true }));
    return { runId, dir };
  }
}

/**
 * A file that could not be written (a full disk, a read-only or vanished
 * folder): what the run says in one line, with the path, instead of a trace.
 */
export class WriteError extends Error {
  override name = 'WriteError';
  constructor(
    readonly file: string,
    readonly code: string,
    cause: unknown,
  ) {
    super(`cannot write ${file}: ${(cause as Error).message ?? cause}`);
  }
}

function writing<T>(file: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof WriteError) throw e;
    throw new WriteError(file, (e as NodeJS.ErrnoException).code ?? 'EIO', e);
  }
}

/** Append and flush to disk before returning. */
export function appendDurably(file: string, text: string): void {
  writing(file, () => {
    const fd = openSync(file, 'a');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** A folder and its parents; a failure is a WriteError naming it. */
export function makeDir(dir: string): void {
  writing(dir, () => mkdirSync(dir, { recursive: true }));
}

/**
 * A folder moved to `to` (an attempt's raw files set aside before the pair
 * runs again); a folder already there — left by an earlier session of the
 * same experiment — is replaced.
 */
export function moveAside(from: string, to: string): void {
  writing(to, () => {
    rmSync(to, { recursive: true, force: true });
    renameSync(from, to);
  });
}

/** A whole file written at once (raw outputs); a failure is a WriteError naming it. */
export function writeFile(file: string, text: string): void {
  writing(file, () => writeFileSync(file, text));
}

export function writeCsvHeader(dir: string, header: readonly string[]): void {
  appendDurably(path.join(dir, RESULTS_CSV), formatCsvLine(header));
}

export function appendCsvRow(dir: string, cells: readonly Cell[]): void {
  appendDurably(path.join(dir, RESULTS_CSV), formatCsvLine(cells));
}

export function writeCsv(file: string, header: readonly string[], rows: readonly Record<string, Cell>[]): void {
  const text = [formatCsvLine(header), ...rows.map((r) => formatCsvLine(header.map((h) => r[h] ?? null)))].join('');
  writeAtomically(file, text);
}

/** Write beside, then rename: readers see the old file or the new one. No temporary file survives a failure. */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writing(file, () => {
      writeFileSync(tmp, text);
      renameSync(tmp, file);
    });
  } finally {
    rmSync(tmp, { force: true });
  }
}

export function appendFailure(dir: string, failure: object): void {
  const file = path.join(dir, FAILURES_JSONL);
  writing(file, () => appendFileSync(file, JSON.stringify(failure) + '\n'));
}

export function writeMeta(dir: string, meta: Meta): void {
  const file = path.join(dir, META_JSON);
  const text = JSON.stringify(meta, null, 2) + '\n';
  try {
    writeAtomically(file, text);
  } catch (e) {
    // A full disk: give back the room set aside when the folder was made,
    // so that the run's final status can still be recorded, whole.
    const reserve = path.join(dir, RESERVE);
    if (!(e instanceof WriteError) || e.code !== 'ENOSPC' || !existsSync(reserve)) throw e;
    rmSync(reserve, { force: true });
    writeAtomically(file, text);
  }
}

// Room set aside in every run folder for meta.json's last word on a disk
// that fills up during the run (meta.json is a few KiB; two copies exist
// for a moment while it is replaced).
const RESERVE = '.meta-reserve';
const RESERVE_BYTES = 64 * 1024;

export function reserveRoom(dir: string): void {
  writeFile(path.join(dir, RESERVE), '\0'.repeat(RESERVE_BYTES));
}

/** The run is over and meta.json says so: the room is not needed any more. */
export function releaseRoom(dir: string): void {
  rmSync(path.join(dir, RESERVE), { force: true });
}

export class ResumeError extends Error {
  override name = 'ResumeError';
}

export interface ResumeState {
  meta: Meta;
  config: Config;
  /** Keys (experimentKey) of the rows already in results.csv. */
  done: Set<string>;
  rows: number;
  /** True when a half-written last row was cut off. */
  truncated: boolean;
}

/** Read an interrupted run back: its config, and which experiments are done. */
export function readResumeState(dir: string, header: (config: Config) => string[]): ResumeState {
  const metaFile = path.join(dir, META_JSON);
  if (!existsSync(metaFile)) throw new ResumeError(`${dir}: no ${META_JSON}; is this a run directory?`);
  let meta: Meta;
  try {
    meta = parseMeta(readFileSync(metaFile, 'utf8'), metaFile);
  } catch (e) {
    if (e instanceof MetaError) throw new ResumeError(`${e.message}; cannot resume`);
    throw e;
  }
  const parsedConfig = ConfigSchema.safeParse(meta.config);
  if (!parsedConfig.success) throw new ResumeError(`${metaFile}: its config no longer validates: ${parsedConfig.error.message}`);
  const config = parsedConfig.data;
  const csvFile = path.join(dir, RESULTS_CSV);
  const done = new Set<string>();
  if (!existsSync(csvFile)) return { meta, config, done, rows: 0, truncated: false };

  let text = readFileSync(csvFile, 'utf8');
  let truncated = false;
  if (text.length > 0 && !text.endsWith('\n')) {
    const keep = text.lastIndexOf('\n') + 1;
    truncateSync(csvFile, Buffer.byteLength(text.slice(0, keep)));
    text = text.slice(0, keep);
    truncated = true;
  }
  if (text === '') {
    writeCsvHeader(dir, header(config));
    return { meta, config, done, rows: 0, truncated };
  }
  const { header: found, records, malformed } = parseCsvRecords(text);
  const expected = header(config);
  if (found.join(',') !== expected.join(',')) {
    throw new ResumeError(`${csvFile}: its header differs from what this orchestrator writes for its config; cannot resume`);
  }
  if (malformed.length) throw new ResumeError(`${csvFile}: malformed rows at lines ${malformed.join(', ')}`);
  for (const r of records) {
    const impl = r.implementation as (typeof IMPLEMENTATIONS)[number];
    const mode = r.mode as (typeof MODES)[number];
    done.add(experimentKey({ impl, mode, msgSize: Number(r.msg_size), threads: Number(r.threads), rx: rxOf(r), rep: Number(r.rep) }));
  }
  return { meta, config, done, rows: records.length, truncated };
}

export function readResultRecords(dir: string): Record<string, string>[] {
  const csvFile = path.join(dir, RESULTS_CSV);
  if (!existsSync(csvFile)) return [];
  return parseCsvRecords(readFileSync(csvFile, 'utf8')).records;
}
