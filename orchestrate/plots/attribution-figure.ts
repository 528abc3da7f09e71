// Figure 7, copy attribution: where each side's sampled CPU time went, as
// stacked bars (one bar per side for each variant × size, one colour per
// site, the copy sites at the bottom and first in the legend). Pure:
// attribution.csv's rows and meta.json's attribution record in, a Figure out.
// A run without attribution.csv has no such figure (plotting.ts draws none).
import { IMPLEMENTATIONS, SIDES } from '../config/domain.ts';
import type { AttributionRow } from '../results/attribution-rows.ts';
import { COPY_SITES, SITES } from '../results/attribution-symbols.ts';
import { formatSize } from '../results/format.ts';
import type { AttributionRecord } from '../results/meta.ts';
import { buildFigure, rowsByMode, type Figure } from './figure.ts';
import { SITE_COLOURS } from './theme.ts';

export const ATTRIBUTION_FIGURE_ID = '7-copy-attribution';

/** The stack and legend order: the copy sites first, then the rest as SITES lists them. */
export const SITE_ORDER = [...COPY_SITES, ...SITES.filter((s) => !COPY_SITES.includes(s))];

export const SIDE_ROLE = { server: 'server (sends)', client: 'client (receives)' } as const;

/** One bar segment: a side's share of one site at one point. */
export interface AttributionValue {
  variant: AttributionRow['implementation'];
  mode: AttributionRow['mode'];
  size: number;
  threads: number;
  /** The facet column: variant · size (· threads when more than one count was sampled). */
  group: string;
  groupOrder: number;
  side: string;
  site: AttributionRow['site'];
  siteOrder: number;
  share: number;
  samples: number;
  cpu_ns_per_byte: number | null;
}

export function attributionValues(rows: readonly AttributionRow[]): AttributionValue[] {
  const threadCounts = new Set(rows.map((r) => r.threads));
  const groupOf = (r: AttributionRow) =>
    `${r.implementation} · ${formatSize(r.msg_size, 'course')}` + (threadCounts.size > 1 ? ` · ${r.threads}t` : '');
  const order = (r: AttributionRow) => IMPLEMENTATIONS.indexOf(r.implementation) * 1e9 + r.msg_size * 100 + r.threads;
  return rows.map((r) => ({
    variant: r.implementation,
    mode: r.mode,
    size: r.msg_size,
    threads: r.threads,
    group: groupOf(r),
    groupOrder: order(r),
    side: SIDE_ROLE[r.side],
    site: r.site,
    siteOrder: SITE_ORDER.indexOf(r.site),
    share: r.share,
    samples: r.samples,
    cpu_ns_per_byte: r.cpu_ns_per_byte,
  }));
}

function attributionPanels(values: readonly AttributionValue[]) {
  const groups = [...new Map(values.map((v) => [v.group, v.groupOrder])).entries()].sort((a, b) => a[1] - b[1]).map(([g]) => g);
  return {
    data: { values },
    facet: { column: { field: 'group', type: 'nominal' as const, title: null, sort: groups, header: { labelFontWeight: 'bold' as const } } },
    spec: {
      width: 96,
      height: 220,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'side', type: 'nominal' as const, title: null, sort: SIDES.map((s) => SIDE_ROLE[s]), axis: { labelAngle: -30 } },
        y: { field: 'share', type: 'quantitative' as const, aggregate: 'sum', title: "share of the side's samples", axis: { format: '.0%' }, scale: { domain: [0, 1] } },
        color: {
          field: 'site',
          type: 'nominal' as const,
          title: 'site',
          scale: { domain: SITE_ORDER, range: SITE_ORDER.map((s) => SITE_COLOURS[s]) },
          sort: SITE_ORDER,
        },
        // Ascending: the copy sites at the bottom of each bar.
        order: { field: 'siteOrder', type: 'quantitative' as const, sort: 'ascending' as const },
        tooltip: [
          { field: 'group', title: 'point' },
          { field: 'side' },
          { field: 'site' },
          { field: 'share', format: '.1%' },
          { field: 'samples' },
          { field: 'cpu_ns_per_byte', title: 'CPU ns/B', format: '.3~g' },
        ],
      },
    },
  };
}

/** The subtitle's lines about sampling: the event and frequency from meta.json, and what irq_off means. */
export function samplingLines(record: AttributionRecord | undefined, rows: readonly AttributionRow[]): string[] {
  const event = record?.event ?? rows[0]?.event ?? 'unknown event';
  const freq = record ? ` at ${record.frequency_hz} Hz` : ' (frequency unknown: meta.json has no attribution record)';
  const as = record ? `, each side sampled as its ${record.sampled_as === 'cpu' ? `pinned CPU (server ${record.pinning.server}, client ${record.pinning.client})` : 'process'}` : '';
  return [
    `Sampled with perf record -g, event ${event}${freq}${as}; idle and other programs' own work left out.`,
    'irq_off: time with interrupts off, place unknown (cpu-clock samples come from a timer interrupt when there is no PMU); a PMU (NMI sampling) resolves it.',
  ];
}

/** Figure 7; null when the run has no attribution.csv (no figure file then). */
export function attributionFigure(rows: readonly AttributionRow[] | undefined, record: AttributionRecord | undefined, notes: readonly string[]): Figure | null {
  if (rows === undefined) return null;
  const values = attributionValues(rows);
  return buildFigure(
    {
      id: ATTRIBUTION_FIGURE_ID,
      title: 'Where the copies occur: each side\'s samples by site',
      caption:
        "Copy attribution (attribution.csv): each bar is one side's sampled CPU time at one point, split by site; " +
        'the copy sites (user_copy, send_copy, deferred_copy, recv_copy) at the bottom. Shares of the side\'s samples.',
      lead: 'One bar per side (server sends, client receives) for each variant × size; colour: site, copy sites at the bottom.',
      missing: [],
      rows: rowsByMode(values),
      panels: (row) => attributionPanels(row.values),
      empty: ['attribution.csv has no rows'],
    },
    [...samplingLines(record, rows), ...notes],
  );
}
