/**
 * @module platform/label/svg-label
 * The label as SVG: one <path> for the dark modules (runs of a row merged),
 * then a <text> element with the fingerprint, broken into the same lines as the PNG. The
 * text is real text, so a label printer's own font renders it and a person or a script can
 * read it from the file.
 */
import { labelLayout, type LabelOptions } from './label-layout.js';
import type { QrMatrix } from './qr-matrix.js';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderSvgLabel(
  matrix: QrMatrix,
  text: string,
  options: LabelOptions & { readonly title?: string } = {},
): string {
  const layout = labelLayout(matrix, text, options);
  const { width, height, modulePixels: s, qrOffset } = layout;
  const path: string[] = [];
  for (let row = 0; row < matrix.size; row++) {
    let col = 0;
    while (col < matrix.size) {
      if (matrix.modules[row * matrix.size + col] !== 1) {
        col++;
        continue;
      }
      const start = col;
      while (col < matrix.size && matrix.modules[row * matrix.size + col] === 1) col++;
      path.push(`M${qrOffset + start * s} ${qrOffset + row * s}h${(col - start) * s}v${s}h${-(col - start) * s}z`);
    }
  }
  // Font size from the PNG's glyph cell: 7 font pixels of cap height ≈ 0.7 em.
  const fontSize = 10 * layout.textScale;
  const center = width / 2;
  const tspans = layout.lines
    .map(
      (line, i) =>
        `<tspan x="${center}" y="${layout.textTop + i * layout.lineHeight + 7 * layout.textScale}">${escapeXml(line)}</tspan>`,
    )
    .join('');
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" shape-rendering="crispEdges">`,
    ...(options.title === undefined ? [] : [`<title>${escapeXml(options.title)}</title>`]),
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<path fill="#000" d="${path.join('')}"/>`,
    ...(layout.lines.length === 0
      ? []
      : [
          `<text font-family="DejaVu Sans Mono, monospace" font-size="${fontSize}" text-anchor="middle" fill="#000">${tspans}</text>`,
        ]),
    `</svg>`,
    '',
  ].join('\n');
}
