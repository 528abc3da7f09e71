// Sysctls: read and written as files under /proc/sys, which shows the network
// namespace of the process reading it. The host's are read and written from
// here; a namespace's through its place (`ip netns exec NS cat|tee FILE`) —
// no procps needed. Only the value read back counts: a namespace's mirror of
// a host-wide key refuses the write, and tools differ in how they say so.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { LOCAL, type Place } from '../place.ts';

/** Sysctls recorded in meta.json whether or not the config sets them. */
export const RECORDED_SYSCTLS = [
  'net.core.wmem_max',
  'net.core.rmem_max',
  'net.core.optmem_max',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_rmem',
];

/** `4096  16384 x` → `4096 16384 x`: how the kernel prints lists, for comparing. */
export const normalize = (v: string | number) => String(v).trim().split(/\s+/).join(' ');

export function sysctlFile(key: string): string {
  return path.join('/proc/sys', ...key.split('.'));
}

// Detached, so a Ctrl-C at the terminal reaches only the orchestrator, which
// then undoes setup in order.
const quiet = (input?: string) => $({ quiet: true, nothrow: true, detached: true, ...(input === undefined ? {} : { input }) });

export async function readSysctl(place: Place, key: string): Promise<string | null> {
  if (place === LOCAL) {
    try {
      return normalize(readFileSync(sysctlFile(key), 'utf8'));
    } catch {
      return null;
    }
  }
  const out = await quiet()`${place.command(['cat', sysctlFile(key)])}`;
  return out.exitCode === 0 ? normalize(out.stdout) : null;
}

/** Write a sysctl at `place` and read it back. */
export async function writeSysctl(place: Place, key: string, value: string): Promise<{ ok: boolean; why: string }> {
  let why = '';
  if (place === LOCAL) {
    try {
      writeFileSync(sysctlFile(key), value + '\n');
    } catch (err) {
      why = (err as Error).message;
    }
  } else {
    const out = await quiet(value + '\n')`${place.command(['tee', sysctlFile(key)])}`;
    why = out.stderr.trim();
  }
  const now = await readSysctl(place, key);
  return { ok: now === value, why: why || `reads back ${now}` };
}
