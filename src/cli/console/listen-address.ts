/**
 * @module cli/console/listen-address
 * Where `mesh console` listens, and which Host headers it answers (docs/console.md "Security").
 *
 * The console holds the owner's keys, so it listens on loopback unless told otherwise twice:
 * another address needs `--allow-remote` and a TLS certificate and key, or it is refused
 * before anything listens. Every request's Host header must name the console itself (the
 * listen host, `127.0.0.1`, `localhost`, `[::1]`, or `--public-name`), so a page on another
 * origin cannot reach it through a DNS name rebound to 127.0.0.1.
 */
import { isIP } from 'node:net';
import { UsageError } from '../cli-errors.js';

export const DEFAULT_LISTEN = '127.0.0.1:8080';

export interface ListenAddress {
  /** The host to bind: an IP address or `localhost`. */
  readonly host: string;
  readonly port: number;
  readonly loopback: boolean;
}

/** Whether `host` (an IP address or `localhost`) is a loopback address. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** `--listen host:port` (`[v6]:port` for IPv6; port 0 picks a free one). */
export function parseListen(raw: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw.trim());
  if (match === null)
    throw new UsageError(`expected host:port such as ${DEFAULT_LISTEN}, got ${JSON.stringify(raw)}`, '--listen');
  const host = (match[1] ?? match[2]) as string;
  const port = Number(match[3]);
  if (port > 65535) throw new UsageError(`expected a port from 0 to 65535, got ${port}`, '--listen');
  if (host !== 'localhost' && isIP(host) === 0) {
    throw new UsageError(
      `expected an IP address or localhost, got ${JSON.stringify(host)} (a name could resolve anywhere)`,
      '--listen',
    );
  }
  return { host, port, loopback: isLoopbackHost(host) };
}

export interface ExposureOptions {
  readonly allowRemote: boolean;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly publicName: string | undefined;
}

/** Refuses a non-loopback address without `--allow-remote` and TLS, and half-given TLS. */
export function checkExposure(listen: ListenAddress, options: ExposureOptions): void {
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new UsageError(
      '--tls-cert and --tls-key go together',
      options.tlsCert === undefined ? '--tls-cert' : '--tls-key',
    );
  }
  if (listen.loopback) return;
  if (!options.allowRemote) {
    throw new UsageError(
      `${listen.host} is not a loopback address: the console holds the account's keys, so it listens on 127.0.0.1 unless --allow-remote is given too (with --tls-cert and --tls-key)`,
      '--listen',
    );
  }
  if (options.tlsCert === undefined) {
    throw new UsageError(
      `listening on ${listen.host} needs TLS: give --tls-cert and --tls-key (the access token and cookie must not cross the network in clear)`,
      '--allow-remote',
    );
  }
  if ((listen.host === '0.0.0.0' || listen.host === '::') && options.publicName === undefined) {
    throw new UsageError(
      `${listen.host} listens on every address: give --public-name, the host name or address the browser will use, so the Host check knows it`,
      '--listen',
    );
  }
}

/** The Host header values the console answers: itself, under any of its loopback names. */
export function allowedHosts(listen: ListenAddress, port: number, publicName: string | undefined): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  names.add(listen.host.includes(':') ? `[${listen.host.toLowerCase()}]` : listen.host.toLowerCase());
  if (publicName !== undefined) names.add(publicName.toLowerCase());
  const hosts = new Set<string>();
  for (const n of names) {
    hosts.add(`${n}:${port}`);
  }
  return hosts;
}

/** Whether a request's Host header is one of `allowed` (case-insensitive, port required). */
export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  return header !== undefined && allowed.has(header.toLowerCase());
}
