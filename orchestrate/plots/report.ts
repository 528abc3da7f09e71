// report.html (one self-contained file: figures inline as data: URIs, styles
// inline, no script, nothing fetched) and report.md (figures as the PNGs
// beside it). Pure: data and rendered figures in, text out.
import { answers, compareWithBaseline, type Analysis } from './analysis.ts';
import { modesOf, sizesOf, threadsOf, type PointStats, type RunData } from './dataset.ts';
import type { Figure } from './figures.ts';
import { formatSize } from '../results/format.ts';
import { IMPLEMENTATIONS, type Implementation, type Mode } from '../config/domain.ts';

export interface RenderedFigure {
  figure: Figure;
  svg: string;
  /** File names beside the report. */
  svgFile: string;
  pngFile: string;
}

export interface ReportInput {
  data: Pick<RunData, 'runId' | 'meta' | 'rows' | 'events'>;
  points: readonly PointStats[];
  analysis: Analysis;
  figures: readonly RenderedFigure[];
  /** When the report was made (ISO); passed in to keep this module pure. */
  generatedAt: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// --- the facts: machine, run, config -----------------------------------------

export function machineFacts(data: ReportInput['data']): [string, string][] {
  const m = data.meta.machine;
  const unsupported = data.meta.perfUnsupported;
  const facts: [string, string | undefined | null][] = [
    ['CPU', m.cpu_model],
    ['cores', m.cores === undefined ? undefined : String(m.cores)],
    ['kernel', m.kernel],
    ['perf', m.perf_version],
    ['perf events not supported here', unsupported.length ? unsupported.join(', ') : data.meta.machine.kernel ? 'none' : undefined],
    ['compiler', m.gcc_version],
    ['node', m.node_version],
    ['host', m.hostname],
    ['git commit', m.git_commit ? `${m.git_commit}${m.git_dirty ? ' (with uncommitted changes)' : ''}` : undefined],
  ];
  return facts.map(([k, v]) => [k, v ?? 'unknown (not in meta.json)']);
}

export function runFacts(data: ReportInput['data'], points: readonly PointStats[]): [string, string][] {
  const meta = data.meta;
  const reps = points.map((p) => p.reps);
  return [
    ['run', data.runId],
    ['status', meta.status ?? 'unknown'],
    ['started', meta.startedAt ?? 'unknown'],
    ['ended', meta.endedAt ?? 'unknown'],
    ['wall time', meta.wallS === null ? 'unknown' : `${meta.wallS} s`],
    ['rows', `${data.rows.length} (${points.length} points × ${Math.min(...reps)}${Math.min(...reps) === Math.max(...reps) ? '' : `–${Math.max(...reps)}`} repetitions)`],
  ];
}

export function configFacts(data: ReportInput['data']): [string, string][] {
  const c = data.meta.config;
  if (!c) {
    return [
      ['config', 'not in meta.json; from results.csv:'],
      ['variants', [...new Set(data.rows.map((r) => r.implementation))].join(', ')],
      ['message sizes', sizesOf(data.rows).join(', ')],
      ['threads', threadsOf(data.rows).join(', ')],
    ];
  }
  const topo =
    c.topology.kind === 'netns'
      ? `netns: ${c.topology.namespaces.server} ↔ ${c.topology.namespaces.client} over veth, ${c.topology.addresses.server} → ${c.topology.addresses.client}/${c.topology.prefix_length}, MTU ${c.topology.mtu}`
      : `loopback ${c.topology.address}`;
  const sysctls = Object.entries(c.topology.kind === 'netns' ? c.topology.sysctls : {}).map(([k, v]) => `${k} = ${v}`);
  return [
    ['config file', data.meta.configPath ?? 'unknown'],
    ['topology', topo],
    ['sysctls', sysctls.length ? sysctls.join('; ') : 'none'],
    ['variants', c.variants.join(', ')],
    ['modes', c.modes.join(', ')],
    ['message sizes', c.message_sizes.map((s) => `${s}`).join(', ') + ' bytes'],
    ['threads', c.threads.join(', ')],
    ['per experiment', `${c.warmup_s} s warm-up + ${c.duration_s} s measured`],
    ['repetitions', String(c.repetitions)],
    ['pinning', `server CPU ${c.pinning.server ?? 'unpinned'}, client CPU ${c.pinning.client ?? 'unpinned'}`],
    ['perf events', c.perf.events.join(', ') + (c.perf.split_user_kernel ? ' (user and kernel counted apart)' : '')],
    ['verify', c.verify],
  ];
}

// --- the summary table ---------------------------------------------------------

export interface SummaryLine {
  mode: Mode;
  msgSize: number;
  threads: number;
  /** Median throughput (Gbit/s) per variant, with min and max. */
  throughput: Partial<Record<Implementation, { median: number; min: number; max: number }>>;
  /** Variant ÷ two_copy, with `≈` when within noise. */
  speedup: Partial<Record<Implementation, string>>;
  p50: Partial<Record<Implementation, number>>;
  cpuNsPerByte: Partial<Record<Implementation, number>>;
  cyclesPerByte: Partial<Record<Implementation, number>>;
  zcCopied: string | null;
}

export function summaryLines(points: readonly PointStats[]): SummaryLine[] {
  const comps = compareWithBaseline(points, 'throughput_gbps', true);
  const lines: SummaryLine[] = [];
  for (const mode of modesOf(points.map((p) => ({ mode: p.mode })))) {
    const inMode = points.filter((p) => p.mode === mode);
    for (const size of sizesOf(inMode.map((p) => ({ msg_size: p.msgSize })))) {
      for (const threads of threadsOf(inMode.filter((p) => p.msgSize === size))) {
        const here = inMode.filter((p) => p.msgSize === size && p.threads === threads);
        const line: SummaryLine = { mode, msgSize: size, threads, throughput: {}, speedup: {}, p50: {}, cpuNsPerByte: {}, cyclesPerByte: {}, zcCopied: null };
        for (const p of here) {
          const t = p.figures.throughput_gbps;
          if (t) line.throughput[p.impl] = { median: t.median, min: t.min, max: t.max };
          if (p.figures.latency_p50_us) line.p50[p.impl] = p.figures.latency_p50_us.median;
          if (p.figures.cpu_ns_per_byte) line.cpuNsPerByte[p.impl] = p.figures.cpu_ns_per_byte.median;
          if (p.figures.cycles_per_byte) line.cyclesPerByte[p.impl] = p.figures.cycles_per_byte.median;
          if (p.impl === 'zero_copy' && p.zc.completions > 0) line.zcCopied = `${((p.zc.copied / p.zc.completions) * 100).toFixed(0)}%`;
        }
        for (const c of comps.filter((c) => c.mode === mode && c.msgSize === size && c.threads === threads)) {
          const mark = c.verdict === 'within_noise' ? '≈' : c.verdict === 'noise_unknown' ? '?' : '';
          line.speedup[c.impl] = `${mark}${c.ratio.toFixed(2)}×`;
        }
        lines.push(line);
      }
    }
  }
  return lines;
}

const num = (x: number | undefined, digits = 3) => (x === undefined ? '–' : Number(x.toPrecision(digits)).toString());

interface Column {
  title: string;
  cell: (l: SummaryLine) => string;
}

function summaryColumns(lines: readonly SummaryLine[]): Column[] {
  const impls = IMPLEMENTATIONS.filter((i) => lines.some((l) => l.throughput[i]));
  const cols: Column[] = [
    { title: 'mode', cell: (l) => l.mode },
    { title: 'size', cell: (l) => formatSize(l.msgSize, 'course') },
    { title: 'threads', cell: (l) => String(l.threads) },
    ...impls.map((i) => ({ title: `${i} Gbit/s`, cell: (l: SummaryLine) => num(l.throughput[i]?.median) })),
    ...impls.filter((i) => i !== 'two_copy').map((i) => ({ title: `${i} ÷ two_copy`, cell: (l: SummaryLine) => l.speedup[i] ?? '–' })),
    ...impls.map((i) => ({ title: `${i} p50 µs`, cell: (l: SummaryLine) => num(l.p50[i]) })),
  ];
  if (lines.some((l) => Object.keys(l.cyclesPerByte).length)) {
    cols.push(...impls.map((i) => ({ title: `${i} cycles/B`, cell: (l: SummaryLine) => num(l.cyclesPerByte[i]) })));
  }
  if (lines.some((l) => Object.keys(l.cpuNsPerByte).length)) {
    cols.push(...impls.map((i) => ({ title: `${i} CPU ns/B`, cell: (l: SummaryLine) => num(l.cpuNsPerByte[i]) })));
  }
  if (lines.some((l) => l.zcCopied !== null)) cols.push({ title: 'zero_copy copied', cell: (l) => l.zcCopied ?? '–' });
  return cols;
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

export function reportHtml(input: ReportInput): string {
  const { data, points, analysis, figures } = input;
  const lines = summaryLines(points);
  const cols = summaryColumns(lines);
  const answerHtml = answers(analysis)
    .map(
      (a) =>
        `<h3>${escapeHtml(a.question)}</h3>` +
        a.lines.map((l) => `<p class="answer">${escapeHtml(l)}</p>`).join(''),
    )
    .join('\n');
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
${data.meta.config ? `<details><summary>full config</summary><pre>${escapeHtml(JSON.stringify(data.meta.config, null, 2))}</pre></details>` : ''}
<h2>Analysis</h2>
${answerHtml}
<h2>Figures</h2>
${figureHtml}
<h2>Summary</h2>
<p>Medians over repetitions. ÷ two_copy: median throughput ratio; ≈ within run-to-run noise, ? one repetition.</p>
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

export function reportMarkdown(input: ReportInput): string {
  const { data, points, analysis, figures } = input;
  const lines = summaryLines(points);
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
    ...answers(analysis).flatMap((a) => [`### ${a.question}`, '', ...a.lines.map((l) => (l.startsWith('  ') ? `  - ${l.trim()}` : `- ${l}`)), '']),
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
    'Medians over repetitions. ÷ two_copy: median throughput ratio; ≈ within run-to-run noise, ? one repetition.',
    '',
    mdTable(cols.map((c) => c.title), lines.map((l) => cols.map((c) => c.cell(l)))),
    '',
  ];
  return parts.join('\n');
}
