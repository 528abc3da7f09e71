// The remaining answers in words: the unexpected result (the strongest
// findings of findings.ts's rules, the rest listed), what a byte costs the
// CPU, and whether every repetition ran in one TCP regime. Pure.
import { CONFIDENCE } from '../results/stats.ts';
import type { CostFinding } from './analysis.ts';
import { figureNote, figureRef, paragraph, pointName, size, times } from './answer-text.ts';
import { ratioText } from './compare.ts';
import { pickFindings, type Finding, type FindingRule } from './findings.ts';
import { SEGMENT_REGIME_FACTOR, UNSTEADY_CV_PCT, repetitionText } from './regimes.ts';
import type { AnswerContext, KeyAnswer } from './report-answers.ts';

const RULES: Record<FindingRule, string> = {
  falls_with_threads: 'throughput falling with more threads',
  two_regimes: 'two regimes at one point',
  copy_count: 'a variant slower than its copy count predicts',
  setup_cost: "the setup's own cost (calibration)",
};

const effectText = (f: Finding) => (f.ci ? ratioText(f) : `${times(f.ratio)}, no interval`);

export function unexpectedAnswer(ctx: AnswerContext): KeyAnswer {
  const all = ctx.analysis.findings;
  const picked = pickFindings(all);
  const question = 'What result was unexpected?';
  const details = [
    `Rules checked: ${Object.values(RULES).join('; ')}. Strength: the smallest effect the data allows (|ln| of the interval's bound nearest 1; without an interval, the ratio less the run's resolution${ctx.analysis.resolutionPct === null ? '' : `, ±${ctx.analysis.resolutionPct.toFixed(1)}%`}).`,
    `CPU busy: a side's task-clock ÷ (warm-up + measured window) ÷ the CPUs it is pinned to; perf also counts set-up and drain, so a saturated CPU can read a little above 100%. Every candidate, strongest first:`,
    ...all.map(
      (f) =>
        `  [${RULES[f.rule]}; effect ${effectText(f)}; strength ${f.strength.toFixed(2)}${f.answeredElsewhere ? '; stated in another answer' : ''}] ${f.headline}. ${f.why.join(' ')}`,
    ),
  ];
  if (picked.length === 0) {
    return {
      question,
      paragraph: paragraph([`No rule found a result beyond noise that another answer does not already state (${all.length} candidate${all.length === 1 ? '' : 's'} checked)`]),
      figures: [],
      details,
    };
  }
  const [first, second] = picked;
  const figs = figureRef(ctx.figureIds, [...new Set(picked.flatMap((f) => f.figures))]);
  return {
    question,
    paragraph: paragraph([`${first!.headline}${figureNote(figureRef(ctx.figureIds, first!.figures))}`, ...first!.why, second ? `Also: ${second.headline}` : null]),
    figures: figs.ids,
    details,
  };
}

// --- CPU cost per byte ---------------------------------------------------------------

const SIDE_TEXT = { both: 'server + client', server: 'server (sender)', client: 'client (receiver)' } as const;

function costLine(what: string, c: CostFinding): string {
  return (
    `${what}, ${SIDE_TEXT[c.side]}, ${c.impl} ÷ two_copy (${c.mode}): median ${times(c.medianRatio)} over ${c.points} points; ` +
    `cheaper beyond noise at ${c.cheaperBeyondNoise}, dearer beyond noise at ${c.dearerBeyondNoise}` +
    (c.medianResolutionPct === null ? '' : `; resolution ±${c.medianResolutionPct.toFixed(1)}% (median half-width of the ${Math.round(CONFIDENCE * 100)}% intervals)`)
  );
}

