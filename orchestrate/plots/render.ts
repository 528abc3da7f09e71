// vega-lite spec → SVG (vega, headless: renderer 'none', no canvas) → PNG
// (resvg). resvg draws no text without a font it can load, and it loads no
// system fonts here, so the DejaVu files are handed to it by path: with
// them, every label of the SVG is in the PNG.
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY } from './theme.ts';

export const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => `${FONT_DIR}/${f}`);

export class RenderError extends Error {
  override name = 'RenderError';
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The DejaVu font files, or an error naming the Debian package that installs them. */
export function fontFiles(): string[] {
  const missing = FONT_FILES.filter((f) => !existsSync(f));
  // The bold and oblique faces are optional; the regular one is not.
  if (missing.includes(FONT_FILES[0]!)) {
    throw new RenderError(`${FONT_FILES[0]} is missing: install the DejaVu fonts (Debian: apt-get install fonts-dejavu-core)`);
  }
  return FONT_FILES.filter((f) => !missing.includes(f));
}

/** SVG → PNG at `scale` × the SVG's size. */
export function svgToPng(svg: string, scale = 2): { png: Buffer; width: number; height: number } {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  const image = resvg.render();
  return { png: image.asPng(), width: image.width, height: image.height };
}
