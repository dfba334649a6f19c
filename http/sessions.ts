import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Dashboard sessions: `<payload>.<hmac>` where payload = base64url(JSON { k: key id, e: expiry, n: nonce,
 * g: the key's session epoch }), held in an HttpOnly, SameSite=Strict cookie (`Secure` as configured),
 * with a per-session CSRF token and an Origin check for forms.
 *
 * The cookie alone is not enough: the access check also reads the key from the key store, and the session
 * holds only while the key is not revoked and its session epoch is still the one the session began with.
 * Signing out counts the epoch up (ApiKeyStore.endSessions), so a copy of the cookie stops working
 * everywhere, in every API process that reads the same key file.
 */

export const SESSION_COOKIE = 'advocacy_session';

/** What a valid session cookie says. */
export interface SessionClaims {
  keyId: string;
  /** The key's session epoch when the session began (0 for keys never signed out). */
  epoch: number;
}

/** `Secure` on the cookie: when the request came over https, always, or never (API_COOKIE_SECURE). */
export type CookieSecure = 'auto' | 'true' | 'false';

export class Sessions {
  private readonly secret: Buffer;

  constructor(
    secret: string | undefined,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    readonly cookieSecure: CookieSecure = 'auto',
  ) {
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  private mac(purpose: string, value: string): Buffer {
    return createHmac('sha256', this.secret).update(`${purpose}\n${value}`).digest();
  }

  issue(keyId: string, epoch = 0): string {
    const claims = { k: keyId, e: this.now() + this.ttlMs, n: randomBytes(9).toString('base64url'), g: epoch };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.mac('session', payload).toString('base64url')}`;
  }

  /** The claims of a well-signed, unexpired session value, else undefined (the caller checks them against the key). */
  read(value: string | undefined): SessionClaims | undefined {
    if (!value) return undefined;
    const [payload, signature, extra] = value.split('.');
    if (!payload || !signature || extra !== undefined) return undefined;
    if (!safeEqual(Buffer.from(signature, 'base64url'), this.mac('session', payload))) return undefined;
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { k?: unknown; e?: unknown; g?: unknown };
      if (typeof data.k !== 'string' || typeof data.e !== 'number' || data.e <= this.now()) return undefined;
      return { keyId: data.k, epoch: typeof data.g === 'number' ? data.g : 0 };
    } catch {
      return undefined;
    }
  }

  get maxAgeSeconds(): number {
    return Math.floor(this.ttlMs / 1000);
  }

  /** The anti-CSRF token of a session (put in every dashboard form, checked on every POST). */
  csrfToken(session: string): string {
    return this.mac('csrf', session).toString('base64url');
  }

  checkCsrf(session: string, token: unknown): boolean {
    return typeof token === 'string' && safeEqual(Buffer.from(token, 'base64url'), this.mac('csrf', session));
  }
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function secureAttribute(request: FastifyRequest, mode: CookieSecure): string {
  return mode === 'true' || (mode === 'auto' && request.protocol === 'https') ? '; Secure' : '';
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, sessions: Sessions, value: string): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${sessions.maxAgeSeconds}${secureAttribute(request, sessions.cookieSecure)}`,
  );
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, sessions: Sessions): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secureAttribute(request, sessions.cookieSecure)}`,
  );
}

/** A cross-site POST is refused even before the CSRF token is looked at: Origin must be this host. */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true; // non-browser clients and older browsers; the CSRF token still applies
  return origin === `${request.protocol}://${request.host}`;
}
