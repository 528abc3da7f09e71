// The peer baseline's figure: throughput vs message size for copybench's
// variants (a1, a2, a3) and its peers (iperf3, sockperf), as a vega-lite
// spec. Pure: rows in, spec out; render.ts draws it.
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, VARIANT_COLOURS, sizeAxis } from '../plots/theme.ts';
import { median } from '../results/stats.ts';
import { SUBJECTS, SUBJECT_LABEL, type PeersRow } from './rows.ts';

export const PEER_FIGURE_ID = 'peers-throughput';

// Styling, not data: copybench's variants in their usual colours, solid;
// the peers in greys, dashed, so the baseline reads as a reference.
const COLOURS: Record<(typeof SUBJECTS)[number], string> = {
  ...VARIANT_COLOURS,
  iperf3: '#444444',
  sockperf: '#999999',
};

export interface PeerFigureContext {
  /** e.g. "netns (veth)", "loopback". */
  topology: string;
  pinning: { server: string | null; client: string | null };
  warmupS: number;
  durationS: number;
}

/** One point per subject and size: the median over repetitions, and the slowest and fastest. */
export function peerFigureValues(rows: readonly PeersRow[]) {
  const out: { subject: string; tool: string; kind: string; size: number; median: number; min: number; max: number; reps: number }[] = [];
  for (const subject of SUBJECTS) {
    const sizes = [...new Set(rows.filter((r) => r.subject === subject).map((r) => r.msg_size))].sort((a, b) => a - b);
    for (const size of sizes) {
      const values = rows.filter((r) => r.subject === subject && r.msg_size === size).map((r) => r.throughput_gbps);
      out.push({
        subject: SUBJECT_LABEL[subject],
        tool: subject,
        kind: subject === 'iperf3' || subject === 'sockperf' ? 'peer' : 'copybench',
        size,
        median: median(values)!,
        min: Math.min(...values),
        max: Math.max(...values),
        reps: values.length,
      });
    }
  }
  return out;
}

export function peerFigureSpec(rows: readonly PeersRow[], ctx: PeerFigureContext): TopLevelSpec {
  const values = peerFigureValues(rows);
  const present = SUBJECTS.filter((s) => values.some((v) => v.tool === s));
  const sizes = [...new Set(values.map((v) => v.size))].sort((a, b) => a - b);
  const reps = [...new Set(values.map((v) => v.reps))];
  const pin = (cpus: string | null) => (cpus === null ? 'unpinned' : `CPU ${cpus}`);
  // Short lines: the title block sets the figure's width.
  const subtitle = [
    `1 connection, stream, ${ctx.topology}`,
    `sender ${pin(ctx.pinning.server)}, receiver ${pin(ctx.pinning.client)}; ${ctx.warmupS} s warm-up, ${ctx.durationS} s measured; ` +
      `median of ${reps.length === 1 ? reps[0] : `${Math.min(...reps)}–${Math.max(...reps)}`} repetition${reps.length === 1 && reps[0] === 1 ? '' : 's'}`,
    'bars: slowest to fastest; copybench and iperf3 count bytes received, sockperf bytes sent',
  ];
  const enc = {
    x: sizeAxis(sizes),
    color: {
      field: 'subject',
      type: 'nominal' as const,
      title: null,
      scale: { domain: present.map((s) => SUBJECT_LABEL[s]), range: present.map((s) => COLOURS[s]) },
      sort: present.map((s) => SUBJECT_LABEL[s]),
    },
  };
  const y = (field: string) => ({ field, type: 'quantitative' as const, title: 'throughput (Gbit/s)', scale: { zero: true } });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: { text: 'Throughput vs message size: copybench and its peers', subtitle },
    width: 560,
    height: 320,
    data: { values },
    layer: [
      { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { ...enc, y: y('min'), y2: { field: 'max' } } },
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          ...enc,
          y: y('median'),
          strokeDash: {
            field: 'kind',
            type: 'nominal' as const,
            title: null,
            scale: { domain: ['copybench', 'peer'], range: [[1, 0], [6, 3]] },
          },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 36, opacity: 1 },
        encoding: {
          ...enc,
          y: y('median'),
          tooltip: [
            { field: 'subject' },
            { field: 'size', title: 'bytes' },
            { field: 'median', format: '.4~g' },
            { field: 'min', format: '.4~g' },
            { field: 'max', format: '.4~g' },
            { field: 'reps' },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}
