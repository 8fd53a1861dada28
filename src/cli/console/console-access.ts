/**
 * @module cli/console/console-access
 * Who may use the console (docs/console.md "Security"). `mesh console` prints one URL holding
 * a random access token, as a notebook server does; loading it trades the token for a
 * session cookie (HttpOnly, SameSite=Strict, Path=/; Secure under TLS) and redirects to a
 * URL without the token, so it leaves the address bar and the history. Each session has
 * its own CSRF token, which the page sends in a header on every state-changing request:
 * SameSite already keeps other sites' requests from carrying the cookie, and the header
 * (which no form or cross-origin request without CORS can set) is a second, independent bar.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RandomSource } from '../../crypto/random.js';
import { base64urlEncode } from '../../mesh/encoding/base64url.js';

export const SESSION_COOKIE = 'mesh_console';
export const CSRF_HEADER = 'x-csrf-token';
/** Sessions kept at once: a stranger guessing tokens cannot grow the map, but a person may open a few browsers. */
const MAX_SESSIONS = 16;

interface Session {
  readonly csrf: string;
  readonly created: number;
}

/** Compares two secrets in time that does not depend on where they differ. */
function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

export class ConsoleAccess {
  /** The token the printed URL carries. */
  readonly token: string;
  readonly #sessions = new Map<string, Session>();
  readonly #random: RandomSource;
  readonly #secure: boolean;

  constructor(random: RandomSource, secure: boolean) {
    this.#random = random;
    this.#secure = secure;
    this.token = base64urlEncode(random(32));
  }

  /** Whether `candidate` is the access token. */
  tokenMatches(candidate: string | null | undefined): boolean {
    return typeof candidate === 'string' && sameSecret(candidate, this.token);
  }

  /** A new session: its id for the cookie, and the Set-Cookie header value. */
  openSession(now: number): { id: string; setCookie: string } {
    if (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = [...this.#sessions.entries()].sort((a, b) => a[1].created - b[1].created)[0];
      if (oldest !== undefined) this.#sessions.delete(oldest[0]);
    }
    const id = base64urlEncode(this.#random(32));
    this.#sessions.set(id, { csrf: base64urlEncode(this.#random(32)), created: now });
    const attributes = ['HttpOnly', 'SameSite=Strict', 'Path=/', ...(this.#secure ? ['Secure'] : [])];
    return { id, setCookie: `${SESSION_COOKIE}=${id}; ${attributes.join('; ')}` };
  }

  /** The session a Cookie header names, if it is one of ours. */
  sessionOf(cookieHeader: string | undefined): { id: string; csrf: string } | undefined {
    if (cookieHeader === undefined) return undefined;
    for (const part of cookieHeader.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
      const value = part.slice(eq + 1).trim();
      for (const [id, session] of this.#sessions) {
        if (sameSecret(value, id)) return { id, csrf: session.csrf };
      }
    }
    return undefined;
  }

  /** The CSRF token of the session `id`, for the page it is served. */
  csrfOf(id: string): string {
    return this.#sessions.get(id)?.csrf ?? '';
  }

  /** Whether `header` is the CSRF token of the session `id`. */
  csrfMatches(id: string, header: string | string[] | undefined): boolean {
    const session = this.#sessions.get(id);
    return session !== undefined && typeof header === 'string' && sameSecret(header, session.csrf);
  }
}
