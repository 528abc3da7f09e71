// report.html (one self-contained file: figures inline as data: URIs, styles
// inline, no script, nothing fetched) and report.md (figures as the PNGs
// beside it). Pure: data, the analysis and the rendered figures in, text
// out. The words are report-answers.ts's, the tables report-tables.ts's.
//
// Answers first: the title, one line (run, machine, rows, the other
// format), then "Answers" — per question its paragraph with its figures
// beside it — then "Details" (the lines behind each answer), the copy
// attribution, any extra sections, every figure, the summary table, and the
// machine, run and config tables last.
import type { Analysis } from './analysis.ts';
import type { RunData } from './dataset.ts';
import type { Figure } from './figure.ts';
import type { PointStats } from './points.ts';
import { attributionSection } from './report-attribution.ts';
import { answersIntro, keyAnswers, type Answer, type KeyAnswer } from './report-answers.ts';
import { configFacts, machineFacts, machineLine, rowsText, runFacts, summaryColumns, summaryLines } from './report-tables.ts';

export interface RenderedFigure {
  figure: Figure;
  svg: string;
  /** File names beside the report. */
  svgFile: string;
  pngFile: string;
}

/** A section the report does not build itself (the lead's seed comparison, ...): placed after the attribution section. */
export interface ExtraSection {
  title: string;
  /** Its body in Markdown, one line each. */
  markdown: string[];
  /** Its body in HTML, inserted as is: it must come from copybench's own code, escaped there. */
  html: string;
}

/** A section made of paragraphs, a table (header first) and notes (e.g. seed.ts's); tableSection renders it. */
export interface ReportSection {
  title: string;
  intro: string[];
  table: string[][];
  notes: string[];
}

export interface ReportInput {
  data: Pick<RunData, 'runId' | 'meta' | 'config' | 'rows' | 'events' | 'attribution'>;
  points: readonly PointStats[];
  analysis: Analysis;
  figures: readonly RenderedFigure[];
  /** When the report was made (ISO); passed in to keep this module pure. */
  generatedAt: string;
  /** Answers built elsewhere (queueing delay, ...), shown after this run's own, in this order; figures the report lacks are left out. */
  extraAnswers?: readonly KeyAnswer[];
  /** Sections built elsewhere, after the attribution section and before the figures. */
  extraSections?: readonly ExtraSection[];
}

/** Every answer of the report, in order: the course's (keyAnswers), then the extra ones; each showing only figures the report has. */
export function reportAnswers(input: ReportInput): KeyAnswer[] {
  const figureIds = input.figures.map((f) => f.figure.id);
  const own = keyAnswers({ analysis: input.analysis, data: input.data, figureIds });
  return [...own, ...(input.extraAnswers ?? [])].map((a) => ({ ...a, figures: a.figures.filter((id) => figureIds.includes(id)) }));
}

/** `Figure 6` from `6-speedup`. */
export const figureLabel = (id: string) => `Figure ${id.split('-')[0]}`;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// --- HTML ------------------------------------------------------------------------

const STYLE = `
body { font-family: 'DejaVu Sans', sans-serif; margin: 2rem auto; max-width: 1400px; padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; } h3 { margin-bottom: 0.3rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.6rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
table.summary td { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #333; } .missing { color: #8a1c1c; } .wide { overflow-x: auto; }
section.key { display: grid; grid-template-columns: minmax(16rem, 2fr) minmax(0, 3fr); gap: 1.5rem; align-items: start; border-top: 1px solid #eee; padding: 0.8rem 0; }
section.key .figs figure { margin: 0 0 1rem 0; } section.key .figs img { width: 100%; } .seen { font-size: 0.9rem; margin: 0 0 0.6rem 0; }
@media (max-width: 900px) { section.key { grid-template-columns: 1fr; } }
.answer { white-space: pre-wrap; margin: 0.2rem 0 0.2rem 1rem; } pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; font-size: 0.8rem; }
`;

