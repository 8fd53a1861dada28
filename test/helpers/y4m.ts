/**
 * @module test/helpers/y4m
 * A tiny YUV4MPEG2 writer for Chromium's fake camera (`--use-file-for-fake-video-capture`):
 * a picture (RGBA, e.g. a label PNG read with pngjs) centred on a white frame, scaled by
 * whole-pixel nearest neighbour so QR modules stay sharp, as I420 frames. The header is
 * `YUV4MPEG2 W H F Ip A1:1 C420jpeg`; each frame is `FRAME\n`, then the Y plane and the
 * quarter-size U and V planes.
 */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major. */
  readonly data: Uint8Array;
}

export function y4mOfImage(
  image: RgbaImage,
  options: { width?: number; height?: number; frames?: number; fps?: number } = {},
): Uint8Array {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const frames = options.frames ?? 5;
  // Largest scale (a whole number or a fraction) that fits 90 % of the frame.
  const scale = Math.min((width * 0.9) / image.width, (height * 0.9) / image.height);
  const w = Math.floor(image.width * scale);
  const hgt = Math.floor(image.height * scale);
  const left = Math.floor((width - w) / 2);
  const top = Math.floor((height - hgt) / 2);
  const y = new Uint8Array(width * height).fill(255);
  for (let row = 0; row < hgt; row++) {
    const sy = Math.min(image.height - 1, Math.floor(row / scale));
    for (let col = 0; col < w; col++) {
      const sx = Math.min(image.width - 1, Math.floor(col / scale));
      const i = (sy * image.width + sx) * 4;
      const a = (image.data[i + 3] as number) / 255;
      const luma =
        0.299 * (image.data[i] as number) +
        0.587 * (image.data[i + 1] as number) +
        0.114 * (image.data[i + 2] as number);
      y[(top + row) * width + left + col] = Math.round(luma * a + 255 * (1 - a));
    }
  }
  // A grey picture: chroma at its midpoint.
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
  const header = new TextEncoder().encode(`YUV4MPEG2 W${width} H${height} F${options.fps ?? 10}:1 Ip A1:1 C420jpeg\n`);
  const frameHeader = new TextEncoder().encode('FRAME\n');
  const frameSize = frameHeader.length + y.length + 2 * chroma.length;
  const out = new Uint8Array(header.length + frames * frameSize);
  out.set(header, 0);
  let at = header.length;
  for (let f = 0; f < frames; f++) {
    out.set(frameHeader, at);
    out.set(y, at + frameHeader.length);
    out.set(chroma, at + frameHeader.length + y.length);
    out.set(chroma, at + frameHeader.length + y.length + chroma.length);
    at += frameSize;
  }
  return out;
}
