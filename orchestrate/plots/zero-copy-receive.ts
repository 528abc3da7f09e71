// Zero-copy receive (rx: zerocopy): how much of each sender's data the
// client mapped (TCP_ZEROCOPY_RECEIVE) instead of copying, and what mapping
// saved or cost the receiver against copying the same stream at the same
// point. Pure: rows in, the finding, its figure and its answer out.
import { IMPLEMENTATIONS, MODES, isZeroCopy, type Implementation, type Mode } from '../config/domain.ts';
import type { Row } from '../results/row.ts';
import { median } from '../results/stats.ts';
import { count, figureNote, figureRef, listText, paragraph, pct, pointName, times } from './answer-text.ts';
import { chooseLastLevel, rowFigures } from './dataset.ts';
import { buildFigure, rowsByMode, type Figure } from './figure.ts';
import type { AnswerContext, KeyAnswer } from './report-answers.ts';
import { PANEL, SIZE_LABEL_EXPR, variantColour } from './theme.ts';

export interface ReceivePoint {
  impl: Implementation;
  mode: Mode;
  msgSize: number;
  threads: number;
  reps: number;
  /** Message bytes mapped, and mapped + copied, over the zerocopy rows. */
  mapped: number;
  moved: number;
  fraction: number;
  /** Medians over repetitions, copying client against mapping client; null where either is unknown. */
  clientNsPerByte: { copy: number | null; map: number | null };
  gbps: { copy: number | null; map: number | null };
}

export interface ZeroCopyReceive {
  points: ReceivePoint[];
  /** Per sender over all its points: mapped ÷ moved. */
  senders: { impl: Implementation; mapped: number; moved: number; fraction: number }[];
}

const keyOf = (r: Row) => `${r.implementation}/${r.mode}/${r.msg_size}/${r.threads}`;
const med = (xs: (number | null)[]) => median(xs.filter((x): x is number => x !== null));

export function zeroCopyReceive(rows: readonly Row[]): ZeroCopyReceive | null {
  const mapping = rows.filter((r) => r.rx === 'zerocopy' && r.rx_mapped_bytes !== null && r.rx_copied_bytes !== null);
  if (mapping.length === 0) return null;
  const level = chooseLastLevel(rows);
  const clientCpu = (r: Row) => rowFigures(r, level).cpu_ns_per_byte_client;
  const groups = new Map<string, Row[]>();
  for (const r of mapping) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  const points = [...groups.values()].map((g): ReceivePoint => {
    const first = g[0]!;
    const copying = rows.filter((r) => r.rx !== 'zerocopy' && keyOf(r) === keyOf(first));
    const mapped = g.reduce((s, r) => s + r.rx_mapped_bytes!, 0);
    const moved = g.reduce((s, r) => s + r.rx_mapped_bytes! + r.rx_copied_bytes!, 0);
    return {
      impl: first.implementation, mode: first.mode, msgSize: first.msg_size, threads: first.threads, reps: g.length,
      mapped, moved, fraction: moved > 0 ? mapped / moved : 0,
      clientNsPerByte: { copy: med(copying.map(clientCpu)), map: med(g.map(clientCpu)) },
      gbps: { copy: med(copying.map((r) => r.throughput_gbps)), map: med(g.map((r) => r.throughput_gbps)) },
    };
  });
  points.sort((a, b) => MODES.indexOf(a.mode) - MODES.indexOf(b.mode) || IMPLEMENTATIONS.indexOf(a.impl) - IMPLEMENTATIONS.indexOf(b.impl) || a.msgSize - b.msgSize || a.threads - b.threads);
  const senders = IMPLEMENTATIONS.flatMap((impl) => {
    const mine = points.filter((p) => p.impl === impl);
    if (!mine.length) return [];
    const mapped = mine.reduce((s, p) => s + p.mapped, 0);
    const moved = mine.reduce((s, p) => s + p.moved, 0);
    return [{ impl, mapped, moved, fraction: moved > 0 ? mapped / moved : 0 }];
  });
  return { points, senders };
}

