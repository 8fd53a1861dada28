/**
 * @module test/integration/factory/label-decode
 * Reading a label back as a scanner would: jsQR on the PNG's pixels in
 * process, and zbarimg on the file (rsvg-convert rasterises an SVG first). A missing tool
 * fails the test naming its Debian package (system-tools.ts), never skips it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { requireTool } from '../../helpers/system-tools.js';

type JsQr = typeof jsqrModule.default;
// jsqr is CommonJS with an __esModule default: vitest hands over the function itself, plain
// Node ESM the exports object (and TypeScript types the latter).
const jsQR: JsQr = typeof jsqrModule === 'function' ? (jsqrModule as unknown as JsQr) : jsqrModule.default;

/** The text of the QR code in a PNG, by jsQR; undefined if none is found. */
export function decodeWithJsqr(png: Uint8Array): string | undefined {
  const image = PNG.sync.read(Buffer.from(png));
  return jsQR(
    new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    image.width,
    image.height,
  )?.data;
}

/** The text zbarimg reads from an image file (PNG). */
export function decodeWithZbar(path: string): string {
  const zbarimg = requireTool('zbarimg', 'zbar-tools');
  const run = spawnSync(zbarimg, ['--nodbus', '-q', '--raw', path], { encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`zbarimg ${path} exited ${run.status}: ${run.stderr}`);
  return run.stdout.replace(/\n$/, '');
}

/** Rasterises an SVG label to PNG (white background) with rsvg-convert. */
export function rasteriseSvg(svgPath: string, pngPath: string, width = 400): Uint8Array {
  const rsvg = requireTool('rsvg-convert', 'librsvg2-bin');
  const run = spawnSync(rsvg, ['-w', String(width), '-b', 'white', svgPath, '-o', pngPath], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (run.status !== 0) throw new Error(`rsvg-convert ${svgPath} exited ${run.status}: ${run.stderr}`);
  return new Uint8Array(readFileSync(pngPath));
}

/** The text of an SVG label's <text> element, tags stripped. */
export function svgText(svg: string): string {
  const match = /<text[^>]*>([\s\S]*?)<\/text>/.exec(svg);
  return match === null ? '' : (match[1] as string).replace(/<[^>]+>/g, '');
}
