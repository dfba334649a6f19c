import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { keyIdOfSecret, type ApiKeyInfo, type ApiKeyStore } from '../infra/api-keys.js';
import { BoundedSemaphore } from '../infra/bounded-semaphore.js';

/**
 * Checking an API key, for the API's bearer keys and the dashboard's sign-in alike, without letting
 * guessing or a flood of bad keys cost much:
 *
 * - A secret verified before is recognised from memory (no scrypt run) and accepted at once, whatever
 *   the limits below say: it proves itself, and it costs nothing. So a key in use keeps working while
 *   someone else hammers its id or its holder's address.
 * - Other attempts count against the client address (IPv6 by /64, what one host usually gets) and
 *   against the key id the secret names: past `failuresPerAddress` or `failuresPerKey` failures in a
 *   window, 429 with Retry-After until the window ends. The window is fixed, so failures never lock a
 *   valid key holder out for longer than one window after they stop; a success gives its attempt back.
 * - At most `verifyConcurrency` scrypt runs at once and `verifyQueue` waiting; past both, 503 with
 *   Retry-After: 1 (an scrypt run takes ~50 ms of CPU and 16 MiB of memory).
 *
 * The counters are rate-limiter-flexible's in-memory limiters (one process; a restart forgets them).
 */

export interface AuthLimits {
  failuresPerAddress: number;
  failuresPerKey: number;
  windowSeconds: number;
  verifyConcurrency: number;
  verifyQueue: number;
}

export type KeyCheck =
  { ok: true; key: ApiKeyInfo } | { ok: false; status: 401 } | { ok: false; status: 429 | 503; retryAfterSeconds: number };

export type KeyChecker = Pick<ApiKeyStore, 'verify' | 'recognise'>;

/** Failures counted per client: one IPv4 address, or one IPv6 /64 network (a host's usual share). */
export function addressKey(ip: string): string {
  const address = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

export class KeyAuthenticator {
  private readonly byAddress: RateLimiterMemory;
  private readonly byKey: RateLimiterMemory;
  private readonly verifications: BoundedSemaphore;

  constructor(
    private readonly keys: KeyChecker,
    limits: AuthLimits,
  ) {
    this.byAddress = new RateLimiterMemory({
      keyPrefix: 'auth-address',
      points: limits.failuresPerAddress,
      duration: limits.windowSeconds,
    });
    this.byKey = new RateLimiterMemory({ keyPrefix: 'auth-key', points: limits.failuresPerKey, duration: limits.windowSeconds });
    this.verifications = new BoundedSemaphore(limits.verifyConcurrency, limits.verifyQueue);
  }

  /** Checks a presented secret (non-empty) from a client address. */
  async check(secret: string, address: string): Promise<KeyCheck> {
    const known = await this.keys.recognise(secret);
    if (known) return { ok: true, key: known };

    // Count the attempt as a failure before verifying, so concurrent attempts cannot overrun a limit;
    // a success gives it back.
    const keyId = keyIdOfSecret(secret);
    const counters: [RateLimiterMemory, string][] = [
      [this.byAddress, addressKey(address)],
      ...(keyId ? [[this.byKey, keyId] as [RateLimiterMemory, string]] : []),
    ];
    const counted: [RateLimiterMemory, string][] = [];
    const giveBack = () => Promise.all(counted.map(([limiter, key]) => limiter.reward(key)));
    for (const [limiter, key] of counters) {
      try {
        await limiter.consume(key);
        counted.push([limiter, key]);
      } catch (refused) {
        if (!(refused instanceof RateLimiterRes)) throw refused;
        await giveBack();
        return { ok: false, status: 429, retryAfterSeconds: Math.max(1, Math.ceil(refused.msBeforeNext / 1000)) };
      }
    }

    const verified = await this.verifications.run(() => this.keys.verify(secret));
    if (!verified.ran) {
      await giveBack();
      return { ok: false, status: 503, retryAfterSeconds: 1 };
    }
    if (!verified.value) return { ok: false, status: 401 };
    await giveBack();
    return { ok: true, key: verified.value };
  }
}
