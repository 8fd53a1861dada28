/**
 * @module test/helpers/browser
 * Debian's Chromium (/usr/bin/chromium, .ci/apt-packages) driven by playwright-core, which
 * downloads no browser. Headless, no sandbox (tests run as root in containers), nothing
 * that talks to the network by itself, and a fresh profile directory per launch. `fakeCamera`
 * points Chromium's fake capture device at a .y4m file and grants the camera without asking.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { TestBackendUnavailableError } from './system-tools.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Fails naming the Debian package when Chromium is missing: a browser test never skips silently. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new TestBackendUnavailableError(
      `${CHROMIUM} not found: install the Debian package chromium (it is listed in .ci/apt-packages; apt-get install -y chromium)`,
    );
  }
}

export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(options: { fakeCamera?: string } = {}): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'mesh-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(options.fakeCamera === undefined
      ? []
      : [
          '--use-fake-ui-for-media-stream',
          '--use-fake-device-for-media-stream',
          `--use-file-for-fake-video-capture=${options.fakeCamera}`,
        ]),
  ];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
