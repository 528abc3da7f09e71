// Copy attribution in the plots: attribution.csv read when present, figure
// 7-copy-attribution (one bar per side per variant × size, copy sites first)
// and the report's "Where do the copies occur?" section, all from synthetic
// rows shaped like docs/attribution.md's measured shares; a run without
// attribution.csv keeps every other figure and has neither.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SIDES, type Implementation, type Side } from '../../orchestrate/config/domain.ts';
import { ATTRIBUTION_FIGURE_ID, SITE_ORDER, attributionFigure } from '../../orchestrate/plots/attribution-figure.ts';
import { loadRun, plotRun } from '../../orchestrate/plots/plotting.ts';
import { COPY_PRESENT_SHARE, attributionSection, copiesPresent } from '../../orchestrate/plots/report-attribution.ts';
import { ATTRIBUTION_CSV, ATTRIBUTION_HEADER, AttributionRow } from '../../orchestrate/results/attribution-rows.ts';
import { COPY_SITES, SITES, type Site } from '../../orchestrate/results/attribution-symbols.ts';
import type { AttributionRecord } from '../../orchestrate/results/meta.ts';
import { writeCsv } from '../../orchestrate/results/store.ts';
import { FIGURE_FILES, matrix, metaJson, writeRunDir } from './synthetic.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

/** 64 KiB shares per variant and side (docs/attribution.md); the rest of each side is `stack`. */
const SHARES: Partial<Record<Implementation, Record<Side, Partial<Record<Site, number>>>>> = {
  two_copy: { server: { user_copy: 0.057, send_copy: 0.123, harness: 0.012, irq_off: 0.44 }, client: { user_copy: 0.133, recv_copy: 0.118, harness: 0.014, irq_off: 0.282 } },
  one_copy: { server: { send_copy: 0.192, harness: 0.006, irq_off: 0.48 }, client: { recv_copy: 0.143, user_copy: 0.005, irq_off: 0.258 } },
  zero_copy: { server: { zc_overhead: 0.117, send_copy: 0.01, harness: 0.013, irq_off: 0.504 }, client: { deferred_copy: 0.19, recv_copy: 0.15, irq_off: 0.283 } },
};
const SIZES = [1024, 65536];
const SAMPLES = 10_000;
const BYTES = 1e9;
const FREQ = 4999;

function attributionRows(): AttributionRow[] {
  return (Object.keys(SHARES) as Implementation[]).flatMap((impl) =>
    SIZES.flatMap((size) =>
      SIDES.flatMap((side) => {
        const given = SHARES[impl]![side];
        const rest = 1 - Object.values(given).reduce((a, b) => a + b, 0);
        return SITES.map((site) => {
          const share = site === 'stack' ? rest : (given[site] ?? 0);
          const samples = Math.round(share * SAMPLES);
          return AttributionRow.parse({
            implementation: impl, msg_size: size, threads: 1, mode: 'stream', side, site, samples, share,
            cpu_ns_per_byte: ((samples / FREQ) * 1e9) / BYTES, event: 'cpu-clock', run_id: 'synthetic-20260101-000000',
          });
        });
      }),
    ),
  );
}

function record(): AttributionRecord {
  const hottest = [{ symbol: '_raw_spin_unlock_irqrestore', site: 'irq_off', samples: 4000 }, { symbol: 'native_write_msr', site: 'stack', samples: 300 }];
  const side = { samples: SAMPLES, outside_process_pct: 5, foreign: 0, idle: 100, hottest };
  return {
    event: 'cpu-clock', event_reason: 'no PMU', frequency_hz: FREQ, sampled_as: 'cpu', pinning: { server: '0', client: '1' }, steer_receive: true,
    points: (Object.keys(SHARES) as Implementation[]).flatMap((impl) => SIZES.map((s) => ({ key: `${impl}/stream/${s}/1/1`, bytes: BYTES, sides: { server: side, client: side } }))),
  };
}

const rows = attributionRows();
let tmp: string;
let withDir: string;
let withoutDir: string;
let withFiles: string[];
let withoutFiles: string[];
let md: string;
let mdWithout: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cb-attribution-'));
  const runRows = matrix({ counters: true, threads: [1], modes: ['stream'] });
  withDir = writeRunDir(path.join(tmp, 'results', 'with'), runRows);
  writeFileSync(path.join(withDir, 'meta.json'), JSON.stringify({ ...metaJson(), attribution: record() }));
  writeCsv(path.join(withDir, ATTRIBUTION_CSV), ATTRIBUTION_HEADER, rows);
  withoutDir = writeRunDir(path.join(tmp, 'results', 'without'), runRows);
  const a = await plotRun(withDir);
  const b = await plotRun(withoutDir);
  withFiles = readdirSync(a.outDir);
  withoutFiles = readdirSync(b.outDir);
  md = readFileSync(path.join(a.outDir, 'report.md'), 'utf8');
  mdWithout = readFileSync(path.join(b.outDir, 'report.md'), 'utf8');
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('reading attribution.csv', () => {
  it('reads it into RunData when present, and leaves it absent (no error) when not', () => {
    expect(loadRun(withDir).attribution).toEqual(rows);
    expect(loadRun(withoutDir).attribution).toBeUndefined();
  });
});

