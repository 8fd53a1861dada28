/**
 * @module test/integration/console/console.test
 * `mesh console` in a real browser (docs/console.md): Debian's Chromium driven by
 * playwright-core, the built `dist/mesh.mjs console` as a child process, the real service
 * and real agents (`dist/mesh-agent.mjs`) on loopback. A device's request appears in the
 * open page without a reload, with the witness the device shows; accept (after the confirm
 * step) connects it; reject rejects; no token is 401, no CSRF token is 403, a device
 * Description full of HTML and escape sequences is inert text; a label PNG from `mesh
 * factory batch`, played to Chromium's fake camera, is decoded and the claim completes, and so
 * does another label given as a photo; a PIN made in the page shows a QR code that decodes to
 * the PIN the owner home recorded, and a device using it is shown as PIN-verified.
 * The pending, accepted and device-list views are written to docs/images/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PINS_FILE, readPinsRecord } from '../../../src/cli/owner/home-records.js';
import { systemRandom } from '../../../src/crypto/random.js';
import { parseConnectUri } from '../../../src/mesh/connect/connect-uri.js';
import { PinAction, pinId, saltedPin } from '../../../src/mesh/connect/pin.js';
import { createDevicePreconfiguration } from '../../../src/mesh/connect/device-preconfiguration.js';
import { DevicePreconfigurationSchema } from '../../../src/mesh/objects/device-preconfiguration.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../../src/mesh/udf/derived-key-seed.js';
import { AgentProcess, stopAllAgents, tempDirectory, writeConfig } from '../../helpers/agent-process.js';
import { launchChromium, requireChromium, type TestBrowser } from '../../helpers/browser.js';
import { runMesh } from '../../helpers/run-cli.js';
import { y4mOfImage } from '../../helpers/y4m.js';
import { decodeWithJsqr } from '../factory/label-decode.js';
import { ownerJson, startTestService, type TestService } from '../owner/owner-harness.js';

const IMAGES = join(process.cwd(), 'docs', 'images');
const HOSTILE =
  '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\u001b[2J\u001b[1;1HPIN verified\u202egnp.exe';

let service: TestService;
let dir: string;
let consoleProcess: ChildProcess;
let consoleUrl: string;
let origin: string;
let browser: TestBrowser;
let page: Page;
interface Label {
  readonly uri: string;
  readonly deviceUdf: string;
  readonly preconfiguration: string;
  /** The label PNG `mesh factory batch` drew. */
  readonly png: string;
}
/** Two labelled devices of the maker's: one is claimed by camera, the other by a photo. */
let label: Label;
let photoLabel: Label;
let accepted: { agent: AgentProcess; udf: string } | undefined;

function startConsole(home: string): Promise<string> {
  consoleProcess = spawn(
    process.execPath,
    ['dist/mesh.mjs', 'console', '--home', home, '--listen', '127.0.0.1:0', '--poll-max-seconds', '2'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    consoleProcess.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    consoleProcess.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) resolve(line);
    });
    consoleProcess.once('exit', (code) => reject(new Error(`mesh console exited ${code}: ${err}`)));
  });
}

/** A factory-preconfigured agent asking alice, with the given Description (and PIN, if given). */
async function startAgent(
  name: string,
  description = 'Thermostat',
  pin?: string,
): Promise<{ agent: AgentProcess; witness: string; udf: string }> {
  const seed = newDerivedKeySeedUdf(KeySpecifier.MeshProfileDevice, systemRandom);
  const made = createDevicePreconfiguration({ deviceSeed: seed, makerAccount: 'maker@example.com', description });
  const medk = join(dir, `${name}.medk`);
  await writeFile(
    medk,
    JSON.stringify({ DevicePreconfiguration: DevicePreconfigurationSchema.toJson(made.preconfiguration) }),
    { mode: 0o600 },
  );
  const config = await writeConfig(
    dir,
    {
      stateDirectory: join(dir, `state-${name}`),
      preconfiguration: medk,
      owners: [{ account: 'alice@example.com', service: service.url, ...(pin === undefined ? {} : { pin }) }],
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.4, jitter: 0, honorRetryAfter: false },
    },
    `${name}.json`,
  );
  const agent = new AgentProcess(config);
  const witness = (await agent.waitFor(/SHOW witness (\S+) for alice@example.com/))[1] as string;
  return { agent, witness, udf: made.deviceUdf };
}

/** The few DOM calls the page-side checks make (the tests compile without the DOM library). */
interface PageElement {
  getAttribute(name: string): string | null;
}
interface PageGlobals {
  readonly document: {
    querySelector(s: string): PageElement | null;
    querySelectorAll(s: string): ArrayLike<PageElement>;
  };
  readonly __pwned?: number;
}

