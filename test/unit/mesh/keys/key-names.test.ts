/**
 * @module test/unit/mesh/keys/key-names
 * Key names: type + actor + operation with no separator (docs/mesh-compatibility.md §2.1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/crypto/errors.js';
import {
  isKeyName,
  KEY_ACTORS,
  KEY_NAMES,
  KEY_OPERATIONS,
  KEY_TYPES,
  keyName,
  MeshKeyNames,
  OPERATION_ROLE,
  parseKeyName,
  type KeyActor,
  type KeyOperation,
  type KeyType,
} from '../../../../src/mesh/keys/key-names.js';

describe('keyName', () => {
  it('concatenates with no separator', () => {
    expect(keyName('Base', 'Device', 'Sign')).toBe('BaseDeviceSign');
    expect(keyName('Activation', 'Device', 'Encrypt')).toBe('ActivationDeviceEncrypt');
    expect(keyName('Complete', 'Account', 'AdminSign')).toBe('CompleteAccountAdminSign');
  });
  it('round-trips through parseKeyName for every combination', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KEY_TYPES),
        fc.constantFrom(...KEY_ACTORS),
        fc.constantFrom(...KEY_OPERATIONS),
        (t, a, o) => {
          expect(parseKeyName(keyName(t, a, o))).toEqual({ type: t, actor: a, operation: o });
        },
      ),
    );
  });
  it('lists all 105 names, including those the flows use', () => {
    expect(KEY_NAMES.length).toBe(3 * 5 * 7);
    for (const n of Object.values(MeshKeyNames)) expect(KEY_NAMES).toContain(n);
  });
  it('AdminSign is not read as Sign', () => {
    expect(parseKeyName('CompleteAccountAdminSign').operation).toBe('AdminSign');
    expect(OPERATION_ROLE.AdminSign).toBe('sign');
    expect(OPERATION_ROLE.AdminEncrypt).toBe('encrypt');
    expect(OPERATION_ROLE.Authenticate).toBe('encrypt');
  });
});

describe('bad input', () => {
  it.each([
    '',
    'BaseDevice',
    'Base_Device_Sign',
    'basedevicesign',
    'BaseDeviceSigns',
    'BaseRobotSign',
    'ProfileDeviceSign',
  ])('rejects %j naming "keyName"', (name) => {
    expect(() => parseKeyName(name)).toThrow(InvalidArgumentError);
    expect(() => parseKeyName(name)).toThrow(/"keyName"/);
    expect(isKeyName(name)).toBe(false);
  });
  it('keyName names the bad part', () => {
    expect(() => keyName('Bsae' as KeyType, 'Device', 'Sign')).toThrow(/"type"/);
    expect(() => keyName('Base', 'Robot' as KeyActor, 'Sign')).toThrow(/"actor"/);
    expect(() => keyName('Base', 'Device', 'Sing' as KeyOperation)).toThrow(/"operation"/);
  });
});
