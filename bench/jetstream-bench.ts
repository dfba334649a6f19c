import { jetstream, jetstreamManager, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createPublishActivities } from '../activities/publish-event.js';
import { ensureEventStream } from '../infra/events-stream.js';
import type { Logger } from '../infra/logger.js';
import type { NatsConnection } from '../infra/nats.js';
import { applyCommand, startCampaign, type CampaignCommand, type DomainEvent } from '../shared/campaign/index.js';
import { parseConfig } from '../shared/config.js';
import { dateOfInstant } from '../shared/dates.js';
import { CLOUDEVENTS_CONTENT_TYPE, toCloudEvent } from '../shared/events/cloudevent.js';
import { eventSubject } from '../shared/events/subjects.js';
import type { Template } from '../shared/template/index.js';
import { bounded } from './loop.js';
import { opcatStart, type DistributiveOmit } from './machine-bench.js';
import { procCpuMs } from './proc.js';
import { formatMs, formatRate, perSecond, roundSig, roundSummary, summarize, type Summary } from './stats.js';

/**
 * Section 4: JetStream publish throughput on a file-storage stream made by the engine's own
 * `ensureEventStream` (limits retention, duplicate window P1D), one nats-server, loopback.
 * - the publish activity's path: `publishEvents(batch of 50 real events)`: zod validation, CloudEvents
 *   envelope, one synchronous publish per event with msgID + headers + expected stream, each ack awaited;
 * - raw synchronous publishes (await each ack), with and without msgID;
 * - raw asynchronous publishes: a window of publishes in flight, then all their acks (like `nats bench`'s
 *   async publisher), 128 B and real event sizes.
 */

export interface PublishCase {
  name: string;
  payloadBytes: number;
  messages: number;
  elapsedMs: number;
  perSecond: number;
  megabytesPerSecond: number;
  /** Per-publish (sync) or per-batch/window (async, activity) latency in ms. */
  latencyMs: Summary;
  latencyOf: string;
  stoppedBy: 'count' | 'time';
  failed: number;
  /** CPU milliseconds per 1 000 messages: this (client) process and nats-server. */
  cpuMsPer1000: { client: number; server?: number };
}

export interface JetStreamResults {
  stream: { storage: 'file'; retention: 'limits'; duplicateWindow: string };
  realEventBytes: { mean: number; min: number; max: number };
  activityBatch: number;
  asyncWindow: number;
  cases: PublishCase[];
}

const ACTIVITY_BATCH = 50;
const ASYNC_WINDOW = 256;
const STREAM = 'BENCH_PUBLISH';
const PREFIX = 'benchpub';

/** Real events: those of a campaign run through its lifecycle (every common event type), re-keyed per use. */
function sampleEvents(template: Template): DomainEvent[] {
  const now = Date.parse('2025-06-02T12:00:00Z');
  const today = dateOfInstant(now);
  const lead = { id: 'bench-lead', role: 'programme-lead' as const };
  const started = startCampaign(opcatStart(template, 'th-opcat-ratification-1a2b3c4d'), now);
  const events = [...started.effects.events];
  let state = started.state;
  const commands: DistributiveOmit<CampaignCommand, 'requestId'>[] = [
    {
      type: 'complete',
      milestone: 'awareness-dialogue',
      date: today,
      evidence: { minutesUrl: 'https://example.org/minutes/2025-05' },
      actor: lead,
    },
    { type: 'note', text: 'met the ministry', actor: lead },
    { type: 'assign', milestone: 'national-consultation', owner: 'staff-2', actor: lead },
    { type: 'complete', milestone: 'national-consultation', date: today, evidence: {}, actor: lead },
  ];
  commands.forEach((c, i) => {
    const outcome = applyCommand(state, { ...c, requestId: `r-${i}` }, now);
    if (!outcome.result.ok) throw new Error(`sample command refused: ${outcome.result.message}`);
    state = outcome.state;
    events.push(...outcome.effects.events);
  });
  return events;
}

