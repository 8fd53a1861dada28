/**
 * @module cli/factory/run-batch
 * A factory run: for devices 1..count, the DevicePreconfiguration (0600, with
 * the seed), the maker's public record of it, its CatalogedPublication, its label and a
 * manifest line; every publication is published to the maker's service. Progress is
 * journalled in the output directory (batch-journal.ts) so a rerun resumes: devices
 * already made are not made again (their seeds are in their files) and publications
 * already accepted are not sent again. Making (CPU: key derivation) and publishing
 * (network) overlap: the queue publishes device i while device i+1 is derived.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RandomSource } from '../../crypto/random.js';
import { CatalogedPublicationSchema, type CatalogedPublication } from '../../mesh/objects/cataloged-publication.js';
import { writePrivateFileAtomic } from '../../platform/fs/atomic-write.js';
import { renderDeviceLabel, type LabelFormat } from '../../platform/label/device-label.js';
import type { MeshClient, RequestSigner } from '../../platform/http/mesh-client.js';
import type { RetryScheduleOptions } from '../../agent/retry-schedule.js';
import { Journal, deviceFiles, openBatch, readJournal, type DeviceProgress } from './batch-journal.js';
import { writeManifest, type ManifestLine } from './batch-manifest.js';
import {
  makeFactoryDevice,
  preconfigurationText,
  publicPreconfigurationText,
  publicationJson,
} from './factory-device.js';
import { PublishQueue } from './publish-queue.js';
import { UsageError } from '../cli-errors.js';

export interface BatchOptions {
  readonly out: string;
  readonly makerAccount: string;
  /** The maker's service URL, as given (recorded in batch.json and the manifest). */
  readonly service: string;
  readonly count: number;
  readonly bits: number;
  readonly description?: string;
  readonly labelFormat: LabelFormat;
  readonly concurrency?: number;
  readonly publishAttempts?: number;
  readonly retry?: RetryScheduleOptions;
  /** Progress is reported at most this often (1 s by default), and once at the end. */
  readonly progressIntervalMs?: number;
}

export interface BatchDeps {
  readonly client: MeshClient;
  readonly signer: RequestSigner;
  readonly random: RandomSource;
  readonly now: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onProgress?: (progress: BatchProgress) => void;
  readonly onRetry?: (index: number, attempt: number, delayMs: number, error: Error) => void;
}

export interface BatchProgress {
  readonly count: number;
  readonly made: number;
  readonly published: number;
  readonly elapsedMs: number;
  /** Devices made per second in this run. */
  readonly rate: number;
  readonly final: boolean;
}

