/**
 * @module cli/commands/factory-batch
 * `mesh factory batch --maker <account> --service <url> --count N --out DIR`: a factory
 * run. The maker is an ordinary account (`mesh account create`), its keys in
 * --home like any owner's; its admin key signs each Publish of a device's claim record
 * (CatalogedPublication) to its service. For each device the run writes, under DIR:
 *
 *   devices/NNNNNN.medk        the DevicePreconfiguration (0600: holds the device seed)
 *   records/NNNNNN.json        the maker's public record of it (no seed; labels print from it)
 *   publications/NNNNNN.json   the CatalogedPublication as published
 *   labels/NNNNNN.png|svg      the label: QR code of the ConnectUri, fingerprint beneath
 *   manifest.csv, manifest.json, batch.json, progress.jsonl
 *
 * A rerun with the same --out resumes (run-batch.ts). Progress goes to standard error at
 * most once a second (none with --json). Exit 2 for bad arguments or a home that cannot be
 * used, 1 when the service refuses a Publish or stays unreachable (with its reason; the
 * devices made so far are kept and a rerun publishes them).
 */
import { checkAccountAddress } from '../../mesh/connect/connect-uri.js';
import { MeshClient } from '../../platform/http/mesh-client.js';
import { serviceEndpoint } from '../../platform/http/service-endpoint.js';
import { LABEL_FORMATS } from '../../platform/label/device-label.js';
import { forArgument, oneOf, optionalInteger, optionalString, requireString } from '../args.js';
import { CheckFailedError, UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { MAX_COUNT } from '../factory/batch-journal.js';
import { runFactoryBatch, type BatchProgress } from '../factory/run-batch.js';
import { HOME_OPTION, homeDirectory, insecureHttpOption } from '../owner/owner-args.js';
import {
  defaultOwnerEnvironment,
  isServiceError,
  openOwnerSession,
  type OwnerEnvironment,
} from '../owner/owner-session.js';

export interface FactoryBatchEnvironment extends OwnerEnvironment {
  readonly fetch?: typeof fetch;
  readonly progressIntervalMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function progressLine(p: BatchProgress): string {
  const percent = p.count === 0 ? 100 : Math.floor((100 * Math.min(p.made, p.published)) / p.count);
  const left = p.rate > 0 && p.made < p.count ? `, about ${seconds(((p.count - p.made) / p.rate) * 1000)} left` : '';
  return `factory batch: ${p.made}/${p.count} made, ${p.published}/${p.count} published (${percent}%), ${p.rate.toFixed(1)} devices/s${left}`;
}

export function makeFactoryBatch(env: FactoryBatchEnvironment = defaultOwnerEnvironment): Command {
  return {
    path: ['factory', 'batch'],
    summary:
      "Make N devices: preconfiguration files, labels and a manifest; publish each claim record to the maker's service (resumable).",
    usage:
      '--maker <account> --service <url> --count N --out DIR [--home DIR] [--bits 120] [--description TEXT] [--format png|svg] [--concurrency 8] [--allow-insecure-http] [--json]',
    options: {
      ...HOME_OPTION,
      maker: { type: 'string' },
      service: { type: 'string' },
      count: { type: 'string' },
      out: { type: 'string' },
      bits: { type: 'string' },
      description: { type: 'string' },
      format: { type: 'string' },
      concurrency: { type: 'string' },
    },
    async run(args, ctx) {
      if (args.positionals.length > 0)
        throw new UsageError('unexpected argument (this command takes options only)', args.positionals[0]);
      const maker = requireString(args, 'maker');
      forArgument('--maker', () => checkAccountAddress(maker, 'maker'));
      const service = requireString(args, 'service');
      forArgument('--service', () => serviceEndpoint(service));
      if (args.values['count'] === undefined) throw new UsageError('is required', '--count');
      const count = optionalInteger(args, 'count', 0, 1, MAX_COUNT);
      const out = requireString(args, 'out');
      const bits = optionalInteger(args, 'bits', 120, 64, 512);
      if (bits % 8 !== 0) throw new UsageError(`expected a multiple of 8, got ${bits}`, '--bits');
      const description = optionalString(args, 'description');
      if (description !== undefined && description.length > 200)
        throw new UsageError(`expected at most 200 characters, got ${description.length}`, '--description');
      const labelFormat = oneOf(args, 'format', LABEL_FORMATS, 'png');
      const concurrency = optionalInteger(args, 'concurrency', 8, 1, 64);
      const json = args.values['json'] === true;

      const allowInsecureHttp = insecureHttpOption(args);
      const session = await openOwnerSession(homeDirectory(args, ctx.env), env, allowInsecureHttp);
      if (session.record.Account.toLowerCase() !== maker.toLowerCase()) {
        throw new UsageError(`expected the account of --home (${session.record.Account}), got ${maker}`, '--maker');
      }
      const client = new MeshClient({
        service,
        allowInsecureHttp,
        ...(env.timeoutMs === undefined ? {} : { timeoutMs: env.timeoutMs }),
        ...(env.fetch === undefined ? {} : { fetch: env.fetch }),
      });
      if (!json && client.endpoint !== serviceEndpoint(session.record.Service)) {
        ctx.err(
          `factory batch: note: publishing to ${client.endpoint}, not the home's service ${session.record.Service}`,
        );
      }
      const result = await runFactoryBatch(
        {
          out,
          makerAccount: session.record.Account,
          service,
          count,
          bits,
          ...(description === undefined ? {} : { description }),
          labelFormat,
          concurrency,
          ...(env.progressIntervalMs === undefined ? {} : { progressIntervalMs: env.progressIntervalMs }),
        },
        {
          client,
          signer: session.signer,
          random: env.random,
          now: env.now,
          ...(env.sleep === undefined ? {} : { sleep: env.sleep }),
          ...(json ? {} : { onProgress: (p: BatchProgress) => ctx.err(progressLine(p)) }),
          ...(json
            ? {}
            : {
                onRetry: (index: number, attempt: number, delayMs: number, error: Error) =>
                  ctx.err(
                    `factory batch: device ${index}: publish attempt ${attempt} failed (${error.message}); retrying in ${delayMs} ms`,
                  ),
              }),
        },
      );
      const summary = {
        out,
        maker: session.record.Account,
        service: client.endpoint,
        count: result.count,
        made: result.made,
        published: result.published,
        newlyMade: result.newlyMade,
        newlyPublished: result.newlyPublished,
        resumed: result.resumed,
        retries: result.retries,
        seconds: Number((result.elapsedMs / 1000).toFixed(3)),
        devicesPerSecond: result.elapsedMs > 0 ? Number(((result.newlyMade * 1000) / result.elapsedMs).toFixed(2)) : 0,
        keyDerivationSeconds: Number((result.keyDerivationMs / 1000).toFixed(3)),
        manifest: result.manifest,
        ...(result.failure === undefined ? {} : { error: result.failure.message }),
      };
      if (result.failure !== undefined) {
        if (json) ctx.out(JSON.stringify(summary));
        const reason = isServiceError(result.failure)
          ? result.failure.message
          : `${result.failure.name}: ${result.failure.message}`;
        throw new CheckFailedError(
          `${reason} (${result.published} of ${result.count} published, ${result.made} made; rerun the same command to resume)`,
          { cause: result.failure },
        );
      }
      if (json) ctx.out(JSON.stringify(summary));
      else {
        ctx.out(
          `made ${result.made} devices (${result.newlyMade} new), published ${result.published} (${result.newlyPublished} new) for ${session.record.Account} -> ${result.manifest.csv}`,
        );
      }
    },
  };
}

export const factoryBatch = makeFactoryBatch();
