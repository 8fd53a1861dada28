/**
 * @module test/unit/cli/console/console-access
 * Who may use the console (docs/console.md "Security"), on ConsoleAccess alone: the printed
 * token is 256 random bits and only it matches; a session cookie is HttpOnly, SameSite=Strict,
 * Path=/ and Secure under TLS; only a cookie naming one of our sessions opens it; each session
 * has its own CSRF token and any other value is a mismatch; the sessions kept are bounded.
 */
import { describe, expect, it } from 'vitest';
import { CSRF_HEADER, ConsoleAccess, SESSION_COOKIE } from '../../../../src/cli/console/console-access.js';
import { seededRandom } from '../../../../src/crypto/random.js';
import { base64urlDecode } from '../../../../src/mesh/encoding/base64url.js';

/** The cookie value a Set-Cookie header carries, and its attributes. */
function parseSetCookie(header: string): { name: string; value: string; attributes: string[] } {
  const [pair = '', ...attributes] = header.split('; ');
  const eq = pair.indexOf('=');
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

describe('the access token', () => {
  it('is 32 random bytes, base64url, and differs between consoles', () => {
    const a = new ConsoleAccess(seededRandom(1), false);
    const b = new ConsoleAccess(seededRandom(2), false);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(base64urlDecode(a.token)).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
  });

  it('only the token itself matches: not a prefix, an extension, another case, another console’s, or nothing', () => {
    const access = new ConsoleAccess(seededRandom(3), false);
    const other = new ConsoleAccess(seededRandom(4), false);
    expect(access.tokenMatches(access.token)).toBe(true);
    for (const candidate of [
      access.token.slice(0, -1),
      `${access.token}A`,
      access.token.toUpperCase() === access.token ? access.token.toLowerCase() : access.token.toUpperCase(),
      other.token,
      '',
      ' ',
      null,
      undefined,
    ])
      expect(access.tokenMatches(candidate), String(candidate)).toBe(false);
  });
});

describe('sessions and their cookie', () => {
  it('the cookie is HttpOnly, SameSite=Strict, Path=/ and not Secure over plain loopback HTTP', () => {
    const access = new ConsoleAccess(seededRandom(5), false);
    const opened = access.openSession(1000);
    const cookie = parseSetCookie(opened.setCookie);
    expect(cookie.name).toBe(SESSION_COOKIE);
    expect(cookie.value).toBe(opened.id);
    expect(base64urlDecode(opened.id)).toHaveLength(32);
    expect(opened.id).not.toBe(access.token);
    expect(cookie.attributes.sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict']);
    expect(opened.setCookie).not.toMatch(/Max-Age|Expires|Domain/i);
  });

  it('under TLS the cookie is Secure as well', () => {
    const opened = new ConsoleAccess(seededRandom(6), true).openSession(1000);
    expect(parseSetCookie(opened.setCookie).attributes.sort()).toEqual([
      'HttpOnly',
      'Path=/',
      'SameSite=Strict',
      'Secure',
    ]);
  });

  it('sessionOf finds our cookie among others, and nothing for an unknown, altered or missing one', () => {
    const access = new ConsoleAccess(seededRandom(7), false);
    const opened = access.openSession(1000);
    const expected = { id: opened.id, csrf: access.csrfOf(opened.id) };
    expect(access.sessionOf(`${SESSION_COOKIE}=${opened.id}`)).toEqual(expected);
    expect(access.sessionOf(`theme=dark; ${SESSION_COOKIE}=${opened.id} ;other=1`)).toEqual(expected);
    expect(access.sessionOf(`${SESSION_COOKIE}=nope; ${SESSION_COOKIE}=${opened.id}`)).toEqual(expected);

    const stranger = new ConsoleAccess(seededRandom(8), false).openSession(1000);
    for (const header of [
      undefined,
      '',
      `${SESSION_COOKIE}=`,
      `${SESSION_COOKIE}=${opened.id.slice(0, -1)}`,
      `${SESSION_COOKIE}=${stranger.id}`,
      `${SESSION_COOKIE}=${access.token}`,
      `x${SESSION_COOKIE}=${opened.id}`,
      `${SESSION_COOKIE}x=${opened.id}`,
      `other=${opened.id}`,
      opened.id,
    ])
      expect(access.sessionOf(header), String(header)).toBeUndefined();
  });

  it('keeps at most 16 sessions: opening one more drops the oldest', () => {
    const access = new ConsoleAccess(seededRandom(9), false);
    const ids = Array.from({ length: 17 }, (_, i) => access.openSession(1000 + i).id);
    expect(access.sessionOf(`${SESSION_COOKIE}=${ids[0]}`)).toBeUndefined();
    expect(access.csrfOf(ids[0] as string)).toBe('');
    for (const id of ids.slice(1)) expect(access.sessionOf(`${SESSION_COOKIE}=${id}`)?.id).toBe(id);
  });
});

describe('the CSRF token', () => {
  it('is the header the page sends, named x-csrf-token', () => {
    expect(CSRF_HEADER).toBe('x-csrf-token');
  });

  it('each session has its own; only that session’s matches', () => {
    const access = new ConsoleAccess(seededRandom(10), false);
    const a = access.openSession(1000);
    const b = access.openSession(1001);
    const csrfA = access.csrfOf(a.id);
    const csrfB = access.csrfOf(b.id);
    expect(base64urlDecode(csrfA)).toHaveLength(32);
    expect(csrfA).not.toBe(csrfB);
    expect(csrfA).not.toBe(a.id);
    expect(access.csrfMatches(a.id, csrfA)).toBe(true);
    expect(access.csrfMatches(b.id, csrfB)).toBe(true);
  });

  it('a missing, wrong, other session’s, repeated or unknown-session token is a mismatch', () => {
    const access = new ConsoleAccess(seededRandom(11), false);
    const a = access.openSession(1000);
    const b = access.openSession(1001);
    const csrfA = access.csrfOf(a.id);
    for (const header of [
      undefined,
      '',
      'x'.repeat(43),
      csrfA.slice(0, -1),
      `${csrfA} `,
      access.csrfOf(b.id),
      access.token,
      a.id,
      [csrfA],
      [csrfA, csrfA],
    ])
      expect(access.csrfMatches(a.id, header), String(header)).toBe(false);
    expect(access.csrfMatches('no-such-session', csrfA)).toBe(false);
    expect(access.csrfOf('no-such-session')).toBe('');
    // An unknown session's empty CSRF token never matches an empty header.
    expect(access.csrfMatches('no-such-session', '')).toBe(false);
  });
});
