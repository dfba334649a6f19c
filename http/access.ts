import type { FastifyRequest } from 'fastify';
import type { Caller } from '../clients/campaign-client.js';
import type { ApiKeyInfo, ApiKeyStore } from '../infra/api-keys.js';
import { CampaignError } from '../shared/errors.js';
import { roleAllows, type Role } from '../shared/ids.js';
import { readCookie, SESSION_COOKIE, type Sessions } from './sessions.js';

/**
 * Access control for the HTTP API and the dashboard.
 *
 * Every route declares `config.access`: `public`, or the least role it needs (viewer < staff <
 * programme-lead < system). The API authenticates `Authorization: Bearer <key>`; the dashboard a signed
 * session cookie set by its login form. The check runs in `onRequest`, before the body is read or
 * validated: no key or a wrong one is 401, a role below the route's is 403. Country scopes are enforced
 * by the campaign facade (it knows each campaign's country): 403 for a country the caller names, 404
 * (as for an unknown id) for another country's campaign.
 */

export type Access = 'public' | Exclude<Role, 'system'>;
export type AuthScheme = 'bearer' | 'session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role the route needs, or public. Routes without it are refused (fail closed). */
    access?: Access;
    /** How the route authenticates: API routes by bearer key, dashboard routes by session cookie. */
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

export type KeyVerifier = Pick<ApiKeyStore, 'verify' | 'get'>;

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

export type AuthOutcome = { ok: true } | { ok: false; status: 401 | 403; message: string };

/**
 * Authenticates and authorises a request for its route; sets `request.apiKey` (and `request.session`).
 * Never throws for bad credentials: the caller answers in its own format (JSON or a page).
 */
export async function authorize(request: FastifyRequest, keys: KeyVerifier, sessions: Sessions): Promise<AuthOutcome> {
  const { access, auth = 'bearer', action = 'do this' } = request.routeOptions.config;
  request.apiKey = null;
  request.session = null;
  if (access === 'public') {
    // Public dashboard pages (the login form) still like to know who is signed in.
    if (auth === 'session') await fromSession(request, keys, sessions);
    return { ok: true };
  }
  if (!access) return { ok: false, status: 403, message: 'this route declares no access rule' };

  if (auth === 'session') {
    if (!(await fromSession(request, keys, sessions))) return { ok: false, status: 401, message: 'sign in with your API key' };
  } else {
    const token = bearerToken(request);
    if (token === undefined) return { ok: false, status: 401, message: 'send an API key: Authorization: Bearer <key>' };
    const key = token ? await keys.verify(token) : undefined;
    if (!key) {
      request.log.warn({ route: request.routeOptions.url }, 'refused an unknown, wrong or revoked API key');
      return { ok: false, status: 401, message: 'the API key is not valid, or it was revoked' };
    }
    request.apiKey = key;
  }
  const role = (request.apiKey as ApiKeyInfo).role;
  if (!roleAllows(role, access)) return { ok: false, status: 403, message: `role ${role} may not ${action}; it needs ${access}` };
  return { ok: true };
}

async function fromSession(request: FastifyRequest, keys: KeyVerifier, sessions: Sessions): Promise<boolean> {
  const value = readCookie(request, SESSION_COOKIE);
  const keyId = sessions.read(value);
  if (!keyId || !value) return false;
  const key = await keys.get(keyId);
  if (!key || key.revokedAt) return false;
  request.apiKey = key;
  request.session = value;
  return true;
}