describe('figure 7-copy-attribution', () => {
  const figure = attributionFigure(rows, record(), [])!;
  const part = (figure.spec as Any).vconcat[0];
  const values: Any[] = part.data.values;

  it('has one bar per side for each variant × size, each bar summing to 1', () => {
    const bars = new Set(values.map((v) => `${v.group}|${v.side}`));
    expect(bars.size).toBe(3 * SIZES.length * SIDES.length);
    expect(new Set(values.map((v) => v.group)).size).toBe(3 * SIZES.length);
    for (const bar of bars) {
      const sum = values.filter((v) => `${v.group}|${v.side}` === bar).reduce((a, v) => a + v.share, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
    expect(part.facet.column.field).toBe('group');
    expect(part.spec.encoding.x.field).toBe('side');
    expect(part.spec.mark.type).toBe('bar');
  });

  it('puts the copy sites first, in the stack and in the legend', () => {
    expect(SITE_ORDER.slice(0, 4)).toEqual(['user_copy', 'send_copy', 'deferred_copy', 'recv_copy']);
    expect(SITE_ORDER.slice(4)).toEqual(['zc_overhead', 'stack', 'harness', 'irq_off', 'other']);
    const enc = part.spec.encoding;
    expect(enc.color.scale.domain).toEqual(SITE_ORDER);
    expect(enc.order).toMatchObject({ field: 'siteOrder', sort: 'ascending' });
    for (const v of values) expect(v.siteOrder).toBe(SITE_ORDER.indexOf(v.site));
  });

  it('names the sampling event and frequency, and says what irq_off is', () => {
    const subtitle = ((figure.spec as Any).title.subtitle as string[]).join(' ');
    expect(subtitle).toContain('cpu-clock at 4999 Hz');
    expect(subtitle).toMatch(/irq_off: time with interrupts off/);
    expect(figure.id).toBe(ATTRIBUTION_FIGURE_ID);
  });

  it('is not drawn without attribution.csv', () => {
    expect(attributionFigure(undefined, undefined, [])).toBeNull();
  });
});

describe('the plotted run folders', () => {
  it('with attribution.csv: every figure plus 7-copy-attribution', () => {
    expect(withFiles.sort()).toEqual([...FIGURE_FILES, `${ATTRIBUTION_FIGURE_ID}.svg`, `${ATTRIBUTION_FIGURE_ID}.png`, 'report.html', 'report.md'].sort());
  });

  it('without attribution.csv: every other figure, no attribution figure and no section', () => {
    expect(withoutFiles.sort()).toEqual([...FIGURE_FILES, 'report.html', 'report.md'].sort());
    expect(existsSync(path.join(withoutDir, ATTRIBUTION_CSV))).toBe(false);
    expect(mdWithout).not.toContain('Where do the copies occur?');
    expect(md).toContain('## Where do the copies occur?');
  });
});

describe('"Where do the copies occur?"', () => {
  const section = attributionSection({ meta: { ...(metaJson() as Any), attribution: record() }, config: null, attribution: rows })!;
  const text = (impl: string) => section.answers.find((a) => a.question.startsWith(impl))!.lines.join('\n');

  it('counts a copy at a share of at least COPY_PRESENT_SHARE', () => {
    expect(COPY_PRESENT_SHARE).toBe(0.02);
    const side = rows.filter((r) => r.implementation === 'zero_copy' && r.msg_size === 65536 && r.side === 'server');
    // zero_copy's sender has 1 % send_copy: under the threshold, not a copy.
    expect(copiesPresent(side)).toEqual([]);
    const one = rows.filter((r) => r.implementation === 'one_copy' && r.msg_size === 65536 && r.side === 'client');
    expect(copiesPresent(one).map((r) => r.site)).toEqual(['recv_copy']);
    expect(COPY_SITES).toEqual(SITE_ORDER.slice(0, 4));
  });

  it('two_copy: the sender shows user_copy and send_copy, 2 copies as the textbook', () => {
    expect(text('two_copy')).toMatch(/server \(sender\): 2 copies — user_copy 5\.7% \([\d.]+ ns\/B, user code\); send_copy 12\.3% \([\d.]+ ns\/B, kernel send path\)\. Textbook: 2 \(serialize \+ send\): as the textbook/);
    expect(text('two_copy')).toMatch(/client \(receiver\): 2 copies — user_copy 13\.3%.*recv_copy 11\.8%.*as the textbook/);
  });

  it('one_copy: one copy per side', () => {
    expect(text('one_copy')).toMatch(/server \(sender\): 1 copy — send_copy 19\.2%/);
    expect(text('one_copy')).toMatch(/client \(receiver\): 1 copy — recv_copy 14\.3%/);
  });

  it('zero_copy: no send_copy on the sender; the deferred copy named on the side it appeared', () => {
    const z = text('zero_copy');
    expect(z).toMatch(/server \(sender\): 0 copies — no copy site at or above the threshold\. Textbook: 0 .*: as the textbook/);
    expect(z).not.toMatch(/server \(sender\):[^\n]*send_copy/);
    expect(z).toMatch(/client \(receiver\): 2 copies — deferred_copy 19\.0%.*recv_copy 15\.0%.*more than the textbook/);
    expect(z).toMatch(/deferred copy .*appeared on the client side \(19\.0%\); with receive steering/);
  });

  it('carries the hottest symbols, the DMA framing and the irq_off caveat', () => {
    expect(text('two_copy')).toMatch(/ten hottest outside the copy sites: _raw_spin_unlock_irqrestore \(irq_off, 40\.0%\), native_write_msr \(stack, 3\.0%\)/);
    const intro = section.intro.join('\n');
    expect(intro).toMatch(/no NIC and no DMA/);
    expect(intro).toMatch(/hand-over .*softirq on the receiving CPU/);
    expect(intro).toMatch(/A PMU \(NMI sampling/);
    expect(attributionSection({ meta: null, config: null })).toBeNull();
  });
});
