import { afterEach, describe, expect, it } from 'vitest';
import { CampaignError } from '../../shared/errors.js';
import { sessionCookie, startStubApp, type StubApp } from '../support/http-app.js';

/**
 * Server faults (5xx): the client, API or dashboard, gets a message that says what to do and nothing of
 * what happened (addresses, driver messages, stacks); the log has it, under the request id.
 */

const DETAIL = 'connect ECONNREFUSED 10.9.8.7:7233 (tls: user=engine-prod)';

describe('server faults', () => {
  let h: StubApp | undefined;
  afterEach(async () => h?.close());

  it('answer the API with a generic message and log the detail', async () => {
    h = await startStubApp({
      campaigns: {
        view: () => Promise.reject(new Error(DETAIL)),
        list: () => Promise.reject(new CampaignError('unavailable', `Temporal did not answer (${DETAIL}); check TEMPORAL_ADDRESS`)),
      },
      checkTemporal: () => Promise.reject(new Error(DETAIL)),
    });
    const auth = { authorization: `Bearer ${h.secrets.viewer}` };
    const crash = await h.app.inject({ url: '/campaigns/id-1', headers: auth });
    expect(crash.statusCode).toBe(500);
    expect(crash.json()).toEqual({
      statusCode: 500,
      code: 'internal',
      error: 'Internal Server Error',
      message: 'internal error; the server log has the details',
      issues: [],
    });
    const down = await h.app.inject({ url: '/campaigns', headers: auth });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({
      statusCode: 503,
      code: 'unavailable',
      error: 'Service Unavailable',
      message: 'the campaign engine is not answering right now; try again in a minute',
      issues: [],
    });
    const ready = await h.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', temporal: 'not answering' });
    for (const res of [crash, down, ready]) expect(res.body).not.toContain('10.9.8.7');

    // The log has each, findable by the request id the client was given.
    for (const res of [crash, down]) {
      const line = h.log.find((l) => l.includes(`"reqId":"${String(res.headers['x-request-id'])}"`) && l.includes('10.9.8.7'));
      expect(line, String(res.headers['x-request-id'])).toBeDefined();
    }
  });

  it('answer the dashboard with a page that says what to do, and log the detail', async () => {
    h = await startStubApp({
      campaigns: {
        view: () => Promise.reject(new Error(DETAIL)),
        list: () => Promise.reject(new CampaignError('unavailable', `Temporal did not answer (${DETAIL})`)),
      },
    });
    const signIn = await h.app.inject({ method: 'POST', url: '/ui/login', payload: { key: h.secrets.viewer, next: '/ui' } });
    const cookie = sessionCookie(signIn.headers['set-cookie']);
    const crash = await h.app.inject({ url: '/ui/campaigns/id-1', headers: { cookie } });
    expect(crash.statusCode).toBe(500);
    expect(crash.body).toContain('Something went wrong on the server; the log has the details.');
    const down = await h.app.inject({ url: '/ui', headers: { cookie } });
    expect(down.statusCode).toBe(503);
    expect(down.body).toContain('The campaign engine is not answering right now. Try again in a minute.');
    for (const res of [crash, down]) {
      expect(res.body).not.toContain('10.9.8.7');
      expect(h.log.some((l) => l.includes(`"reqId":"${String(res.headers['x-request-id'])}"`) && l.includes('10.9.8.7'))).toBe(true);
    }
  });
});
