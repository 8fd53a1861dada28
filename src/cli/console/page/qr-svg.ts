/**
 * @module cli/console/page/qr-svg
 * A QR symbol as SVG made with DOM calls: the console sends the module matrix
 * (src/platform/label/qr-matrix.ts, the same encoder the labels use) and the page draws it, so
 * no image is fetched and no markup is parsed.
 */
const SVG = 'http://www.w3.org/2000/svg';
/** Quiet zone in modules (ISO/IEC 18004 asks for 4). */
const QUIET = 4;

export function qrSvg(size: number, modules: string, label: string): SVGSVGElement {
  const full = size + 2 * QUIET;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${full} ${full}`);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(full));
  background.setAttribute('height', String(full));
  background.setAttribute('fill', '#fff');
  svg.appendChild(background);
  let d = '';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) if (modules[y * size + x] === '1') d += `M${x + QUIET} ${y + QUIET}h1v1h-1z`;
  }
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.appendChild(path);
  return svg;
}
