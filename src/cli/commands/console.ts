/**
 * @module cli/commands/console
 * `mesh console [--home DIR] [--listen 127.0.0.1:8080] [--open]`: the homeowner's web console
 * (docs/console.md) on the owner home the CLI uses. It prints one URL with a secret access
 * token and serves until interrupted. Another address than loopback needs `--allow-remote`
 * with `--tls-cert` and `--tls-key` (and `--public-name` for a wildcard address).
 *
 * The server is loaded with `await import()` only here, so it is the lazy chunk
 * dist/mesh-console.mjs and the other commands start without it (scripts/build.mjs).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { systemRandom } from '../../crypto/random.js';
import { optionalInteger, optionalString } from '../args.js';
import { InputFileError, UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { checkExposure, DEFAULT_LISTEN, parseListen } from '../console/listen-address.js';
import { HOME_OPTION, homeDirectory, insecureHttpOption } from '../owner/owner-args.js';
import { OwnerHome } from '../owner/owner-home.js';

async function readPem(path: string, argument: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new InputFileError(
      `${argument}: cannot read ${JSON.stringify(path)} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause },
    );
  }
}

/** Hands the URL to the desktop's browser; a missing xdg-open only means the person opens it. */
function openInBrowser(url: string, err: (line: string) => void): void {
  try {
    const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
    child.on('error', () => err('mesh console: could not start xdg-open; open the URL above yourself'));
    child.unref();
  } catch {
    err('mesh console: could not start xdg-open; open the URL above yourself');
  }
}

export const consoleCommand: Command = {
  path: ['console'],
  summary:
    "Run the homeowner's web console on this machine: pending requests, accept or reject, PINs, devices, claim by camera.",
  usage: `[--home DIR] [--listen ${DEFAULT_LISTEN}] [--open] [--allow-remote --tls-cert FILE --tls-key FILE [--public-name HOST]] [--poll-max-seconds 8]`,
  options: {
    ...HOME_OPTION,
    listen: { type: 'string' },
    open: { type: 'boolean' },
    'allow-remote': { type: 'boolean' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'public-name': { type: 'string' },
    'poll-max-seconds': { type: 'string' },
  },
  async run(args, ctx) {
    if (args.positionals.length > 0)
      throw new UsageError('unexpected argument (this command takes options only)', args.positionals[0]);
    const listen = parseListen(optionalString(args, 'listen') ?? DEFAULT_LISTEN);
    const tlsCert = optionalString(args, 'tls-cert');
    const tlsKey = optionalString(args, 'tls-key');
    const publicName = optionalString(args, 'public-name');
    if (publicName !== undefined && !/^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$/.test(publicName)) {
      throw new UsageError('expected a host name or an IP address', '--public-name');
    }
    checkExposure(listen, { allowRemote: args.values['allow-remote'] === true, tlsCert, tlsKey, publicName });
    const pollMaxSeconds = optionalInteger(args, 'poll-max-seconds', 8, 1, 300);
    const home = homeDirectory(args, ctx.env);
    // Fail here, before listening, if this is not an owner home.
    await (await OwnerHome.open(home)).readProfile();
    const tls =
      tlsCert === undefined || tlsKey === undefined
        ? undefined
        : { cert: await readPem(tlsCert, '--tls-cert'), key: await readPem(tlsKey, '--tls-key') };

    const { startConsole } = await import('../console/console-server.js');
    const running = await startConsole({
      home,
      listen,
      allowInsecureHttp: insecureHttpOption(args),
      ...(tls === undefined ? {} : { tls }),
      ...(publicName === undefined ? {} : { publicName }),
      pollMinMs: 1000,
      pollMaxMs: pollMaxSeconds * 1000,
      random: systemRandom,
    });
    ctx.out(running.url);
    ctx.err(
      `mesh console: serving ${home} at ${running.origin}; open the URL above (it carries the access token). Ctrl-C stops.`,
    );
    if (args.values['open'] === true) openInBrowser(running.url, ctx.err);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await running.close();
  },
};
