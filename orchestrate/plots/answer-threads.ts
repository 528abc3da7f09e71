// The cache and thread answers in words: which cache level shows the largest
// reduction (or, without a PMU, that nothing was counted and what would
// count it), and how thread count interacts with contention, stream and rr
// apart, read against the run's pinning. Every clause is chosen by a rule
// over the analysis. Pure.
import { cpusOf } from '../config/cpus.ts';
import type { Config } from '../config/schema.ts';
import type { Analysis, LevelReduction } from './analysis.ts';
import { figureNote, figureRef, listText, paragraph, pct, pointName, size, summaryText, threadsText, times } from './answer-text.ts';
import { ratioText } from './compare.ts';
import { pointEvidence } from './cpu-load.ts';
import { summarise } from './ratios.ts';
import type { AnswerContext, KeyAnswer } from './report-answers.ts';
import { FLAT_BAND, type ModeScaling } from './threads.ts';

const CACHE_QUESTION = 'Which cache level shows the largest relative reduction from two_copy to the others?';
const THREAD_QUESTION = 'How does thread count interact with contention?';
const CACHE_EVENTS = ['L1-dcache-load-misses', 'LLC-load-misses', 'cache-misses'];

/** `75% fewer [70%, 78%]` from a ratio of misses and its interval. */
function reductionText(r: LevelReduction): string {
  const m = r.middle;
  const ci = m.ci ? ` [${pct(1 - m.ci.hi)}, ${pct(1 - m.ci.lo)}]` : '';
  return `${pct(1 - m.ratio)}${ci} at ${pointName(m)}`;
}

export function cacheAnswer(ctx: AnswerContext): KeyAnswer {
  const cache = ctx.analysis.cache;
  const fig = figureRef(ctx.figureIds, ['3-cache-misses']);
  const details = cache.reductions.map(
    (r) =>
      `${r.label}, ${r.impl} vs two_copy (${cache.mode}, misses per KiB sent): median reduction ${pct(r.medianReduction)} over ${r.points} points, middle point ${reductionText(r)}; ` +
      `fewer beyond noise at ${r.fewerBeyondNoise}, more beyond noise at ${r.moreBeyondNoise}`,
  );
  if (cache.reason) {
    const requested = CACHE_EVENTS.filter((e) => ctx.data.events.includes(e));
    const would = requested.length
      ? `copybench already asks perf for ${listText(requested)} on each side, so the same config answers it`
      : `add ${listText(CACHE_EVENTS.slice(0, 2))} to the config's perf.events`;
    return {
      question: CACHE_QUESTION,
      paragraph: paragraph([
        `Not measurable in this run: ${cache.reason}`,
        `What would answer it: a machine whose PMU perf can read (\`perf list\` shows L1-dcache-load-misses and LLC-load-misses under [Hardware cache event]); ${would}${fig.text ? `, and ${fig.text} would compare misses per KiB sent` : ''}`,
        `No number is given here because none was measured${figureNote(fig)}`,
      ]),
      figures: fig.ids,
      details: [`not measurable in this run: ${cache.reason}`],
    };
  }
  const best = cache.largest;
  const otherLevels = [...new Set(cache.reductions.map((r) => r.level))].filter((l) => l !== best?.level);
  const others = otherLevels.flatMap((level) => {
    const top = cache.reductions.filter((r) => r.level === level).sort((a, b) => b.medianReduction - a.medianReduction)[0];
    return top ? [`${top.label}: ${pct(top.medianReduction)} at most (${top.impl}, median)`] : [];
  });
  return {
    question: CACHE_QUESTION,
    paragraph: paragraph([
      best
        ? `${best.label} fall the most: ${best.impl} has a median ${pct(best.medianReduction)} fewer than two_copy per KiB sent over ${best.points} ${cache.mode} points (middle point ${reductionText(best)}), fewer beyond noise at ${best.fewerBeyondNoise}${figureNote(fig)}`
        : `No cache level shows a reduction beyond noise in this run${figureNote(fig)}`,
      others.length ? `Next: ${others.join('; ')}` : null,
    ]),
    figures: fig.ids,
    details,
  };
}

// --- threads ---------------------------------------------------------------------

const TREND: Record<ModeScaling['trend'], string> = {
  scales: 'it scales',
  flat: `flat within ${Math.round((FLAT_BAND - 1) * 100)}%`,
  falls: 'it falls',
};

function modeSentence(s: ModeScaling): string {
  const per = s.byImpl.map((b) => `${b.impl} ${times(b.median)}`).join(', ');
  const m = s.summary;
  return (
    `In ${s.mode}, ${threadsText(s.threads)} move ${times(m.median)} the total throughput of ${threadsText(s.baseThreads)}: ${TREND[s.trend]} ` +
    `(median of ${m.points} variant × size points, ${m.min.toFixed(2)}–${times(m.max)}; per variant ${per}; middle point ${pointName(m.middle)}: ${ratioText(m.middle)})`
  );
}

