/**
 * @module test/unit/cli/factory-batch.test
 * The pieces of `mesh factory batch`: a factory device holds together (the
 * library verifies its .medk and opens its publication), the publish queue retries
 * transient failures with backoff and stops on a refusal, the journal survives a line cut
 * short by a crash, the manifest's CSV, and the progress line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/crypto/random.js';
import { progressLine } from '../../../src/cli/commands/factory-batch.js';
import { JOURNAL_FILE, Journal, readJournal } from '../../../src/cli/factory/batch-journal.js';
import { CSV_COLUMNS, manifestCsv } from '../../../src/cli/factory/batch-manifest.js';
import { makeFactoryDevice } from '../../../src/cli/factory/factory-device.js';
import { makerServiceUrl } from '../../../src/cli/factory/maker-service.js';
import { PublishQueue } from '../../../src/cli/factory/publish-queue.js';
import { UsageError } from '../../../src/cli/cli-errors.js';
import { openPublication } from '../../../src/mesh/connect/cataloged-publication.js';
import { verifyDevicePreconfiguration } from '../../../src/mesh/connect/device-preconfiguration.js';
import type { CatalogedPublication } from '../../../src/mesh/objects/cataloged-publication.js';
import {
  ForbiddenError,
  ServiceFaultError,
  ServiceUnavailableError,
  TooManyRequestsError,
} from '../../../src/platform/http/http-errors.js';

const random = seededRandom(77);

describe('a factory device', () => {
  it('is one device: the library verifies its .medk and opens its publication to the same profile', () => {
    const device = makeFactoryDevice({ makerAccount: 'maker@example.com', description: 'Lamp', bits: 128, random });
    const verified = verifyDevicePreconfiguration({ DevicePreconfiguration: device.preconfiguration });
    expect(verified.profile.udf).toBe(device.deviceUdf);
    expect(verified.connectUri).toBe(device.connectUri);
    expect(verified.publicationId).toBe(device.publicationId);
    const opened = openPublication(device.publication, device.connectUri);
    expect(opened.udf).toBe(device.deviceUdf);
    expect(opened.profile.Description).toBe('Lamp');
    expect(device.publicForm).not.toHaveProperty('PrivateKey');
    expect(device.timings.keyDerivationMs).toBeGreaterThan(0);
  });
});

const publication = { Id: 'EBQX', Authenticator: 'EX', EnvelopedData: [{}, ''] } as unknown as CatalogedPublication;
const unavailable = () =>
  new ServiceUnavailableError('Publish: cannot reach the Mesh service at http://x/ (ECONNREFUSED)', 'http://x/');
const detail = (status: number, retryAfter?: number) => ({
  transaction: 'Publish',
  status,
  statusDescription: 'why',
  url: 'http://x/',
  retryAfter,
});

describe('publish queue', () => {
  it('retries transient failures with growing delays, honouring RetryAfter, then records the publish', async () => {
    const failures = [unavailable(), new ServiceFaultError(detail(503)), new TooManyRequestsError(detail(429, 3))];
    const sleeps: number[] = [];
    const published: number[] = [];
    const queue = new PublishQueue({
      publish: async () => {
        const next = failures.shift();
        if (next !== undefined) throw next;
      },
      onPublished: async (i) => void published.push(i),
      random,
      retry: { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2, jitter: 0, honorRetryAfter: true },
      sleep: async (ms) => void sleeps.push(ms),
    });
    await queue.submit(7, publication);
    await queue.drain();
    expect(sleeps).toEqual([100, 200, 3000]);
    expect(published).toEqual([7]);
    expect(queue.retries).toBe(3);
  });

  it('stops on a refusal (not retried) and on a transient failure that outlasts the attempts', async () => {
    let calls = 0;
    const refused = new PublishQueue({
      publish: async () => {
        calls++;
        throw new ForbiddenError(detail(403));
      },
      onPublished: async () => undefined,
      random,
      sleep: async () => undefined,
    });
    await refused.submit(1, publication);
    await refused.submit(2, publication);
    await expect(refused.drain()).rejects.toThrow(ForbiddenError);
    expect(calls).toBe(1);

    const down = new PublishQueue({
      publish: async () => Promise.reject(unavailable()),
      onPublished: async () => undefined,
      random,
      attempts: 3,
      sleep: async () => undefined,
    });
    await down.submit(1, publication);
    await expect(down.drain()).rejects.toThrow(ServiceUnavailableError);
    expect(down.retries).toBe(2);
  });

  it('keeps at most `concurrency` publishes in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const queue = new PublishQueue({
      publish: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      },
      onPublished: async () => undefined,
      random,
      concurrency: 3,
    });
    for (let i = 1; i <= 10; i++) await queue.submit(i, publication);
    await queue.drain();
    expect(peak).toBe(3);
  });
});

describe('batch journal', () => {
  it('reads made and published entries, ignores a last line cut short, and appends after it on a new line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-journal-'));
    const made = (i: number) =>
      JSON.stringify({ Made: i, DeviceUdf: `M${i}`, ConnectUri: `mcu://m@x.com/E${i}`, PublicationId: `EBQ${i}` });
    writeFileSync(join(dir, JOURNAL_FILE), `${made(1)}\n{"Published":1}\n${made(2)}\n{"Publi`);
    const progress = await readJournal(dir);
    expect([...progress.entries()].map(([i, p]) => [i, p.made.DeviceUdf, p.published])).toEqual([
      [1, 'M1', true],
      [2, 'M2', false],
    ]);
    const journal = await Journal.open(dir);
    await journal.published(2);
    await journal.close();
    expect((await readJournal(dir)).get(2)?.published).toBe(true);
  });

  it('refuses a damaged line that is not the last', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-journal-'));
    writeFileSync(join(dir, JOURNAL_FILE), '{"Made":\n{"Published":1}\n');
    await expect(readJournal(dir)).rejects.toThrow(UsageError);
    await expect(readJournal(dir)).rejects.toThrow(/--out: .*progress.jsonl line 1 is not JSON/);
  });
});

describe('manifest and progress', () => {
  it('writes one CSV row per device under the documented columns', () => {
    const csv = manifestCsv([
      {
        index: 1,
        deviceUdf: 'MAAA',
        connectUri: 'mcu://m@x.com/EAAA',
        publicationId: 'EBQA',
        published: true,
        preconfiguration: 'devices/000001.medk',
        record: 'records/000001.json',
        publication: 'publications/000001.json',
        label: 'labels/000001.png',
      },
    ]);
    expect(csv.split('\n')).toEqual([
      CSV_COLUMNS.join(','),
      '1,MAAA,mcu://m@x.com/EAAA,EBQA,true,devices/000001.medk,records/000001.json,publications/000001.json,labels/000001.png',
      '',
    ]);
  });

  it('says how far it got, the rate and the time left', () => {
    expect(progressLine({ count: 1000, made: 250, published: 240, elapsedMs: 10_000, rate: 25, final: false })).toBe(
      'factory batch: 250/1000 made, 240/1000 published (24%), 25.0 devices/s, about 30 s left',
    );
  });
});

describe('maker service', () => {
  it('uses the SRV record of the maker domain, else https://<domain>/', async () => {
    const srv = async () => [
      { name: 'b.example.com', port: 8443, priority: 20, weight: 0 },
      { name: 'a.example.com.', port: 443, priority: 10, weight: 5 },
    ];
    expect(await makerServiceUrl('maker@Example.com', srv)).toEqual({ url: 'https://a.example.com:443/', via: 'srv' });
    const none = async () => Promise.reject(Object.assign(new Error('no'), { code: 'ENOTFOUND' }));
    expect(await makerServiceUrl('maker@example.com', none)).toEqual({ url: 'https://example.com/', via: 'domain' });
  });
});
