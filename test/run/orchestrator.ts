// Running orchestrate/run.mts from tests, as a person would: its own process
// group, so a Ctrl-C can be sent to the whole group like a terminal does.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const ZX_CLI = path.join(ROOT, 'node_modules/zx/build/cli.js');

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function startOrchestrator(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; finished: Promise<Finished> } {
  return startScript('orchestrate/run.mts', args, env);
}

/** Any of the orchestrator's entry points (`orchestrate/peers.mts`, ...), run with zx as a person would. */
export function startScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; finished: Promise<Finished> } {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ZX_CLI, path.join(ROOT, script), ...args], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const finished = new Promise<Finished>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
  return { child, finished };
}

export function runOrchestrator(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return startOrchestrator(args, env).finished;
}

/** Pids of processes whose command line mentions `text` (e.g. a run's folder). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(text)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export function isAlive(pid: number): boolean {
  // A zombie has exited; only its parent has not reaped it yet.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

export function namespaces(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return out.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean);
}

export function runDirIn(out: string): string {
  const dirs = existsSync(out) ? readdirSync(out) : [];
  if (dirs.length !== 1) throw new Error(`expected one run folder in ${out}, found ${dirs.join(', ') || 'none'}`);
  return path.join(out, dirs[0]!);
}

export const isRoot = process.getuid?.() === 0;

export function perfWorks(): boolean {
  return spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', '--', 'true'], { stdio: 'ignore' }).status === 0;
}
