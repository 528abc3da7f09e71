// The analysis in words: the report's answers to the course's questions,
// answers first. Each question becomes a KeyAnswer: a short paragraph (its
// number, its 95 % interval, its figure) and the per-point detail lines for
// whoever wants them. Every clause is chosen by a rule from the run's data.
// Pure: findings (analysis.ts) in, plain text out; report.ts escapes and lays
// it out. The answers live here and in answer-copies.ts, answer-threads.ts
// and answer-more.ts.
import { zeroCopyReceiveAnswer } from './zero-copy-receive.ts';
import { MODES, type Implementation, type Mode } from '../config/domain.ts';
import { formatSize } from '../results/format.ts';
import { CONFIDENCE, median, tQuantile } from '../results/stats.ts';
import type { Analysis, Crossover } from './analysis.ts';
import { figureNote, figureRef, listText, paragraph, plural, pointName, size } from './answer-text.ts';
import { copiedAnswer, zeroCopyWhyAnswer } from './answer-copies.ts';
import { costAnswer, regimeAnswer, unexpectedAnswer } from './answer-more.ts';
import { cacheAnswer, threadAnswer } from './answer-threads.ts';
import { CHALLENGERS, COURSE_CHALLENGERS, ratioText, type Verdict } from './compare.ts';
import type { RunData } from './dataset.ts';

/** One course question answered: the paragraph a reader needs, the figures beside it, the detail behind it. */
export interface KeyAnswer {
  question: string;
  /** 2–4 sentences, plain text: the answer with its number and 95 % interval, naming its figure. */
  paragraph: string;
  /** Figure ids (`6-speedup`) shown beside the paragraph; only figures the report has. */
  figures: string[];
  /** Per-point lines, plain text; a line opening with two spaces belongs under the one before it. */
  details: string[];
}

/** The detail lines of a section that is not an answer (report-attribution.ts). */
export interface Answer {
  question: string;
  /** One line each; plain text (the report escapes it). */
  lines: string[];
}

export interface AnswerContext {
  analysis: Analysis;
  data: Pick<RunData, 'meta' | 'config' | 'events' | 'rows' | 'attribution'>;
  /** The ids of the figures this report has: answers name and show only these. */
  figureIds: readonly string[];
}

/** The course's questions in its order (why zero-copy, cache level, threads, one_copy, zero_copy, unexpected), then the run's own. */
export function keyAnswers(ctx: AnswerContext): KeyAnswer[] {
  return [
    zeroCopyWhyAnswer(ctx),
    cacheAnswer(ctx),
    threadAnswer(ctx),
    ...CHALLENGERS.filter((impl) => COURSE_CHALLENGERS.includes(impl) || ctx.analysis.crossovers.some((c) => c.impl === impl)).map((impl) => crossoverAnswer(ctx, impl)),
    unexpectedAnswer(ctx),
    copiedAnswer(ctx),
    ...(ctx.analysis.zeroCopyReceive ? [zeroCopyReceiveAnswer(ctx, ctx.analysis.zeroCopyReceive)] : []),
    costAnswer(ctx),
    regimeAnswer(ctx),
  ];
}

/** The line above the answers: what an interval is in this run. */
export function answersIntro(a: Analysis): string {
  if (a.reps.max < 2) return 'This run has one repetition per point: no interval, so no difference can be told from noise.';
  const n = a.reps.min === a.reps.max ? `${a.reps.min}` : `${a.reps.min}–${a.reps.max}`;
  return (
    `Every [lo, hi] is a ${Math.round(CONFIDENCE * 100)}% confidence interval from ${n} repetitions (Welch t on the logs); ` +
    '"beyond noise" means it excludes 1. Each answer is computed from this run; the lines behind it are under Details.'
  );
}

// --- one_copy and zero_copy against two_copy ------------------------------------

const sizes = (list: readonly number[]) => list.map((s) => formatSize(s, 'course')).join(', ');
const MODE_WORDS: Record<Mode, string> = { stream: 'stream', rr: 'rr' };

