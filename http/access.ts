import type { FastifyRequest } from 'fastify';
import type { Caller } from '../clients/campaign-client.js';
import type { ApiKeyInfo, ApiKeyStore } from '../infra/api-keys.js';
import { CampaignError } from '../shared/errors.js';
import { roleAllows, type Role } from '../shared/ids.js';
import type { KeyAuthenticator } from './key-authenticator.js';
import { readCookie, SESSION_COOKIE, type Sessions } from './sessions.js';

/**
 * Access control for the HTTP API and the dashboard.
 *
 * Every route declares `config.access`: `public`, or the least role it needs (viewer < staff <
 * programme-lead < system). The API authenticates `Authorization: Bearer <key>`; the dashboard a signed
 * session cookie set by its login form. The check runs in `onRequest`, before the body is read or
 * validated: no key or a wrong one is 401, a role below the route's is 403; too many failed keys from
 * one address or for one key id is 429, too many keys being verified at once 503 (key-authenticator.ts). Country scopes are enforced
 * by the campaign facade (it knows each campaign's country): 403 for a country the caller names, 404
 * (as for an unknown id) for another country's campaign.
 *
 * Only the payload codec endpoint (api/routes/codec.ts) needs `system`: it opens every payload of every
 * campaign, so it is for operators, and it takes a bearer key (the Temporal CLI) or a dashboard session
 * (the Temporal Web UI, which sends the browser's cookies to it).
 */

export type Access = 'public' | Exclude<Role, 'system'>;
export type RouteAccess = Access | 'system';
export type AuthScheme = 'bearer' | 'session' | 'bearer-or-session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role the route needs, or public. Routes without it are refused (fail closed). */
    access?: RouteAccess;
    /**
     * How the route authenticates: API routes by bearer key, dashboard routes by session cookie; the codec
     * endpoint by either (a bearer key when the request has an Authorization header, else the session).
     */
    auth?: AuthScheme;
    /** Names what a 400 is about, e.g. "command" or "start request" (as the facade words it). */
    what?: string;
    /**
     * What the route does, as the engine words it when it refuses a role ("start campaigns", "complete"), so
     * a 403 here reads as the CLI's refusal of the same thing: `role staff may not start campaigns; it needs
     * programme-lead`. Default: "do this".
     */
    action?: string;
  }
  interface FastifyRequest {
    /** The authenticated key (null on public routes). */
    apiKey: ApiKeyInfo | null;
    /** The dashboard session cookie's value, when the request came with a valid one. */
    session: string | null;
  }
}

export type KeyVerifier = Pick<ApiKeyStore, 'verify' | 'recognise' | 'get' | 'endSessions'>;

/** Who a key acts as: its id and role become the command's actor, its countries the caller's scope. */
export function callerOf(key: ApiKeyInfo): Caller {
  return { actor: { id: key.id, role: key.role }, ...(key.countries ? { countries: key.countries } : {}) };
}

export function requireCaller(request: FastifyRequest): Caller {
  if (!request.apiKey) throw new CampaignError('unauthorized', 'sign in with an API key');
  return callerOf(request.apiKey);
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

// ---------------------------------------------------------------------------------------------------
// The hook

export type AuthOutcome =
  | { ok: true }
  | { ok: false; status: 401 | 403; message: string }
  | { ok: false; status: 429 | 503; message: string; retryAfterSeconds: number };

/** What the access check works with. */
export interface AccessDeps {
  keys: KeyVerifier;
  sessions: Sessions;
  authenticator: KeyAuthenticator;
}

/** The words of a refused key check, for the API and the dashboard's sign-in alike. */
export function retryLaterMessage(status: 429 | 503, retryAfterSeconds: number): string {
  return status === 429
    ? `too many failed attempts with an API key from this address or for this key; try again in ${retryAfterSeconds} s`
    : 'the server is busy checking other keys; try again in a moment';
}

/**
 * Authenticates and authorises a request for its route; sets `request.apiKey` (and `request.session`).
 * Never throws for bad credentials: the caller answers in its own format (JSON or a page).
 */
export async function authorize(request: FastifyRequest, { keys, sessions, authenticator }: AccessDeps): Promise<AuthOutcome> {
  const { access, auth = 'bearer', action = 'do this' } = request.routeOptions.config;
  request.apiKey = null;
  request.session = null;
  if (access === 'public') {
    // Public dashboard pages (the login form) still like to know who is signed in.
    if (auth === 'session') await fromSession(request, keys, sessions);
    return { ok: true };
  }
  if (!access) return { ok: false, status: 403, message: 'this route declares no access rule' };

  if (auth === 'session' || (auth === 'bearer-or-session' && request.headers.authorization === undefined)) {
    if (!(await fromSession(request, keys, sessions)))
      return {
        ok: false,
        status: 401,
        message:
          auth === 'session' ? 'sign in with your API key' : 'send an API key (Authorization: Bearer <key>) or sign in to the dashboard',
      };
  } else {
    const token = bearerToken(request);
    if (token === undefined) return { ok: false, status: 401, message: 'send an API key: Authorization: Bearer <key>' };
    const check = token ? await authenticator.check(token, request.ip) : { ok: false as const, status: 401 as const };
    if (!check.ok && check.status !== 401) {
      request.log.warn(
        { route: request.routeOptions.url, status: check.status },
        'refused an API key unchecked: failure limit or verification queue full',
      );
      return {
        ok: false,
        status: check.status,
        message: retryLaterMessage(check.status, check.retryAfterSeconds),
        retryAfterSeconds: check.retryAfterSeconds,
      };
    }
    if (!check.ok) {
      request.log.warn({ route: request.routeOptions.url }, 'refused an unknown, wrong or revoked API key');
      return { ok: false, status: 401, message: 'the API key is not valid, or it was revoked' };
    }
    request.apiKey = check.key;
  }
  const role = (request.apiKey as ApiKeyInfo).role;
  if (!roleAllows(role, access)) return { ok: false, status: 403, message: `role ${role} may not ${action}; it needs ${access}` };
  return { ok: true };
}

/** A session holds while its key is active and has not signed out since (its epoch is the key's). */
async function fromSession(request: FastifyRequest, keys: KeyVerifier, sessions: Sessions): Promise<boolean> {
  const value = readCookie(request, SESSION_COOKIE);
  const claims = sessions.read(value);
  if (!claims || !value) return false;
  const key = await keys.get(claims.keyId);
  if (!key || key.revokedAt || (key.sessionEpoch ?? 0) !== claims.epoch) return false;
  request.apiKey = key;
  request.session = value;
  return true;
}