export interface BatchResult {
  readonly count: number;
  readonly made: number;
  readonly published: number;
  readonly newlyMade: number;
  readonly newlyPublished: number;
  readonly retries: number;
  readonly resumed: boolean;
  readonly elapsedMs: number;
  /** Time this run spent deriving device keys, and building/signing profiles. */
  readonly keyDerivationMs: number;
  readonly profileSigningMs: number;
  readonly manifest: { readonly csv: string; readonly json: string };
  /** Set when the service refused or stayed unreachable: what was done is journalled. */
  readonly failure?: Error;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function runFactoryBatch(options: BatchOptions, deps: BatchDeps): Promise<BatchResult> {
  const started = performance.now();
  const { out } = options;
  const { resumed } = await openBatch(
    out,
    {
      Maker: options.makerAccount,
      Service: options.service,
      Count: options.count,
      Bits: options.bits,
      ...(options.description === undefined ? {} : { Description: options.description }),
      LabelFormat: options.labelFormat,
    },
    deps.now(),
  );
  const progress = await readJournal(out);
  const highest = Math.max(0, ...progress.keys());
  if (highest > options.count) {
    throw new UsageError(
      `${out} already holds devices up to ${highest}; expected at least ${highest}, got ${options.count}`,
      '--count',
    );
  }
  const journal = await Journal.open(out);

  let made = 0;
  let published = 0;
  let newlyMade = 0;
  let newlyPublished = 0;
  let keyDerivationMs = 0;
  let profileSigningMs = 0;
  const interval = options.progressIntervalMs ?? 1000;
  let lastReport = performance.now();
  const report = (final: boolean) => {
    if (deps.onProgress === undefined) return;
    const now = performance.now();
    if (!final && now - lastReport < interval) return;
    lastReport = now;
    const elapsedMs = now - started;
    deps.onProgress({
      count: options.count,
      made,
      published,
      elapsedMs,
      rate: elapsedMs > 0 ? (newlyMade * 1000) / elapsedMs : 0,
      final,
    });
  };

  const queue = new PublishQueue({
    publish: (publication) =>
      deps.client.publish(
        { Account: options.makerAccount, CatalogedPublication: publicationJson(publication) as never },
        deps.signer,
      ),
    onPublished: async (index) => {
      await journal.published(index);
      const entry = progress.get(index);
      if (entry !== undefined) entry.published = true;
      published++;
      newlyPublished++;
      report(false);
    },
    random: deps.random,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.publishAttempts === undefined ? {} : { attempts: options.publishAttempts }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
    ...(deps.onRetry === undefined ? {} : { onRetry: deps.onRetry }),
  });

  try {
    // Devices the journal says are made: check their files survived, redraw a lost label,
    // and queue what is not yet published.
    for (let index = 1; index <= options.count && queue.failure === undefined; index++) {
      const entry = progress.get(index);
      if (entry === undefined) continue;
      const files = deviceFiles(index, options.labelFormat);
      if (
        !(await exists(join(out, files.preconfiguration))) ||
        !(await exists(join(out, files.record))) ||
        !(await exists(join(out, files.publication)))
      ) {
        progress.delete(index); // made again below, with a fresh seed
        continue;
      }
      if (!(await exists(join(out, files.label)))) {
        await writeFile(
          join(out, files.label),
          renderDeviceLabel({
            connectUri: entry.made.ConnectUri,
            deviceUdf: entry.made.DeviceUdf,
            format: options.labelFormat,
          }),
          { mode: 0o600 },
        );
      }
      made++;
      if (entry.published) published++;
      else {
        const publication = CatalogedPublicationSchema.parse(
          JSON.parse(await readFile(join(out, files.publication), 'utf8')),
          files.publication,
        );
        await queue.submit(index, publication);
      }
    }
    report(false);

    for (let index = 1; index <= options.count && queue.failure === undefined; index++) {
      if (progress.has(index)) continue;
      const device = makeFactoryDevice({
        makerAccount: options.makerAccount,
        bits: options.bits,
        random: deps.random,
        ...(options.description === undefined ? {} : { description: options.description }),
      });
      keyDerivationMs += device.timings.keyDerivationMs;
      profileSigningMs += device.timings.profileSigningMs;
      const files = deviceFiles(index, options.labelFormat);
      const encoder = new TextEncoder();
      // The seed file first, durably: nothing refers to a device whose seed could be lost.
      await writePrivateFileAtomic(
        join(out, files.preconfiguration),
        encoder.encode(preconfigurationText(device.preconfiguration)),
      );
      await writeFile(join(out, files.record), publicPreconfigurationText(device.publicForm), { mode: 0o600 });
      await writeFile(join(out, files.publication), JSON.stringify(publicationJson(device.publication)) + '\n', {
        mode: 0o600,
      });
      await writeFile(
        join(out, files.label),
        renderDeviceLabel({ connectUri: device.connectUri, deviceUdf: device.deviceUdf, format: options.labelFormat }),
        { mode: 0o600 },
      );
      const entry = {
        Made: index,
        DeviceUdf: device.deviceUdf,
        ConnectUri: device.connectUri,
        PublicationId: device.publicationId,
      };
      await journal.made(entry);
      progress.set(index, { made: entry, published: false });
      made++;
      newlyMade++;
      report(false);
      await queue.submit(index, device.publication as CatalogedPublication);
    }
    let failure: Error | undefined;
    try {
      await queue.drain();
    } catch (error) {
      failure = error as Error;
    }
    await journal.sync();

    const lines: ManifestLine[] = [];
    for (let index = 1; index <= options.count; index++) {
      const entry: DeviceProgress | undefined = progress.get(index);
      if (entry === undefined) continue;
      const files = deviceFiles(index, options.labelFormat);
      lines.push({
        index,
        deviceUdf: entry.made.DeviceUdf,
        connectUri: entry.made.ConnectUri,
        publicationId: entry.made.PublicationId,
        published: entry.published,
        ...files,
      });
    }
    const manifest = await writeManifest(
      out,
      { maker: options.makerAccount, service: options.service, labelFormat: options.labelFormat },
      lines,
    );
    report(true);
    return {
      count: options.count,
      made,
      published,
      newlyMade,
      newlyPublished,
      retries: queue.retries,
      resumed,
      elapsedMs: performance.now() - started,
      keyDerivationMs,
      profileSigningMs,
      manifest,
      ...(failure === undefined ? {} : { failure }),
    };
  } finally {
    await journal.close();
  }
}
