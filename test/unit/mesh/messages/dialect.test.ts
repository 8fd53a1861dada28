/**
 * @module test/unit/mesh/messages/dialect.test
 * The dialect table (docs/service-protocol.md "Dialects"): a seed-dialect request comes out in
 * reference names and is recognised as seed; a reference one is untouched; one field spelt
 * both ways is a MixedDialectError naming both; answers and refusal texts go back into the
 * seed's names.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../../src/mesh/errors.js';
import {
  DIALECTS,
  MixedDialectError,
  descriptionToDialect,
  requestToReference,
  responseToDialect,
} from '../../../../src/mesh/messages/dialect.js';

describe('dialect table', () => {
  it('renames the seed ConnectStatusRequest fields (mesh-security-05 §3.13.1) and reports the seed dialect', () => {
    const body = { AccountID: 'alice@example.com', DeviceID: 'MB2G-X', Portal: 'example.com' };
    const out = requestToReference('ConnectStatusRequest', body);
    expect(out.dialect).toBe('seed');
    expect(out.body).toEqual({ AccountAddress: 'alice@example.com', ResponseId: 'MB2G-X', Portal: 'example.com' });
    expect(body).toHaveProperty('AccountID');
  });

  it('leaves a reference request, and a transaction spelt alike in both, untouched', () => {
    const body = { AccountAddress: 'alice@example.com', ResponseId: 'MB2G-X' };
    expect(requestToReference('ConnectStatusRequest', body)).toEqual({ dialect: 'reference', body });
    const get = { Account: 'alice@example.com', Multiple: true };
    expect(requestToReference('GetRequest', get).body).toBe(get);
  });

  it('refuses one field spelt both ways with a SchemaError naming both spellings', () => {
    const mixed = () =>
      requestToReference('ConnectCompleteRequest', {
        AccountID: 'a@example.com',
        Result: [],
        EnvelopedRespondConnection: [],
      });
    expect(mixed).toThrow(MixedDialectError);
    expect(mixed).toThrow(SchemaError);
    expect(mixed).toThrow(/"Result".*"EnvelopedRespondConnection"/);
  });

  it('answers ConnectStatus and ConnectPending in the seed names (§3.13.2, §3.14.2)', () => {
    const status = responseToDialect('ConnectStatusRequest', 'seed', {
      Status: 201,
      Result: 'Accept',
      EnvelopedRespondConnection: ['h', 'p'],
    });
    expect(status).toEqual({ Status: 201, Outcome: 'Accept', Result: ['h', 'p'] });
    const pending = responseToDialect('ConnectPendingRequest', 'seed', {
      Pending: [{ EnvelopedAcknowledgeConnection: ['a'], PinValidated: true }],
      PageKey: 'k',
    });
    expect(pending).toEqual({ Pending: [['a']], PageKey: 'k' });
    expect(responseToDialect('ConnectStatusRequest', 'reference', { Result: 'Pending' })).toEqual({
      Result: 'Pending',
    });
  });

  it('names the field as the client spelt it in a refusal', () => {
    const text = '"ConnectStatusRequest.AccountAddress" expected an account address, got "x"';
    expect(descriptionToDialect('ConnectStatusRequest', 'seed', text)).toBe(
      '"ConnectStatusRequest.AccountID" expected an account address, got "x"',
    );
    expect(descriptionToDialect('ConnectStatusRequest', 'reference', text)).toBe(text);
  });

  it('has one mapping per seed name and per reference name in each direction', () => {
    for (const d of DIALECTS) {
      for (const list of [d.requestFields, d.responseFields]) {
        expect(new Set(list.map((f) => f.seed)).size).toBe(list.length);
        expect(new Set(list.map((f) => f.reference)).size).toBe(list.length);
      }
    }
  });
});
