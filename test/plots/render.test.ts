// Rendering: vega's SVG carries the axis titles and labels; resvg's PNG has
// the expected size and really draws the text (DejaVu Sans loaded).
import { describe, expect, it } from 'vitest';
import { analyse } from '../../orchestrate/plots/analysis.ts';
import { allFigures, cacheFigure, throughputFigure } from '../../orchestrate/plots/figures.ts';
import { latencyFigure } from '../../orchestrate/plots/latency-figures.ts';
import { pointStats } from '../../orchestrate/plots/points.ts';
import { renderSvg, svgToPng } from '../../orchestrate/plots/render.ts';
import { decodePng, inkStats, pngSize } from './png.ts';
import { HARDWARE_EVENTS, matrix, runData } from './synthetic.ts';

const svgSize = (svg: string) => {
  const m = /<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  if (!m) throw new Error('no width/height on the svg element');
  return { width: Number(m[1]), height: Number(m[2]) };
};
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('SVG', () => {
  const rows = matrix({ counters: true });

  it('heads size panels "128 B messages" and "1K messages", never "1K B"', async () => {
    const sized = matrix({ sizes: [128, 1500, 1024, 65536], modes: ['rr'] });
    const heads = texts(await renderSvg(latencyFigure(pointStats(sized), []).spec)).filter((t) => t?.endsWith('messages'));
    expect(heads).toEqual(['128 B messages', '1K messages', '1500 B messages', '64K messages']);
  });

  it('has the titles, axis titles and size labels of the throughput figure', async () => {
    const svg = await renderSvg(throughputFigure(pointStats(rows), []).spec);
    const t = texts(svg);
    expect(t).toContain('Throughput vs message size');
    expect(t).toContain('message size (bytes, log₂)');
    expect(t).toContain('throughput (Gbit/s, log)');
    expect(t).toEqual(expect.arrayContaining(['128', '1K', '64K', '1 thread', '2 threads', 'two_copy', 'one_copy', 'zero_copy']));
  });

  it('says in the figure itself what is missing', async () => {
    const noPmu = matrix({ counters: false });
    const svg = await renderSvg(cacheFigure(pointStats(noPmu), analyse(pointStats(noPmu), runData(noPmu, { unsupported: HARDWARE_EVENTS })), []).spec);
    expect(texts(svg).join(' ')).toMatch(/no hardware PMU/);
  });

  it('renders every figure of a full synthetic run', async () => {
    for (const f of allFigures(pointStats(rows), analyse(pointStats(rows), runData(rows)))) {
      const svg = await renderSvg(f.spec);
      expect(svg.startsWith('<svg'), f.id).toBe(true);
      expect(texts(svg), f.id).toContain(f.title);
    }
  });
});

describe('PNG', () => {
  it('is twice the SVG size and decodes', async () => {
    const svg = await renderSvg(throughputFigure(pointStats(matrix({})), []).spec);
    const { png, width, height } = svgToPng(svg);
    const s = svgSize(svg);
    expect(pngSize(png)).toEqual({ width, height });
    expect(width).toBe(Math.ceil(s.width * 2));
    expect(height).toBe(Math.ceil(s.height * 2));
    const decoded = decodePng(png);
    const { ink, colours } = inkStats(decoded.pixels);
    expect(ink).toBeGreaterThan(0.01);
    expect(colours).toBeGreaterThan(10);
  });

  it('draws text (the font is loaded, labels do not vanish)', () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40">' +
      '<text x="5" y="28" font-family="DejaVu Sans" font-size="20">message size</text></svg>';
    const { png } = svgToPng(svg, 1);
    expect(inkStats(decodePng(png).pixels).ink).toBeGreaterThan(0.02);
  });
});
