// The comparison: the best peer per size, each variant's ratio to it, and
// the variation over repetitions. Pure.
import { IMPLEMENTATIONS, type Implementation } from '../config/domain.ts';
import { PEER_TOOLS, type PeerTool } from '../config/schema.ts';
import { formatSize } from '../results/format.ts';
import { coefficientOfVariation, median } from '../results/stats.ts';
import { SUBJECTS, SUBJECT_LABEL, type PeersRow } from './rows.ts';

export interface SizeComparison {
  msgSize: number;
  /** Median throughput over repetitions, Gbit/s, per subject measured at this size. */
  medians: Partial<Record<(typeof SUBJECTS)[number], number>>;
  /** The peer with the highest median at this size; null if no peer was measured. */
  bestPeer: { tool: PeerTool; gbps: number } | null;
  /** Each copybench variant's median ÷ the best peer's; null without a peer. */
  ratios: Partial<Record<Implementation, number | null>>;
}

/** Per message size: medians, the best peer, and every variant's ratio to it. */
export function compareWithPeers(rows: readonly PeersRow[]): SizeComparison[] {
  const sizes = [...new Set(rows.map((r) => r.msg_size))].sort((a, b) => a - b);
  return sizes.map((msgSize) => {
    const medians: SizeComparison['medians'] = {};
    for (const subject of SUBJECTS) {
      const m = median(rows.filter((r) => r.msg_size === msgSize && r.subject === subject).map((r) => r.throughput_gbps));
      if (m !== null) medians[subject] = m;
    }
    let bestPeer: SizeComparison['bestPeer'] = null;
    for (const tool of PEER_TOOLS) {
      const m = medians[tool];
      if (m !== undefined && (bestPeer === null || m > bestPeer.gbps)) bestPeer = { tool, gbps: m };
    }
    const ratios: SizeComparison['ratios'] = {};
    for (const impl of IMPLEMENTATIONS) {
      const m = medians[impl];
      if (m !== undefined) ratios[impl] = bestPeer ? m / bestPeer.gbps : null;
    }
    return { msgSize, medians, bestPeer, ratios };
  });
}

/** Coefficient of variation of throughput per subject at one size, over its repetitions. */
export function variationAt(rows: readonly PeersRow[], msgSize: number): Partial<Record<(typeof SUBJECTS)[number], { cv: number | null; n: number }>> {
  const out: Partial<Record<(typeof SUBJECTS)[number], { cv: number | null; n: number }>> = {};
  for (const subject of SUBJECTS) {
    const values = rows.filter((r) => r.msg_size === msgSize && r.subject === subject).map((r) => r.throughput_gbps);
    if (values.length) out[subject] = { cv: coefficientOfVariation(values), n: values.length };
  }
  return out;
}

/** The comparison as a plain-text table: medians in Gbit/s, then each variant's ratio to the best peer. */
export function formatComparison(comparison: readonly SizeComparison[]): string {
  const present = SUBJECTS.filter((s) => comparison.some((c) => c.medians[s] !== undefined));
  const impls = IMPLEMENTATIONS.filter((i) => present.includes(i));
  const header = ['size', ...present.map((s) => SUBJECT_LABEL[s]), 'best peer', ...impls.map((i) => `${SUBJECT_LABEL[i].split(' ')[0]}/best`)];
  const lines = comparison.map((c) => [
    formatSize(c.msgSize, 'iec'),
    ...present.map((s) => (c.medians[s] === undefined ? '—' : c.medians[s]!.toFixed(2))),
    c.bestPeer ? c.bestPeer.tool : '—',
    ...impls.map((i) => {
      const r = c.ratios[i];
      return r === undefined || r === null ? '—' : `${r.toFixed(2)}×`;
    }),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...lines.map((l) => l[j]!.length)));
  const fmt = (cells: string[]) => cells.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n');
}
