/**
 * @module platform/keystore/xml2js-stub
 * Stands in for xml2js inside the agent bundle (esbuild `alias: { xml2js: <this file> }`).
 * dbus-next needs xml2js only for D-Bus introspection (getProxyObject, exported service
 * objects), and the Secret Service store uses neither: it sends typed messages with
 * explicit signatures (secret-service-bus). xml2js with xmlbuilder and sax is about 100 KB
 * of a 300 KB bundle budget, so the bundle swaps it for this, which fails
 * loudly if introspection is ever reached.
 */
import { UnsupportedAlgorithmError } from '../../crypto/errors.js';

function unavailable(): never {
  throw new UnsupportedAlgorithmError(
    'D-Bus introspection (xml2js) is not included in the agent bundle; use explicit message signatures',
  );
}

/** bus.js builds one at construction and uses it only to answer Introspect calls. */
export class Builder {
  // biome-ignore lint/complexity/noUselessConstructor: keeps xml2js's `new Builder(options)` signature, which dbus-next calls
  constructor(_options?: unknown) {}
  buildObject(_value: unknown): string {
    return unavailable();
  }
}

/** proxy-object.js parses introspection XML; the keystore never asks for a proxy object. */
export class Parser {
  // biome-ignore lint/complexity/noUselessConstructor: keeps xml2js's `new Parser(options)` signature
  constructor(_options?: unknown) {}
  parseString(_xml: string, _callback: unknown): void {
    unavailable();
  }
}
