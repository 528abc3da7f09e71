// The pair engine on stand-in processes (sh), in this machine's own
// namespace: readiness by line, the order of start and shutdown, the
// deadline, the raw files, and that nothing it started outlives it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL } from '../../orchestrate/run/place.ts';
import { parseProcStat } from '../../orchestrate/results/steal.ts';
import { runPair, type PairContext, type PairRecord, type PairSpec } from '../../orchestrate/run/pair.ts';
import { Interrupted, ProcessTracker, lineMatching } from '../../orchestrate/run/process.ts';
import { perfWorks } from './orchestrator.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-pair-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

function context(patch: Partial<PairContext> = {}): PairContext {
  let counter = 10;
  return {
    places: { server: LOCAL, client: LOCAL },
    pinning: { server: null, client: null },
    perfEvents: ['task-clock'],
    readyS: 2,
    budgetS: 3,
    tcpCounters: async () => ({ retransSegs: (counter += 2), serverOutSegs: counter * 10 }),
    cpuTicks: async () => ({ server: null, client: null }),
    interference: null,
    tracker: new ProcessTracker(),
    abort: new AbortController().signal,
    dir: path.join(tmp, `pair-${++n}`),
    ...patch,
  };
}

/** A listener that prints `READY <port>` after `delay` s, then stays `life` s (or until told to stop). */
function spec(opts: { delay?: number; life?: number; exitsByItself?: boolean; driver?: string } = {}): PairSpec<number> {
  return {
    listener: {
      side: 'server',
      label: 'test_server',
      argv: ['sh', '-c', `sleep ${opts.delay ?? 0}; echo READY 4242; echo "$$" > ${tmp}/pid-${n}; sleep ${opts.life ?? 0.2}`],
      ready: { describe: 'READY <port>', onLine: (line) => (/^READY (\d+)$/.exec(line) ? Number(RegExp.$1) : undefined) },
      exitsByItself: opts.exitsByItself ?? true,
    },
    driver: (port) => ({ side: 'client', label: 'test_client', argv: ['sh', '-c', opts.driver ?? `echo driven ${port}`] }),
  };
}

const keep = (record: PairRecord<number>) => ({ ok: true as const, value: record, notes: [] });

