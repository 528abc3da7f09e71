// The report's "Where do the copies occur?" section (the course's Part A),
// from attribution.csv and meta.json's attribution record: per variant and
// point, each side's copies (site, share, CPU ns per byte, component) beside
// the textbook count, what veth does instead of a NIC's DMA, each side's
// hottest symbols outside the copy sites, and the irq_off caveat. Pure:
// data in, plain-text lines out (report.ts lays them out). A run without
// attribution.csv has no such section.
import { IMPLEMENTATIONS, MODES, SIDES, type Implementation, type Side } from '../config/domain.ts';
import type { AttributionRow } from '../results/attribution-rows.ts';
import { COPY_SITES, type Site } from '../results/attribution-symbols.ts';
import { formatSize } from '../results/format.ts';
import type { AttributionRecord } from '../results/meta.ts';
import type { RunData } from './dataset.ts';
import type { Answer } from './report-answers.ts';

export const ATTRIBUTION_SECTION_TITLE = 'Where do the copies occur?';

/** A copy site counts as a copy the side made when it holds at least this share of the side's samples. */
export const COPY_PRESENT_SHARE = 0.02;

/** Which component performs each copy. */
export const COPY_COMPONENT: Partial<Record<Site, string>> = {
  user_copy: 'user code',
  send_copy: 'kernel send path',
  deferred_copy: 'kernel deferred (pages copied at delivery, skb_copy_ubufs)',
  recv_copy: 'kernel receive path',
};

const ROLE: Record<Side, string> = { server: 'server (sender)', client: 'client (receiver)' };

/** The textbook count of copies per side, and what they are. */
export const TEXTBOOK: Record<Implementation, Record<Side, { count: number; what: string }>> = {
  two_copy: { server: { count: 2, what: 'serialize + send' }, client: { count: 2, what: 'recv + copy-out' } },
  one_copy: { server: { count: 1, what: 'the kernel send copy' }, client: { count: 1, what: 'the kernel receive copy' } },
  zero_copy: { server: { count: 0, what: 'none in theory: MSG_ZEROCOPY pins the pages' }, client: { count: 1, what: 'the kernel receive copy' } },
  uring_zero_copy: { server: { count: 0, what: 'none in theory: io_uring SEND_ZC pins the pages' }, client: { count: 1, what: 'the kernel receive copy' } },
};

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const nsB = (x: number | null) => (x === null ? 'ns/B unknown' : `${x.toPrecision(2)} ns/B`);

/** The copy sites a side's rows show at or above COPY_PRESENT_SHARE, in SITES order. */
export function copiesPresent(sideRows: readonly AttributionRow[]): AttributionRow[] {
  return COPY_SITES.flatMap((site) => sideRows.filter((r) => r.site === site && r.share >= COPY_PRESENT_SHARE));
}

function sideLine(impl: Implementation, side: Side, sideRows: readonly AttributionRow[]): string {
  const copies = copiesPresent(sideRows);
  const book = TEXTBOOK[impl][side];
  const list = copies.length
    ? copies.map((r) => `${r.site} ${pct(r.share)} (${nsB(r.cpu_ns_per_byte)}, ${COPY_COMPONENT[r.site]})`).join('; ')
    : 'no copy site at or above the threshold';
  const verdict = copies.length === book.count ? 'as the textbook' : `${copies.length > book.count ? 'more' : 'fewer'} than the textbook`;
  const irq = sideRows.find((r) => r.site === 'irq_off');
  const irqText = irq && irq.share > 0 ? `; irq_off ${pct(irq.share)}` : '';
  return `  ${ROLE[side]}: ${copies.length} cop${copies.length === 1 ? 'y' : 'ies'} — ${list}. Textbook: ${book.count} (${book.what}): ${verdict}${irqText}`;
}

type RecordPoint = AttributionRecord['points'][number];

function recordPoint(record: AttributionRecord | undefined, r: AttributionRow): RecordPoint | undefined {
  const prefix = `${r.implementation}/${r.mode}/${r.msg_size}/${r.threads}/`;
  return record?.points.find((p) => p.key.startsWith(prefix));
}

function hottestLine(side: Side, point: RecordPoint | undefined): string {
  const s = point?.sides[side];
  if (!s) return `  ${ROLE[side]}, hottest outside the copy sites: unknown (meta.json has no attribution record for this point)`;
  const list = s.hottest.map((h) => `${h.symbol} (${h.site}, ${s.samples ? pct(h.samples / s.samples) : '?'})`).join(', ');
  return `  ${ROLE[side]}, ten hottest outside the copy sites: ${list || 'none'}`;
}

