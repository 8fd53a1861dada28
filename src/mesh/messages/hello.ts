/**
 * @module mesh/messages/hello
 * Hello (security-05 §3.5): the protocol version and encodings, and the service's own
 * ProfileService, whose key signs every AcknowledgeConnection.
 */
import { array, envelope, integer, object, optional, required, string, type Infer } from '../schema/index.js';
import type { StatusFields } from './status-fields.js';

export const HelloRequestSchema = object('HelloRequest', {});
export type HelloRequest = Infer<typeof HelloRequestSchema>;

/** One protocol version a service speaks, with the message encodings it accepts in it. */
export const ProtocolVersionSchema = object('Version', {
  Major: required(integer({ min: 0 })),
  Minor: optional(integer({ min: 0 })),
  Encodings: optional(array(string({ maxLength: 128 }), { maxLength: 32 })),
});
export type ProtocolVersion = Infer<typeof ProtocolVersionSchema>;

/** `Version` is the preferred version, `Alternates` the others the service also speaks. */
export const HelloResponseSchema = object('HelloResponse', {
  Version: optional(ProtocolVersionSchema),
  Alternates: optional(array(ProtocolVersionSchema, { maxLength: 32 })),
  EnvelopedProfileService: optional(envelope()),
});
export type HelloResponse = StatusFields & Infer<typeof HelloResponseSchema>;

/**
 * What this implementation speaks: protocol 3.0 (mesh-security-05 §3 in either dialect,
 * docs/service-protocol.md "Dialects") in JSON only; JSON-B and JSON-C messages are not accepted.
 */
export const SPOKEN_VERSION = Object.freeze({ Major: 3, Minor: 0, Encodings: Object.freeze(['JSON']) });

/** `application/json` is the reference's spelling of the same encoding. */
function isJson(encoding: string): boolean {
  const e = encoding.toLowerCase();
  return e === 'json' || e === 'application/json';
}

export type HelloCheck =
  | { readonly ok: true; readonly version?: ProtocolVersion }
  | { readonly ok: false; readonly offered: string };

/**
 * Whether a service's Hello offers a version this implementation speaks (Major 3, JSON). A Hello
 * without `Version` is accepted: mesh-security-05 §3.5 gives Hello no required field, and the
 * service's own refusals will say the rest. Otherwise `offered` describes what it offers.
 */
export function checkHello(hello: Pick<HelloResponse, 'Version' | 'Alternates'>): HelloCheck {
  if (hello.Version === undefined) return { ok: true };
  const offers = [hello.Version, ...(hello.Alternates ?? [])];
  for (const v of offers) {
    const encodings = v.Encodings ?? [];
    if (v.Major === SPOKEN_VERSION.Major && (encodings.length === 0 || encodings.some(isJson)))
      return { ok: true, version: v };
  }
  const offered = offers
    .map((v) => `${v.Major}.${v.Minor ?? 0} (${(v.Encodings ?? []).join(', ') || 'no encoding named'})`)
    .join('; ');
  return { ok: false, offered };
}
