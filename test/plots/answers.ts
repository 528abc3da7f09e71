// The report's answers for a synthetic run, and their words in one string: what the answer tests read.
import { analyse } from '../../orchestrate/plots/analysis.ts';
import type { RunData } from '../../orchestrate/plots/dataset.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { keyAnswers, type KeyAnswer } from '../../orchestrate/plots/report-answers.ts';
import type { Row } from '../../orchestrate/results/row.ts';
import { runData } from './synthetic.ts';

/** Every figure id a full report has. */
export const FIGURE_IDS = [
  '1-throughput',
  '2-latency',
  '3-cache-misses',
  '4-cycles-per-byte',
  '4b-cpu-time-per-byte',
  '5-zero-copy-completions',
  '6-speedup',
  '7-copy-attribution',
];

export function answersOf(rows: Row[], data: RunData = runData(rows), figureIds: readonly string[] = FIGURE_IDS): KeyAnswer[] {
  return keyAnswers({ analysis: analyse(pointStats(data.rows), data), data, figureIds });
}

/** The answer whose question matches. */
export function answerTo(list: readonly KeyAnswer[], question: RegExp): KeyAnswer {
  const a = list.find((x) => question.test(x.question));
  if (!a) throw new Error(`no answer to ${question}: ${list.map((x) => x.question).join(' | ')}`);
  return a;
}

/** Paragraphs and details, one line each. */
export const textOf = (list: readonly KeyAnswer[]) => list.flatMap((a) => [a.paragraph, ...a.details]).join('\n');