describe.skipIf(!perfWorks())('runPair', () => {
  it('starts the driver with what the listener\'s ready line gave, under perf, and keeps every raw file', async () => {
    const ctx = context();
    const out = await runPair(spec(), ctx, keep);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.ready).toBe(4242);
    expect(out.value.problems).toEqual([]);
    expect(out.value.outputs.client?.stdout).toBe('driven 4242\n');
    expect(out.value.outputs.perf.server).toMatch(/task-clock/);
    expect(out.value.outputs.perf.client).toMatch(/task-clock/);
    expect(out.tcpRetransSegs).toBe(2);
    expect(out.serverOutSegs).toBe(20);
    expect(out.attempts).toBe(1);
    expect(out.value.attempt).toBe(1);
    for (const f of ['commands.txt', 'server.stdout', 'server.stderr', 'server.exit', 'server.perf', 'client.stdout', 'client.perf']) {
      expect(existsSync(path.join(ctx.dir, f)), f).toBe(true);
    }
    expect(readFileSync(path.join(ctx.dir, 'commands.txt'), 'utf8').trim().split('\n')).toHaveLength(2);
    const t = out.timings;
    expect(t.countersRead).toBeLessThanOrEqual(t.listenerReady!);
    expect(t.listenerReady!).toBeLessThanOrEqual(t.driverExited!);
    expect(t.driverExited!).toBeLessThanOrEqual(t.listenerExited!);
    expect(t.listenerExited!).toBeLessThanOrEqual(t.interpreted);
  });

  it('a listener that is never ready is ended at the ready limit; no driver starts; problems.txt says why', async () => {
    const ctx = context({ readyS: 0.5 });
    const out = await runPair(spec({ delay: 30 }), ctx, (r) => ({ ok: false, problems: r.problems, notes: [] }));
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.problems.join(' ')).toMatch(/test_server printed no ready line within 0.5 s \(waiting for READY <port>\)/);
    expect(readFileSync(path.join(ctx.dir, 'problems.txt'), 'utf8')).toMatch(/printed no ready line/);
    expect(existsSync(path.join(ctx.dir, 'client.stdout'))).toBe(false);
    expect(ctx.tracker.size).toBe(0);
  });

  it('a driver past the deadline is ended and said so; a listener that waits to be stopped ends on SIGINT without a problem', async () => {
    const ctx = context({ budgetS: 1 });
    const out = await runPair(spec({ life: 30, exitsByItself: false, driver: 'sleep 30' }), ctx, keep);
    expect(out.ok && out.value.problems.join(' ')).toMatch(/^test_client did not finish within 1 s; ended it/);
    expect(out.ok && out.value.problems.some((p) => p.startsWith('test_server'))).toBe(false);
    expect(ctx.tracker.size).toBe(0);
  });

  it('a listener that should exit by itself but does not is ended and said so', async () => {
    const ctx = context({ budgetS: 1 });
    const out = await runPair(spec({ life: 30 }), ctx, keep);
    expect(out.ok && out.value.problems[0]).toBe('test_server did not exit by itself within 1 s; ended it');
    expect(ctx.tracker.size).toBe(0);
  });

  it('runs a pair again while steal on a pinned CPU is above the limit, keeping earlier attempts\' raw files aside', async () => {
    // Synthetic /proc/stat: 100 ticks per CPU between the two readings of an attempt, of which CPU 0 loses `stolen[k]` in attempt k.
    const stolen = [10, 5, 1];
    let readings = 0;
    let steal = 1;
    const cpuTicks = async () => {
      const attempt = Math.floor(readings / 2);
      if (readings % 2 === 1) steal += stolen[attempt]!;
      const ticks = 1000 + 100 * readings++;
      const stat = parseProcStat(`cpu0 ${ticks - steal} 0 0 0 0 0 0 ${steal}\ncpu1 ${ticks - 1} 0 0 0 0 0 0 1\n`);
      return { server: stat, client: stat };
    };
    const ctx = context({ cpuTicks, pinning: { server: '0', client: '1' }, interference: { maxStealPct: 2, maxAttempts: 3 } });
    const out = await runPair(spec(), ctx, keep);
    expect(out.attempts).toBe(3);
    expect(out.ok && out.value.attempt).toBe(3);
    expect(out.steal).toEqual({ server: 1, client: 0 });
    expect(out.notes[0]).toMatch(/^steal server CPU 0 10\.0 %, client CPU 1 0\.0 % during attempt 1 \(more than 2 % allowed\); run again, its raw files kept in pair-\d+-try1$/);
    expect(out.notes[1]).toMatch(/during attempt 2 .*-try2$/);
    for (const dir of [`${ctx.dir}-try1`, `${ctx.dir}-try2`, ctx.dir]) expect(existsSync(path.join(dir, 'client.stdout')), dir).toBe(true);
    expect(existsSync(`${ctx.dir}-try3`)).toBe(false);
  });

  it('keeps the last attempt when steal never falls under the limit, and says so', async () => {
    let readings = 0;
    const cpuTicks = async () => {
      const steal = 1 + 50 * readings;
      const stat = parseProcStat(`cpu0 ${1000 + 100 * readings++ - steal} 0 0 0 0 0 0 ${steal}\n`);
      return { server: stat, client: stat };
    };
    const ctx = context({ cpuTicks, pinning: { server: '0', client: '0' }, interference: { maxStealPct: 2, maxAttempts: 2 } });
    const out = await runPair(spec(), ctx, keep);
    expect(out.attempts).toBe(2);
    expect(out.notes.at(-1)).toBe('steal server CPU 0 50.0 %, client CPU 0 50.0 % still above 2 % after 2 attempts; this attempt\'s row kept');
  });

  it('an abort ends both processes and throws Interrupted, raw files written', async () => {
    const abort = new AbortController();
    const ctx = context({ abort: abort.signal, budgetS: 30 });
    setTimeout(() => abort.abort(), 500);
    await expect(runPair(spec({ life: 30, driver: 'sleep 30' }), ctx, keep)).rejects.toBeInstanceOf(Interrupted);
    expect(ctx.tracker.size).toBe(0);
    expect(existsSync(path.join(ctx.dir, 'commands.txt'))).toBe(true);
    expect(existsSync(path.join(ctx.dir, 'server.stdout'))).toBe(true);
  });
});

describe('lineMatching', () => {
  it('answers on a matching line only', () => {
    const r = lineMatching(/listening/, 'yes');
    expect(r.onLine('starting', 'stderr')).toBeUndefined();
    expect(r.onLine('Server listening on 5201', 'stdout')).toBe('yes');
  });
});
