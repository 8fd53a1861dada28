/**
 * @module platform/label/png-label
 * The label as a PNG: the QR symbol and the fingerprint drawn pixel by pixel
 * into one 8-bit greyscale image and encoded with pngjs (docs/decisions/0014-labels-in-javascript.md), so no native
 * canvas or font is needed on the factory's label printer host.
 */
import { PNG } from 'pngjs';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './bitmap-font.js';
import { labelLayout, lineLeft, type LabelOptions } from './label-layout.js';
import type { QrMatrix } from './qr-matrix.js';

const BLACK = 0;
const WHITE = 255;

function fillRect(pixels: Uint8Array, width: number, x: number, y: number, w: number, h: number): void {
  for (let row = y; row < y + h; row++) pixels.fill(BLACK, row * width + x, row * width + x + w);
}

/** The grey pixels of the label, row-major, 0 black and 255 white. */
export function labelPixels(
  matrix: QrMatrix,
  text: string,
  options: LabelOptions = {},
): { width: number; height: number; pixels: Uint8Array } {
  const layout = labelLayout(matrix, text, options);
  const { width, height, modulePixels: s, qrOffset } = layout;
  const pixels = new Uint8Array(width * height).fill(WHITE);
  for (let row = 0; row < matrix.size; row++) {
    for (let col = 0; col < matrix.size; col++) {
      if (matrix.modules[row * matrix.size + col] === 1)
        fillRect(pixels, width, qrOffset + col * s, qrOffset + row * s, s, s);
    }
  }
  const t = layout.textScale;
  layout.lines.forEach((line, i) => {
    const top = layout.textTop + i * layout.lineHeight;
    let left = lineLeft(layout, line);
    for (const character of line) {
      const bits = glyph(character);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (bits[gy * GLYPH_WIDTH + gx] === true) fillRect(pixels, width, left + gx * t, top + gy * t, t, t);
        }
      }
      left += layout.charAdvance;
    }
  });
  return { width, height, pixels };
}

/** The PNG file bytes. */
export function renderPngLabel(matrix: QrMatrix, text: string, options: LabelOptions = {}): Uint8Array {
  const { width, height, pixels } = labelPixels(matrix, text, options);
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  // The "Up" filter on every row: a label's rows repeat (each module is several pixels
  // tall), so they filter to zeros; as small as pngjs's adaptive choice, seven times faster.
  const bytes = PNG.sync.write(png, {
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
    bitDepth: 8,
    filterType: 2,
  });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
