/**
 * @module test/unit/mesh/messages/wire-contract
 * The wire contract's shared pieces: the notice topic both ends build, the account address
 * normal form, and a response schema naming the field path of a fault.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import {
  ConnectPendingResponseSchema,
  ConnectStartRequestSchema,
  DEFAULT_TOPIC_PREFIX,
  MESH_SERVICE_PATH,
  Status,
  noticeTopic,
} from '../../../../src/mesh/messages/index.js';

const ENVELOPE = [{}, 'e30'];

describe('mesh/messages', () => {
  it('builds one topic per target, upper-casing the identifier', () => {
    expect(noticeTopic(DEFAULT_TOPIC_PREFIX, { device: 'mabc-def' })).toBe('mesh/v1/device/MABC-DEF/notice');
    expect(noticeTopic('p', { publication: 'nxyz' })).toBe('p/publication/NXYZ/notice');
    expect(() => noticeTopic('p', { device: 'a/#' })).toThrow(RangeError);
  });

  it('keeps the path and the codes of docs/service-protocol.md', () => {
    expect(MESH_SERVICE_PATH).toBe('/.well-known/mmm/');
    expect(Status.OK).toBe(201);
    expect(Status.Pending).toBe(202);
  });

  it('reads an account address in its normal form', () => {
    const request = ConnectStartRequestSchema.parse({
      AccountAddress: 'Alice@Example.COM',
      EnvelopedRequestConnection: ENVELOPE,
    });
    expect(request.AccountAddress).toBe('alice@example.com');
    expect(() =>
      ConnectStartRequestSchema.parse({ AccountAddress: 'no-at-sign', EnvelopedRequestConnection: ENVELOPE }),
    ).toThrow(/"ConnectStartRequest\.AccountAddress" expected an account address/);
  });

  it('names the field path of a bad response field', () => {
    const bad = { Pending: [{ EnvelopedAcknowledgeConnection: ENVELOPE, Expires: 7 }] };
    expect(() => ConnectPendingResponseSchema.parse(bad, 'ConnectPendingResponse')).toThrow(SchemaError);
    expect(() => ConnectPendingResponseSchema.parse(bad, 'ConnectPendingResponse')).toThrow(
      /"ConnectPendingResponse\.Pending\[0\]\.Expires" expected an RFC 3339 date string/,
    );
  });
});
