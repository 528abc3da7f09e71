// report.html (one self-contained file: figures inline as data: URIs, styles
// inline, no script, nothing fetched) and report.md (figures as the PNGs
// beside it). Pure: data, the analysis and the rendered figures in, text
// out. The words are report-answers.ts's, the tables report-tables.ts's.
import type { Analysis } from './analysis.ts';
import type { RunData } from './dataset.ts';
import type { Figure } from './figure.ts';
import type { PointStats } from './points.ts';
import { attributionSection } from './report-attribution.ts';
import { answers, type Answer } from './report-answers.ts';
import { configFacts, machineFacts, runFacts, summaryColumns, summaryLines } from './report-tables.ts';

export interface RenderedFigure {
  figure: Figure;
  svg: string;
  /** File names beside the report. */
  svgFile: string;
  pngFile: string;
}

export interface ReportInput {
  data: Pick<RunData, 'runId' | 'meta' | 'config' | 'rows' | 'attribution'>;
  points: readonly PointStats[];
  analysis: Analysis;
  figures: readonly RenderedFigure[];
  /** When the report was made (ISO); passed in to keep this module pure. */
  generatedAt: string;
  /** Further sections, after the analysis (e.g. seed.ts: a published table beside this run). */
  sections?: readonly ReportSection[];
}

/** A section of the report beyond its answers: paragraphs, a table (header first), notes. */
export interface ReportSection {
  title: string;
  intro: string[];
  table: string[][];
  notes: string[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// --- HTML ------------------------------------------------------------------------

const STYLE = `
body { font-family: 'DejaVu Sans', sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; } h3 { margin-bottom: 0.3rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.6rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
table.summary td { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #333; } .missing { color: #8a1c1c; } .wide { overflow-x: auto; }
.answer { white-space: pre-wrap; margin: 0.2rem 0 0.2rem 1rem; } pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; font-size: 0.8rem; }
`;

function factTable(rows: readonly [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

function answersHtml(list: readonly Answer[]): string {
  return list
    .map((a) => `<h3>${escapeHtml(a.question)}</h3>` + a.lines.map((l) => `<p class="answer">${escapeHtml(l)}</p>`).join(''))
    .join('\n');
}

/** "Where do the copies occur?" (report-attribution.ts); empty when the run has no attribution.csv. */
function attributionHtml(data: ReportInput['data']): string {
  const section = attributionSection(data);
  if (!section) return '';
  return `<h2>${escapeHtml(section.title)}</h2>\n${section.intro.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}\n${answersHtml(section.answers)}\n`;
}

function sectionsHtml(sections: readonly ReportSection[] = []): string {
  return sections
    .map((s) => {
      const [header = [], ...rows] = s.table;
      const table =
        `<div class="wide"><table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
        rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') +
        '</tbody></table></div>';
      const para = (l: string) => `<p>${escapeHtml(l)}</p>`;
      return `<h2>${escapeHtml(s.title)}</h2>\n${s.intro.map(para).join('')}\n${rows.length ? table : ''}\n${s.notes.map(para).join('')}\n`;
    })
    .join('');
}

export function reportHtml(input: ReportInput): string {
  const { data, points, analysis, figures } = input;
  const lines = summaryLines(points, analysis.speedups);
  const cols = summaryColumns(lines);
  const answerHtml = answersHtml(answers(analysis));
  const figureHtml = figures
    .map(({ figure: f, svg, svgFile, pngFile }) => {
      const missing = f.missing.length ? `<p class="missing">Missing: ${f.missing.map(escapeHtml).join('; ')}</p>` : '';
      return (
        `<figure id="${escapeHtml(f.id)}"><h3>${escapeHtml(f.title)}</h3>` +
        `<img alt="${escapeHtml(f.title)}" src="${svgDataUri(svg)}">` +
        `<figcaption>${escapeHtml(f.caption)} ${missing}` +
        `<br>Files: <a href="${escapeHtml(svgFile)}">${escapeHtml(svgFile)}</a>, <a href="${escapeHtml(pngFile)}">${escapeHtml(pngFile)}</a></figcaption></figure>`
      );
    })
    .join('\n');
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
<p>What a copy costs on the Linux TCP send path: two_copy (serialize, then send), one_copy (sendmsg with an iovec) and
zero_copy (MSG_ZEROCOPY), measured under perf stat. Every figure and number below is computed from this run's
results.csv and meta.json; generated ${escapeHtml(input.generatedAt)}.</p>
<h2>Machine</h2>${factTable(machineFacts(data))}
<h2>Run</h2>${factTable(runFacts(data, points))}
<h2>Config</h2>${factTable(configFacts(data))}
${data.config ? `<details><summary>full config</summary><pre>${escapeHtml(JSON.stringify(data.config, null, 2))}</pre></details>` : ''}
<h2>Analysis</h2>
${answerHtml}
${attributionHtml(data)}${sectionsHtml(input.sections)}<h2>Figures</h2>
${figureHtml}
<h2>Summary</h2>
<p>Medians over repetitions. ÷ two_copy: throughput ratio (geometric means) with its 95% confidence interval [lo, hi]; ≈ within run-to-run noise (the interval holds 1), ‡ repetitions in different TCP regimes, ? one repetition.</p>
${table}
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

const answersMd = (list: readonly Answer[]) =>
  list.flatMap((a) => [`### ${a.question}`, '', ...a.lines.map((l) => (l.startsWith('  ') ? `  - ${l.trim()}` : `- ${l}`)), '']);

function attributionMd(data: ReportInput['data']): string[] {
  const section = attributionSection(data);
  return section ? [`## ${section.title}`, '', ...section.intro.flatMap((l) => [l, '']), ...answersMd(section.answers)] : [];
}

function sectionsMd(sections: readonly ReportSection[] = []): string[] {
  return sections.flatMap((s) => {
    const [header = [], ...rows] = s.table;
    return [`## ${s.title}`, '', ...s.intro.flatMap((l) => [l, '']), ...(rows.length ? [mdTable(header, rows), ''] : []), ...s.notes.flatMap((l) => [l, ''])];
  });
}

export function reportMarkdown(input: ReportInput): string {
  const { data, points, analysis, figures } = input;
  const lines = summaryLines(points, analysis.speedups);
  const cols = summaryColumns(lines);
  const facts = (rows: readonly [string, string][]) => mdTable(['', ''], rows.map(([k, v]) => [k, v]));
  const parts = [
    `# copybench report: ${data.runId}`,
    '',
    `Computed from this run's results.csv and meta.json; generated ${input.generatedAt}. ` +
      'The same report with the figures inline: [report.html](report.html).',
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
    '## Analysis',
    '',
    ...answersMd(answers(analysis)),
    ...attributionMd(data),
    ...sectionsMd(input.sections),
    '## Figures',
    '',
    ...figures.flatMap(({ figure: f, pngFile, svgFile }) => [
      `### ${f.title}`,
      '',
      `![${f.title}](${pngFile})`,
      '',
      `${f.caption}${f.missing.length ? ` **Missing:** ${f.missing.join('; ')}` : ''} ([SVG](${svgFile}))`,
      '',
    ]),
    '## Summary',
    '',
    'Medians over repetitions. ÷ two_copy: throughput ratio (geometric means) with its 95% confidence interval [lo, hi]; ≈ within run-to-run noise (the interval holds 1), ‡ repetitions in different TCP regimes, ? one repetition.',
    '',
    mdTable(cols.map((c) => c.title), lines.map((l) => cols.map((c) => c.cell(l)))),
    '',
  ];
  return parts.join('\n');
}
