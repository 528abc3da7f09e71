// The analysis in words: the report's answers to the course's questions.
// Pure: findings (analysis.ts) in, plain-text lines out; report.ts escapes
// and lays them out. Every number here comes from the analysis.
import { MODES } from '../config/domain.ts';
import { formatSize } from '../results/format.ts';
import { CONFIDENCE, median, tQuantile } from '../results/stats.ts';
import type { Analysis, CostFinding, Crossover } from './analysis.ts';
import { CHALLENGERS, ratioText, type Verdict } from './compare.ts';
import { SEGMENT_REGIME_FACTOR, UNSTEADY_CV_PCT, repetitionText } from './regimes.ts';

const pct = (x: number, digits = 0) => `${(x * 100).toFixed(digits)}%`;
const times = (x: number) => `${x.toFixed(2)}×`;
const sizes = (list: readonly number[]) => list.map((s) => formatSize(s, 'course')).join(', ');

export interface Answer {
  question: string;
  /** One line each; plain text (the report escapes it). */
  lines: string[];
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

/** The course's questions, each answered from the analysis in plain lines. */
export function answers(a: Analysis): Answer[] {
  return [...crossoverAnswers(a), cacheAnswer(a), scalingAnswer(a), zeroCopyAnswer(a), costAnswer(a), regimeAnswer(a)];
}

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

function crossoverAnswers(a: Analysis): Answer[] {
  const noiseRule = noiseRuleText(a.reps);
  return CHALLENGERS.map((impl) => {
    const mine = a.crossovers.filter((c) => c.impl === impl);
    const lines: string[] = [noiseRule];
    if (mine.length === 0) lines.push(`not measurable in this run: it has no ${impl} and two_copy throughput at the same points`);
    for (const mode of MODES) {
      const m = mine.filter((c) => c.mode === mode);
      if (!m.length) continue;
      lines.push(`${mode === 'stream' ? 'stream (throughput)' : 'rr (request/response rate)'}:`);
      for (const c of m) lines.push(`  ${crossoverLine(c, a.reps.max)}`);
      if (a.reps.max >= 2) lines.push(`  ${chanceLine(m)}`);
    }
    return { question: `At what message size does ${impl} beat two_copy?`, lines };
  });
}

function cacheAnswer(a: Analysis): Answer {
  const cache = a.cache;
  const lines: string[] = [];
  if (cache.reason) lines.push(`not measurable in this run: ${cache.reason}`);
  else {
    for (const r of cache.reductions) {
      lines.push(
        `${r.label}, ${r.impl} vs two_copy (${cache.mode}, misses per KiB sent): median reduction ${pct(r.medianReduction)} over ${r.points} points; ` +
          `fewer beyond noise at ${r.fewerBeyondNoise}, more beyond noise at ${r.moreBeyondNoise}`,
      );
    }
    lines.unshift(
      cache.largest
        ? `${cache.largest.label} show the largest relative reduction: ${pct(cache.largest.medianReduction)} (median, ${cache.largest.impl} vs two_copy), beyond noise at ${cache.largest.fewerBeyondNoise} of ${cache.largest.points} points`
        : 'no cache level shows a reduction beyond noise in this run',
    );
  }
  return { question: 'Which cache level shows the largest relative reduction from two_copy to the others?', lines };
}

function scalingAnswer(a: Analysis): Answer {
  const lines: string[] = [];
  if (a.scalingReason) lines.push(`not measurable in this run: ${a.scalingReason}`);
  for (const s of a.scaling) {
    const parts = s.byThreads.map(
      (b) => `${b.threads} threads ${pct(b.median)} (${pct(b.min)}–${pct(b.max)}; total ${times((b.median * b.threads) / s.baseThreads)} of ${s.baseThreads})`,
    );
    lines.push(`${s.impl} (${s.mode}): ${parts.join('; ')}`);
  }
  if (a.scaling.length) {
    lines.unshift(
      `Efficiency = throughput at n threads ÷ (n/${a.scaling[0]!.baseThreads} × throughput at ${a.scaling[0]!.baseThreads}); 100% is perfect scaling. Median over message sizes (min–max).`,
    );
    if (a.pinning) lines.push(a.pinning);
  }
  return { question: 'How well does each variant scale with threads?', lines };
}

function zeroCopyAnswer(a: Analysis): Answer {
  const z = a.zeroCopy;
  const lines: string[] = [];
  if (!z) lines.push('not measurable in this run: no zero_copy rows');
  else if (z.fraction === null) lines.push(`no MSG_ZEROCOPY completions were recorded (${z.sends} sends)`);
  else {
    lines.push(
      `${pct(z.fraction, 1)} of ${z.completions} completions (${z.sends} sends, ${z.points} points) were deferred copies` +
        (z.minFraction !== null && z.minFraction !== z.maxFraction ? ` (per point ${pct(z.minFraction, 1)}–${pct(z.maxFraction!, 1)})` : ''),
    );
    if (z.reason) lines.push(`Why: ${z.reason}`);
  }
  return { question: 'What share of zero_copy sends were copied after all?', lines };
}

function costAnswer(a: Analysis): Answer {
  const lines: string[] = [];
  if (a.absent.cycles) lines.push(`cycles per byte: not measurable in this run: ${a.absent.cycles}`);
  for (const c of a.cycles) lines.push(costLine('cycles per byte', c));
  if (a.absent.cpuTime) lines.push(`CPU time per byte: not measurable in this run: ${a.absent.cpuTime}`);
  for (const c of a.cpuTime) lines.push(costLine('CPU time per byte (task-clock, not cycles)', c));
  return { question: 'What does a byte cost the CPU in each variant?', lines };
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

const SIDE_TEXT = { both: 'server + client', server: 'server (sender)', client: 'client (receiver)' } as const;

function costLine(what: string, c: CostFinding): string {
  return (
    `${what}, ${SIDE_TEXT[c.side]}, ${c.impl} ÷ two_copy (${c.mode}): median ${times(c.medianRatio)} over ${c.points} points; ` +
    `cheaper beyond noise at ${c.cheaperBeyondNoise}, dearer beyond noise at ${c.dearerBeyondNoise}` +
    (c.medianResolutionPct === null ? '' : `; resolution ±${c.medianResolutionPct.toFixed(1)}% (median half-width of the ${Math.round(CONFIDENCE * 100)}% intervals)`)
  );
}

function regimeAnswer(a: Analysis): Answer {
  const lines: string[] = [];
  if (!a.regimesKnown) lines.push('not measurable in this run: its results.csv has no limited_by or tcp_bytes_per_segment values (TCP\'s account was not read)');
  else if (a.regimes.length === 0) lines.push('every point ran all its repetitions in one regime');
  else {
    lines.push(
      `${a.regimes.length} point${a.regimes.length === 1 ? '' : 's'} ran repetitions in different regimes (what limited the sender, or bytes per segment ` +
        `differing by more than ${SEGMENT_REGIME_FACTOR}×): their spread is a change of regime, not noise, and no verdict is given there.`,
    );
    for (const r of a.regimes) {
      lines.push(`  ${r.impl} ${r.mode} ${formatSize(r.msgSize, 'course')} ${r.threads}t: ${r.split.reps.map(repetitionText).join('; ')}`);
    }
  }
  if (a.regimesKnown && a.unsteady.length) {
    lines.push(
      `${a.unsteady.length} more point${a.unsteady.length === 1 ? '' : 's'} varied by more than ${UNSTEADY_CV_PCT}% (coefficient of variation of throughput) ` +
        'within one regime by this rule; each repetition, named:',
    );
    for (const u of a.unsteady) {
      lines.push(`  ${u.impl} ${u.mode} ${formatSize(u.msgSize, 'course')} ${u.threads}t (CV ${u.cvPct.toFixed(0)}%): ${u.reps.map(repetitionText).join('; ')}`);
    }
  }
  return { question: 'Did every repetition of a point run in the same TCP regime?', lines };
}
