/**
 * @module mesh/keys/key-names
 * Key names fed to seed derivation (docs/mesh-compatibility.md §2.1): MeshKeyType + MeshActor +
 * MeshKeyOperation concatenated with no separator, as KeyOverlay.cs does (the .constant
 * file's underscore formula is not what the code runs). A wrong name derives a different
 * key silently, so names are built and checked here rather than typed as strings.
 */
import { InvalidArgumentError } from '../../crypto/errors.js';

export const KEY_TYPES = ['Base', 'Activation', 'Complete'] as const;
export const KEY_ACTORS = ['Account', 'Member', 'Device', 'Service', 'Host'] as const;
export const KEY_OPERATIONS = [
  'Encrypt',
  'Sign',
  'Authenticate',
  'Profile',
  'AdminEncrypt',
  'AdminSign',
  'Escrow',
] as const;

export type KeyType = (typeof KEY_TYPES)[number];
export type KeyActor = (typeof KEY_ACTORS)[number];
export type KeyOperation = (typeof KEY_OPERATIONS)[number];

export interface KeyNameParts {
  readonly type: KeyType;
  readonly actor: KeyActor;
  readonly operation: KeyOperation;
}

/** Whether the operation's key signs (Ed448 by default) or agrees (X448), per UDF.DeriveKey. */
export type KeyRole = 'sign' | 'encrypt';

/** docs/mesh-compatibility.md §2.1: Encrypt/Escrow/AdminEncrypt/Authenticate → X448; Sign/Profile/AdminSign → Ed448. */
export const OPERATION_ROLE: Readonly<Record<KeyOperation, KeyRole>> = {
  Encrypt: 'encrypt',
  Escrow: 'encrypt',
  AdminEncrypt: 'encrypt',
  Authenticate: 'encrypt',
  Sign: 'sign',
  Profile: 'sign',
  AdminSign: 'sign',
};

function checkPart<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value as T)) {
    throw new InvalidArgumentError(`"${what}" expected one of ${allowed.join('|')}, got ${JSON.stringify(value)}`, {
      context: { what, expected: allowed, actual: String(value) },
    });
  }
  return value as T;
}

/** Builds a validated key name, e.g. keyName('Base', 'Device', 'Sign') = "BaseDeviceSign". */
export function keyName(type: KeyType, actor: KeyActor, operation: KeyOperation): string {
  return (
    checkPart(type, KEY_TYPES, 'type') +
    checkPart(actor, KEY_ACTORS, 'actor') +
    checkPart(operation, KEY_OPERATIONS, 'operation')
  );
}

// Longest operation first, so "AdminSign" is not read as "Sign" after "…Admin".
const OPERATIONS_BY_LENGTH = [...KEY_OPERATIONS].sort((a, b) => b.length - a.length);

/** Splits a key name into its parts; InvalidArgumentError naming `what` if it is not one. */
export function parseKeyName(name: string, what = 'keyName'): KeyNameParts {
  if (typeof name !== 'string') {
    throw new InvalidArgumentError(`"${what}" expected a key name string, got type=${typeof name}`, {
      context: { what },
    });
  }
  for (const type of KEY_TYPES) {
    if (!name.startsWith(type)) continue;
    for (const actor of KEY_ACTORS) {
      if (!name.startsWith(actor, type.length)) continue;
      const rest = name.slice(type.length + actor.length);
      const operation = OPERATIONS_BY_LENGTH.find((op) => op === rest);
      if (operation !== undefined) return { type, actor, operation };
    }
  }
  throw new InvalidArgumentError(
    `"${what}" expected Base|Activation|Complete + actor + operation (e.g. "BaseDeviceSign"), got ${JSON.stringify(name)}`,
    { context: { what, actual: name } },
  );
}

export function isKeyName(name: unknown): name is string {
  try {
    parseKeyName(name as string);
    return true;
  } catch {
    return false;
  }
}

/** Every valid key name, in type, actor, operation order. */
export const KEY_NAMES: readonly string[] = Object.freeze(
  KEY_TYPES.flatMap((t) => KEY_ACTORS.flatMap((a) => KEY_OPERATIONS.map((o) => t + a + o))),
);

/** The names the device-connection flows use (docs/mesh-compatibility.md §2.1, §3 step 2). */
export const MeshKeyNames = {
  BaseDeviceProfile: 'BaseDeviceProfile',
  BaseDeviceEncrypt: 'BaseDeviceEncrypt',
  BaseDeviceSign: 'BaseDeviceSign',
  BaseDeviceAuthenticate: 'BaseDeviceAuthenticate',
  ActivationDeviceEncrypt: 'ActivationDeviceEncrypt',
  ActivationDeviceSign: 'ActivationDeviceSign',
  ActivationDeviceAuthenticate: 'ActivationDeviceAuthenticate',
  CompleteAccountProfile: 'CompleteAccountProfile',
  CompleteAccountAdminSign: 'CompleteAccountAdminSign',
  CompleteAccountAdminEncrypt: 'CompleteAccountAdminEncrypt',
  CompleteAccountEncrypt: 'CompleteAccountEncrypt',
  CompleteAccountAuthenticate: 'CompleteAccountAuthenticate',
  CompleteAccountSign: 'CompleteAccountSign',
  CompleteAccountEscrow: 'CompleteAccountEscrow',
} as const;
