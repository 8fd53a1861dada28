/**
 * @module test/unit/mesh/connect/flow-request-authorization.test
 * The `Mesh-Authorization` header of docs/service-protocol.md: round trip, what a forged or
 * replayed-elsewhere header fails on, and strict parsing with errors naming the parameter.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../../src/crypto/bytes.js';
import { InvalidEncodingError } from '../../../../src/crypto/errors.js';
import { sha512 } from '../../../../src/crypto/hash.js';
import { verifySignature } from '../../../../src/crypto/keys.js';
import {
  createRequestAuthorization,
  parseRequestAuthorization,
  requestStringToSign,
  verifyRequestAuthorization,
} from '../../../../src/mesh/connect/request-authorization.js';
import { base64urlEncode } from '../../../../src/mesh/encoding/base64url.js';
import { keyFingerprint } from '../../../../src/mesh/udf/key-fingerprint.js';
import { world } from './flow-fixtures.js';

function setup() {
  const w = world(31);
  const body = utf8('{"ConnectPendingRequest":{"AccountAddress":"alice@example.com"}}');
  const nonce = w.random(16);
  const header = createRequestAuthorization({
    account: 'alice@example.com',
    adminKey: w.alice.keys.administratorSignature,
    created: w.now,
    nonce,
    body,
  });
  return { w, body, nonce, header };
}

describe('Mesh-Authorization', () => {
  it('has the documented shape and verifies for the body and admin key', () => {
    const { w, body, nonce, header } = setup();
    const kid = keyFingerprint(w.alice.keys.administratorSignature);
    expect(header).toMatch(
      new RegExp(
        `^Mesh account="alice@example.com", kid="${kid}", created="2026-11-21T10:00:00Z", nonce="[A-Za-z0-9_-]{22}", signature="[A-Za-z0-9_-]+"$`,
      ),
    );
    const parsed = parseRequestAuthorization(header);
    expect(parsed.nonce).toEqual(nonce);
    expect(parsed.created.toISOString()).toBe('2026-11-21T10:00:00.000Z');
    expect(verifyRequestAuthorization(parsed, { publicKey: w.alice.keys.administratorSignature, body })).toBe(true);
    // The signature is pure Ed448 over SHA-512 of the documented string.
    const sts = `mmm-request-v1\nalice@example.com\n${kid}\n2026-11-21T10:00:00Z\n${base64urlEncode(nonce)}\n${base64urlEncode(sha512(body))}`;
    expect(
      requestStringToSign({ account: parsed.account, kid, created: parsed.createdText, nonce: parsed.nonceText, body }),
    ).toBe(sts);
    expect(
      verifySignature('Ed448', w.alice.keys.administratorSignature.publicKey, sha512(utf8(sts)), parsed.signature),
    ).toBe(true);
  });

  it('fails for another body, another key, or an edited parameter', () => {
    const { w, body, header } = setup();
    const parsed = parseRequestAuthorization(header);
    expect(
      verifyRequestAuthorization(parsed, { publicKey: w.alice.keys.administratorSignature, body: utf8('{}') }),
    ).toBe(false);
    expect(verifyRequestAuthorization(parsed, { publicKey: w.bob.keys.administratorSignature, body })).toBe(false);
    for (const edited of [
      header.replace('alice@example.com', 'alice@example.org'),
      header.replace('2026-11-21T10:00:00Z', '2026-11-21T10:00:01Z'),
      header.replace(/nonce="./, 'nonce="A'),
    ]) {
      expect(
        verifyRequestAuthorization(parseRequestAuthorization(edited), {
          publicKey: w.alice.keys.administratorSignature,
          body,
        }),
      ).toBe(false);
    }
  });

  it.each([
    ['header', (h: string) => h.replace('Mesh ', 'Bearer ')],
    ['account', (h: string) => h.replace(/account="[^"]*", /, '')],
    ['kid', (h: string) => h.replace(/kid="[^"]*"/, 'kid="not a udf!"')],
    ['kid', (h: string) => h.replace(/kid="([^"]*)"/, (_m, k: string) => `kid="${k.toLowerCase()}"`)],
    ['created', (h: string) => h.replace('2026-11-21T10:00:00Z', '2026-11-21T10:00:00.000Z')],
    ['created', (h: string) => h.replace('2026-11-21T10:00:00Z', '2026-02-30T10:00:00Z')],
    ['nonce', (h: string) => h.replace(/nonce="[^"]*"/, 'nonce="short"')],
    ['signature', (h: string) => h.replace(/signature="[^"]*"/, 'signature=""')],
    ['account', (h: string) => `${h}, account="bob@example.net"`],
    ['extra', (h: string) => `${h}, extra="1"`],
    ['account', (h: string) => h.replace('account="alice@example.com"', 'account=alice@example.com')],
    ['signature', (h: string) => `${h},`],
    ['account', (h: string) => h.replace('account="alice@example.com"', 'account="not-an-address"')],
  ])('names the parameter at fault: %s', (parameter, mutate) => {
    const { header } = setup();
    let error: unknown;
    try {
      parseRequestAuthorization(mutate(header));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEncodingError);
    expect((error as InvalidEncodingError).context['parameter']).toBe(parameter);
    if (parameter !== 'header') expect((error as Error).message).toContain(`"${parameter}"`);
  });

  it('accepts the parameters in any order', () => {
    const { w, body, header } = setup();
    const parts = header.slice('Mesh '.length).split(', ');
    const reordered = `Mesh ${[...parts].reverse().join(', ')}`;
    expect(
      verifyRequestAuthorization(parseRequestAuthorization(reordered), {
        publicKey: w.alice.keys.administratorSignature,
        body,
      }),
    ).toBe(true);
  });
});
