/**
 * @module mesh/keys/activation-keys
 * Co-generated device keys (docs/mesh-compatibility.md §3): the effective key for an operation is the
 * base key from the device's profile seed combined with the contribution derived from the
 * activation seed under the matching "Activation…" name.
 */
import { combineKeyPairs, type CombineOptions } from '../../crypto/keys.js';
import type { KeyPair } from '../../crypto/key-pair.js';
import { deriveKeyPair, type DeriveKeyOptions } from './derive-key.js';
import { keyName, type KeyActor, type KeyOperation } from './key-names.js';

export interface ActivatedKeyOptions extends CombineOptions {
  /** The actor of both names; "Device" for ActivationDevice (§3: "Account" does not match). */
  readonly actor?: KeyActor;
  readonly algorithm?: DeriveKeyOptions['algorithm'];
}

/** The contribution key alone: derived from the activation seed as Activation<actor><operation>. */
export function deriveContributionKeyPair(
  activationSeed: string,
  operation: KeyOperation,
  options: ActivatedKeyOptions = {},
): KeyPair {
  const name = keyName('Activation', options.actor ?? 'Device', operation);
  return deriveKeyPair(activationSeed, name, options.algorithm === undefined ? {} : { algorithm: options.algorithm });
}

/**
 * Base<actor><operation> from `baseSeed` plus Activation<actor><operation> from
 * `activationSeed`: the key the ConnectionDevice publishes for that operation.
 */
export function deriveActivatedKeyPair(
  baseSeed: string,
  activationSeed: string,
  operation: KeyOperation,
  options: ActivatedKeyOptions = {},
): KeyPair {
  const actor = options.actor ?? 'Device';
  const derive = options.algorithm === undefined ? {} : { algorithm: options.algorithm };
  const base = deriveKeyPair(baseSeed, keyName('Base', actor, operation), derive);
  const contribution = deriveContributionKeyPair(activationSeed, operation, options);
  return combineKeyPairs(base, contribution, options.random === undefined ? {} : { random: options.random });
}
