import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateOfInstant } from '../../shared/dates.js';
import { startApiHarness, startCampaign, type ApiHarness, type RoleName } from '../support/api.js';

/**
 * Access control of every API route, table-driven: 401 without a key, with a malformed, wrong or revoked
 * one; 403 for a role below the route's; for a country-scoped key, 403 for another country it names and
 * 404 for another country's campaign, the same answer as for an id that does not exist; and nothing
 * changes in the campaign when a request is refused. A last test checks that the table covers every
 * route the OpenAPI document lists, so a new route cannot skip this file.
 */

type Access = 'viewer' | 'staff' | 'programme-lead';
interface RouteCase {
  method: 'GET' | 'POST';
  /** As in the OpenAPI document. */
  path: string;
  access: Access;
  /** A valid body, so a country-scoped key reaches the facade's country check. */
  body?: Record<string, unknown>;
  /**
   * How the country scope applies: to a country the request names (refused with 403), or to the campaign
   * in the path (answered as an unknown campaign: 404).
   */
  scoped?: 'country' | 'campaign';
  query?: string;
}

const today = dateOfInstant(Date.now());
const routes: RouteCase[] = [
  { method: 'GET', path: '/templates', access: 'viewer' },
  { method: 'GET', path: '/templates/{id}', access: 'viewer' },
  { method: 'GET', path: '/campaigns', access: 'viewer', query: 'country=ID', scoped: 'country' },
  { method: 'POST', path: '/campaigns', access: 'programme-lead', body: { template: 'api-test', country: 'ID' }, scoped: 'country' },
  { method: 'GET', path: '/campaigns/{id}', access: 'viewer', scoped: 'campaign' },
  { method: 'GET', path: '/work', access: 'viewer', query: 'country=ID', scoped: 'country' },
  {
    method: 'POST',
    path: '/campaigns/{id}/milestones/{milestone}/complete',
    access: 'staff',
    body: { date: today, evidence: { minutes: 'https://example.org/minutes' } },
    scoped: 'campaign',
  },
  {
    method: 'POST',
    path: '/campaigns/{id}/milestones/{milestone}/skip',
    access: 'staff',
    body: { reason: 'not needed' },
    scoped: 'campaign',
  },
  {
    method: 'POST',
    path: '/campaigns/{id}/milestones/{milestone}/reopen',
    access: 'staff',
    body: { reason: 'by mistake' },
    scoped: 'campaign',
  },
  { method: 'POST', path: '/campaigns/{id}/milestones/{milestone}/assign', access: 'staff', body: { owner: 'Sari' }, scoped: 'campaign' },
  { method: 'POST', path: '/campaigns/{id}/milestones/{milestone}/notes', access: 'staff', body: { text: 'a note' }, scoped: 'campaign' },
  {
    method: 'POST',
    path: '/campaigns/{id}/milestones/{milestone}/extend',
    access: 'programme-lead',
    body: { by: 'P1M', reason: 'more time', legalBasis: 'test rule' },
    scoped: 'campaign',
  },
  { method: 'POST', path: '/campaigns/{id}/notes', access: 'staff', body: { text: 'a note' }, scoped: 'campaign' },
  { method: 'POST', path: '/campaigns/{id}/pause', access: 'programme-lead', body: { reason: 'elections' }, scoped: 'campaign' },
  { method: 'POST', path: '/campaigns/{id}/resume', access: 'programme-lead', scoped: 'campaign' },
  { method: 'POST', path: '/campaigns/{id}/cancel', access: 'programme-lead', body: { reason: 'closed' }, scoped: 'campaign' },
  {
    method: 'POST',
    path: '/campaigns/{id}/inputs/{name}',
    access: 'programme-lead',
    body: { value: 'signed', reason: 'correction' },
    scoped: 'campaign',
  },
];
const publicRoutes = ['/healthz', '/readyz', '/openapi.json', '/docs', '/docs/json'];

/** The roles below a route's, each of which must get 403. */
const below: Record<Access, RoleName[]> = { viewer: [], staff: ['viewer'], 'programme-lead': ['viewer', 'staff'] };
/** A country-scoped key whose role suffices, to show that only the country refuses it. */
const scopedKey: Record<Access, RoleName> = { viewer: 'scopedStaff', staff: 'scopedStaff', 'programme-lead': 'scopedLead' };

