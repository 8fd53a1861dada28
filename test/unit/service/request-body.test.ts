/**
 * @module test/unit/service/request-body.test
 * Body parsing and the Mesh-Authorization header: every refusal is a ServiceRequestError
 * whose status is the protocol's and whose message names the problem.
 */
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/crypto/keys.js';
import { seededRandom } from '../../../src/crypto/random.js';
import { jsonDepthExceeds, parseRequestBody } from '../../../src/service/request-body.js';
import {
  createRequestAuthorization,
  verifyRequestAuthorization,
} from '../../../src/mesh/connect/request-authorization.js';
import { parseOwnerAuthorization } from '../../../src/service/owner-authorization.js';
import { ServiceRequestError } from '../../../src/service/service-errors.js';

const bytes = (text: string) => new TextEncoder().encode(text);

function refusal(fn: () => unknown): ServiceRequestError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceRequestError);
    return error as ServiceRequestError;
  }
  throw new Error('expected a refusal');
}

describe('parseRequestBody', () => {
  it('reads the one Request member', () => {
    expect(parseRequestBody(bytes('{"ValidateRequest": {"Account": "a@b.c"}}'))).toEqual({
      name: 'ValidateRequest',
      body: { Account: 'a@b.c' },
    });
  });
  it.each([
    ['', 400, 'empty'],
    ['{', 400, 'not valid JSON'],
    ['[]', 400, 'JSON object'],
    ['{"A": 1, "BRequest": {}}', 400, 'exactly one member'],
    ['{"Validate": {}}', 400, 'ending in "Request"'],
    ['{"XRequest": ' + '['.repeat(40) + ']'.repeat(40) + '}', 400, 'nested more than 32'],
  ])('refuses %j with %i naming the problem', (text, status, words) => {
    const error = refusal(() => parseRequestBody(bytes(text)));
    expect(error.status).toBe(status);
    expect(error.message).toContain(words);
  });
  it('refuses invalid UTF-8 and oversized bodies', () => {
    expect(refusal(() => parseRequestBody(Uint8Array.of(0x7b, 0xff, 0x7d))).message).toContain('UTF-8');
    expect(refusal(() => parseRequestBody(new Uint8Array(10), { maxBodyBytes: 5, maxDepth: 32 })).status).toBe(413);
  });
  it('counts depth outside strings only', () => {
    expect(jsonDepthExceeds('{"a": "[[[[[[[[[[[[[[[[[[[[[[["}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a": "\\"", "b": [[[[]]]]}', 3)).toBe(true);
  });
});

describe('Mesh-Authorization (the service side of mesh/connect/request-authorization)', () => {
  const key = generateKeyPair('Ed448', seededRandom(1));
  const body = bytes('{"StatusRequest":{}}');
  const header = createRequestAuthorization({
    account: 'alice@example.com',
    adminKey: key,
    created: new Date('2026-11-21T10:00:00Z'),
    nonce: new Uint8Array(16),
    body,
  });

  it('round-trips and verifies over the exact body bytes', () => {
    const parsed = parseOwnerAuthorization(header);
    expect(parsed).toMatchObject({
      account: 'alice@example.com',
      createdText: '2026-11-21T10:00:00Z',
      nonceText: 'AAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(verifyRequestAuthorization(parsed, { publicKey: key, body })).toBe(true);
    expect(verifyRequestAuthorization(parsed, { publicKey: key, body: bytes('{"StatusRequest": {}}') })).toBe(false);
  });
  it.each([
    ['Basic abc', 'scheme'],
    ['Mesh account="a@b.c"', '"kid" is missing'],
    [header.replace('kid=', 'key='), '"key" is not one of'],
    [header + ', kid="x"', 'more than once'],
    [header.replace('nonce="AAAAAAAAAAAAAAAAAAAAAA"', 'nonce="AAAA"'), '16 bytes'],
    ['Mesh ' + 'x'.repeat(3000), 'longer than'],
  ])('refuses %j with 401', (text, words) => {
    const error = refusal(() => parseOwnerAuthorization(text));
    expect(error.status).toBe(401);
    expect(error.message).toContain(words);
  });
});
