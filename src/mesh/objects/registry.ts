/**
 * @module mesh/objects/registry
 * The Mesh object types that travel as tagged payloads (`{"<TypeName>": {...}}`,
 * docs/mesh-compatibility.md §12 item 8), keyed by the tag the reference writes, and the codec over
 * them. Two tags may share a schema where the reference renamed a structure
 * (`DevicePreconfiguration` / HEAD `DevicePreconfigurationPrivate`).
 */
import { createTaggedCodec, type Decoded, type Infer } from '../schema/index.js';
import { AccountEntrySchema } from './account-entry.js';
import { AcknowledgeConnectionSchema } from './acknowledge-connection.js';
import { ApplicationEntryMqttSchema } from './application-entry-mqtt.js';
import { ActivationAccountSchema } from './activation-account.js';
import { ActivationDeviceSchema } from './activation-device.js';
import { CatalogedDeviceSchema } from './cataloged-device.js';
import { CatalogedPublicationSchema } from './cataloged-publication.js';
import { ClaimApprovalSchema } from './claim-approval.js';
import { ConnectionDeviceSchema } from './connection-device.js';
import { ConnectionServiceSchema } from './connection-service.js';
import { DevicePreconfigurationSchema } from './device-preconfiguration.js';
import { KeyDataSchema } from './key-data.js';
import { MessageSchema } from './message.js';
import { MessageClaimSchema } from './message-claim.js';
import { MessageCompleteSchema } from './message-complete.js';
import { MessagePinSchema } from './message-pin.js';
import { MessagePinValidatedSchema } from './message-pin-validated.js';
import { PermissionSchema } from './permission.js';
import { PrivateKeyUDFSchema } from './private-key-udf.js';
import { ProfileAccountSchema } from './profile-account.js';
import { ProfileDeviceSchema } from './profile-device.js';
import { ProfileServiceSchema } from './profile-service.js';
import { ProfileUserSchema } from './profile-user.js';
import { RequestConnectionSchema } from './request-connection.js';
import { RespondConnectionSchema } from './respond-connection.js';

export const MESH_OBJECT_REGISTRY = {
  KeyData: KeyDataSchema,
  PrivateKeyUDF: PrivateKeyUDFSchema,
  ProfileDevice: ProfileDeviceSchema,
  ProfileAccount: ProfileAccountSchema,
  ProfileUser: ProfileUserSchema,
  ProfileService: ProfileServiceSchema,
  ConnectionService: ConnectionServiceSchema,
  ConnectionDevice: ConnectionDeviceSchema,
  ActivationDevice: ActivationDeviceSchema,
  ActivationAccount: ActivationAccountSchema,
  CatalogedDevice: CatalogedDeviceSchema,
  CatalogedPublication: CatalogedPublicationSchema,
  AccountEntry: AccountEntrySchema,
  Permission: PermissionSchema,
  DevicePreconfiguration: DevicePreconfigurationSchema,
  DevicePreconfigurationPrivate: DevicePreconfigurationSchema,
  Message: MessageSchema,
  MessageComplete: MessageCompleteSchema,
  MessagePinValidated: MessagePinValidatedSchema,
  MessagePin: MessagePinSchema,
  RequestConnection: RequestConnectionSchema,
  AcknowledgeConnection: AcknowledgeConnectionSchema,
  RespondConnection: RespondConnectionSchema,
  MessageClaim: MessageClaimSchema,
  ClaimApproval: ClaimApprovalSchema,
  ApplicationEntryMqtt: ApplicationEntryMqttSchema,
} as const;

export type MeshObjectRegistry = typeof MESH_OBJECT_REGISTRY;
export type MeshObjectType = keyof MeshObjectRegistry;
export type MeshObject<K extends MeshObjectType> = Infer<MeshObjectRegistry[K]>;
export type DecodedMeshObject<K extends MeshObjectType> = Decoded<MeshObjectRegistry, K>;

const codec = createTaggedCodec(MESH_OBJECT_REGISTRY);

export const MESH_OBJECT_TYPES: readonly MeshObjectType[] = codec.types;

/** `{"<type>": {...}}` as compact JSON text. */
export function encodeTagged<K extends MeshObjectType>(type: K, value: MeshObject<K>): string {
  return codec.encode(type, value);
}

/** The same as UTF-8 bytes, ready to be a DARE envelope payload. */
export function encodeTaggedBytes<K extends MeshObjectType>(type: K, value: MeshObject<K>): Uint8Array {
  return codec.encodeBytes(type, value);
}

/**
 * Reads a tagged payload (JSON text or UTF-8 bytes) whose tag must be one of `expected`;
 * returns `{type, value}` discriminated by `type`. Throws `SchemaError` for bytes that are
 * not UTF-8 JSON, JSON-B, no tag, more than one tag, an unknown or unexpected tag, or a
 * body that does not match the type's schema (the error names the full path).
 */
export function decodeTagged<K extends MeshObjectType>(
  input: string | Uint8Array,
  expected: K | readonly K[],
): DecodedMeshObject<K> {
  return codec.decode(input, expected);
}

/** `decodeTagged` for a value already parsed (e.g. by a JSON-B reader). */
export function decodeTaggedValue<K extends MeshObjectType>(
  json: unknown,
  expected: K | readonly K[],
): DecodedMeshObject<K> {
  return codec.decodeValue(json, expected);
}