function deferredLine(rows: readonly AttributionRow[], record: AttributionRecord | undefined): string | null {
  const seen = SIDES.flatMap((side) => rows.filter((r) => r.side === side && r.site === 'deferred_copy' && r.share >= COPY_PRESENT_SHARE));
  if (seen.length === 0) return '  deferred copy: not seen on either side at or above the threshold';
  const where = seen.map((r) => `the ${r.side} side (${pct(r.share)})`).join(' and ');
  const why = record?.steer_receive
    ? 'with receive steering the copy runs in the receive softirq on the receiving CPU'
    : 'it runs where the receive softirq runs';
  return `  deferred copy (veth copies the pinned pages at delivery, skb_copy_ubufs): appeared on ${where}; ${why}`;
}

function pointLines(impl: Implementation, rows: readonly AttributionRow[], record: AttributionRecord | undefined): string[] {
  const first = rows[0]!;
  const head = `${formatSize(first.msg_size, 'course')} ${first.mode}, ${first.threads} thread${first.threads === 1 ? '' : 's'}:`;
  const point = recordPoint(record, first);
  const deferred = impl === 'zero_copy' ? deferredLine(rows, record) : null;
  return [
    head,
    ...SIDES.map((side) => sideLine(impl, side, rows.filter((r) => r.side === side))),
    ...(deferred ? [deferred] : []),
    ...SIDES.map((side) => hottestLine(side, point)),
  ];
}

/** The section's opening lines: the rule, the sampling, the DMA framing, irq_off. */
function introLines(data: Pick<RunData, 'meta' | 'config'>, rows: readonly AttributionRow[]): string[] {
  const record = data.meta?.attribution;
  const event = record?.event ?? rows[0]?.event ?? 'unknown';
  const link = data.config?.topology.kind === 'loopback' ? 'loopback' : 'veth';
  const irqOff = rows.some((r) => r.site === 'irq_off' && r.samples > 0);
  return [
    `From attribution.csv: perf record -g, event ${event}${record ? ` at ${record.frequency_hz} Hz` : ''}, each side's samples split by site (idle and other programs left out). ` +
      `A copy is counted when its site holds at least ${pct(COPY_PRESENT_SHARE)} of the side's samples.`,
    `The course reports' framing "user → kernel, then kernel → NIC by DMA" does not fit here: over ${link} there is no NIC and no DMA. ` +
      `The ${link} hand-over (the peer's receive path, run as a softirq on the receiving CPU) takes its place, and with MSG_ZEROCOPY that hand-over copies the pinned pages (deferred_copy).`,
    irqOff || event === 'cpu-clock'
      ? 'irq_off is time with interrupts off, place unknown: without a PMU, cpu-clock samples come from a timer interrupt and pile up where interrupts are re-enabled. A PMU (NMI sampling, event cycles) resolves them.'
      : 'irq_off: none here (the event samples through NMIs).',
  ];
}

export interface AttributionSection {
  title: string;
  intro: string[];
  answers: Answer[];
}

/** The section; null when the run has no attribution.csv. */
export function attributionSection(data: Pick<RunData, 'meta' | 'config' | 'attribution'>): AttributionSection | null {
  const rows = data.attribution;
  if (rows === undefined) return null;
  const record = data.meta?.attribution;
  const answers = IMPLEMENTATIONS.flatMap((impl) => {
    const mine = rows.filter((r) => r.implementation === impl);
    if (mine.length === 0) return [];
    const keys = [...new Set(mine.map((r) => `${MODES.indexOf(r.mode)}/${r.msg_size}/${r.threads}`))].sort((a, b) => {
      const [ma, sa, ta] = a.split('/').map(Number);
      const [mb, sb, tb] = b.split('/').map(Number);
      return ma! - mb! || sa! - sb! || ta! - tb!;
    });
    const lines = keys.flatMap((k) => pointLines(impl, mine.filter((r) => `${MODES.indexOf(r.mode)}/${r.msg_size}/${r.threads}` === k), record));
    return [{ question: `${impl}: how many copies, and where?`, lines }];
  });
  return { title: ATTRIBUTION_SECTION_TITLE, intro: introLines(data, rows), answers };
}
