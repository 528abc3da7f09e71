// The zero-copy answers in words: why zero-copy is not always fastest, and
// what share of its sends the kernel copied after all (exactly, with where
// the rest were). Every clause is chosen by a rule over the analysis. Pure.
import { count, figureNote, figureRef, listText, paragraph, pct, pointName, size, summaryText, times } from './answer-text.ts';
import { ratioText } from './compare.ts';
import type { RatioAt } from './ratios.ts';
import type { AnswerContext, KeyAnswer } from './report-answers.ts';
import { COPIED_REASON_SHARE, exactShare, type ZeroCopyFinding, type ZeroCopyRemainder } from './zero-copy.ts';
import type { ShareRange, ZeroCopyWhy } from './zero-copy-why.ts';

const WHY_QUESTION = 'Why does zero-copy not always give the best throughput?';
const COPIED_QUESTION = 'What share of zero_copy sends were copied after all?';

const shareText = (s: ShareRange) => (s.min === s.max || s.points === 1 ? pct(s.min, 1) : `${pct(s.min, 1)}–${pct(s.max, 1)}`);
const link = (ctx: AnswerContext) => (ctx.data.config?.topology.kind === 'loopback' ? 'loopback' : ctx.data.config?.topology.kind === 'netns' ? 'veth' : null);

/** Where zero_copy stands against two_copy and one_copy: fastest somewhere, or never, with its best point's interval. */
function standingSentence(w: ZeroCopyWhy, fig: { text: string }): string {
  const at = (r: RatioAt) => pointName({ ...r, impl: undefined });
  const vsOne = w.vsOneAtBest ? ` and ${ratioText(w.vsOneAtBest)} of one_copy's` : '';
  if (w.beatsTwoAt.length > 0) {
    const where = w.beatsTwoAt.slice(0, 3).map(at);
    return (
      `zero_copy beats two_copy beyond noise only at ${w.beatsTwoAt.length} of ${w.vsTwo.points} points (${listText(where)}${w.beatsTwoAt.length > 3 ? ', …' : ''}); ` +
      `at its best, ${at(w.best)}, it moves ${ratioText(w.best)} of two_copy's throughput${vsOne}, and over all points ${summaryText(w.vsTwo)}${figureNote(fig)}`
    );
  }
  return (
    `zero_copy never beats two_copy beyond noise in this run: even where it comes closest, ${at(w.best)}, it moves ${ratioText(w.best)} of two_copy's throughput${vsOne}; ` +
    `over all ${w.vsTwo.points} points the median is ${times(w.vsTwo.median)}, slower beyond noise at ${w.vsTwo.below}${figureNote(fig)}`
  );
}

/** The sender's CPU per byte against one_copy's at the best point: dearer, no dearer, or cheaper, by its interval. */
function cpuSentence(at: RatioAt | null, all: ZeroCopyWhy['senderCpu'], fig: { text: string }, wins: boolean): string | null {
  if (!at) return null;
  const notes = [...(all ? [`median ${times(all.median)} over ${all.points} ${at.mode} points`] : []), ...(fig.text ? [fig.text] : [])];
  const head = `Its sender spends ${ratioText(at)} one_copy's CPU time per byte there${notes.length ? ` (${notes.join('; ')})` : ''}`;
  if (at.verdict === 'worse') return `${head}: pinning the pages and reading the completions cost more than the copy they save`;
  if (at.verdict === 'better') return `${head}: it saves sender CPU there${at.ratio < 1 && wins ? ', where it wins' : ', so sender CPU is not what holds it back'}`;
  return `${head}: no difference beyond noise, so sender CPU time does not explain it at that point`;
}

export function zeroCopyWhyAnswer(ctx: AnswerContext): KeyAnswer {
  const w = ctx.analysis.zeroCopyWhy;
  const z = ctx.analysis.zeroCopy;
  if (!w) {
    return { question: WHY_QUESTION, paragraph: paragraph(['Not measurable in this run: it has no zero_copy and two_copy throughput at the same points']), figures: [], details: [] };
  }
  const [speed, copies, cpu, attribution] = ['6-speedup', '5-zero-copy-completions', '4b-cpu-time-per-byte', '7-copy-attribution'].map((id) => figureRef(ctx.figureIds, [id]));
  const over = link(ctx);
  const copied =
    z && z.fraction !== null
      ? z.fraction >= COPIED_REASON_SHARE
        ? `The kernel flagged ${exactShare(z.copied, z.completions)} of its completions as copied${figureNote(copies!)}: ${over ? `over ${over} ` : ''}the pages are copied at delivery (a deferred copy), so it still makes one copy per message, only later`
        : `The kernel flagged only ${exactShare(z.copied, z.completions)} of its completions as copied${figureNote(copies!)}, so a deferred copy explains little here`
      : null;
  const shares = w.shares;
  const sampled =
    shares && (shares.zcOverhead || shares.deferredCopy)
      ? `Sampling puts ${[
          shares.zcOverhead ? `${shareText(shares.zcOverhead)} of the sender's time in pinning and completions (zc_overhead)` : '',
          shares.deferredCopy ? `${shareText(shares.deferredCopy)} of the receiver's in the deferred copy` : '',
        ]
          .filter(Boolean)
          .join(' and ')}${figureNote(attribution!)}`
      : null;
  return {
    question: WHY_QUESTION,
    paragraph: paragraph([standingSentence(w, speed!), copied, cpuSentence(w.senderCpuAtBest, w.senderCpu, cpu!, w.best.verdict === 'better'), sampled]),
    figures: [speed!, copies!, cpu!, ...(sampled ? [attribution!] : [])].flatMap((f) => f.ids),
    details: whyDetails(w),
  };
}

function whyDetails(w: ZeroCopyWhy): string[] {
  return [
    `zero_copy ÷ two_copy throughput: ${summaryText(w.vsTwo)}; faster beyond noise at ${w.vsTwo.above}, slower at ${w.vsTwo.below}`,
    ...(w.vsOne ? [`zero_copy ÷ one_copy throughput: ${summaryText(w.vsOne)}; faster beyond noise at ${w.vsOne.above}, slower at ${w.vsOne.below}`] : []),
    ...(w.senderCpu ? [`zero_copy ÷ one_copy sender CPU time per byte: ${summaryText(w.senderCpu)}; dearer beyond noise at ${w.senderCpu.above}, cheaper at ${w.senderCpu.below}`] : []),
    ...(w.shares?.zcOverhead ? [`zc_overhead (pinning, completions) share of the sender's samples: ${shareText(w.shares.zcOverhead)} over ${w.shares.zcOverhead.points} zero_copy points`] : []),
    ...(w.shares?.deferredCopy ? [`deferred_copy share of the receiver's samples: ${shareText(w.shares.deferredCopy)} over ${w.shares.deferredCopy.points} zero_copy points`] : []),
  ];
}