export function costAnswer(ctx: AnswerContext): KeyAnswer {
  const a = ctx.analysis;
  const useCycles = a.cycles.length > 0;
  const list = (useCycles ? a.cycles : a.cpuTime).filter((c) => c.side === 'both');
  const what = useCycles ? 'cycles' : 'CPU time (task-clock)';
  const fig = figureRef(ctx.figureIds, [useCycles ? '4-cycles-per-byte' : '4b-cpu-time-per-byte']);
  const sentences = list.map((c) => {
    const trend = c.dearerBeyondNoise > c.cheaperBeyondNoise ? 'dearer' : c.cheaperBeyondNoise > c.dearerBeyondNoise ? 'cheaper' : 'no different';
    const beyond = trend === 'no different' ? '' : `: ${trend} beyond noise at ${trend === 'cheaper' ? c.cheaperBeyondNoise : c.dearerBeyondNoise} of them`;
    return (
      `Per byte, ${c.impl} costs ${times(c.medianRatio)} two_copy's ${what}, server + client (median of ${c.points} ${c.mode} points; ` +
      `middle point ${pointName(c.middle)}: ${ratioText(c.middle)})${beyond}`
    );
  });
  if (sentences.length) sentences[sentences.length - 1] += figureNote(fig);
  const details = [
    ...(a.absent.cycles ? [`cycles per byte: not measurable in this run: ${a.absent.cycles}`] : []),
    ...a.cycles.map((c) => costLine('cycles per byte', c)),
    ...(a.absent.cpuTime ? [`CPU time per byte: not measurable in this run: ${a.absent.cpuTime}`] : []),
    ...a.cpuTime.map((c) => costLine('CPU time per byte (task-clock, not cycles)', c)),
  ];
  return {
    question: 'What does a byte cost the CPU in each variant?',
    paragraph: paragraph([
      ...(sentences.length ? sentences : [`Not measurable in this run: ${a.absent.cpuTime ?? 'no point has both two_copy and another variant with CPU counts'}`]),
      !useCycles && a.absent.cycles ? 'Cycles were not counted here (no hardware counters), so CPU time stands in: time on a CPU, stalls included, at whatever clock the core ran' : null,
    ]),
    figures: sentences.length ? fig.ids : [],
    details,
  };
}

// --- regimes ------------------------------------------------------------------------

export function regimeAnswer(ctx: AnswerContext): KeyAnswer {
  const a = ctx.analysis;
  const fig = figureRef(ctx.figureIds, ['1-throughput']);
  const question = 'Did every repetition of a point run in the same TCP regime?';
  const lines: string[] = [];
  for (const r of a.regimes) lines.push(`  ${r.impl} ${r.mode} ${size(r.msgSize)} ${r.threads}t: ${r.split.reps.map(repetitionText).join('; ')}`);
  if (a.unsteady.length) {
    lines.push(`Points that varied by more than ${UNSTEADY_CV_PCT}% (coefficient of variation of throughput) within one regime, each repetition named:`);
    for (const u of a.unsteady) lines.push(`  ${u.impl} ${u.mode} ${size(u.msgSize)} ${u.threads}t (CV ${u.cvPct.toFixed(0)}%): ${u.reps.map(repetitionText).join('; ')}`);
  }
  if (!a.regimesKnown) {
    return { question, paragraph: paragraph(["Not measurable in this run: its results.csv has no limited_by or tcp_bytes_per_segment values (TCP's account was not read)"]), figures: [], details: [] };
  }
  const n = a.regimes.length;
  return {
    question,
    paragraph: paragraph([
      n === 0
        ? 'Yes: every point ran all its repetitions in one regime'
        : `No: ${n} point${n === 1 ? '' : 's'} ran repetitions in different regimes (what limited the sender, or bytes per segment differing by more than ${SEGMENT_REGIME_FACTOR}×); their spread is a change of regime, not noise, and no verdict is given there${figureNote(fig)}`,
      a.unsteady.length
        ? `${a.unsteady.length} more point${a.unsteady.length === 1 ? '' : 's'} varied by more than ${UNSTEADY_CV_PCT}% (coefficient of variation of throughput) within one regime; each repetition is named under Details`
        : null,
    ]),
    figures: n > 0 ? fig.ids : [],
    details: n ? [`Points whose repetitions ran in different regimes:`, ...lines] : lines,
  };
}