/** One sentence per mode: from which size (at which thread counts) the variant beats two_copy, with an interval; what happens elsewhere. */
export function crossoverSentence(impl: Implementation, mode: Mode, list: readonly Crossover[]): string | null {
  if (list.length === 0) return null;
  const ratios = list.flatMap((c) => c.ratios.map((r) => ({ ...r, threads: c.threads })));
  const count = (v: Verdict) => ratios.filter((r) => r.verdict === v).length;
  if (list.every((c) => c.status === 'undecided') && count('mixed_regimes') === 0) return `${impl} vs two_copy in ${MODE_WORDS[mode]}: cannot tell, one repetition per point`;
  const found = list.filter((c) => c.status === 'found');
  const elsewhere = [
    count('within_noise') ? `within noise at ${count('within_noise')}` : '',
    count('worse') ? `slower at ${count('worse')}` : '',
    count('mixed_regimes') ? `regimes differ at ${count('mixed_regimes')}` : '',
  ].filter(Boolean);
  const rest = elsewhere.length ? `; of the other points, ${elsewhere.join(', ')}` : '';
  if (found.length === 0) {
    const judged = ratios.filter((r) => r.verdict !== 'mixed_regimes');
    const best = judged.length ? judged.reduce((m, r) => (r.ratio > m.ratio ? r : m)) : null;
    const closest = best ? `; closest at ${pointName({ mode, msgSize: best.msgSize, threads: best.threads })}: ${ratioText(best)}` : '';
    return `In ${MODE_WORDS[mode]}, ${impl} never beats two_copy beyond noise (${elsewhere.join(', ') || 'no point judged'} of ${plural(ratios.length, 'point')}${closest})`;
  }
  const bySize = new Map<number, Crossover[]>();
  for (const c of found) bySize.set(c.smallest!, [...(bySize.get(c.smallest!) ?? []), c]);
  const groups = [...bySize.entries()].sort((a, b) => a[0] - b[0]).map(([from, cs]) => {
    const first = cs[0]!;
    const r = first.ratios.find((x) => x.msgSize === from)!;
    const holds = cs.every((c) => c.holdsAbove);
    const where = holds ? `from ${size(from)}` : `at ${sizes([...new Set(cs.flatMap((c) => c.beatsAt))].sort((a, b) => a - b))} only`;
    const at = `${listText(cs.map((c) => String(c.threads)))} thread${cs.length === 1 && first.threads === 1 ? '' : 's'}`;
    return `${where} at ${at} (${ratioText(r)}${cs.length > 1 ? ` at ${first.threads} threads` : ''})`;
  });
  return `In ${MODE_WORDS[mode]}, ${impl} beats two_copy beyond noise ${groups.join('; ')}${rest}`;
}

function crossoverAnswer(ctx: AnswerContext, impl: Implementation): KeyAnswer {
  const a = ctx.analysis;
  const mine = a.crossovers.filter((c) => c.impl === impl);
  const fig = figureRef(ctx.figureIds, ['6-speedup']);
  const sentences = MODES.map((m) => crossoverSentence(impl, m, mine.filter((c) => c.mode === m)));
  const judged = mine.flatMap((c) => c.ratios.filter((r) => r.ci !== null && r.verdict !== 'mixed_regimes')).length;
  const chance = judged > 0 ? `Two equal variants would still differ beyond noise at about ${((1 - CONFIDENCE) * judged).toFixed(1)} of these ${plural(judged, 'point')} by chance${figureNote(fig)}` : null;
  return {
    question: `At what message size does ${impl} beat two_copy?`,
    paragraph: mine.length
      ? paragraph([...sentences, chance ?? (fig.text ? `See ${fig.text}` : null)])
      : paragraph([`Not measurable in this run: it has no ${impl} and two_copy throughput at the same points`]),
    figures: mine.length ? fig.ids : [],
    details: crossoverDetails(a, impl),
  };
}

function crossoverDetails(a: Analysis, impl: Implementation): string[] {
  const mine = a.crossovers.filter((c) => c.impl === impl);
  const lines: string[] = [noiseRuleText(a.reps)];
  for (const mode of MODES) {
    const m = mine.filter((c) => c.mode === mode);
    if (!m.length) continue;
    lines.push(`${mode === 'stream' ? 'stream (throughput)' : 'rr (request/response rate)'}:`);
    for (const c of m) lines.push(`  ${crossoverLine(c, a.reps.max)}`);
    if (a.reps.max >= 2) lines.push(`  ${chanceLine(m)}`);
  }
  return lines;
}

