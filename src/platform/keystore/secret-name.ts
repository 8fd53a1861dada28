/**
 * @module platform/keystore/secret-name
 * Checks on what crosses the SecretStore port, shared by every adapter so they refuse the
 * same inputs with the same error, and the mapping from a secret name to a file name for
 * the stores that keep one file per secret.
 */
import { SECRET_NAME_PATTERN } from '../../agent/secret-store.js';
import { InvalidSecretNameError, InvalidSecretValueError } from './keystore-errors.js';

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
    throw new InvalidSecretValueError(`"secret" expected a Uint8Array, got ${secret === null ? 'null' : typeof secret}`);
  }
}

/**
 * File name of a secret: `/` (legal in names, for `activation/alice@example.com`) becomes
 * `~`, which the pattern excludes, so the mapping is one-to-one and stays readable to a
 * person listing the directory. Names never start with `.`, so a file name never collides
 * with the hidden temp files of atomic writes.
 */
export function fileNameForSecret(name: string, suffix: string): string {
  return `${name.replaceAll('/', '~')}${suffix}`;
}

/** The secret name a file name stands for, or undefined if it is not one of ours. */
export function secretNameFromFile(fileName: string, suffix: string): string | undefined {
  if (!fileName.endsWith(suffix)) return undefined;
  const name = fileName.slice(0, fileName.length - suffix.length).replaceAll('~', '/');
  return SECRET_NAME_PATTERN.test(name) ? name : undefined;
}
