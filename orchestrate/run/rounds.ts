// The adaptive rounds of a matrix run: after each batch, what results.csv
// holds so far decides (run/adaptive.ts, pure) which points get one more
// repetition. The campaign asks through its `more` hook.
import { experimentKey } from '../config/plan.ts';
import { readResultRecords } from '../results/store.ts';
import { adaptiveBudgetS, measuredOf, moreRepetitions } from './adaptive.ts';
import type { Step } from './campaign.ts';
import { experimentStep } from './copybench.ts';
import type { Request } from './request.ts';

/**
 * Adaptive repetitions: after each round, one more repetition of every point
 * whose throughput interval is still too wide, while the budget (counted from
 * the script's start) lasts; an experiment is tried once per session (a
 * failure is not retried; --resume runs it again).
 */
export function adaptiveRounds(request: Request, since: number, runDir: () => string, say: (line: string) => void): () => Step[] {
  const { config, only } = request;
  const budgetS = adaptiveBudgetS(config, only);
  const tried = new Set(request.todo.map(experimentKey));
  return () => {
    const next = moreRepetitions({
      config,
      measured: measuredOf(readResultRecords(runDir())),
      only,
      remainingS: budgetS - (Date.now() - since) / 1000,
    }).filter((e) => !tried.has(experimentKey(e)));
    next.forEach((e) => tried.add(experimentKey(e)));
    if (next.length) say(`adaptive repetitions: ${next.length} more, where throughput's 95% interval is still wider than the target`);
    return next.map((e) => experimentStep(e, config));
  };
}