// --- the copied share ------------------------------------------------------------

/** The remainder in one sentence: how many, where, and what they share. */
export function remainderText(r: ZeroCopyRemainder): string {
  const points = new Set(r.rows.map((x) => `${x.mode}/${x.msgSize}/${x.threads}`)).size;
  const where = `${r.rows.length} repetition${r.rows.length === 1 ? '' : 's'} of ${points} point${points === 1 ? '' : 's'}`;
  const shared = r.common.length ? `: ${listText(r.common)}` : ', with no mode, size, thread count, repetition or retransmission in common';
  return `The ${count(r.unflagged)} completion${r.unflagged === 1 ? '' : 's'} not flagged as copied are in ${where}${shared}`;
}

/** One detail line per repetition holding unflagged completions. */
export function remainderLines(r: ZeroCopyRemainder): string[] {
  return r.rows.map(
    (x) =>
      `  ${x.mode} ${size(x.msgSize)}, ${x.threads} thread${x.threads === 1 ? '' : 's'}, repetition ${x.rep}: ${count(x.unflagged)} of ${count(x.completions)} not flagged` +
      (x.retrans === null ? '' : `; ${count(x.retrans)} retransmitted segments`),
  );
}

/** a4 beside a3, when it ran: io_uring's notifications carry the same verdict in their own flag. */
function uringSentence(u: ZeroCopyFinding | null): string | null {
  if (!u || u.fraction === null) return null;
  return `uring_zero_copy (io_uring SEND_ZC) had ${exactShare(u.copied, u.completions)} of its notification CQEs flagged copied (IORING_NOTIF_USAGE_ZC_COPIED), over ${u.points} points: the same kernel path decides, whichever interface asks`;
}

export function copiedAnswer(ctx: AnswerContext): KeyAnswer {
  const z = ctx.analysis.zeroCopy;
  const fig = figureRef(ctx.figureIds, ['5-zero-copy-completions']);
  const base = { question: COPIED_QUESTION, figures: fig.ids };
  if (!z) return { ...base, paragraph: paragraph(['Not measurable in this run: no zero_copy rows']), figures: [], details: [] };
  if (z.fraction === null) return { ...base, paragraph: paragraph([`No MSG_ZEROCOPY completions were recorded (${count(z.sends)} sends)`]), details: [] };
  const perPoint = z.minFraction !== null && z.minFraction !== z.maxFraction ? `; per point ${pct(z.minFraction, 1)}–${pct(z.maxFraction!, 1)}` : '';
  const hosts = z.acrossHosts && z.fraction < 1 ? z.acrossHosts : null;
  return {
    ...base,
    paragraph: paragraph([
      `The kernel flagged ${exactShare(z.copied, z.completions)} of zero_copy's MSG_ZEROCOPY completions as copied (SO_EE_CODE_ZEROCOPY_COPIED), over ${z.points} points${perPoint}${figureNote(fig)}`,
      z.reason ? `Why: ${z.reason}` : `The rest completed without the copied flag: the kernel sent those pages without copying them`,
      // Across two hosts below 100 %: the zero-copy that happened, and what it saved against one_copy.
      hosts ? hosts[0]! : z.remainder ? remainderText(z.remainder) : null,
      uringSentence(ctx.analysis.uringZeroCopy),
    ]),
    details: [
      `${count(z.sends)} sends, ${count(z.completions)} completions, ${count(z.copied)} flagged as copied, over ${z.points} points`,
      ...(z.remainder ? ['Repetitions holding completions not flagged as copied:', ...remainderLines(z.remainder)] : []),
      ...(hosts ? ['Across the two hosts, per point, what true zero-copy saved the sender:', ...hosts.slice(1).map((l) => `  ${l}`)] : []),
    ],
  };
}
