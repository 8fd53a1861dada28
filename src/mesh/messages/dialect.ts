/**
 * @module mesh/messages/dialect
 * The two spellings of the service protocol (docs/service-protocol.md "Dialects"): the seed's
 * own field names (mesh-security-05 §3, e.g. `AccountID`) and the Mesh 3.0 reference names
 * the service speaks internally (e.g. `AccountAddress`). One table, per transaction, seed name
 * ↔ reference name for request and response fields; the service translates a seed-dialect
 * request into the reference form before its schema sees it, and the answer back into the
 * dialect of the request, so no transaction handler knows there are two.
 *
 * Pure: no I/O, nothing but plain JSON values in and out.
 */
import { SchemaError } from '../errors.js';
import { isPlainObject } from '../schema/index.js';

export type Dialect = 'reference' | 'seed';

/** One field spelt differently by the seed and by the reference. */
export interface FieldMapping {
  readonly seed: string;
  readonly reference: string;
  /** The value in the seed's form, when the two differ beyond the name. */
  readonly toSeed?: (value: unknown) => unknown;
  /** Why the two differ, for the table in docs/service-protocol.md. */
  readonly note?: string;
}

export interface TransactionDialect {
  /** The request tag, the same in both dialects (the message names of mesh-security-05 §3). */
  readonly request: string;
  readonly requestFields: readonly FieldMapping[];
  readonly responseFields: readonly FieldMapping[];
  /**
   * A reference request field the seed's message does not carry and that the service takes
   * from the Mesh-Authorization header's `account` when it is absent (mesh-security-05 §3.16:
   * TransferRequest names no account; the signature names the owner).
   */
  readonly accountFromAuthorization?: string;
}

const ACCOUNT_ID: FieldMapping = { seed: 'AccountID', reference: 'AccountAddress' };

/** mesh-security-05 §3.14.2: Pending is a list of signed connection requests. */
function pendingToSeed(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((entry) =>
    isPlainObject(entry) && 'EnvelopedAcknowledgeConnection' in entry ? entry['EnvelopedAcknowledgeConnection'] : entry,
  );
}

/**
 * Every transaction whose fields the seed spells differently. Hello, ValidateAccount,
 * CreateAccount, DeleteAccount, Get, Publish and Status, and the structures KeyValue and
 * SearchConstraints (§3.4), use the same names in both (checked field by field against
 * §3.4–§3.16; docs/service-protocol.md "Dialects" lists them).
 */
export const DIALECTS: readonly TransactionDialect[] = [
  {
    // mesh-security-05 §3.12.1
    request: 'ConnectStartRequest',
    requestFields: [ACCOUNT_ID, { seed: 'SignedRequest', reference: 'EnvelopedRequestConnection' }],
    responseFields: [],
  },
  {
    // mesh-security-05 §3.13.1, §3.13.2
    request: 'ConnectStatusRequest',
    requestFields: [
      ACCOUNT_ID,
      {
        seed: 'DeviceID',
        reference: 'ResponseId',
        note: 'the identifier the device asks by: its ResponseId (the seed leaves its form open)',
      },
    ],
    responseFields: [
      {
        seed: 'Result',
        reference: 'EnvelopedRespondConnection',
        note: "the seed's Result is the signed ConnectionResult",
      },
      {
        seed: 'Outcome',
        reference: 'Result',
        note: "not in the seed: the reference's Result word (Pending, Accept, …), renamed as the seed's Result is the envelope",
      },
    ],
  },
  {
    // mesh-security-05 §3.14.1, §3.14.2
    request: 'ConnectPendingRequest',
    requestFields: [ACCOUNT_ID],
    responseFields: [
      {
        seed: 'Pending',
        reference: 'Pending',
        toSeed: pendingToSeed,
        note: "the seed's entries are the signed requests alone: each entry's EnvelopedAcknowledgeConnection",
      },
    ],
  },
  {
    // mesh-security-05 §3.15.1
    request: 'ConnectCompleteRequest',
    requestFields: [ACCOUNT_ID, { seed: 'Result', reference: 'EnvelopedRespondConnection' }],
    responseFields: [],
  },
  {
    // mesh-security-05 §3.16.1
    request: 'TransferRequest',
    requestFields: [ACCOUNT_ID],
    responseFields: [],
    accountFromAuthorization: 'AccountAddress',
  },
  {
    // Not in the seed; its account field is spelt as everywhere else.
    request: 'PinRegisterRequest',
    requestFields: [ACCOUNT_ID],
    responseFields: [],
  },
];

const BY_REQUEST: ReadonlyMap<string, TransactionDialect> = new Map(DIALECTS.map((d) => [d.request, d]));

/** The dialect table of one request tag, if its fields differ between the two. */
export function dialectOf(request: string): TransactionDialect | undefined {
  return BY_REQUEST.get(request);
}

/** A request spelling one field both ways (`AccountID` and `AccountAddress`). */
export class MixedDialectError extends SchemaError {}

export interface ReferenceRequest {
  readonly dialect: Dialect;
  /** The request in reference names; the input itself when nothing was renamed. */
  readonly body: unknown;
}

/**
 * The request `body` of tag `request` in reference names, and the dialect it was written in:
 * seed as soon as one field carries a seed-only name.
 * @throws MixedDialectError naming both spellings when one field is spelt both ways.
 */
export function requestToReference(request: string, body: unknown): ReferenceRequest {
  const table = BY_REQUEST.get(request);
  if (table === undefined || !isPlainObject(body)) return { dialect: 'reference', body };
  let renamed: Record<string, unknown> | undefined;
  for (const field of table.requestFields) {
    if (!Object.hasOwn(body, field.seed)) continue;
    if (Object.hasOwn(body, field.reference)) {
      throw new MixedDialectError({
        path: `${request}.${field.seed}`,
        expected: `one spelling of the field: "${field.seed}" (mesh-security-05 §3) or "${field.reference}" (Mesh 3.0 reference), not both`,
        actual: `both "${field.seed}" and "${field.reference}"`,
      });
    }
    renamed ??= { ...body };
    renamed[field.reference] = renamed[field.seed];
    delete renamed[field.seed];
  }
  return renamed === undefined ? { dialect: 'reference', body } : { dialect: 'seed', body: renamed };
}

/** The response fields of `request`'s answer in the seed's names (the reference's are unchanged). */
export function responseToDialect(
  request: string,
  dialect: Dialect,
  fields: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const table = BY_REQUEST.get(request);
  if (dialect === 'reference' || table === undefined || table.responseFields.length === 0) return { ...fields };
  const byReference = new Map(table.responseFields.map((f) => [f.reference, f]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const field = byReference.get(key);
    if (field === undefined) out[key] = value;
    else out[field.seed] = field.toSeed === undefined ? value : field.toSeed(value);
  }
  return out;
}

/**
 * A refusal's text in the request's dialect: a field path the service reports in reference
 * names (`"ConnectStatusRequest.AccountAddress" expected …`) names the field as the client spelt it.
 */
export function descriptionToDialect(request: string, dialect: Dialect, description: string): string {
  const table = BY_REQUEST.get(request);
  if (dialect === 'reference' || table === undefined) return description;
  let text = description;
  for (const field of table.requestFields) {
    text = text.split(`${request}.${field.reference}`).join(`${request}.${field.seed}`);
  }
  return text;
}
