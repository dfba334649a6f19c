import { afterEach, describe, expect, it } from 'vitest';
import { sessionCookie, startStubApp, type StubApp } from '../support/http-app.js';

/**
 * Dashboard sessions end on the server: signing out ends every session of the key, wherever its cookie
 * was copied, and so does revoking the key. The cookie's `Secure` flag and the proxies whose
 * X-Forwarded-Proto counts are configurable.
 */

describe('dashboard sessions', { timeout: 30_000 }, () => {
  let h: StubApp | undefined;
  afterEach(async () => h?.close());

  const signIn = (key: string, headers: Record<string, string> = {}) =>
    h!.app.inject({ method: 'POST', url: '/ui/login', headers, payload: { key, next: '/ui' } });
  const page = (cookie: string) => h!.app.inject({ url: '/ui', headers: { cookie } });
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  it('signing out ends the session everywhere it was copied, and every other session of the key', async () => {
    h = await startStubApp();
    const cookie = sessionCookie((await signIn(h.secrets.staff)).headers['set-cookie']);
    const otherDevice = sessionCookie((await signIn(h.secrets.staff)).headers['set-cookie']);
    const viewer = sessionCookie((await signIn(h.secrets.viewer)).headers['set-cookie']);
    const copied = cookie; // e.g. taken from the browser's profile, or another tab
    const before = await page(copied);
    expect(before.statusCode).toBe(200);

    const out = await h.app.inject({ method: 'POST', url: '/ui/logout', headers: { cookie }, payload: { _csrf: csrfOf(before.body) } });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/ui/login');
    expect(String(out.headers['set-cookie'])).toMatch(/^advocacy_session=; .*Max-Age=0/);
    for (const stale of [copied, otherDevice]) {
      const res = await page(stale);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/ui/login?next=%2Fui');
    }
    // Another key's session is not touched; signing in again starts a new, working session.
    expect((await page(viewer)).statusCode).toBe(200);
    expect((await page(sessionCookie((await signIn(h.secrets.staff)).headers['set-cookie']))).statusCode).toBe(200);
    expect((await page(copied)).statusCode).toBe(303);
  });

  it('a sign-out in one API process ends the session in another that reads the same key file', async () => {
    const env = { API_SESSION_SECRET: 'a-session-secret-of-32-characters-or-more' };
    h = await startStubApp({ env });
    const b = await startStubApp({ env, sharingKeysWith: h });
    try {
      const cookie = sessionCookie((await signIn(h.secrets.staff)).headers['set-cookie']);
      const onB = await b.app.inject({ url: '/ui', headers: { cookie } });
      expect(onB.statusCode).toBe(200);
      expect(
        (await b.app.inject({ method: 'POST', url: '/ui/logout', headers: { cookie }, payload: { _csrf: csrfOf(onB.body) } })).statusCode,
      ).toBe(303);
      expect((await page(cookie)).statusCode).toBe(303);
    } finally {
      await b.close();
    }
  });

  it('revoking the key ends its sessions', async () => {
    h = await startStubApp();
    const cookie = sessionCookie((await signIn(h.secrets.staff)).headers['set-cookie']);
    expect((await page(cookie)).statusCode).toBe(200);
    await h.keys.revoke(h.keyInfo.staff.id);
    expect((await page(cookie)).statusCode).toBe(303);
  });

  it('sets Secure when configured, or (auto) when a trusted proxy says the request came over https', async () => {
    const secureOf = async (env: Record<string, string>, headers: Record<string, string> = {}) => {
      h = await startStubApp({ env });
      try {
        const res = await signIn(h.secrets.viewer, headers);
        expect(res.statusCode).toBe(303);
        return String(res.headers['set-cookie']).split('; ').includes('Secure');
      } finally {
        await h.close();
        h = undefined;
      }
    };
    const https = { 'x-forwarded-proto': 'https' };
    expect(await secureOf({})).toBe(false);
    expect(await secureOf({ API_COOKIE_SECURE: 'true' })).toBe(true);
    expect(await secureOf({ API_COOKIE_SECURE: 'auto', API_TRUST_PROXY: '127.0.0.1' }, https)).toBe(true);
    // Without trusting the proxy, a client's own X-Forwarded-Proto counts for nothing.
    expect(await secureOf({ API_COOKIE_SECURE: 'auto' }, https)).toBe(false);
    expect(await secureOf({ API_COOKIE_SECURE: 'false', API_TRUST_PROXY: 'true' }, https)).toBe(false);
  });
});
