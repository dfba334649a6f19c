import type { NatsConnection } from '@nats-io/transport-node';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTemporalDevServer, type TemporalDevServer } from '../../infra/servers/index.js';
import { dateOfInstant } from '../../shared/dates.js';
import { parseTemplate } from '../../shared/template/validate.js';
import type { campaignWorkflow } from '../../workflows/campaign.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { connectNats, installTestRuntime, uniqueId } from '../support/index.js';
import { readStream } from '../support/stream.js';

/**
 * A Temporal server restart (SQLite file persistence, same port): running campaigns, their state and
 * their events survive, and the same worker and clients carry on once the server is back.
 */
const template = parseTemplate({
  id: 'restart-steps',
  version: 1,
  title: 'Three steps across a restart',
  milestones: [
    { id: 'one', title: 'One' },
    { id: 'two', title: 'Two', dependsOn: ['one'] },
    { id: 'three', title: 'Three', dependsOn: ['two'] },
  ],
});
const staff = { actor: { id: 'staff-1', role: 'staff' as const } };

describe('a Temporal server restart', () => {
  let temporal: TemporalDevServer;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let nc: NatsConnection;
  let engine: TestEngine;
  const dir = join(inject('runDir'), uniqueId('temporal-restart'));
  const dbFilename = join(dir, 'temporal.sqlite');

  beforeAll(async () => {
    installTestRuntime();
    temporal = await startTemporalDevServer({ logDir: dir, uiPort: false, dbFilename, startTimeoutMs: 90_000 });
    [connection, nativeConnection, nc] = await Promise.all([
      Connection.connect({ address: temporal.address }),
      NativeConnection.connect({ address: temporal.address }),
      connectNats({ name: 'temporal-restart' }),
    ]);
  });
  afterAll(async () => {
    await engine?.stop();
    await Promise.allSettled([nativeConnection?.close(), connection?.close(), nc?.drain()]);
    await temporal?.stop();
  });

  it('keeps the campaign and its events, and the worker carries on', { timeout: 180_000 }, async () => {
    const client = new Client({ connection });
    engine = await createTestEngine({ client, connection: nativeConnection, nc, templates: [template] });
    const { campaigns } = engine;
    const campaignId = uniqueId('restart');
    const today = dateOfInstant(Date.now());
    const complete = (milestone: string) => campaigns.execute(campaignId, { type: 'complete', milestone, date: today }, staff);

    await engine.run(async () => {
      await campaigns.start({ template: 'restart-steps', country: 'VU', campaignId }, { actor: { id: 'lead', role: 'programme-lead' } });
      await complete('one');

      const port = Number(temporal.address.split(':').pop());
      await temporal.stop();
      temporal = await startTemporalDevServer({ logDir: dir, uiPort: false, dbFilename, port, startTimeoutMs: 90_000 });

      // The campaign is still there with what was recorded before the restart, and takes new commands.
      await expect
        .poll(async () => (await campaigns.view(campaignId).catch(() => undefined))?.milestones[0]?.status, { timeout: 60_000 })
        .toBe('done');
      await complete('two');
      await complete('three');
      const final = await client.workflow.getHandle<typeof campaignWorkflow>(campaignId).result();
      expect(final.status).toBe('completed');
    });
    const events = (await readStream(nc, engine.config.EVENTS_STREAM)).map((e) => e.data).filter((e) => e.campaignId === campaignId);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'milestone-completed')).toHaveLength(3);
    expect(events.at(-1)?.type).toBe('campaign-completed');
  });
});
