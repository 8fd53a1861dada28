/**
 * @module platform/http/transport-policy
 * Which service URLs a client may send to. Plain `http://` is accepted only to loopback
 * (127.0.0.0/8, ::1, `localhost`), where nothing crosses a network; anywhere else the owner's
 * signed requests, a device's profile and the service's answers would travel readable and
 * alterable by anyone on the path, so the client refuses before opening a connection unless
 * the caller explicitly allowed it (`--allow-insecure-http`, agent config
 * `"allowInsecureHttp": true`). docs/security.md "Transport".
 */
import { isInsecureRemoteHttp, isLoopbackHost } from '../../agent/loopback-host.js';
import { InsecureTransportError } from './http-errors.js';

export { isLoopbackHost };

/**
 * Refuses `url` when it is plain http to a host other than loopback and `allowInsecureHttp`
 * is not set. `hint` names the override the caller's user has (a flag or a config field).
 */
export function checkTransport(url: URL, allowInsecureHttp: boolean, hint = '--allow-insecure-http'): void {
  if (allowInsecureHttp || !isInsecureRemoteHttp(url)) return;
  throw new InsecureTransportError(
    `plain http to ${url.hostname} would expose the signed requests, device profiles and answers to anyone on the network path and let them alter them; use https:// or pass ${hint}`,
    { context: { url: url.origin, host: url.hostname } },
  );
}
