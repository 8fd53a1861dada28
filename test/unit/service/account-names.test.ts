/**
 * @module test/unit/service/account-names.test
 * The one account-name normalisation, the reserved user parts and the hosted-domain rule
 * (docs/security.md "Account names and hosted domains").
 */
import { describe, expect, it } from 'vitest';
import {
  RESERVED_LOCAL_PARTS,
  hostedDomainProblem,
  normalizeAccountAddress,
  reservedNameProblem,
} from '../../../src/service/account-names.js';

describe('account names', () => {
  it('lower-cases a valid address and nothing else', () => {
    expect(normalizeAccountAddress('Alice.Smith+home@Example.COM')).toBe('alice.smith+home@example.com');
    expect(normalizeAccountAddress('bob@xn--bcher-kva.example')).toBe('bob@xn--bcher-kva.example');
  });

  it('refuses padding, non-ASCII, full-width and malformed addresses, naming the field', () => {
    for (const bad of [
      ' alice@example.com',
      'alice@example.com\n',
      'álice@example.com',
      'ａlice@example.com',
      'alice@bücher.example',
      'alice@example.com.',
      'a@b@example.com',
      '@example.com',
      'alice@',
      '.alice@example.com',
    ]) {
      expect(() => normalizeAccountAddress(bad, 'Request.Account'), JSON.stringify(bad)).toThrow(
        /"Request\.Account" expected user@domain/,
      );
    }
  });

  it('reserves the documented user parts in any case, and only whole user parts', () => {
    for (const user of [
      'admin',
      'administrator',
      'postmaster',
      'root',
      'hostmaster',
      'abuse',
      'webmaster',
      'security',
      'noreply',
    ]) {
      expect(RESERVED_LOCAL_PARTS).toContain(user);
      expect(reservedNameProblem(`${user.toUpperCase()}@example.com`, RESERVED_LOCAL_PARTS)).toBe(
        `the account name ${JSON.stringify(user)} is reserved`,
      );
    }
    expect(reservedNameProblem('admins@example.com', RESERVED_LOCAL_PARTS)).toBeUndefined();
    expect(reservedNameProblem('alice@admin.example.com', RESERVED_LOCAL_PARTS)).toBeUndefined();
  });

  it('hosts every domain by default, and only the listed ones otherwise', () => {
    expect(hostedDomainProblem('alice@anything.example', [])).toBeUndefined();
    expect(hostedDomainProblem('alice@Example.com', ['example.com'])).toBeUndefined();
    expect(hostedDomainProblem('alice@sub.example.com', ['example.com'])).toBe(
      'the account domain "sub.example.com" is not hosted here (this service hosts example.com)',
    );
  });
});
