/**
 * @module mesh/encoding/json-value
 * The JSON data model (RFC 8259) as types, in one place for every layer: what a Mesh message,
 * a stored record or a serial reply holds once it has been checked. Input that has not been
 * checked yet is an `UncheckedObject`, a different name for a different promise.
 */

/** A value JSON can carry: what `JSON.stringify` writes back unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object whose members are all JSON values. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * An object whose members have not been checked yet: what `JSON.parse` gives a parser before
 * a schema has looked at it.
 */
export type UncheckedObject = { [key: string]: unknown };