export async function runJetStreamBench(options: {
  nc: NatsConnection;
  /** nats-server's pid, for its CPU time. */
  natsPid: number;
  template: Template;
  logger: Logger;
  timeMsPerCase: number;
  maxSyncMessages: number;
  maxAsyncMessages: number;
  progress: (line: string) => void;
}): Promise<JetStreamResults> {
  const { nc, progress } = options;
  const config = parseConfig({ EVENTS_STREAM: STREAM, EVENTS_SUBJECT_PREFIX: PREFIX, EVENTS_DUPLICATE_WINDOW: 'P1D' });
  await ensureEventStream(await jetstreamManager(nc), config, options.logger);
  const js: JetStreamClient = jetstream(nc);
  const { publishEvents } = createPublishActivities({ js, config, logger: options.logger });

  const samples = sampleEvents(options.template);
  const encoder = new TextEncoder();
  const realBodies = samples.map((e) => encoder.encode(JSON.stringify(toCloudEvent(e))));
  const sizes = realBodies.map((b) => b.length);
  const meanReal = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
  const subjects = samples.map((e) => eventSubject(PREFIX, e));
  const small = new Uint8Array(randomBytes(128));
  const smallSubject = `${PREFIX}.raw.xx.bytes`;
  let uniq = 0;
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const cases: PublishCase[] = [];

  // CPU marks around each case: this process and nats-server.
  let mark = { client: 0, server: undefined as number | undefined };
  const cpuNow = () => {
    const u = process.cpuUsage();
    return { client: (u.user + u.system) / 1000, server: procCpuMs(options.natsPid) };
  };
  const begin = () => {
    mark = cpuNow();
  };
  const cpuPer1000 = (messages: number): PublishCase['cpuMsPer1000'] => {
    const now = cpuNow();
    const per = (a: number, b: number) => (messages > 0 ? roundSig(((b - a) * 1000) / messages, 3) : 0);
    return {
      client: per(mark.client, now.client),
      ...(mark.server !== undefined && now.server !== undefined ? { server: per(mark.server, now.server) } : {}),
    };
  };

  const record = (c: PublishCase) => {
    cases.push(c);
    progress(
      `jetstream ${c.name}: ${formatRate(c.perSecond, ' msg/s')} (${c.messages} msgs, ${c.payloadBytes} B, ` +
        `${c.latencyOf} p50 ${formatMs(c.latencyMs.p50)} p99 ${formatMs(c.latencyMs.p99)}${c.stoppedBy === 'time' ? ', time-bounded' : ''}; ` +
        `CPU ms/1000 msgs client ${c.cpuMsPer1000.client} server ${c.cpuMsPer1000.server ?? '-'})`,
    );
  };
  const finish = (
    name: string,
    payloadBytes: number,
    messages: number,
    outcome: Awaited<ReturnType<typeof bounded>>,
    latencies: number[],
    latencyOf: string,
  ): PublishCase => ({
    name,
    payloadBytes,
    messages,
    elapsedMs: roundSig(outcome.elapsedMs, 4),
    perSecond: roundSig(perSecond(messages, outcome.elapsedMs), 3),
    megabytesPerSecond: roundSig((perSecond(messages, outcome.elapsedMs) * payloadBytes) / 1_048_576, 3),
    latencyMs: roundSummary(summarize(latencies)),
    latencyOf,
    stoppedBy: outcome.stoppedBy,
    failed: outcome.failed,
    cpuMsPer1000: cpuPer1000(messages),
  });

  // Synchronous: one publish, await its ack, next.
  const syncCase = async (name: string, payloadBytes: number, publishOne: (i: number) => Promise<PubAck>) => {
    const latencies: number[] = [];
    begin();
    const outcome = await bounded({ count: options.maxSyncMessages, timeMs: options.timeMsPerCase }, async (i) => {
      const t0 = performance.now();
      const ack = await publishOne(i);
      latencies.push(performance.now() - t0);
      // A duplicate ack means nothing was stored: the message ids must stay unique.
      if (ack.duplicate) throw new Error(`duplicate ack for publish ${i}`);
    });
    record(finish(name, payloadBytes, outcome.completed, outcome, latencies, 'per publish'));
  };

  // Asynchronous: a window of publishes in flight, then await all their acks.
  const asyncCase = async (name: string, payloadBytes: number, publishOne: (i: number) => Promise<PubAck>) => {
    const latencies: number[] = [];
    begin();
    const outcome = await bounded(
      { count: Math.ceil(options.maxAsyncMessages / ASYNC_WINDOW), timeMs: options.timeMsPerCase },
      async (w) => {
        const t0 = performance.now();
        const pending: Promise<PubAck>[] = [];
        for (let j = 0; j < ASYNC_WINDOW; j++) pending.push(publishOne(w * ASYNC_WINDOW + j));
        const acks = await Promise.all(pending);
        latencies.push(performance.now() - t0);
        if (acks.some((a) => a.duplicate)) throw new Error(`duplicate ack in window ${w}`);
      },
    );
    record(finish(name, payloadBytes, outcome.completed * ASYNC_WINDOW, outcome, latencies, `per window of ${ASYNC_WINDOW}`));
  };

  const withHeaders = () => {
    const h = headers();
    h.set('Content-Type', CLOUDEVENTS_CONTENT_TYPE);
    return h;
  };

  // Warm-up (not recorded): connection, stream, JIT.
  for (let i = 0; i < 200; i++) await js.publish(smallSubject, small);

  await syncCase('sync 128 B', 128, () => js.publish(smallSubject, small));
  await syncCase('sync 128 B + msgID', 128, () => js.publish(smallSubject, small, { msgID: `${run}-s-${uniq++}` }));
  await syncCase('sync real + msgID + headers', meanReal, (i) => {
    const k = i % realBodies.length;
    return js.publish(subjects[k] as string, realBodies[k], {
      msgID: `${run}-r-${uniq++}`,
      headers: withHeaders(),
      expect: { streamName: STREAM },
    });
  });

  // The publish activity's path, batches of 50 (PUBLISH_BATCH in workflows/outbox.ts).
  {
    const latencies: number[] = [];
    let batchNo = 0;
    begin();
    const outcome = await bounded(
      { count: Math.ceil(options.maxSyncMessages / ACTIVITY_BATCH), timeMs: options.timeMsPerCase },
      async () => {
        const campaignId = `th-opcat-ratification-${run}-${batchNo++}`;
        const batch = Array.from({ length: ACTIVITY_BATCH }, (_, j) => ({
          ...(samples[j % samples.length] as DomainEvent),
          campaignId,
          sequence: j + 1,
        }));
        const t0 = performance.now();
        const result = await publishEvents(batch);
        latencies.push(performance.now() - t0);
        if (result.published !== ACTIVITY_BATCH) throw new Error(`expected ${ACTIVITY_BATCH} stored, got ${JSON.stringify(result)}`);
      },
    );
    record(
      finish(
        `publish activity (batch ${ACTIVITY_BATCH})`,
        meanReal,
        outcome.completed * ACTIVITY_BATCH,
        outcome,
        latencies,
        `per batch of ${ACTIVITY_BATCH}`,
      ),
    );
  }

  await asyncCase('async 128 B', 128, () => js.publish(smallSubject, small));
  await asyncCase('async real', meanReal, (i) => {
    const k = i % realBodies.length;
    return js.publish(subjects[k] as string, realBodies[k]);
  });
  await asyncCase('async real + msgID + headers', meanReal, (i) => {
    const k = i % realBodies.length;
    return js.publish(subjects[k] as string, realBodies[k], {
      msgID: `${run}-a-${uniq++}`,
      headers: withHeaders(),
      expect: { streamName: STREAM },
    });
  });

  return {
    stream: { storage: 'file', retention: 'limits', duplicateWindow: config.EVENTS_DUPLICATE_WINDOW },
    realEventBytes: { mean: meanReal, min: Math.min(...sizes), max: Math.max(...sizes) },
    activityBatch: ACTIVITY_BATCH,
    asyncWindow: ASYNC_WINDOW,
    cases,
  };
}
