// The preflight names what is missing with its package and the one set-up
// step, before anything runs; and says up front which figures this machine
// cannot fill.
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../orchestrate/config/load.ts';
import { unfillableFigures } from '../../orchestrate/plots/figure-needs.ts';
import { PreflightError, checkVariants, preflight } from '../../orchestrate/run/preflight.ts';
import { DEFAULT_BIN_DIR } from '../../orchestrate/run/paths.ts';

const ALL = ['cycles', 'instructions', 'L1-dcache-load-misses', 'LLC-load-misses', 'cache-misses', 'context-switches', 'task-clock'];

describe('unfillableFigures', () => {
  it('says nothing where the PMU counts every event', () => {
    expect(unfillableFigures(ALL, [])).toEqual([]);
  });

  it('names figures 3 and 4 without a PMU, and what stands in', () => {
    const lines = unfillableFigures(ALL, ['cycles', 'instructions', 'L1-dcache-load-misses', 'LLC-load-misses', 'cache-misses']);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^figure 3 .*cannot be filled: L1-dcache-load-misses not counted on this machine; LLC-load-misses or cache-misses not counted/);
    expect(lines[1]).toMatch(/^figure 4 \(cycles per byte\).*cycles or cpu-cycles not counted.*figure 4b .* stands in/);
  });

  it('fills the cache figure in part when one level counts, and accepts cache-misses for the last level', () => {
    const lines = unfillableFigures(ALL, ['LLC-load-misses', 'L1-dcache-load-misses']);
    expect(lines).toEqual([expect.stringMatching(/^figure 3 .*cannot be filled in part: L1-dcache-load-misses not counted/)]);
  });

  it('tells an event left out of the config from one the machine cannot count', () => {
    const lines = unfillableFigures(['cycles:u', 'cycles:k', 'L1-dcache-load-misses', 'cache-misses'], []);
    expect(lines).toEqual([expect.stringMatching(/^figure 4b .*task-clock or cpu-clock not in perf.events/)]);
  });
});

describe('preflight without the tools', () => {
  const savedPath = process.env.PATH;
  let empty = '';
  afterEach(() => {
    process.env.PATH = savedPath;
    if (empty) rmSync(empty, { recursive: true, force: true });
  });

  it('names each missing tool with its package and points at npm run setup, before running anything', async () => {
    empty = mkdtempSync(path.join(os.tmpdir(), 'cb-nopath-'));
    process.env.PATH = empty;
    const config = parseConfig('topology: { kind: loopback }\nvariants: [two_copy]\n', 'test.yaml');
    const err = await preflight(config, { build: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/perf \(Debian package linux-perf; Ubuntu: linux-tools-generic\)/);
    expect(msg).toMatch(/make \(Debian package make\)/);
    expect(msg).toMatch(/cc \(Debian package gcc\)/);
    expect(msg).toMatch(/npm run setup/);
    expect(msg).toMatch(/apt-get install linux-perf iproute2 util-linux make gcc|apt-get install linux-perf iproute2 make gcc/);
  });
});

describe('can each variant run here (aN_server --check)', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes the built binaries on this machine, a4 (io_uring) included', async () => {
    await expect(checkVariants(DEFAULT_BIN_DIR, ['two_copy', 'zero_copy', 'uring_zero_copy'])).resolves.toBeUndefined();
  });

  it('stops the run before it starts with the binary\'s own reason when one cannot', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cb-check-'));
    copyFileSync(path.join(DEFAULT_BIN_DIR, 'a1_server'), path.join(dir, 'a1_server'));
    // Stands in for a4_server on a machine with kernel.io_uring_disabled = 2.
    writeFileSync(path.join(dir, 'a4_server'), '#!/bin/sh\necho "a4_server: io_uring is not available: not permitted (kernel.io_uring_disabled = 2)" >&2\nexit 1\n');
    chmodSync(path.join(dir, 'a4_server'), 0o755);
    const err = await checkVariants(dir, ['two_copy', 'uring_zero_copy']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as Error).message).toBe('uring_zero_copy cannot run on this machine: a4_server: io_uring is not available: not permitted (kernel.io_uring_disabled = 2)');
  });
});
