/**
 * @module test/integration/cli/factory-label.test
 * `mesh factory label` and the label renderers: the PNG decodes back to the
 * ConnectUri with jsQR in process and with zbarimg, the SVG after rsvg-convert; the
 * fingerprint is drawn beneath (bitmap font) or written as <text>; the label is drawn from
 * the device's .medk or from the maker's public record; bad input exits 2 naming the
 * argument, a record that does not hold together names the field.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/crypto/random.js';
import {
  makeFactoryDevice,
  preconfigurationText,
  publicPreconfigurationText,
} from '../../../src/cli/factory/factory-device.js';
import { labelSourceOf } from '../../../src/cli/factory/preconfiguration-file.js';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from '../../../src/platform/label/bitmap-font.js';
import { renderDeviceLabel } from '../../../src/platform/label/device-label.js';
import { labelLayout, wrapAtDashes } from '../../../src/platform/label/label-layout.js';
import { labelPixels } from '../../../src/platform/label/png-label.js';
import { qrMatrix } from '../../../src/platform/label/qr-matrix.js';
import { runMesh } from '../../helpers/run-cli.js';
import { decodeWithJsqr, decodeWithZbar, rasteriseSvg, svgText } from '../factory/label-decode.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-factory-label-'));
const random = seededRandom(4242);
const device = makeFactoryDevice({ makerAccount: 'maker@example.com', description: 'Thermostat', random });
const medk = join(dir, 'device.medk');
const record = join(dir, 'record.json');
writeFileSync(medk, preconfigurationText(device.preconfiguration), { mode: 0o600 });
writeFileSync(record, publicPreconfigurationText(device.publicForm));

describe('label renderers', () => {
  it('the PNG decodes to the ConnectUri with jsQR and with zbarimg, at several scales', () => {
    for (const modulePixels of [3, 8, 12]) {
      const png = renderDeviceLabel({
        connectUri: device.connectUri,
        deviceUdf: device.deviceUdf,
        format: 'png',
        options: { modulePixels },
      });
      expect(decodeWithJsqr(png)).toBe(device.connectUri);
      const path = join(dir, `scale-${modulePixels}.png`);
      writeFileSync(path, png);
      expect(decodeWithZbar(path)).toBe(device.connectUri);
    }
  });

  it('the SVG decodes after rsvg-convert (jsQR and zbarimg), and its <text> is the fingerprint', () => {
    const svg = renderDeviceLabel({ connectUri: device.connectUri, deviceUdf: device.deviceUdf, format: 'svg' });
    const path = join(dir, 'label.svg');
    writeFileSync(path, svg);
    const text = new TextDecoder().decode(svg);
    expect(text).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).toMatch(/<path fill="#000" d="M/);
    expect(svgText(text)).toBe(device.deviceUdf);
    const png = rasteriseSvg(path, join(dir, 'label-svg.png'));
    expect(decodeWithJsqr(png)).toBe(device.connectUri);
    expect(decodeWithZbar(join(dir, 'label-svg.png'))).toBe(device.connectUri);
  });

  it('draws the fingerprint beneath the code: lines broken at dashes, glyph pixels where the font says', () => {
    const matrix = qrMatrix(device.connectUri);
    const layout = labelLayout(matrix, device.deviceUdf);
    expect(layout.lines.join('')).toBe(device.deviceUdf);
    expect(layout.lines.every((l) => l.length * layout.charAdvance <= layout.width)).toBe(true);
    const { width, height, pixels } = labelPixels(matrix, device.deviceUdf);
    expect([width, height]).toEqual([layout.width, layout.height]);
    // The quiet zone and the gap above the text are white.
    for (let x = 0; x < width; x++) expect(pixels[(layout.qrOffset - 1) * width + x]).toBe(255);
    // The first character of the fingerprint, read back from the pixels, is its glyph.
    const first = layout.lines[0] as string;
    const left = Math.floor((width - (first.length * layout.charAdvance - layout.textScale)) / 2);
    const t = layout.textScale;
    const read = Array.from(
      { length: GLYPH_WIDTH * GLYPH_HEIGHT },
      (_, i) => pixels[(layout.textTop + Math.floor(i / GLYPH_WIDTH) * t) * width + left + (i % GLYPH_WIDTH) * t] === 0,
    );
    expect(read).toEqual(glyph(first[0] as string));
  });

  it('wraps at dashes and has a glyph for every Base32 character', () => {
    expect(wrapAtDashes('AAAA-BBBB-CCCC', 10)).toEqual(['AAAA-BBBB-', 'CCCC']);
    expect(wrapAtDashes('AAAAAAAAAAAA', 5)).toEqual(['AAAAA', 'AAAAA', 'AA']);
    for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-') expect(glyph(c).some(Boolean) || c === ' ').toBe(true);
    const shapes = new Set([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-'].map((c) => glyph(c).join()));
    expect(shapes.size).toBe(33);
    expect(() => glyph('@')).toThrow(/"text" expected A-Z/);
  });
});

describe('label sources', () => {
  it('reads the private .medk (checked in full) and the public record (no seed)', () => {
    const fromPrivate = labelSourceOf(JSON.parse(readFileSync(medk, 'utf8')));
    const fromPublic = labelSourceOf(JSON.parse(readFileSync(record, 'utf8')));
    expect(fromPrivate).toEqual({
      deviceUdf: device.deviceUdf,
      connectUri: device.connectUri,
      makerAccount: 'maker@example.com',
      description: 'Thermostat',
      private: true,
    });
    expect(fromPublic).toEqual({ ...fromPrivate, private: false });
    expect(readFileSync(record, 'utf8')).not.toContain(device.deviceSeed);
  });

  it('refuses a record whose profile does not verify or whose URI is not a ConnectKey URI, naming the field', () => {
    const json = JSON.parse(readFileSync(record, 'utf8'));
    const pin = {
      DevicePreconfigurationPublic: {
        ...json.DevicePreconfigurationPublic,
        ConnectUri: 'mcu://maker@example.com/AAAA-AAAA-AAAA-AAAA-AAAA-AAAA',
      },
    };
    expect(() => labelSourceOf(pin)).toThrow(/"DevicePreconfigurationPublic.ConnectUri"/);
    const [header, payload, trailer] = json.DevicePreconfigurationPublic.EnvelopedProfileDevice;
    const flipped = payload.slice(0, 40) + (payload[40] === 'A' ? 'B' : 'A') + payload.slice(41);
    const forged = {
      DevicePreconfigurationPublic: {
        ...json.DevicePreconfigurationPublic,
        EnvelopedProfileDevice: [header, flipped, trailer],
      },
    };
    expect(() => labelSourceOf(forged)).toThrow(/"DevicePreconfigurationPublic.EnvelopedProfileDevice"/);
    // A .medk whose ConnectUri was swapped for another device's is caught by the seed.
    const other = makeFactoryDevice({ makerAccount: 'maker@example.com', random });
    const swapped = JSON.parse(readFileSync(medk, 'utf8'));
    swapped.DevicePreconfiguration.ConnectUri = other.connectUri;
    expect(() => labelSourceOf(swapped)).toThrow(/ConnectUri/);
  });
});

describe('mesh factory label', () => {
  it('writes a PNG label from the .medk and an SVG label from the public record, 0600', async () => {
    const png = join(dir, 'cli.png');
    const r1 = await runMesh(['factory', 'label', medk, '--out', png, '--json']);
    expect(r1.status, r1.stderr).toBe(0);
    expect(JSON.parse(r1.stdout)).toMatchObject({
      file: png,
      format: 'png',
      deviceUdf: device.deviceUdf,
      connectUri: device.connectUri,
      private: true,
    });
    expect(statSync(png).mode & 0o777).toBe(0o600);
    expect(decodeWithJsqr(readFileSync(png))).toBe(device.connectUri);
    expect(decodeWithZbar(png)).toBe(device.connectUri);

    const svg = join(dir, 'cli.svg');
    const r2 = await runMesh(['factory', 'label', record, '--out', svg]);
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stdout).toBe(`${device.deviceUdf} ${device.connectUri} -> ${svg}`);
    expect(svgText(readFileSync(svg, 'utf8'))).toBe(device.deviceUdf);
    const raster = join(dir, 'cli-svg.png');
    expect(decodeWithJsqr(rasteriseSvg(svg, raster))).toBe(device.connectUri);
    expect(decodeWithZbar(raster)).toBe(device.connectUri);
  });

  it('exits 2 naming the argument on bad input', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['factory', 'label', medk], /--out: is required/],
      [['factory', 'label', '--out', join(dir, 'x.png')], /<preconfiguration>: is required/],
      [['factory', 'label', medk, '--out', join(dir, 'x.gif')], /--out: expected a file name ending in \.png or \.svg/],
      [
        ['factory', 'label', medk, '--out', join(dir, 'x.png'), '--format', 'bmp'],
        /--format: expected one of png, svg/,
      ],
      [
        ['factory', 'label', medk, '--out', join(dir, 'x.png'), '--scale', '1'],
        /--scale: expected an integer from 2 to 40/,
      ],
      [['factory', 'label', join(dir, 'missing.medk'), '--out', join(dir, 'x.png')], /<preconfiguration>: cannot read/],
      [
        ['factory', 'label', join(dir, 'scale-3.png'), '--out', join(dir, 'x.png')],
        /<preconfiguration>: .* is not a JSON preconfiguration file/,
      ],
      [['factory', 'label', medk, '--out', join(dir, 'no-such-dir', 'x.png')], /--out: cannot write/],
    ];
    for (const [args, message] of cases) {
      const r = await runMesh(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const tampered = join(dir, 'tampered.json');
    const json = JSON.parse(readFileSync(record, 'utf8'));
    json.DevicePreconfigurationPublic.ConnectUri = 'https://example.com/';
    writeFileSync(tampered, JSON.stringify(json));
    const r = await runMesh(['factory', 'label', tampered, '--out', join(dir, 'x.png')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/<preconfiguration>: "DevicePreconfigurationPublic.ConnectUri" is not an mcu:\/\/ URI/);
  });
});