/** A labelled device's agent, polling the maker's service for a claim of its label. */
async function startLabelledAgent(name: string, of: Label): Promise<AgentProcess> {
  const config = await writeConfig(
    dir,
    {
      stateDirectory: join(dir, `state-${name}`),
      preconfiguration: of.preconfiguration,
      claims: { account: 'maker@example.com', service: service.url },
      keystore: 'file',
      polling: { initialDelaySeconds: 0.1, maxDelaySeconds: 0.3, jitter: 0, honorRetryAfter: false },
    },
    `${name}.json`,
  );
  const agent = new AgentProcess(config);
  await agent.waitFor(/SHOW connect-uri mcu:\/\/maker@example.com\//);
  return agent;
}

/** The PINs alice's home recorded (pins.json), read as the owner commands read it. */
function alicePins() {
  const file = join(dir, 'alice', PINS_FILE);
  return readPinsRecord(JSON.parse(readFileSync(file, 'utf8')), file).Pins;
}

/** The request card of `witness`, as the page shows it. */
function card(witness: string) {
  return page.locator(`article.request[aria-label="connection request ${witness}"]`);
}

beforeAll(async () => {
  service = await startTestService();
  dir = await tempDirectory('mesh-console-');
  for (const name of ['maker', 'alice'])
    await ownerJson(join(dir, name), 'account', 'create', `${name}@example.com`, '--service', service.url);

  // A labelled device of the maker's: its label PNG becomes the fake camera's video.
  const out = join(dir, 'batch');
  const made = await runMesh([
    'factory',
    'batch',
    '--maker',
    'maker@example.com',
    '--service',
    service.url,
    '--count',
    '2',
    '--out',
    out,
    '--home',
    join(dir, 'maker'),
    '--description',
    'Thermostat',
    '--json',
  ]);
  expect(made.status, made.stderr).toBe(0);
  const labels = (
    JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      devices: Array<{ deviceUdf: string; connectUri: string; preconfiguration: string; label: string }>;
    }
  ).devices.map(
    (d): Label => ({
      uri: d.connectUri,
      deviceUdf: d.deviceUdf,
      preconfiguration: join(out, d.preconfiguration),
      png: join(out, d.label),
    }),
  );
  if (labels[0] === undefined || labels[1] === undefined) throw new Error('factory batch made fewer than two devices');
  [label, photoLabel] = [labels[0], labels[1]];
  const png = PNG.sync.read(readFileSync(label.png));
  const video = join(dir, 'label.y4m');
  await writeFile(video, y4mOfImage({ width: png.width, height: png.height, data: png.data }));

  consoleUrl = await startConsole(join(dir, 'alice'));
  origin = new URL(consoleUrl).origin;
  browser = await launchChromium({ fakeCamera: video });
  page = await browser.context.newPage();
}, 60_000);

