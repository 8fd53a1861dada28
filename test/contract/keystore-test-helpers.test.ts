/**
 * @module test/contract/keystore-test-helpers
 * The keystore tests' own safety nets, checked so they cannot pass vacuously: the leak
 * check finds a secret in any form an error could carry it, and a missing backend tool
 * fails with the Debian package to install instead of skipping.
 */
import { describe, expect, it } from 'vitest';
import { KeystoreIntegrityError } from '../../src/platform/keystore/keystore-errors.js';
import { requireTool, TestBackendUnavailableError } from '../helpers/system-tools.js';
import { distinctiveSecret, expectNoSecretIn } from './secret-store-contract.js';

describe('keystore test helpers', () => {
  it('expectNoSecretIn catches a secret in the message, the context, or a cause, in any encoding', () => {
    const secret = distinctiveSecret(32);
    const hex = Buffer.from(secret).toString('hex');
    const leaks: unknown[] = [
      new KeystoreIntegrityError(`bad ${hex}`),
      new KeystoreIntegrityError('bad', { context: { value: Buffer.from(secret).toString('base64') } }),
      new KeystoreIntegrityError('bad', { cause: new Error(Buffer.from(secret).toString('latin1')) }),
      new KeystoreIntegrityError('bad', { context: { bytes: secret } }),
    ];
    for (const leak of leaks) expect(() => expectNoSecretIn(leak, secret)).toThrow(/contains the secret/);
    expectNoSecretIn(new KeystoreIntegrityError('nothing here', { context: { path: '/x' } }), secret);
  });

  it('a missing tool fails naming the package to install', () => {
    expect(() => requireTool('mesh-no-such-tool', 'mesh-no-such-package')).toThrow(TestBackendUnavailableError);
    expect(() => requireTool('mesh-no-such-tool', 'mesh-no-such-package')).toThrow(
      'mesh-no-such-tool not found on PATH: install the Debian package mesh-no-such-package',
    );
    expect(requireTool('swtpm', 'swtpm')).toMatch(/\/swtpm$/);
  });
});
