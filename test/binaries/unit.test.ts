// The C unit tests (zero-copy tracker, histogram bound, message stamps,
// iovec advance, wire encodings; the queue sampler; io_uring's CQEs), in
// both builds.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ROOT, run, sanitizerReports } from './harness.ts';

/** Each test binary and the fewest checks it must have run. */
const BINARIES = [
  ['unit_tests', 100],
  ['queue_tests', 10],
  ['uring_tests', 30],
  ['rx_tests', 100],
] as const;

describe('C unit tests', () => {
  for (const build of ['bin', 'bin/asan'])
    for (const [name, atLeast] of BINARIES)
      it(`${build}/${name} passes every check`, async () => {
        const e = await run(path.join(ROOT, build, name), []);
        expect(sanitizerReports(e.stderr)).toEqual([]);
        expect(e.stderr).toBe('');
        expect(e.code).toBe(0);
        const m = /^(\d+) passed, (\d+) failed$/m.exec(e.stdout);
        expect(m).not.toBeNull();
        expect(Number(m![1])).toBeGreaterThan(atLeast);
        expect(Number(m![2])).toBe(0);
      });
});
