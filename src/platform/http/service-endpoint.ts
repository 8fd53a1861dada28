/**
 * @module platform/http/service-endpoint
 * The URL a client posts transactions to, from what a person or a config file names: a bare
 * origin gets the well-known path (mesh/messages/service-path), a full URL is kept. Only the
 * shape is checked here; the transport policy (transport-policy.ts) decides whether plain
 * http:// may be used.
 */
import { InvalidArgumentError } from '../../crypto/errors.js';
import { MESH_SERVICE_PATH } from '../../mesh/messages/service-path.js';

/** `http(s)://host[:port][/…]` → the transaction URL; a bare origin gets /.well-known/mmm/. */
export function serviceEndpoint(service: string): string {
  let url: URL;
  try {
    url = new URL(service);
  } catch {
    throw new InvalidArgumentError(`"service" expected an http:// or https:// URL, got ${JSON.stringify(service)}`, {
      context: { what: 'service' },
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(
      `"service" expected an http:// or https:// URL, got scheme ${JSON.stringify(url.protocol)}`,
      {
        context: { what: 'service' },
      },
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new InvalidArgumentError('"service" must not carry credentials, a query or a fragment', {
      context: { what: 'service' },
    });
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = MESH_SERVICE_PATH;
  else if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}
