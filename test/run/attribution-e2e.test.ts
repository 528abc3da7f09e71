// End to end, as root, in network namespaces, with the real binaries: the
// attribution pass runs every variant at 64 KiB and shows the physics of
// each copy. Skipped, with the reason printed, when not root or when perf
// cannot sample.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsvRecords } from '../../orchestrate/results/table.ts';
import { parseAttributionRecords, type AttributionRow } from '../../orchestrate/results/attribution-rows.ts';
import { Meta } from '../../orchestrate/results/meta.ts';
import { isRoot, namespaces, perfWorks, runDirIn, startScript } from './orchestrator.ts';

const skipReason = !isRoot ? 'not root: network namespaces need root' : !perfWorks() ? 'perf cannot count on this machine' : null;
if (skipReason) console.warn(`attribution-e2e.test.ts skipped: ${skipReason}`);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-attr-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CONFIG = `name: attr-e2e
topology:
  kind: netns
  namespaces: { server: cbae-srv, client: cbae-cli }
  veth: { server: cbae-s, client: cbae-c }
  addresses: { server: 10.81.0.1, client: 10.81.0.2 }
variants: [two_copy, one_copy, zero_copy]
modes: [stream]
message_sizes: [65536]
threads: [1]
repetitions: 1
calibration: { enabled: false }
attribution: { message_sizes: [65536], duration_s: 1 }
`;

describe.skipIf(skipReason !== null)('attribution pass, end to end', () => {
  let rows: AttributionRow[] = [];
  let meta: Meta;
  beforeAll(async () => {
    const config = path.join(tmp, 'attr.yaml');
    writeFileSync(config, CONFIG);
    const out = path.join(tmp, 'out');
    const run = await startScript('orchestrate/attribute.mts', [config, '--out', out]).finished;
    expect(run.code, run.stderr).toBe(0);
    const dir = runDirIn(out);
    rows = parseAttributionRecords(parseCsvRecords(readFileSync(path.join(dir, 'attribution.csv'), 'utf8')).records);
    meta = Meta.parse(JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')));
  }, 120_000);
  const share = (impl: string, side: string, site: string) =>
    rows.find((r) => r.implementation === impl && r.side === side && r.site === site)!.share;

  it('records the event and frequency, and each side as its CPU', () => {
    expect(meta.attribution).toMatchObject({ frequency_hz: 4999, sampled_as: 'cpu' });
    expect(['cycles', 'cpu-clock']).toContain(meta.attribution!.event);
    expect(meta.attribution!.points).toHaveLength(3);
  });
  it("two_copy's sender copies in user space; one_copy's does not", () => {
    expect(share('two_copy', 'server', 'user_copy')).toBeGreaterThan(0.01);
    expect(share('one_copy', 'server', 'user_copy')).toBeLessThan(0.002);
  });
  it("zero_copy's sender never copies its payload from user memory; veth copies it later", () => {
    expect(share('zero_copy', 'server', 'send_copy')).toBe(0);
    expect(share('zero_copy', 'server', 'deferred_copy') + share('zero_copy', 'client', 'deferred_copy')).toBeGreaterThan(0.02);
  });
  it('every receiver copies kernel → user', () => {
    for (const impl of ['two_copy', 'one_copy', 'zero_copy']) expect(share(impl, 'client', 'recv_copy')).toBeGreaterThan(0.01);
  });
  it('leaves no namespace behind', () => {
    expect(namespaces().filter((n) => n.startsWith('cbae-'))).toEqual([]);
  });
});