describe('API access control on every route', () => {
  let h: ApiHarness;
  let campaignId: string;
  const url = (r: RouteCase) =>
    r.path
      .replace('{id}', r.path.startsWith('/templates') ? 'api-test' : campaignId)
      .replace('{milestone}', 'dialogue')
      .replace('{name}', 'uncatStatus') + (r.query ? `?${r.query}` : '');
  const call = (r: RouteCase, headers: Record<string, string>) =>
    h.app.inject({ method: r.method, url: url(r), headers, ...(r.body ? { payload: r.body } : {}) });

  beforeAll(async () => {
    h = await startApiHarness();
    campaignId = await startCampaign(h, 'ID');
  });
  afterAll(async () => h?.close());

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 401 without a key or with a malformed, wrong or revoked one',
    async (_name, r) => {
      const [prefix, id, tail] = h.secrets.staff.split('.') as [string, string, string];
      const wrongSecret = `${prefix}.${id}.${tail.slice(0, -2)}${tail.endsWith('AA') ? 'BB' : 'AA'}`;
      const attempts: Record<string, Record<string, string>> = {
        'no header': {},
        'not bearer': { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
        'empty bearer': { authorization: 'Bearer ' },
        malformed: { authorization: 'Bearer not-a-key' },
        'wrong secret': { authorization: `Bearer ${wrongSecret}` },
        revoked: h.auth('revoked'),
      };
      for (const [what, headers] of Object.entries(attempts)) {
        const res = await call(r, headers);
        expect(res.statusCode, what).toBe(401);
        expect(res.json(), what).toMatchObject({ statusCode: 401, code: 'unauthorized' });
        expect(res.headers['www-authenticate'], what).toMatch(/^Bearer/);
      }
    },
  );

  it.each(routes.filter((r) => below[r.access].length).map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 403 for a role below the route',
    async (_name, r) => {
      for (const role of below[r.access]) {
        const res = await call(r, h.auth(role));
        expect(res.statusCode, role).toBe(403);
        expect(res.json(), role).toMatchObject({ code: 'forbidden', message: expect.stringContaining(`needs ${r.access}`) as unknown });
      }
    },
  );

  it.each(routes.filter((r) => r.scoped === 'country').map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 403 for a key scoped to other countries naming this one',
    async (_name, r) => {
      const res = await call(r, h.auth(scopedKey[r.access]));
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/ID/) as unknown });
    },
  );

  it.each(routes.filter((r) => r.scoped === 'campaign').map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 404 for a key scoped to other countries, byte for byte the answer for an unknown id',
    async (_name, r) => {
      const res = await call(r, h.auth(scopedKey[r.access]));
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json()).toEqual({
        statusCode: 404,
        code: 'not-found',
        error: 'Not Found',
        message: `no campaign with id ${campaignId}`,
        issues: [],
      });
      // An id of the same length that no campaign has: only the id (and the request id) may differ.
      const unknownId = `${campaignId.slice(0, -8)}00000000`;
      const unknown = await h.app.inject({
        method: r.method,
        url: url(r).replace(campaignId, unknownId),
        headers: h.auth(scopedKey[r.access]),
        ...(r.body ? { payload: r.body } : {}),
      });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.body.replaceAll(unknownId, '<id>')).toBe(res.body.replaceAll(campaignId, '<id>'));
      const comparable = (headers: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'x-request-id' && name !== 'date'));
      expect(comparable(unknown.headers)).toEqual(comparable(res.headers));
      expect(unknown.headers['x-request-id']).not.toBe(res.headers['x-request-id']);
    },
  );

  it('changed nothing in the campaign while refusing all of the above', async () => {
    const view = await h.engine.campaigns.view(campaignId);
    expect(view.history.map((e) => e.action)).toEqual(['campaign started']);
    expect(view.status).toBe('active');
  });

  it('a scoped key sees only its countries in the list, and may read templates', async () => {
    const th = await startCampaign(h, 'TH');
    await expect
      .poll(
        async () =>
          (await h.app.inject({ url: '/campaigns?template=api-test', headers: h.auth('lead') }))
            .json<{ campaignId: string }[]>()
            .map((c) => c.campaignId),
        {
          timeout: 15_000,
        },
      )
      .toEqual(expect.arrayContaining([campaignId, th]));
    const scoped = (await h.app.inject({ url: '/campaigns?template=api-test', headers: h.auth('scopedStaff') })).json<
      { country: string }[]
    >();
    expect(scoped.length).toBeGreaterThan(0);
    expect(new Set(scoped.map((c) => c.country))).toEqual(new Set(['TH']));
    expect((await h.app.inject({ url: `/campaigns/${th}`, headers: h.auth('scopedStaff') })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/templates/api-test', headers: h.auth('scopedStaff') })).statusCode).toBe(200);
  });

  it('serves the probes and the documentation without a key', async () => {
    for (const path of publicRoutes) {
      const res = await h.app.inject({ url: path });
      expect(res.statusCode, path).toBe(200);
    }
  });

  it('covers every route of the OpenAPI document', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>();
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const tested = [...routes.map((r) => `${r.method} ${r.path}`), 'GET /healthz', 'GET /readyz'];
    expect(documented.sort()).toEqual(tested.sort());
    // The probes say they need no key; every other route requires the bearer key.
    expect(doc.paths['/healthz']?.get?.security).toEqual([]);
    expect(doc.paths['/campaigns']?.post?.security).toBeUndefined();
  });
});
