/**
 * @module agent/loopback-host
 * Whether a URL's host is the loopback interface (127.0.0.0/8, ::1, `localhost`): the one
 * place plain http:// is acceptable without the operator saying so, since nothing crosses
 * a network (docs/security.md "Transport"). Shared by the agent's config check and the HTTP
 * client's transport policy, so both draw the line in the same place.
 */

/** `hostname` as URL.hostname spells it (IPv6 in brackets, IPv4 already dotted decimal). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  // URL has already normalised IPv4 forms (127.1, 0x7f.0.0.1) to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether `url` is plain http to a host other than loopback. */
export function isInsecureRemoteHttp(url: URL): boolean {
  return url.protocol === 'http:' && !isLoopbackHost(url.hostname);
}
