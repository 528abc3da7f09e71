// The facts meta.json records about the machine a run ran on, and the
// readings of it the pair engine takes (/proc/stat, for steal time).
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import type { MachineFacts } from '../results/meta.ts';
import { parseProcStat, type ProcStat } from '../results/steal.ts';
import { ROOT } from './paths.ts';

async function firstLine(argv: string[]): Promise<string | null> {
  const out = await $({ quiet: true, nothrow: true, cwd: ROOT })`${argv}`;
  return out.exitCode === 0 ? (out.stdout.split('\n')[0] ?? '').trim() || null : null;
}

export async function machineFacts(): Promise<MachineFacts> {
  const status = await $({ quiet: true, nothrow: true, cwd: ROOT })`git status --porcelain --untracked-files=no`;
  const vulnerabilities = mitigations();
  return {
    kernel: `${os.type()} ${os.release()}`,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    perf_version: await firstLine(['perf', '--version']),
    gcc_version: await firstLine(['gcc', '--version']),
    node_version: process.version,
    git_commit: await firstLine(['git', 'rev-parse', 'HEAD']),
    git_dirty: status.exitCode === 0 ? status.stdout.trim() !== '' : null,
    hostname: os.hostname(),
    ...(vulnerabilities ? { mitigations: vulnerabilities } : {}),
  };
}

const VULNERABILITIES = '/sys/devices/system/cpu/vulnerabilities';

/** Each speculative-execution issue the kernel knows and its state here; undefined where the kernel says nothing. */
function mitigations(): Record<string, string> | undefined {
  try {
    const names = readdirSync(VULNERABILITIES).sort();
    return Object.fromEntries(names.map((n) => [n, readFileSync(path.join(VULNERABILITIES, n), 'utf8').trim()]));
  } catch {
    return undefined;
  }
}

/** This machine's /proc/stat, parsed; null when it cannot be read. A file read: microseconds, no process. */
export function readProcStat(): ProcStat | null {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}
