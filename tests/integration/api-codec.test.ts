import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { JSONToPayload, payloadToJSON, type JSONPayload } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCRYPTED_ENCODING } from '../../infra/payload-codec.js';
import { generatePayloadKey } from '../../infra/payload-keys.js';
import { payloadCodecFor } from '../../infra/payload-codec.js';
import { parseConfig } from '../../shared/config.js';
import { startApiHarness, startCampaign, type ApiHarness, type RoleName } from '../support/api.js';
import { uniqueId } from '../support/index.js';

/**
 * The payload codec endpoint (api/routes/codec.ts), as the Temporal Web UI and CLI use it: an operator
 * (a system key of every country) reads a campaign's history payloads in clear; nobody else does; the
 * Web UI's origin gets the CORS answers it needs, other origins none.
 */

const UI = 'http://temporal-ui.test:8233'; // TEMPORAL_UI_URL of the harness
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('the payload codec endpoint', () => {
  let h: ApiHarness;
  let campaignId: string;
  const marker = uniqueId('codec-marker');
  /** The payloads of the campaign's history that are encrypted, in protobuf JSON as the Web UI sends them. */
  let encrypted: JSONPayload[];

  const post = (direction: 'decode' | 'encode', headers: Record<string, string>, payloads: JSONPayload[] = encrypted) =>
    h.app.inject({
      method: 'POST',
      url: `/codec/${direction}`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: { payloads },
    });
  const as = (role: RoleName, extra: Record<string, string> = {}) => ({ ...h.auth(role), 'x-namespace': 'default', ...extra });
  const opened = (body: { payloads: JSONPayload[] }) => body.payloads.map((p) => defaultPayloadConverter.fromPayload(JSONToPayload(p)));

  beforeAll(async () => {
    h = await startApiHarness();
    campaignId = await startCampaign(h, 'ID');
    const res = await h.engine.run(() =>
      h.app.inject({ method: 'POST', url: `/campaigns/${campaignId}/notes`, headers: h.auth('staff'), payload: { text: `met ${marker}` } }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const history = await h.temporal.client.workflow.getHandle(campaignId).fetchHistory();
    const all: Payload[] = (history.events ?? []).flatMap((e) => [
      ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
      ...(e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads ?? []),
    ]);
    encrypted = all.filter((p) => text(p.metadata?.encoding) === ENCRYPTED_ENCODING).map((p) => payloadToJSON(p));
    expect(encrypted.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(encrypted)).not.toContain(marker);
  });
  afterAll(async () => h?.close());

  it('decodes the history payloads for an operator key: the note reads in clear', async () => {
    const res = await post('decode', as('operator'));
    expect(res.statusCode, res.body).toBe(200);
    const values = opened(res.json());
    expect(values).toHaveLength(encrypted.length);
    expect(JSON.stringify(values)).toContain(`met ${marker}`);
    // The start request is there too, with the campaign's country.
    expect(values[0]).toMatchObject({ start: { campaignId, country: 'ID' } });
  });

  it('encodes for an operator, and what it encodes decodes again; plain payloads pass through decode', async () => {
    const plain = payloadToJSON(defaultPayloadConverter.toPayload({ hello: marker }));
    const sealed = await post('encode', as('operator'), [plain]);
    expect(sealed.statusCode, sealed.body).toBe(200);
    const [one] = sealed.json<{ payloads: JSONPayload[] }>().payloads;
    expect(Buffer.from(one!.metadata!.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(JSON.stringify(one)).not.toContain(marker);
    const back = await post('decode', as('operator'), [one!, plain]);
    expect(opened(back.json())).toEqual([{ hello: marker }, { hello: marker }]);
  });

  it('answers 401 without a key, with a wrong or revoked one, and without a dashboard session', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-a-key' },
      h.auth('revoked'),
      { cookie: 'advocacy_session=forged.value' },
    ];
    for (const headers of attempts) {
      const res = await post('decode', headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthorized' });
      expect(res.body).not.toContain(marker);
    }
  });

  it('answers 403 to every role below system, and to a country-scoped system key', async () => {
    for (const role of ['viewer', 'staff', 'lead'] as const) {
      const res = await post('decode', as(role));
      expect(res.statusCode, role).toBe(403);
      expect(res.json<{ message: string }>().message).toMatch(/needs system/);
    }
    const scoped = await post('decode', as('scopedOperator'));
    expect(scoped.statusCode).toBe(403);
    expect(scoped.json<{ message: string }>().message).toMatch(/limited to TH; decoding payloads needs a system key of every country/);
  });

  it('decodes for a dashboard session of an operator, as the Web UI sends it with credentials', async () => {
    const login = await h.app.inject({ method: 'POST', url: '/ui/login', payload: { key: h.secrets.operator, next: '/ui' } });
    expect(login.statusCode).toBe(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const res = await post('decode', { cookie, origin: UI, 'x-namespace': 'default' });
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.stringify(opened(res.json()))).toContain(marker);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    // The same session from another site's page is refused (it is what CORS alone would not stop).
    const elsewhere = await post('decode', { cookie, origin: 'https://evil.example', 'x-namespace': 'default' });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
    expect(elsewhere.body).not.toContain(marker);
    // A staff member's session gets no further than with a key.
    const staffLogin = await h.app.inject({ method: 'POST', url: '/ui/login', payload: { key: h.secrets.staff, next: '/ui' } });
    const staffCookie = String(staffLogin.headers['set-cookie']).split(';')[0]!;
    expect((await post('decode', { cookie: staffCookie, origin: UI })).statusCode).toBe(403);
  });

  it('answers the CORS preflight of the configured Web UI origin, and refuses another origin', async () => {
    const preflight = (origin: string, method = 'POST') =>
      h.app.inject({
        method: 'OPTIONS',
        url: '/codec/decode',
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'content-type,x-namespace,authorization',
        },
      });
    const ok = await preflight(UI);
    expect(ok.statusCode).toBe(204);
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': UI,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST, OPTIONS',
      vary: 'Origin',
    });
    expect(String(ok.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/).sort()).toEqual([
      'authorization',
      'content-type',
      'x-namespace',
    ]);
    expect(
      (await h.app.inject({ method: 'OPTIONS', url: '/codec/encode', headers: { origin: UI, 'access-control-request-method': 'POST' } }))
        .statusCode,
    ).toBe(204);

    for (const [origin, method] of [
      ['https://evil.example', 'POST'],
      ['http://temporal-ui.test:9999', 'POST'],
      [UI, 'DELETE'],
    ] as const) {
      const refused = await preflight(origin, method);
      expect(refused.statusCode, `${origin} ${method}`).toBe(403);
      expect(refused.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(refused.headers['access-control-allow-credentials'], origin).toBeUndefined();
    }
    // A key of the right role from a page of another origin is refused too.
    const keyed = await post('decode', as('operator', { origin: 'https://evil.example' }));
    expect(keyed.statusCode).toBe(403);
    expect(keyed.body).not.toContain(marker);
  });

  it('decodes only the engine namespace, and names a key it does not have', async () => {
    const other = await post('decode', as('operator', { 'x-namespace': 'someone-else' }));
    expect(other.statusCode).toBe(403);
    expect(other.json<{ message: string }>().message).toMatch(/namespace default, not someone-else/);

    const [foreign] = await payloadCodecFor(parseConfig({ PAYLOAD_KEYS: generatePayloadKey('retired-2019') })).encode([
      defaultPayloadConverter.toPayload('x'),
    ]);
    const unknown = await post('decode', as('operator'), [payloadToJSON(foreign!)]);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<{ message: string }>().message).toMatch(/encrypted with key "retired-2019", which this process does not have/);
  });
});
