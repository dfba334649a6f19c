import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  MissingBinaryError,
  PortInUseError,
  assertPortFree,
  freePort,
  resolveSchemathesis,
  resolveTemporalCli,
} from '../../infra/servers/index.js';
import { createFoundationActivities } from '../fixtures/foundation-activities.js';
import { publishGreeting, sleepOneYear } from '../fixtures/foundation-workflows.js';
import {
  connectJetStream,
  connectTemporal,
  timeSkippingOptions,
  uniqueId,
  uniqueToken,
  type JetStreamTestContext,
  type TemporalTestConnection,
} from '../support/index.js';
import { createServer } from 'node:net';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

// The fixture workflows are bundled once for this file and shared by both workers below.
let workflowBundle: Promise<{ code: string }> | undefined;
function fixtureBundle(): Promise<{ code: string }> {
  workflowBundle ??= bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../fixtures/foundation-workflows.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  return workflowBundle;
}

describe('foundation: Temporal dev server + JetStream', () => {
  let temporal: TemporalTestConnection;
  let nats: JetStreamTestContext;

  beforeAll(async () => {
    [temporal, nats] = await Promise.all([connectTemporal(), connectJetStream({ name: 'foundation-test' })]);
  });
  afterAll(async () => {
    await Promise.allSettled([temporal?.close(), nats?.close()]);
  });

  it('the dev server has the campaign search attributes registered', async () => {
    const { customAttributes } = await temporal.connection.operatorService.listSearchAttributes({
      namespace: temporal.namespace,
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(['CampaignCountry', 'CampaignRegion', 'CampaignTemplate', 'CampaignStage', 'CampaignStatus']),
    );
  });

  it('a workflow whose activity publishes to a JetStream stream; the test reads the message back', async () => {
    const stream = uniqueToken('FOUNDATION');
    const subjectRoot = uniqueToken('foundation');
    await nats.jsm.streams.add({
      name: stream,
      subjects: [`${subjectRoot}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: 60_000_000_000, // 60 s in nanoseconds
    });
    const taskQueue = uniqueId('foundation-publish');
    const workflowId = uniqueId('publish-greeting');
    const subject = `${subjectRoot}.greeting`;

    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      workflowBundle: await fixtureBundle(),
      activities: createFoundationActivities(nats.nc),
    });
    const result = await worker.runUntil(
      temporal.client.workflow.execute(publishGreeting, {
        taskQueue,
        workflowId,
        args: [{ subject, text: 'hello from a workflow' }],
        workflowExecutionTimeout: '60 seconds',
      }),
    );
    expect(result).toEqual({ stream, seq: 1, duplicate: false });

    const consumer = await nats.js.consumers.get(stream);
    const msg = await consumer.next({ expires: 5_000 });
    expect(msg).not.toBeNull();
    expect(msg!.subject).toBe(subject);
    expect(msg!.seq).toBe(1);
    expect(msg!.headers?.get('Nats-Msg-Id')).toBe(`${workflowId}:1`);
    expect(msg!.json()).toEqual({ text: 'hello from a workflow', workflowId });

    // Publishing again with the same message id is recognised as a duplicate (idempotent publication).
    const again = await nats.js.publish(subject, '{}', { msgID: `${workflowId}:1` });
    expect(again.duplicate).toBe(true);
    await nats.jsm.streams.delete(stream);
  });
});

describe('foundation: time-skipping test server', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping(timeSkippingOptions());
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('a workflow that sleeps one year finishes in seconds', async () => {
    const taskQueue = uniqueId('foundation-sleep');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await fixtureBundle(),
    });
    const wallStart = Date.now();
    const serverStart = await env.currentTimeMs();
    const result = await worker.runUntil(env.client.workflow.execute(sleepOneYear, { taskQueue, workflowId: uniqueId('sleep-one-year') }));
    const wallElapsed = Date.now() - wallStart;

    expect(result.wokeAtMs - result.startedAtMs).toBeGreaterThanOrEqual(YEAR_MS);
    expect((await env.currentTimeMs()) - serverStart).toBeGreaterThanOrEqual(YEAR_MS);
    expect(wallElapsed).toBeLessThan(30_000);
  });
});

describe('foundation: set-up errors are explicit', () => {
  it('a missing binary names the provisioning script', () => {
    expect(() => resolveTemporalCli({ ADVOCACY_CACHE_DIR: '/nonexistent/advocacy-cache', PATH: '' })).toThrow(MissingBinaryError);
    expect(() => resolveTemporalCli({ ADVOCACY_CACHE_DIR: '/nonexistent/advocacy-cache', PATH: '' })).toThrow(
      /bash scripts\/provision\.sh/,
    );
    expect(() => resolveSchemathesis({ ADVOCACY_CACHE_DIR: '/nonexistent/advocacy-cache' })).toThrow(
      /^schemathesis not found[^]*bash scripts\/provision\.sh/,
    );
  });

  it('a taken port names the port and the variable that moves it', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const err = await assertPortFree(port, 'NATS client', 'NATS_PORT').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PortInUseError);
      expect((err as Error).message).toContain(`Port ${port} (NATS client)`);
      expect((err as Error).message).toContain('NATS_PORT');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    await expect(assertPortFree(port, 'NATS client', 'NATS_PORT')).resolves.toBeUndefined();
  });

  it('the global setup provided the servers', () => {
    expect(inject('temporalAddress')).toMatch(/:\d+$/);
    expect(inject('natsUrl')).toMatch(/^nats:\/\//);
  });
});