export function zeroCopyReceiveFigure(z: ZeroCopyReceive, notes: readonly string[]): Figure {
  const values = z.points.map((p) => ({ variant: p.impl, mode: p.mode, size: p.msgSize, threads: p.threads, fraction: p.fraction, mapped: p.mapped, moved: p.moved }));
  const impls = IMPLEMENTATIONS.filter((i) => values.some((v) => v.variant === i));
  const copyRule = 'a copying sender’s data sits in pages the kernel will not map; a zero-copy sender’s, copied at delivery into whole pages, can be mapped';
  return buildFigure(
    {
      id: '8-zero-copy-receive',
      title: 'Zero-copy receive: share of the bytes the client mapped',
      caption:
        'With rx: zerocopy the client maps the socket’s pages (TCP_ZEROCOPY_RECEIVE) and reads with recv only what the kernel will not map; ' +
        `each bar is the mapped share of the message bytes it received, summed over repetitions, per sender. Over veth or loopback ${copyRule}.`,
      lead: `mapped share per sender: ${z.senders.map((s) => `${s.impl} ${pct(s.fraction)}`).join(', ')}`,
      missing: [],
      rows: rowsByMode(values),
      panels: (row) => ({
        data: { values: row.values },
        width: { step: 18 },
        height: PANEL.height,
        encoding: {
          x: { field: 'size', type: 'ordinal', title: 'message size (bytes)', axis: { labelExpr: SIZE_LABEL_EXPR, labelAngle: 0 } },
          xOffset: { field: 'variant', sort: impls },
          y: { field: 'fraction', type: 'quantitative', title: 'mapped share of bytes received', scale: { domain: [0, 1] }, axis: { format: '%' } },
          color: variantColour(impls),
          tooltip: [{ field: 'variant' }, { field: 'size' }, { field: 'threads' }, { field: 'fraction', format: '.1%' }, { field: 'mapped' }, { field: 'moved' }],
        },
        mark: { type: 'bar' },
      }),
      empty: ['this run has no rx: zerocopy rows'],
    },
    notes,
  );
}

const QUESTION = 'Zero-copy receive: how much could the client map, and what did mapping save?';

/** What mapping did to the receiver at one point: its CPU time per byte and throughput, mapping ÷ copying. */
function effectText(p: ReceivePoint): string | null {
  const cpu = p.clientNsPerByte.copy && p.clientNsPerByte.map !== null ? p.clientNsPerByte.map / p.clientNsPerByte.copy : null;
  const gbps = p.gbps.copy && p.gbps.map !== null ? p.gbps.map / p.gbps.copy : null;
  if (cpu === null && gbps === null) return null;
  return `${pointName(p)}: ${pct(p.fraction)} mapped; receiver CPU per byte ${cpu === null ? 'unknown' : times(cpu)}, throughput ${gbps === null ? 'unknown' : times(gbps)} of copying`;
}

export function zeroCopyReceiveAnswer(ctx: AnswerContext, z: ZeroCopyReceive): KeyAnswer {
  const fig = figureRef(ctx.figureIds, ['8-zero-copy-receive']);
  const plain = z.senders.filter((s) => !isZeroCopy(s.impl));
  const zc = z.senders.filter((s) => isZeroCopy(s.impl));
  const share = (list: typeof z.senders) => listText(list.map((s) => `${s.impl} ${pct(s.fraction, 1)} (${count(s.mapped)} of ${count(s.moved)} bytes)`));
  const why =
    plain.length && zc.length && Math.max(...plain.map((s) => s.fraction)) < Math.min(...zc.map((s) => s.fraction))
      ? 'The sender decides what the receiver can map, through the page layout: a copying send leaves its data in compound pages, which TCP_ZEROCOPY_RECEIVE does not map, while a zero-copy send delivered on this host is copied at delivery into order-0 pages, which it does — so here only a zero-copy sender\'s data could be mapped'
      : null;
  const best = [...z.points].sort((a, b) => b.fraction - a.fraction)[0]!;
  return {
    question: QUESTION,
    paragraph: paragraph([
      `With rx: zerocopy the client mapped ${share(z.senders)} of the message bytes it received${figureNote(fig)}`,
      why,
      effectText(best) ? `Where it mapped most, ${effectText(best)}` : null,
    ]),
    figures: fig.ids,
    details: z.points.map((p) => `  ${effectText(p) ?? `${pointName(p)}: ${pct(p.fraction)} mapped`}`),
  };
}
