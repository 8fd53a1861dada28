/**
 * @module test/unit/mesh/signed-checkpoint
 * The signed checkpoint round-trips under the service key, and is refused when its payload,
 * its signature, the expected service or the key differ.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/crypto/bytes.js';
import { VerificationError } from '../../../src/crypto/errors.js';
import { createEnvelope } from '../../../src/mesh/dare/create-envelope.js';
import { encodeCheckpoint, signCheckpoint, verifyCheckpoint } from '../../../src/mesh/signed-checkpoint.js';
import { UnauthorizedSignerError } from '../../../src/mesh/profiles/profile-errors.js';
import { newServiceSeed, serviceIdentityFromSeed } from '../../../src/service/service-identity.js';
import { randomBytes } from 'node:crypto';

const random = (n: number) => new Uint8Array(randomBytes(n));

describe('signed checkpoint', () => {
  const service = serviceIdentityFromSeed(newServiceSeed(random));
  const other = serviceIdentityFromSeed(newServiceSeed(random));
  const statement = {
    service: service.udf,
    index: 7,
    root: new Uint8Array(64).fill(1),
    chain: new Uint8Array(64).fill(2),
    time: new Date('2026-12-02T20:00:00.123Z'),
  };
  const key = service.signer.key;

  it('verifies under the service key and keeps the head and the time to the second', () => {
    const signed = signCheckpoint(statement, service.signer);
    const verified = verifyCheckpoint(signed.json, key, service.udf);
    expect(verified.statement.index).toBe(7);
    expect(verified.statement.root).toEqual(statement.root);
    expect(verified.statement.time.toISOString()).toBe('2026-12-02T20:00:00.000Z');
  });

  it('refuses an altered payload, another signer, another service and a non-canonical form', () => {
    const signed = signCheckpoint(statement, service.signer);
    const [header, payload, trailer] = signed.json as unknown as [unknown, string, unknown];
    const altered = encodeCheckpoint({ ...signed.statement, root: new Uint8Array(64).fill(3) });
    const swapped = [header, Buffer.from(altered).toString('base64url'), trailer];
    expect(() => verifyCheckpoint(swapped as never, key, service.udf)).toThrow(VerificationError);
    expect(payload.length).toBeGreaterThan(0);
    const foreign = signCheckpoint(statement, other.signer);
    expect(() => verifyCheckpoint(foreign.json, key, service.udf)).toThrow(UnauthorizedSignerError);
    expect(() => verifyCheckpoint(signed.json, key, other.udf)).toThrow(/expected/);
    const spaced = createEnvelope(utf8(` ${new TextDecoder().decode(encodeCheckpoint(signed.statement))}`), {
      signers: [service.signer],
    });
    expect(() => verifyCheckpoint(spaced, key, service.udf)).toThrow(/canonical/);
  });
});
