// Which figures need which perf events: said before a run starts, so that a
// machine without a PMU is known for what it is in the run's first lines,
// not after the matrix. Pure: the events perf cannot count in, lines out.

/** Each figure's perf events; a figure is filled when every group has one event counted. */
interface FigureNeed {
  figure: string;
  /** Groups of alternatives: each group needs one of its events counted (a name with `:u`/`:k` counts too). */
  needs: string[][];
  /** What stands in, or what the figure does instead. */
  instead: string;
}

export const FIGURE_NEEDS: readonly FigureNeed[] = [
  {
    figure: 'figure 3 (cache misses per KiB)',
    needs: [['L1-dcache-load-misses'], ['LLC-load-misses', 'cache-misses']],
    instead: 'it and the cache question of the report say what is missing instead of drawing',
  },
  {
    figure: 'figure 4 (cycles per byte)',
    needs: [['cycles', 'cpu-cycles']],
    instead: 'figure 4b (CPU time per byte, from task-clock) stands in for it',
  },
  {
    figure: 'figure 4b (CPU time per byte)',
    needs: [['task-clock', 'cpu-clock']],
    instead: 'nothing stands in: add task-clock to perf.events',
  },
];

const base = (event: string) => event.replace(/:[ukhG]+$/, '');

/**
 * One line per figure that this machine (or this config's event list) cannot
 * fill, or fill only in part: what is missing and what happens instead.
 * `requested`: the config's perf events; `unsupported`: those perf reported
 * as <not supported> here.
 */
export function unfillableFigures(requested: readonly string[], unsupported: readonly string[]): string[] {
  const counted = new Set(requested.filter((e) => !unsupported.includes(e)).map(base));
  const asked = new Set(requested.map(base));
  const lines: string[] = [];
  for (const need of FIGURE_NEEDS) {
    const groups = need.needs.map((alternatives) => ({
      alternatives,
      counted: alternatives.some((e) => counted.has(e)),
      asked: alternatives.some((e) => asked.has(e)),
    }));
    const lacking = groups.filter((g) => !g.counted);
    if (lacking.length === 0) continue;
    const why = lacking
      .map((g) => `${g.alternatives.join(' or ')} ${g.asked ? 'not counted on this machine' : 'not in perf.events'}`)
      .join('; ');
    const part = lacking.length < groups.length ? ' in part' : '';
    lines.push(`${need.figure} cannot be filled${part}: ${why} — ${need.instead}`);
  }
  return lines;
}
