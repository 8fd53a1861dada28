/**
 * @module platform/keystore/secret-name
 * The mapping from a secret name to a file name for the stores that keep one file per
 * secret. (The checks on a name or value crossing the port are agent/secret-store-checks.)
 */
import { SECRET_NAME_PATTERN } from '../../agent/secret-store.js';

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
