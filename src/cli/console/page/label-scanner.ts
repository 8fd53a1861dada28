/**
 * @module cli/console/page/label-scanner
 * Reads a device label's QR code in the page: from the camera (getUserMedia, frames drawn
 * to a canvas and decoded with jsQR) or from a photo the person picks. Nothing leaves the
 * page but the decoded text, and only when the person presses Claim.
 */
import jsqrModule from 'jsqr';

type JsQr = typeof jsqrModule.default;
// jsqr is CommonJS with an __esModule default: esbuild hands over the function itself, while
// the types (NodeNext) see the module object; take whichever is callable.
const jsQR: JsQr = typeof jsqrModule === 'function' ? (jsqrModule as unknown as JsQr) : jsqrModule.default;

/** Decodes the first QR code in an image, or undefined. */
function decode(
  source: CanvasImageSource,
  width: number,
  height: number,
  canvas: HTMLCanvasElement,
): string | undefined {
  if (width === 0 || height === 0) return undefined;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) return undefined;
  context.drawImage(source, 0, 0, width, height);
  const image = context.getImageData(0, 0, width, height);
  return jsQR(image.data, width, height, { inversionAttempts: 'dontInvert' })?.data;
}

export interface CameraScan {
  stop(): void;
}

/** Starts the camera in `video`; calls `found` with the first label decoded, then stops. */
export async function scanWithCamera(video: HTMLVideoElement, found: (text: string) => void): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  video.muted = true;
  video.setAttribute('playsinline', '');
  await video.play();
  const canvas = document.createElement('canvas');
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  const tick = (): void => {
    if (stopped) return;
    const text = decode(video, video.videoWidth, video.videoHeight, canvas);
    if (text !== undefined && text !== '') {
      stop();
      found(text);
      return;
    }
    setTimeout(tick, 150);
  };
  tick();
  return { stop };
}

/** Decodes a label from a photo file; undefined when no QR code is found. */
export async function scanPhoto(file: File): Promise<string | undefined> {
  const bitmap = await createImageBitmap(file);
  // Big phone photos are scaled down: jsQR is fast at a megapixel and finds a label at that size.
  const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
  const text = decode(
    bitmap,
    Math.round(bitmap.width * scale),
    Math.round(bitmap.height * scale),
    document.createElement('canvas'),
  );
  bitmap.close();
  return text;
}
