/**
 * @module agent/secret-store-checks
 * Checks on what crosses the SecretStore port, shared by every store (the adapters and the
 * memory fake) so they refuse the same inputs with the same error.
 */
import { InvalidSecretNameError, InvalidSecretValueError } from './secret-store-errors.js';
import { SECRET_NAME_PATTERN } from './secret-store.js';

/** Throws InvalidSecretNameError unless `name` matches SECRET_NAME_PATTERN. */
export function checkSecretName(name: unknown): asserts name is string {
  if (typeof name !== 'string') {
    throw new InvalidSecretNameError(`"name" expected a string, got ${name === null ? 'null' : typeof name}`, {
      context: { expected: SECRET_NAME_PATTERN.source },
    });
  }
  if (!SECRET_NAME_PATTERN.test(name)) {
    // The name is not secret (it is an identifier like "device-seed"), but it may be
    // arbitrary caller input, so it is shown JSON-quoted and cut short.
    const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
    throw new InvalidSecretNameError(
      `"name" expected 1-128 characters of [A-Za-z0-9._@/-] starting with a letter or digit, got ${shown} (length ${name.length})`,
      { context: { expected: SECRET_NAME_PATTERN.source, length: name.length } },
    );
  }
}

/** Throws InvalidSecretValueError unless `secret` is a Uint8Array (the value itself is never shown). */
export function checkSecretValue(secret: unknown): asserts secret is Uint8Array {
  if (!(secret instanceof Uint8Array)) {
    throw new InvalidSecretValueError(
      `"secret" expected a Uint8Array, got ${secret === null ? 'null' : typeof secret}`,
    );
  }
}