function factTable(rows: readonly [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

function linesHtml(list: readonly Answer[]): string {
  return list
    .map((a) => `<h3>${escapeHtml(a.question)}</h3>` + a.lines.map((l) => `<p class="answer">${escapeHtml(l)}</p>`).join(''))
    .join('\n');
}

/**
 * One answer: its words on the left, its figures (inline SVG images) on the
 * right. A figure already drawn beside an earlier answer (`shown`) is linked
 * there instead of drawn again: every SVG image would otherwise weigh on the
 * one file once per answer that names it.
 */
function keyAnswerHtml(a: KeyAnswer, index: number, figures: readonly RenderedFigure[], shown: Map<string, number>): string {
  const figs = a.figures.flatMap((id) => figures.filter((f) => f.figure.id === id));
  const figHtml = figs
    .map(({ figure: f, svg }) => {
      const label = `${escapeHtml(figureLabel(f.id))}: ${escapeHtml(f.title)}`;
      const earlier = shown.get(f.id);
      if (earlier !== undefined) return `<p class="seen"><a href="#answer-${earlier}">${label}</a>, beside an answer above</p>`;
      shown.set(f.id, index);
      return `<figure><img alt="${escapeHtml(f.title)}" src="${svgDataUri(svg)}"><figcaption><a href="#${escapeHtml(f.id)}">${label}</a></figcaption></figure>`;
    })
    .join('');
  return `<section class="key" id="answer-${index}"><div class="words"><h3>${escapeHtml(a.question)}</h3><p>${escapeHtml(a.paragraph)}</p></div><div class="figs">${figHtml}</div></section>`;
}

/** Every answer, each figure drawn beside the first answer that names it. */
function keyAnswersHtml(answers: readonly KeyAnswer[], figures: readonly RenderedFigure[]): string {
  const shown = new Map<string, number>();
  return answers.map((a, i) => keyAnswerHtml(a, i + 1, figures, shown)).join('\n');
}

/** "Where do the copies occur?" (report-attribution.ts); empty when the run has no attribution.csv. */
function attributionHtml(data: ReportInput['data']): string {
  const section = attributionSection(data);
  if (!section) return '';
  return `<h2>${escapeHtml(section.title)}</h2>\n${section.intro.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}\n${linesHtml(section.answers)}\n`;
}

function figuresHtml(figures: readonly RenderedFigure[]): string {
  return figures
    .map(({ figure: f, svg, svgFile, pngFile }) => {
      const missing = f.missing.length ? `<p class="missing">Missing: ${f.missing.map(escapeHtml).join('; ')}</p>` : '';
      return (
        `<figure id="${escapeHtml(f.id)}"><h3>${escapeHtml(figureLabel(f.id))}: ${escapeHtml(f.title)}</h3>` +
        `<img alt="${escapeHtml(f.title)}" src="${svgDataUri(svg)}">` +
        `<figcaption>${escapeHtml(f.caption)} ${missing}` +
        `<br>Files: <a href="${escapeHtml(svgFile)}">${escapeHtml(svgFile)}</a>, <a href="${escapeHtml(pngFile)}">${escapeHtml(pngFile)}</a></figcaption></figure>`
      );
    })
    .join('\n');
}

const SUMMARY_NOTE =
  'Medians over repetitions. ÷ two_copy: throughput ratio (geometric means) with its 95% confidence interval [lo, hi]; ≈ within run-to-run noise (the interval holds 1), ‡ repetitions in different TCP regimes, ? one repetition.';

/** The line under the title: run, machine, rows, when, and the other format. */
function openingLine(input: ReportInput, other: string): string {
  return `Run ${input.data.runId} on ${machineLine(input.data)}; ${rowsText(input.data, input.points)}; generated ${input.generatedAt}. ${other}`;
}

export function reportHtml(input: ReportInput): string {
  const { data, points, analysis, figures } = input;
  const lines = summaryLines(points, analysis.speedups);
  const cols = summaryColumns(lines);
  const answers = reportAnswers(input);
  const table =
    `<div class="wide"><table class="summary"><thead><tr>${cols.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('')}</tr></thead><tbody>` +
    lines.map((l) => `<tr>${cols.map((c) => `<td>${escapeHtml(c.cell(l))}</td>`).join('')}</tr>`).join('') +
    `</tbody></table></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>copybench report: ${escapeHtml(data.runId)}</title>
<style>${STYLE}</style></head>
<body>
<h1>copybench report: ${escapeHtml(data.runId)}</h1>
<p>${escapeHtml(openingLine(input, 'The same report as Markdown, figures as PNG files:'))} <a href="report.md">report.md</a>.</p>
<h2>Answers</h2>
<p>${escapeHtml(answersIntro(analysis))}</p>
${keyAnswersHtml(answers, figures)}
<h2>Details</h2>
${linesHtml(answers.map((a) => ({ question: a.question, lines: a.details })))}
${attributionHtml(data)}${(input.extraSections ?? []).map((s) => `<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n`).join('')}<h2>All figures</h2>
${figuresHtml(figures)}
<h2>Summary</h2>
<p>${escapeHtml(SUMMARY_NOTE)}</p>
${table}
<h2>Machine</h2>${factTable(machineFacts(data))}
<h2>Run</h2>${factTable(runFacts(data, points))}
<h2>Config</h2>${factTable(configFacts(data))}
${data.config ? `<details><summary>full config</summary><pre>${escapeHtml(JSON.stringify(data.config, null, 2))}</pre></details>` : ''}
</body></html>
`;
}

// --- Markdown ----------------------------------------------------------------------

const mdCell = (s: string) => s.replace(/\|/g, '\\|');

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.map(mdCell).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ].join('\n');
}

