// Reading PNGs back in tests: the size from the IHDR chunk, the pixels by
// letting resvg draw the PNG as an <image> (so no PNG decoder is needed).
import { Resvg } from '@resvg/resvg-js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngSize(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: bad signature');
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: no IHDR chunk first');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** RGBA pixels of a PNG. */
export function decodePng(png: Buffer): { width: number; height: number; pixels: Buffer } {
  const { width, height } = pngSize(png);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<image width="${width}" height="${height}" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  const image = new Resvg(svg, { background: 'white' }).render();
  if (image.width !== width || image.height !== height) throw new Error(`decoded ${image.width}×${image.height}, expected ${width}×${height}`);
  return { width, height, pixels: image.pixels };
}

/** Share of pixels that are not (near) white, and how many distinct colours there are. */
export function inkStats(pixels: Buffer): { ink: number; colours: number } {
  let inked = 0;
  const colours = new Set<number>();
  const n = pixels.length / 4;
  for (let i = 0; i < pixels.length; i += 4) {
    const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
    if (r < 240 || g < 240 || b < 240) inked++;
    if (colours.size < 1000) colours.add((r << 16) | (g << 8) | b);
  }
  return { ink: inked / n, colours: colours.size };
}