/** What the pinning allows: both sides on the same CPUs, each side on fewer CPUs than threads, or room for every thread. */
export function pinningSentence(config: Config | null, maxThreads: number, streamTrend: ModeScaling['trend'] | null, cores: number | null = null): string | null {
  const p = config?.pinning;
  if (!p) return null;
  const n = (list: string | null) => (list === null ? cores : cpusOf(list).length);
  const [s, c] = [n(p.server), n(p.client)];
  if (p.server !== null && p.server === p.client) {
    const shared = s === 1 ? 'one core' : `${s} cores`;
    const outcome = streamTrend === 'scales' ? 'yet stream grew, so the core had time to spare with fewer threads' : 'so a flat total is the expected outcome';
    return `Both sides are pinned to CPU ${p.server}: ${maxThreads} threads of each side and the kernel's work for both share ${shared}, ${outcome}`;
  }
  const fewest = Math.min(s ?? Infinity, c ?? Infinity);
  if (fewest < maxThreads) {
    const cpus = (k: number | null) => (k === null ? 'all CPUs' : `${k} CPU${k === 1 ? '' : 's'}`);
    return `The sender is pinned to ${cpus(s)} and the receiver to ${cpus(c)} for up to ${maxThreads} threads each: past ${fewest} thread${fewest === 1 ? '' : 's'}, threads take turns on a core`;
  }
  return `Each side has at least as many CPUs as threads: the pinning does not cap scaling`;
}

/** Why rr did (or did not) scale: how busy the CPUs were at the smallest thread count, by rule. */
function rrSentence(ctx: AnswerContext, rr: ModeScaling | undefined, stream: ModeScaling | undefined): string | null {
  if (!rr) return null;
  const rows = ctx.data.rows.filter((r) => r.mode === 'rr' && r.threads === rr.baseThreads);
  const e = pointEvidence(rows, { config: ctx.data.config, meta: ctx.data.meta });
  const load = e.busy.shared ? e.busy.together : e.busy.server === null || e.busy.client === null ? null : Math.max(e.busy.server, e.busy.client);
  const where = e.busy.shared ? 'the shared core' : 'the busier side';
  if (rr.trend === 'scales') {
    return `rr scales${stream && stream.trend !== 'scales' ? ' where stream does not' : ''} because a round trip mostly waits: with ${threadsText(rr.baseThreads)} ${where} was ${load === null ? 'not fully' : pct(load)} busy, and more connections fill the wait`;
  }
  if (load !== null && load >= 0.9) return `rr does not scale either: with ${threadsText(rr.baseThreads)} its round trips already kept ${where} ${pct(load)} busy, leaving no waiting time to fill`;
  return load === null ? null : `rr does not scale although with ${threadsText(rr.baseThreads)} ${where} was only ${pct(load)} busy`;
}

/** Misses per KiB at the most threads ÷ at the fewest; or why contention shows only in throughput and CPU time. */
function cacheThreadSentence(a: Analysis): string {
  const parts = a.cacheWithThreads.flatMap((c) => {
    const most = Math.max(...c.ratios.map((r) => r.threads));
    const s = summarise(c.ratios.filter((r) => r.threads === most));
    return s ? [`${c.label} per KiB at ${threadsText(most)} are ${summaryText(s)} of the fewest threads'`] : [];
  });
  if (parts.length) return `Cache contention: ${parts.join('; ')}`;
  return `Cache misses were not counted here (${a.absent.l1 ? 'no hardware counters' : 'no cache events'}), so contention shows only in throughput and CPU time`;
}

export function threadAnswer(ctx: AnswerContext): KeyAnswer {
  const a = ctx.analysis;
  const fig = figureRef(ctx.figureIds, ['1-throughput', '2-latency']);
  if (a.scalingReason || a.modeScaling.length === 0) {
    return { question: THREAD_QUESTION, paragraph: paragraph([`Not measurable in this run: ${a.scalingReason ?? 'no variant was measured at two thread counts'}`]), figures: [], details: [] };
  }
  const stream = a.modeScaling.find((m) => m.mode === 'stream');
  const rr = a.modeScaling.find((m) => m.mode === 'rr');
  const maxThreads = Math.max(...a.modeScaling.map((m) => m.threads));
  const sentences = a.modeScaling.map(modeSentence);
  sentences[sentences.length - 1] += figureNote(fig);
  return {
    question: THREAD_QUESTION,
    paragraph: paragraph([...sentences, [pinningSentence(ctx.data.config, maxThreads, stream?.trend ?? null, ctx.data.meta?.machine.cores ?? null), rrSentence(ctx, rr, stream)].filter(Boolean).join('; '), cacheThreadSentence(a)]),
    figures: fig.ids,
    details: threadDetails(a),
  };
}

function threadDetails(a: Analysis): string[] {
  const lines: string[] = ['Total throughput at n threads ÷ at the fewest, per variant and size, with its 95% interval:'];
  for (const s of a.modeScaling) {
    for (const b of s.byImpl) {
      const mine = a.threadRatios.filter((r) => r.mode === s.mode && r.impl === b.impl).sort((x, y) => x.msgSize - y.msgSize || x.threads - y.threads);
      const bySize = [...new Set(mine.map((r) => r.msgSize))].map(
        (m) => `${size(m)} ${mine.filter((r) => r.msgSize === m).map((r) => `${r.threads}t ${ratioText(r)}`).join(', ')}`,
      );
      lines.push(`  ${b.impl} ${s.mode}: ${bySize.join('; ')}`);
    }
  }
  for (const s of a.scaling) {
    const parts = s.byThreads.map((b) => `${b.threads} threads ${pct(b.median)} (${pct(b.min)}–${pct(b.max)})`);
    lines.push(`Efficiency (throughput ÷ (n/${s.baseThreads} × throughput at ${s.baseThreads})), ${s.impl} (${s.mode}): ${parts.join('; ')}`);
  }
  if (a.pinning) lines.push(a.pinning);
  return lines;
}
