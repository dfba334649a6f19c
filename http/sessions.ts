import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Dashboard sessions: `<payload>.<hmac>` where payload = base64url(JSON { k: key id, e: expiry, n: nonce }),
 * held in an HttpOnly, SameSite=Strict cookie, with a per-session CSRF token and an Origin check for forms.
 */

export const SESSION_COOKIE = 'advocacy_session';

export class Sessions {
  private readonly secret: Buffer;

  constructor(
    secret: string | undefined,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  private mac(purpose: string, value: string): Buffer {
    return createHmac('sha256', this.secret).update(`${purpose}\n${value}`).digest();
  }

  issue(keyId: string): string {
    const payload = Buffer.from(JSON.stringify({ k: keyId, e: this.now() + this.ttlMs, n: randomBytes(9).toString('base64url') })).toString(
      'base64url',
    );
    return `${payload}.${this.mac('session', payload).toString('base64url')}`;
  }

  /** The key id of a well-signed, unexpired session value, else undefined. */
  read(value: string | undefined): string | undefined {
    if (!value) return undefined;
    const [payload, signature, extra] = value.split('.');
    if (!payload || !signature || extra !== undefined) return undefined;
    if (!safeEqual(Buffer.from(signature, 'base64url'), this.mac('session', payload))) return undefined;
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { k?: unknown; e?: unknown };
      if (typeof data.k !== 'string' || typeof data.e !== 'number' || data.e <= this.now()) return undefined;
      return data.k;
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

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`,
  );
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`);
}

/** A cross-site POST is refused even before the CSRF token is looked at: Origin must be this host. */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true; // non-browser clients and older browsers; the CSRF token still applies
  return origin === `${request.protocol}://${request.host}`;
}