const linesMd = (list: readonly Answer[]) =>
  list.flatMap((a) => [`### ${a.question}`, '', ...a.lines.map((l) => (l.startsWith('  ') ? `  - ${l.trim()}` : `- ${l}`)), '']);

function attributionMd(data: ReportInput['data']): string[] {
  const section = attributionSection(data);
  return section ? [`## ${section.title}`, '', ...section.intro.flatMap((l) => [l, '']), ...linesMd(section.answers)] : [];
}

/** One answer: question, paragraph, and each of its figures' PNG right under it. */
function keyAnswerMd(a: KeyAnswer, figures: readonly RenderedFigure[]): string[] {
  const figs = a.figures.flatMap((id) => figures.filter((f) => f.figure.id === id));
  return [`### ${a.question}`, '', a.paragraph, '', ...figs.flatMap(({ figure: f, pngFile }) => [`![${figureLabel(f.id)}: ${f.title}](${pngFile})`, ''])];
}

export function reportMarkdown(input: ReportInput): string {
  const { data, points, analysis, figures } = input;
  const lines = summaryLines(points, analysis.speedups);
  const cols = summaryColumns(lines);
  const answers = reportAnswers(input);
  const facts = (rows: readonly [string, string][]) => mdTable(['', ''], rows.map(([k, v]) => [k, v]));
  const parts = [
    `# copybench report: ${data.runId}`,
    '',
    openingLine(input, 'The same report with the figures inline: [report.html](report.html).'),
    '',
    '## Answers',
    '',
    answersIntro(analysis),
    '',
    ...answers.flatMap((a) => keyAnswerMd(a, figures)),
    '## Details',
    '',
    ...linesMd(answers.map((a) => ({ question: a.question, lines: a.details }))),
    ...attributionMd(data),
    ...(input.extraSections ?? []).flatMap((s) => [`## ${s.title}`, '', ...s.markdown, '']),
    '## All figures',
    '',
    ...figures.flatMap(({ figure: f, pngFile, svgFile }) => [
      `### ${figureLabel(f.id)}: ${f.title}`,
      '',
      `![${f.title}](${pngFile})`,
      '',
      `${f.caption}${f.missing.length ? ` **Missing:** ${f.missing.join('; ')}` : ''} ([SVG](${svgFile}))`,
      '',
    ]),
    '## Summary',
    '',
    SUMMARY_NOTE,
    '',
    mdTable(cols.map((c) => c.title), lines.map((l) => cols.map((c) => c.cell(l)))),
    '',
    '## Machine',
    '',
    facts(machineFacts(data)),
    '',
    '## Run',
    '',
    facts(runFacts(data, points)),
    '',
    '## Config',
    '',
    facts(configFacts(data)),
    '',
  ];
  return parts.join('\n');
}

/** A ReportSection as an ExtraSection: the same paragraphs, table and notes in HTML (escaped here) and Markdown. */
export function tableSection(s: ReportSection): ExtraSection {
  const [header = [], ...rows] = s.table;
  const para = (l: string) => `<p>${escapeHtml(l)}</p>`;
  const table =
    `<div class="wide"><table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') +
    '</tbody></table></div>';
  return {
    title: s.title,
    html: `${s.intro.map(para).join('')}\n${rows.length ? table : ''}\n${s.notes.map(para).join('')}`,
    markdown: [...s.intro.flatMap((l) => [l, '']), ...(rows.length ? [mdTable(header, rows), ''] : []), ...s.notes.flatMap((l) => [l, ''])],
  };
}
