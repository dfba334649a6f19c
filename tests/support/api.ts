import type { NatsConnection } from '@nats-io/transport-node';
import { join } from 'node:path';
import { inject } from 'vitest';
import { buildApp, type App } from '../../api/app.js';
import { ApiKeyStore, type ApiKeyInfo } from '../../infra/api-keys.js';
import { TemplateRegistry } from '../../infra/templates.js';
import { parseConfig, type Config } from '../../shared/config.js';
import { parseTemplate } from '../../shared/template/validate.js';
import { createTestEngine, type TestEngine } from './engine.js';
import { connectNats, connectTemporal, testLogger, uniqueId, type TemporalTestConnection } from './index.js';

/**
 * What the API and dashboard tests share: a real engine worker on its own task queue (real Temporal dev
 * server and nats-server from the global setup), a real API-key store in the run's scratch directory
 * with one key per role (and country-scoped ones), and the app built on them.
 */

export const apiTemplate = parseTemplate({
  id: 'api-test',
  version: 1,
  title: 'OPCAT ratification (test)',
  process: 'ratification',
  inputs: { uncatStatus: { type: 'enum', values: ['none', 'signed', 'ratified'], default: 'ratified' } },
  milestones: [
    {
      id: 'dialogue',
      title: 'Dialogue with ministries',
      stage: 'dialogue',
      evidence: [
        { name: 'minutes', label: 'Meeting minutes', type: 'url' },
        { name: 'venue', label: 'Venue', type: 'text', required: false },
      ],
    },
    { id: 'workshop', title: 'Regional workshop', dependsOn: ['dialogue'], optional: true, stage: 'dialogue' },
    {
      id: 'decision',
      title: 'Government decision',
      stage: 'decision',
      dependsOn: ['dialogue'],
      role: 'programme-lead',
      deadline: { after: { start: true }, duration: 'P1Y', maxExtension: 'P6M', legalBasis: 'test rule' },
    },
    {
      id: 'deposit',
      title: 'Deposit of the instrument',
      stage: 'ratification',
      dependsOn: ['decision'],
      legalBasis: 'OPCAT Art. 28(2)',
      evidence: [{ name: 'instrument', label: 'Kind of instrument', type: 'enum', values: ['ratification', 'accession'] }],
    },
  ],
});

export type RoleName = 'viewer' | 'staff' | 'lead' | 'scopedLead' | 'scopedStaff' | 'revoked';

export interface ApiHarness {
  temporal: TemporalTestConnection;
  nc: NatsConnection;
  engine: TestEngine;
  keys: ApiKeyStore;
  config: Config;
  app: App;
  secrets: Record<RoleName, string>;
  keyInfo: Record<RoleName, ApiKeyInfo>;
  /** `Authorization` header for a role. */
  auth(role: RoleName): { authorization: string };
  close(): Promise<void>;
}

export interface ApiHarnessOptions {
  env?: Record<string, string>;
  /**
   * The templates the engine worker, the API and the dashboard know (default: only `apiTemplate`). Give
   * `await loadTemplates()` for the built-in ones, the same the `advocacy` CLI loads from disk, when a
   * test drives the CLI against this harness too.
   */
  templates?: TemplateRegistry;
}

export async function startApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const registry = options.templates ?? new TemplateRegistry([{ template: apiTemplate, source: 'tests/support/api.ts' }]);
  const [temporal, nc] = await Promise.all([connectTemporal(), connectNats({ name: uniqueId('api') })]);
  const engine = await createTestEngine({
    client: temporal.client,
    connection: temporal.nativeConnection,
    nc,
    templates: registry.allTemplates(),
  });
  const keys = new ApiKeyStore(join(inject('runDir'), uniqueId('keys'), 'api-keys.json'));
  const made = {
    viewer: await keys.create({ label: 'Guest reader', role: 'viewer' }),
    staff: await keys.create({ label: 'Sari Wulandari', role: 'staff' }),
    lead: await keys.create({ label: 'Ana (programme lead)', role: 'programme-lead' }),
    scopedLead: await keys.create({ label: 'Thailand lead', role: 'programme-lead', countries: ['TH'] }),
    scopedStaff: await keys.create({ label: 'Thailand staff', role: 'staff', countries: ['TH'] }),
    revoked: await keys.create({ label: 'Former staff', role: 'staff' }),
  };
  await keys.revoke(made.revoked.key.id);
  const config = parseConfig({
    TEMPORAL_TASK_QUEUE: engine.config.TEMPORAL_TASK_QUEUE,
    API_BODY_LIMIT: '16384',
    TEMPORAL_UI_URL: 'http://temporal-ui.test:8233',
    ...options.env,
  });
  const app = await buildApp({
    campaigns: engine.campaigns,
    templates: registry,
    keys,
    config,
    logger: testLogger('api'),
    checkTemporal: async () => {
      await temporal.connection.workflowService.getSystemInfo({});
    },
  });
  const entries = Object.entries(made) as [RoleName, (typeof made)[RoleName]][];
  const secrets = Object.fromEntries(entries.map(([k, v]) => [k, v.secret])) as Record<RoleName, string>;
  const keyInfo = Object.fromEntries(entries.map(([k, v]) => [k, v.key])) as Record<RoleName, ApiKeyInfo>;
  return {
    temporal,
    nc,
    engine,
    keys,
    config,
    app,
    secrets,
    keyInfo,
    auth: (role) => ({ authorization: `Bearer ${secrets[role]}` }),
    async close() {
      await app.close();
      await engine.stop();
      await Promise.allSettled([temporal.close(), nc.drain()]);
    },
  };
}

/** Starts a campaign through the facade as the programme lead and waits until the list shows it. */
export async function startCampaign(
  h: ApiHarness,
  country: string,
  campaignId = uniqueId(`api-${country.toLowerCase()}`),
): Promise<string> {
  await h.engine.campaigns.start(
    { template: 'api-test', country, campaignId },
    { actor: { id: h.keyInfo.lead.id, role: 'programme-lead' } },
  );
  return campaignId;
}
