// Read a run folder, draw its figures, write them and the report. The one
// place (with render.ts) where plotting touches the file system; everything
// it calls is pure.
//
//   results/<run-id>/{results.csv, meta.json, attribution.csv if any}  →  plots/<run-id>/   (raw/ is never read)
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ATTRIBUTION_CSV } from '../results/attribution-rows.ts';
import { META_JSON, RESULTS_CSV, readResultRecords, writeAtomically } from '../results/store.ts';
import { DataError } from '../results/table.ts';
import { analyse, type Analysis } from './analysis.ts';
import { runFromFiles, type RunData } from './dataset.ts';
import { attributionFigure } from './attribution-figure.ts';
import { allFigures, runNotes } from './figures.ts';
import { pointStats } from './points.ts';
import { RenderError, renderSvg, svgToPng } from './render.ts';
import { reportHtml, reportMarkdown, tableSection, type RenderedFigure, type ReportSection } from './report.ts';
import { isSeedRun, parseSeedTable, seedComparison, SEED_FILE } from './seed.ts';

/** `results/<id>` → `plots/<id>`: a `plots` folder beside the folder that holds the run. */
export function defaultPlotDir(runDir: string): string {
  const resolved = path.resolve(runDir);
  return path.join(path.dirname(path.dirname(resolved)), 'plots', path.basename(resolved));
}

/** A run folder's results.csv, meta.json and attribution.csv (each if any, but the first) → RunData. Throws DataError. */
export function loadRun(runDir: string): RunData {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new DataError(`${runDir}: no such run folder`);
  const csvFile = path.join(runDir, RESULTS_CSV);
  if (!existsSync(csvFile)) throw new DataError(`${csvFile}: missing; is ${runDir} a copybench run folder?`);
  const metaFile = path.join(runDir, META_JSON);
  const attributionFile = path.join(runDir, ATTRIBUTION_CSV);
  return runFromFiles({
    folder: path.basename(path.resolve(runDir)),
    csv: { text: readFileSync(csvFile, 'utf8'), source: csvFile },
    meta: { text: existsSync(metaFile) ? readFileSync(metaFile, 'utf8') : null, source: metaFile },
    attribution: { text: existsSync(attributionFile) ? readFileSync(attributionFile, 'utf8') : null, source: attributionFile },
  });
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

/** One figure drawn and written: `<id>.svg` and `<id>.png` in outDir (file names relative to it). */
export async function writeFigure(outDir: string, id: string, spec: Parameters<typeof renderSvg>[0]): Promise<{ svg: string; svgFile: string; pngFile: string }> {
  const svg = await renderSvg(spec);
  const svgFile = `${id}.svg`;
  const pngFile = `${id}.png`;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, svgFile), svg);
  writeFileSync(path.join(outDir, pngFile), svgToPng(svg).png);
  return { svg, svgFile, pngFile };
}

/** A run of the seed's config (seed.ts) gets MT25042's table beside it; the seed file is read only then. */
export function seedSections(data: RunData, points: Parameters<typeof seedComparison>[1]): ReportSection[] {
  if (!isSeedRun(data)) return [];
  const section = seedComparison(parseSeedTable(readFileSync(SEED_FILE, 'utf8'), SEED_FILE), points, data);
  return section ? [section] : [];
}

export async function plotRun(runDir: string, outDir = defaultPlotDir(runDir), now = new Date()): Promise<PlotResult> {
  const data = loadRun(runDir);
  const points = pointStats(data.rows);
  const analysis = analyse(points, data);
  const attribution = attributionFigure(data.attribution, data.meta?.attribution, runNotes(points));
  const figures = [...allFigures(points, analysis), ...(attribution ? [attribution] : [])];
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const rendered: RenderedFigure[] = [];
  for (const figure of figures) {
    const { svg, svgFile, pngFile } = await writeFigure(outDir, figure.id, figure.spec);
    files.push(svgFile, pngFile);
    rendered.push({ figure, svg, svgFile, pngFile });
  }
  const input = { data, points, analysis, figures: rendered, generatedAt: now.toISOString(), extraSections: seedSections(data, points).map(tableSection) };
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
