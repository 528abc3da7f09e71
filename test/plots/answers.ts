// The report's answers for a synthetic run, and their words in one string: what the answer tests read.
import { analyse } from '../../orchestrate/plots/analysis.ts';
import type { RunData } from '../../orchestrate/plots/dataset.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { keyAnswers, type KeyAnswer } from '../../orchestrate/plots/report-answers.ts';
import type { Row } from '../../orchestrate/results/row.ts';
import { FIGURE_IDS as RUN_FIGURE_IDS, runData } from './synthetic.ts';

/** Every figure id a full report has: attribution's too. */
export const FIGURE_IDS = [...RUN_FIGURE_IDS, '7-copy-attribution'];

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
