// Read a run folder, draw its figures, write them and the report. The one
// place (with render.ts) where plotting touches the file system; everything
// it calls is pure.
//
//   results/<run-id>/{results.csv, meta.json}  →  plots/<run-id>/   (raw/ is never read)
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyse, type Analysis } from './analysis.ts';
import { DataError, pointStats, readMeta, type RunData } from './dataset.ts';
import { allFigures } from './figures.ts';
import { RenderError, renderSvg, svgToPng } from './render.ts';
import { reportHtml, reportMarkdown, type RenderedFigure } from './report.ts';
import { parseResultsCsv } from '../results/row.ts';
import { META_JSON, RESULTS_CSV, readResultRecords, writeAtomically } from '../results/store.ts';

/** `results/<id>` → `plots/<id>`: a `plots` folder beside the folder that holds the run. */
export function defaultPlotDir(runDir: string): string {
  const resolved = path.resolve(runDir);
  return path.join(path.dirname(path.dirname(resolved)), 'plots', path.basename(resolved));
}

export function loadRun(runDir: string): RunData {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new DataError(`${runDir}: no such run folder`);
  const csvFile = path.join(runDir, RESULTS_CSV);
  if (!existsSync(csvFile)) throw new DataError(`${csvFile}: missing; is ${runDir} a copybench run folder?`);
  const { events, rows } = parseResultsCsv(readFileSync(csvFile, 'utf8'), csvFile);
  const metaFile = path.join(runDir, META_JSON);
  let metaJson: unknown = null;
  if (existsSync(metaFile)) {
    try {
      metaJson = JSON.parse(readFileSync(metaFile, 'utf8'));
    } catch (e) {
      throw new DataError(`${metaFile}: not JSON: ${(e as Error).message}`);
    }
  }
  const meta = readMeta(metaJson);
  return { runId: meta.runId ?? path.basename(path.resolve(runDir)), events, rows, meta };
}

export interface PlotResult {
  outDir: string;
  files: string[];
  /** Figures drawn only as a "what is missing" panel, with the reason. */
  empty: { id: string; missing: string[] }[];
  analysis: Analysis;
}

/**
 * The end of a run (run.mts): draw its plots, reporting through `say`.
 * Never throws — the results are already on disk and stay there whatever
 * happens here. Returns false when plotting failed (run.mts exits 1).
 */
export async function plotAfterRun(runDir: string, say: (line: string) => void): Promise<boolean> {
  if (readResultRecords(runDir).length === 0) {
    say('plots: none drawn (results.csv has no rows)');
    return true;
  }
  try {
    const result = await plotRun(runDir);
    for (const e of result.empty) say(`note: plots: ${e.id} has no data: ${e.missing.join('; ')}`);
    say(`plots: ${result.files.length} files in ${result.outDir} (report: ${path.join(result.outDir, 'report.html')})`);
    return true;
  } catch (e) {
    const reason = e instanceof DataError || e instanceof RenderError ? e.message : ((e as Error).stack ?? String(e));
    say(`plots: FAILED: ${reason}\n  the results are intact in ${runDir}; draw them again with: npx zx orchestrate/plot.mts ${runDir}`);
    return false;
  }
}

export async function plotRun(runDir: string, outDir = defaultPlotDir(runDir), now = new Date()): Promise<PlotResult> {
  const data = loadRun(runDir);
  const points = pointStats(data.rows);
  const analysis = analyse(points, data);
  const figures = allFigures(points, data);
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const rendered: RenderedFigure[] = [];
  for (const figure of figures) {
    const svg = await renderSvg(figure.spec);
    const svgFile = `${figure.id}.svg`;
    const pngFile = `${figure.id}.png`;
    writeFileSync(path.join(outDir, svgFile), svg);
    writeFileSync(path.join(outDir, pngFile), svgToPng(svg).png);
    files.push(svgFile, pngFile);
    rendered.push({ figure, svg, svgFile, pngFile });
  }
  const input = { data, points, analysis, figures: rendered, generatedAt: now.toISOString() };
  writeAtomically(path.join(outDir, 'report.html'), reportHtml(input));
  writeAtomically(path.join(outDir, 'report.md'), reportMarkdown(input));
  files.push('report.html', 'report.md');
  return {
    outDir,
    files,
    empty: figures.filter((f) => !f.hasData).map((f) => ({ id: f.id, missing: f.missing })),
    analysis,
  };
}