afterAll(async () => {
  await stopAllAgents();
  await browser?.close();
  consoleProcess?.kill('SIGTERM');
  await service?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

requireChromium();

describe('mesh console in Chromium', () => {
  it('without the token the page is 401, and the token is traded for a cookie and leaves the URL', async () => {
    const bare = await page.goto(`${origin}/`);
    expect(bare?.status()).toBe(401);
    expect((await fetch(`${origin}/api/overview`)).status).toBe(401);
    expect((await page.goto(`${origin}/?token=wrong`))?.status()).toBe(401);

    const opened = await page.goto(consoleUrl);
    expect(opened?.status()).toBe(200);
    expect(page.url()).toBe(`${origin}/`);
    const cookies = await browser.context.cookies(origin);
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'mesh_console', httpOnly: true, sameSite: 'Strict', path: '/' }),
    ]);
    expect(opened?.headers()['content-security-policy']).toMatch(
      /default-src 'none'; script-src 'self'.*frame-ancestors 'none'/,
    );
    await expect.poll(() => page.locator('#account-name').textContent()).toBe('alice@example.com');
    // A Host that is not the console (DNS rebinding) is refused.
    const rebound = await new Promise<number | undefined>((resolve, reject) =>
      get(`${origin}/`, { headers: { Host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject),
    );
    expect(rebound).toBe(403);
  });

  it('a state-changing request without the CSRF token is refused (403)', async () => {
    const answers = await page.evaluate(async () => {
      // Runs in the page: only a cast, no closure.
      const { document } = globalThis as unknown as PageGlobals;
      const token = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
      const post = (headers: Record<string, string>) =>
        fetch('/api/pin', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: '{}',
        }).then((r) => r.status);
      return {
        none: await post({}),
        wrong: await post({ 'X-CSRF-Token': 'x'.repeat(43) }),
        right: await post({ 'X-CSRF-Token': token }),
      };
    });
    expect(answers).toEqual({ none: 403, wrong: 403, right: 200 });
  });

  it('a device request appears without a reload with the witness the device shows; accept connects it', async () => {
    const { agent, witness, udf } = await startAgent('thermostat');
    const request = card(witness);
    await request.waitFor({ timeout: 15_000 });
    expect(await request.locator('.witness .group').allTextContents()).toEqual(witness.split('-'));
    expect(await request.locator('.device-udf').textContent()).toBe(udf);
    expect(await request.locator('.check-code .digits').textContent()).toMatch(/^[1-9] [1-9] [1-9] [1-9]$/);
    await expect.poll(() => request.locator('.led.on').count(), { timeout: 5000 }).toBe(1);
    await page.screenshot({ path: join(IMAGES, 'console-pending.png'), fullPage: true });

    // Accept stays disabled until the person confirms the witness matches.
    const accept = request.locator('button.accept');
    expect(await accept.isDisabled()).toBe(true);
    await request.locator('input.confirm').check();
    await accept.click();
    await page.locator('.answered.accepted').waitFor();
    expect(await page.locator('.answered.accepted').textContent()).toContain(udf);
    await agent.waitFor(/SHOW connected alice@example.com/);
    await page.screenshot({ path: join(IMAGES, 'console-accepted.png'), fullPage: true });

    const row = page.locator('tr.device', { hasText: udf });
    await row.waitFor();
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('Connected');
    await page.locator('#devices').screenshot({ path: join(IMAGES, 'console-devices.png') });
    accepted = { agent, udf };
  }, 45_000);

  it('gives a connected device a broker, then revokes it (after a second click)', async () => {
    if (accepted === undefined) throw new Error('the accept test did not run');
    const row = page.locator('tr.device', { hasText: accepted.udf });
    await row.locator('summary').click();
    await row.getByLabel('Broker URL').fill('mqtts://broker.example.com:8883');
    await row.getByLabel('User').fill('thermostat');
    await row.getByRole('button', { name: 'Give this broker' }).click();
    await expect
      .poll(() => page.locator('#notice').textContent())
      .toBe(`${accepted.udf} was given the broker mqtts://broker.example.com:8883`);

    const revoke = row.getByRole('button', { name: `Revoke ${accepted.udf}` });
    await revoke.click();
    expect(await revoke.textContent()).toBe('Really revoke?');
    await revoke.click();
    await accepted.agent.waitFor(/SHOW revoked alice@example.com/);
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('Revoked');
  }, 45_000);

  it('a reject works', async () => {
    const { agent, witness } = await startAgent('stranger');
    const request = card(witness);
    await request.waitFor({ timeout: 15_000 });
    await request.locator('button.reject').click();
    await page.locator('.answered.rejected').waitFor();
    await agent.waitFor(/SHOW rejected alice@example.com/);
    await request.waitFor({ state: 'detached', timeout: 15_000 });
  }, 45_000);

  it('a Description full of HTML and escape sequences renders as inert, neutralised text', async () => {
    const { witness } = await startAgent('hostile', HOSTILE);
    const request = card(witness);
    await request.waitFor({ timeout: 15_000 });
    const shown = await request.locator('.description .device-text').textContent();
    expect(shown).toContain('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>');
    expect(shown).toContain('\\x1b[2J\\x1b[1;1HPIN verified⟪U+202E⟫gnp.exe');
    expect(shown).not.toMatch(/[\u001b\u202e]/);
    // Nothing was made from it: no img, no inline script, no handler ran.
    const made = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return {
        images: g.document.querySelectorAll('img').length,
        scripts: Array.from(g.document.querySelectorAll('script')).map((s) => s.getAttribute('src')),
        handlers: g.document.querySelectorAll('[onerror]').length,
        pwned: g.__pwned ?? null,
      };
    });
    expect(made).toEqual({ images: 0, scripts: ['/console.js'], handlers: 0, pwned: null });
    await request.locator('button.reject').click();
    await request.waitFor({ state: 'detached', timeout: 15_000 });
  }, 45_000);

  it('a PIN made in the page shows a QR code of the PIN the home recorded; a device using it shows as PIN-verified', async () => {
    const home = join(dir, 'alice');
    const before = await ownerJson<{ activePins: number }>(home, 'account', 'status');
    const pinsBefore = alicePins();

    await page.locator('#pin-expires').selectOption('10m');
    await page.locator('#pin-roles').fill('thermostat');
    await page.getByRole('button', { name: 'Make a PIN' }).click();
    const qr = page.locator('#pin-result svg.qr');
    await qr.waitFor({ timeout: 15_000 });
    expect(await page.locator('#notice').textContent()).toBe('PIN made and registered with the service');
    const pin = (await page.locator('#pin-result .pin-value').textContent()) ?? '';
    const uri = (await page.locator('#pin-result p.udf').textContent()) ?? '';
    expect(uri).toBe(`mcu://alice@example.com/${pin}`);
    expect(await qr.getAttribute('aria-label')).toBe(`QR code of ${uri}`);

    // The QR code as drawn by Chromium decodes, by jsQR on a screenshot, to the URI shown.
    const decoded = decodeWithJsqr(await qr.screenshot());
    expect(decoded).toBe(uri);
    const parsed = parseConnectUri(decoded ?? '');
    expect(parsed.account).toBe('alice@example.com');
    expect(parsed.key).toBe(pin);

    // The home recorded exactly this PIN: one new record whose PinId and SaltedPin are the decoded PIN's.
    const made = alicePins().filter((p) => !pinsBefore.some((q) => q.PinId === p.PinId));
    expect(made).toHaveLength(1);
    const salted = saltedPin(parsed.key, PinAction.Device);
    expect(made[0]).toMatchObject({
      PinId: pinId(salted, 'alice@example.com'),
      SaltedPin: salted,
      Roles: ['thermostat'],
      Automatic: false,
    });
    const expiresIn = Date.parse(made[0]?.Expires ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(8 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(10 * 60_000);
    expect((await ownerJson<{ activePins: number }>(home, 'account', 'status')).activePins).toBe(before.activePins + 1);

    // A device given that PIN (the key of the decoded URI) is shown as PIN-verified; accepting it uses the PIN up.
    const { agent, witness, udf } = await startAgent('pinned', 'Thermostat with a PIN', parsed.key);
    const request = card(witness);
    await request.waitFor({ timeout: 15_000 });
    expect(await request.locator('.pin-check').textContent()).toBe(
      'Yes: it used a PIN you made (checked by this console, not by the service)',
    );
    await request.locator('input.confirm').check();
    await request.locator('button.accept').click();
    await agent.waitFor(/SHOW connected alice@example.com/);
    await page.locator('tr.device', { hasText: udf }).waitFor();
    expect(alicePins().find((p) => p.PinId === made[0]?.PinId)?.UsedBy).toBe(udf);
  }, 45_000);

  it('claims a labelled device by camera: the fake camera plays the label and the agent connects', async () => {
    const agent = await startLabelledAgent('labelled', label);

    await page.locator('#scan-camera').click();
    await expect.poll(() => page.locator('#claim-uri').inputValue(), { timeout: 15_000 }).toBe(label.uri);
    await page.locator('#claim-fingerprint').fill(label.deviceUdf.slice(0, 14));
    await page.locator('#claim-maker-service').fill(service.url);
    await page.locator('#claim-button').click();
    await expect
      .poll(() => page.locator('#notice').textContent(), { timeout: 15_000 })
      .toContain(`Claimed ${label.deviceUdf}`);
    await agent.waitFor(/SHOW connected alice@example.com/);
    await page.locator('tr.device', { hasText: label.deviceUdf }).waitFor();
  }, 45_000);

  it('claims a labelled device from a photo of its label: the label PNG given to the file input', async () => {
    const agent = await startLabelledAgent('photographed', photoLabel);
    await page.locator('#claim-uri').fill('');
    await page.locator('#scan-photo').setInputFiles(photoLabel.png);
    await expect.poll(() => page.locator('#claim-uri').inputValue(), { timeout: 15_000 }).toBe(photoLabel.uri);
    expect(await page.locator('#notice').textContent()).toBe(
      'Label read. Check the fingerprint printed on the label, then Claim.',
    );
    await page.locator('#claim-fingerprint').fill(photoLabel.deviceUdf.slice(0, 14));
    await page.locator('#claim-maker-service').fill(service.url);
    await page.locator('#claim-button').click();
    await expect
      .poll(() => page.locator('#notice').textContent(), { timeout: 15_000 })
      .toContain(`Claimed ${photoLabel.deviceUdf}`);
    await agent.waitFor(/SHOW connected alice@example.com/);
    const row = page.locator('tr.device', { hasText: photoLabel.deviceUdf });
    await row.waitFor();
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('Connected');
  }, 45_000);
});