function crossoverLine(c: Crossover, reps: number): string {
  const t = `${c.threads} thread${c.threads === 1 ? '' : 's'}`;
  const ratios = c.ratios.map((r) => `${formatSize(r.msgSize, 'course')} ${ratioText(r)}${VERDICT_MARK[r.verdict]}`).join(', ');
  if (c.status === 'undecided') {
    if (c.mixedAt.length) return `${t}: cannot tell — repetitions ran in different regimes at ${sizes(c.mixedAt)}. Ratios: ${ratios}`;
    return `${t}: cannot tell — ${reps === 1 ? 'one repetition' : 'a point with one repetition'}, so no spread to compare with`;
  }
  if (c.status === 'never') {
    const how = [
      c.worseAt.length ? `slower beyond noise at ${sizes(c.worseAt)}` : '',
      c.withinNoiseAt.length ? `within noise at ${sizes(c.withinNoiseAt)}` : '',
      c.mixedAt.length ? `repetitions in different regimes at ${sizes(c.mixedAt)}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return `${t}: never in this run (${how}). Ratios: ${ratios}`;
  }
  const rest = c.holdsAbove
    ? c.beatsAt.length > 1
      ? ` and at every larger size`
      : c.smallest === c.ratios[c.ratios.length - 1]?.msgSize
        ? ' (the largest size measured)'
        : ''
    : `, but not at every larger size (beyond noise at ${sizes(c.beatsAt)} only)`;
  return `${t}: from ${formatSize(c.smallest!, 'course')}${rest}. Ratios: ${ratios}`;
}

const VERDICT_MARK: Record<Verdict, string> = {
  better: '',
  worse: ' (slower)',
  within_noise: ' (noise)',
  noise_unknown: ' (?)',
  mixed_regimes: ' (regimes differ)',
};

/** What "beyond noise" means in this run, said once above every comparison. */
export function noiseRuleText(reps: Analysis['reps']): string {
  if (reps.max < 2) return 'This run has one repetition per point: no interval, so no difference can be told from noise.';
  const n = reps.min === reps.max ? `${reps.min}` : `${reps.min}–${reps.max}`;
  return (
    `"Beats" means beyond noise: the ${Math.round(CONFIDENCE * 100)}% confidence interval [lo, hi] of variant ÷ two_copy excludes 1 ` +
    `(a Welch t-interval on the logs of ${n} repetitions per side; ratios of geometric means). ` +
    'It assumes independent repetitions; it cannot see a drift shared by every repetition. ' +
    (reps.min <= 5
      ? `With ${reps.min} repetitions t is large (up to ${tQuantile(1 - (1 - CONFIDENCE) / 2, reps.min - 1).toFixed(1)}, at ${reps.min - 1} degrees of freedom), so intervals are wide: a difference narrower than the half-width cannot be resolved.`
      : '')
  ).trim();
}

/** How many wins and losses beyond noise luck alone would give, next to how many were found, and the resolution. */
function chanceLine(crossings: readonly Crossover[]): string {
  const judged = crossings.flatMap((c) => c.ratios.filter((r) => r.ci !== null && r.verdict !== 'mixed_regimes'));
  const compared = judged.length;
  const p = 1 - CONFIDENCE;
  const wins = crossings.reduce((n, c) => n + c.beatsAt.length, 0);
  const losses = crossings.reduce((n, c) => n + c.worseAt.length, 0);
  const resolution = median(judged.map((r) => r.ci!.halfWidthPct));
  return (
    `Beyond noise: faster at ${wins}, slower at ${losses} of ${compared} points` +
    (resolution === null ? '' : `; the smallest difference resolved is ±${resolution.toFixed(1)}% (median half-width of the intervals)`) +
    `. Two equal variants would still give an interval excluding 1 at ${Math.round(p * 100)}% of points, about ${(compared * p).toFixed(1)} of ${compared} by chance` +
    (wins > 0 ? ': an isolated win that does not hold at larger sizes may be one.' : '.')
  );
}
