// The C unit tests (zero-copy tracker, histogram bound, message stamps,
// iovec advance, wire encodings), in both builds.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ROOT, run, sanitizerReports } from './harness.ts';

describe('C unit tests', () => {
  for (const build of ['bin', 'bin/asan'])
    it(`${build}/unit_tests passes every check`, async () => {
      const e = await run(path.join(ROOT, build, 'unit_tests'), []);
      expect(sanitizerReports(e.stderr)).toEqual([]);
      expect(e.stderr).toBe('');
      expect(e.code).toBe(0);
      const m = /^(\d+) passed, (\d+) failed$/m.exec(e.stdout);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(100);
      expect(Number(m![2])).toBe(0);
    });
});
