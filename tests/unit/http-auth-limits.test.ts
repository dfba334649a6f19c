import { afterEach, describe, expect, it } from 'vitest';
import { addressKey } from '../../http/key-authenticator.js';
import { sessionCookie, startStubApp, wrongSecret, type StubApp } from '../support/http-app.js';

/**
 * Failed authentication is limited per client address and per key id (429 with Retry-After until the
 * failure window ends), and key verification (an scrypt run each) is bounded (503 past the bound). Keys
 * keep working meanwhile: one already verified is recognised without an scrypt run whatever the limits
 * say, and any good key works from an address that has not failed. What stays refused is an unverified
 * key from a blocked address or for a blocked id, until the window ends: never longer.
 */

const WINDOW_MS = 4000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('limits on failed authentication', { timeout: 30_000 }, () => {
  let h: StubApp | undefined;
  afterEach(async () => h?.close());

  const get = (secret: string, remoteAddress: string) =>
    h!.app.inject({ url: '/templates', remoteAddress, headers: { authorization: `Bearer ${secret}` } });

  it('per client address: 429 with Retry-After past the limit; good keys keep working', async () => {
    h = await startStubApp({
      env: { API_AUTH_FAILURES_PER_ADDRESS: '3', API_AUTH_FAILURES_PER_KEY: '1000', API_AUTH_FAILURE_WINDOW: 'PT4S' },
    });
    const { secrets } = h;
    // The viewer's key was verified before the attack; the staff key and a new one never were.
    expect((await get(secrets.viewer, '192.0.2.50')).statusCode).toBe(200);
    const fresh = await h.keys.create({ label: 'new staff', role: 'staff' });

    const started = Date.now();
    for (let i = 0; i < 3; i++) expect((await get(wrongSecret(), '192.0.2.10')).statusCode).toBe(401);
    const limited = await get(wrongSecret(), '192.0.2.10');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({
      statusCode: 429,
      code: 'too-many-requests',
      message: expect.stringMatching(/^too many failed attempts/) as unknown,
    });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    // Garbage counts too, and is refused unchecked.
    expect((await get('not-a-key', '192.0.2.10')).statusCode).toBe(429);

    // Meanwhile: the verified key from the same address, and an unverified good key from another address.
    expect((await get(secrets.viewer, '192.0.2.10')).statusCode).toBe(200);
    expect((await get(secrets.staff, '192.0.2.11')).statusCode).toBe(200);
    // An unverified key from the blocked address waits for the window to end (no scrypt run for it until then)...
    expect((await get(fresh.secret, '192.0.2.10')).statusCode).toBe(429);
    // ...and no longer: a fixed window, so failures never lock a valid holder out for good.
    await sleep(Math.max(0, started + WINDOW_MS + 200 - Date.now()));
    expect((await get(fresh.secret, '192.0.2.10')).statusCode).toBe(200);
    expect((await get(wrongSecret(), '192.0.2.10')).statusCode).toBe(401);
  });

  it('counts an IPv6 client by its /64, and believes X-Forwarded-For only from a trusted proxy', async () => {
    expect(addressKey('2001:db8:0:0:1::7')).toBe('2001:db8:0:0::/64');
    expect(addressKey('2001:db8::2')).toBe('2001:db8:0:0::/64');
    expect(addressKey('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');

    h = await startStubApp({ env: { API_AUTH_FAILURES_PER_ADDRESS: '2', API_TRUST_PROXY: '127.0.0.1' } });
    for (const address of ['2001:db8::1', '2001:db8::2']) expect((await get(wrongSecret(), address)).statusCode).toBe(401);
    expect((await get(wrongSecret(), '2001:db8::3')).statusCode).toBe(429);
    expect((await get(wrongSecret(), '2001:db8:0:1::3')).statusCode).toBe(401);

    // Through the trusted proxy each client counts on its own; an untrusted sender's header is ignored.
    const viaProxy = (client: string, remoteAddress = '127.0.0.1') =>
      h!.app.inject({ url: '/templates', remoteAddress, headers: { authorization: `Bearer ${wrongSecret()}`, 'x-forwarded-for': client } });
    for (let i = 0; i < 2; i++) expect((await viaProxy('198.51.100.1')).statusCode).toBe(401);
    expect((await viaProxy('198.51.100.1')).statusCode).toBe(429);
    expect((await viaProxy('198.51.100.2')).statusCode).toBe(401);
    for (let i = 0; i < 2; i++) expect((await viaProxy(`198.51.100.${10 + i}`, '192.0.2.99')).statusCode).toBe(401);
    expect((await viaProxy('198.51.100.20', '192.0.2.99')).statusCode).toBe(429);
  });

  it('per key id, from any address: 429 for that id only; its holder with a verified secret and other keys keep working', async () => {
    h = await startStubApp({
      env: { API_AUTH_FAILURES_PER_ADDRESS: '1000', API_AUTH_FAILURES_PER_KEY: '3', API_AUTH_FAILURE_WINDOW: 'PT4S' },
    });
    const { secrets, keyInfo } = h;
    expect((await get(secrets.staff, '192.0.2.1')).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await get(wrongSecret(keyInfo.staff.id), `198.51.100.${i}`)).statusCode).toBe(401);
    const limited = await get(wrongSecret(keyInfo.staff.id), '198.51.100.9');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await get(secrets.staff, '203.0.113.5')).statusCode).toBe(200);
    expect((await get(secrets.viewer, '198.51.100.9')).statusCode).toBe(200);
    expect((await get(wrongSecret(keyInfo.viewer.id), '198.51.100.9')).statusCode).toBe(401);
  });

  it('backs off dashboard sign-in the same way, and a good key still signs in', async () => {
    h = await startStubApp({ env: { API_AUTH_FAILURES_PER_ADDRESS: '2' } });
    const signIn = (key: string) =>
      h!.app.inject({ method: 'POST', url: '/ui/login', remoteAddress: '192.0.2.30', payload: { key, next: '/ui' } });
    expect((await get(h.secrets.staff, '192.0.2.99')).statusCode).toBe(200);
    // An empty form is no attempt.
    expect((await signIn('')).statusCode).toBe(401);
    for (let i = 0; i < 2; i++) {
      const refused = await signIn(wrongSecret());
      expect(refused.statusCode).toBe(401);
      expect(refused.body).toContain('That key is not valid, or it was revoked.');
    }
    const backedOff = await signIn(wrongSecret());
    expect(backedOff.statusCode).toBe(429);
    expect(Number(backedOff.headers['retry-after'])).toBeGreaterThan(0);
    expect(backedOff.body).toMatch(/Too many failed sign-ins\. Wait \d+ minutes? and try again\./);
    // The same counter as the API's: a bearer key from this address is refused too...
    expect(
      (await h.app.inject({ url: '/templates', remoteAddress: '192.0.2.30', headers: { authorization: `Bearer ${wrongSecret()}` } }))
        .statusCode,
    ).toBe(429);
    // ...but a key verified before signs in.
    const ok = await signIn(h.secrets.staff);
    expect(ok.statusCode).toBe(303);
    expect((await h.app.inject({ url: '/ui', headers: { cookie: sessionCookie(ok.headers['set-cookie']) } })).statusCode).toBe(200);
  });

  it('bounds key verifications at once: 503 with Retry-After past the bound, while known keys pass', async () => {
    h = await startStubApp({ env: { API_KEY_VERIFY_CONCURRENCY: '1', API_KEY_VERIFY_QUEUE: '1' } });
    expect((await get(h.secrets.viewer, '192.0.2.1')).statusCode).toBe(200);
    const flood = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => get(wrongSecret(), `198.51.100.${i}`)),
      get(h.secrets.viewer, '192.0.2.1'),
    ]);
    const known = flood.pop();
    expect(known?.statusCode).toBe(200);
    // One is verified, one waits its turn, the rest (those that came while both places were taken) are refused.
    const statuses = flood.map((r) => r.statusCode);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    const busy = flood.find((r) => r.statusCode === 503);
    expect(busy?.headers['retry-after']).toBe('1');
    expect(busy?.json()).toMatchObject({ code: 'unavailable', message: 'the server is busy checking other keys; try again in a moment' });
  });
});
