// A run of configs/mt25042.yaml gets MT25042's table beside it in its
// report (plotting.ts finds the seed file; report.ts lays the section out);
// a run of any other config does not.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plotRun } from '../../orchestrate/plots/plotting.ts';
import { matrix, writeRunDir } from './synthetic.ts';

let tmp: string;
let mt: { md: string; html: string };
let other: { md: string; html: string };

async function report(dir: string, name: string | null) {
  const runDir = writeRunDir(dir, matrix({ sizes: [1024, 65536], modes: ['stream'] }));
  if (name) {
    const metaFile = path.join(runDir, 'meta.json');
    const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    writeFileSync(metaFile, JSON.stringify({ ...meta, config: { ...meta.config, name } }));
  }
  const { outDir } = await plotRun(runDir);
  return { md: readFileSync(path.join(outDir, 'report.md'), 'utf8'), html: readFileSync(path.join(outDir, 'report.html'), 'utf8') };
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-seed-report-'));
  mt = await report(path.join(tmp, 'results', 'mt'), 'mt25042');
  other = await report(path.join(tmp, 'results', 'other'), null);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the report of a run of configs/mt25042.yaml', () => {
  it('sets their table beside ours after the answers and details, before the figures', () => {
    const at = (s: string) => mt.md.indexOf(s);
    expect(at('## Answers')).toBeGreaterThan(-1);
    expect(at('## Beside MT25042’s published table')).toBeGreaterThan(at('## Details'));
    expect(at('## Beside MT25042’s published table')).toBeLessThan(at('## All figures'));
    // Their 1K and 64K rows at 1 and 2 threads, three variants: 12 rows under the header.
    expect(mt.md).toMatch(/\| variant \| size \| threads \| theirs \(Gbit\/s\) \|/);
    expect(mt.md.match(/^\| (two_copy|one_copy|zero_copy) \| (1K|64K) \| [12] \|/gm)).toHaveLength(12);
    expect(mt.md).toMatch(/^\| two_copy \| 1K \| 1 \| 4\.05 \|/m); // their 4.0526 Gbit/s
    expect(mt.md).toMatch(/\(i\) Their latency is not a measured delay/);
  });

  it('in report.html as a table too', () => {
    expect(mt.html).toContain('<h2>Beside MT25042’s published table</h2>');
    expect(mt.html).toMatch(/<td>two_copy<\/td><td>1K<\/td><td>1<\/td><td>4\.05<\/td>/);
  });
});

describe('the report of any other run', () => {
  it('has no such section', () => {
    expect(other.md).not.toMatch(/MT25042/);
    expect(other.html).not.toMatch(/MT25042/);
  });
});
