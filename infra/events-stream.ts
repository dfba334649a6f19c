import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { Duration } from 'luxon';
import type { Config } from '../shared/config.js';
import { allEventsSubject, deadLetterPrefix, eventsDeadLetterStream, subjectMatches } from '../shared/events/subjects.js';
import type { Logger } from './logger.js';

export type EventStreamConfig = Pick<
  Config,
  'EVENTS_STREAM' | 'EVENTS_SUBJECT_PREFIX' | 'EVENTS_DUPLICATE_WINDOW' | 'EVENTS_MAX_AGE' | 'EVENTS_REPLICAS'
> &
  Partial<Pick<Config, 'COMMANDS_SUBJECT_PREFIX'>>;

/** ISO-8601 duration to milliseconds (years and months counted as 365 and 30 days, as NATS has no calendar). */
export function durationMillis(iso: string): number {
  const ms = Duration.fromISO(iso).as('milliseconds');
  if (!Number.isFinite(ms)) throw new Error(`invalid ISO-8601 duration "${iso}"`);
  return Math.round(ms);
}

type ManagedSettings = Pick<
  StreamConfig,
  'subjects' | 'max_age' | 'duplicate_window' | 'num_replicas' | 'discard' | 'max_msgs' | 'max_bytes' | 'description'
>;

interface DesiredStream {
  name: string;
  settings: ManagedSettings;
}

/** The settings this module owns; anything else on the stream (set by operators) is left alone. */
export function desiredEventStreams(config: EventStreamConfig): { events: DesiredStream; deadLetter: DesiredStream } {
  const maxAge = durationMillis(config.EVENTS_MAX_AGE);
  const window = durationMillis(config.EVENTS_DUPLICATE_WINDOW);
  if (window <= 0) throw new Error('EVENTS_DUPLICATE_WINDOW must be longer than zero');
  if (maxAge > 0 && window > maxAge) {
    throw new Error('EVENTS_DUPLICATE_WINDOW may not be longer than EVENTS_MAX_AGE (JetStream refuses it)');
  }
  const commandSubject = config.COMMANDS_SUBJECT_PREFIX && `${config.COMMANDS_SUBJECT_PREFIX}.sender.campaign-id.note`;
  if (commandSubject && subjectMatches(allEventsSubject(config.EVENTS_SUBJECT_PREFIX), commandSubject)) {
    // The stream would store every command request and answer it with a PubAck before the bridge could.
    throw new Error(
      `COMMANDS_SUBJECT_PREFIX "${config.COMMANDS_SUBJECT_PREFIX}" puts commands on event subjects ` +
        `(${allEventsSubject(config.EVENTS_SUBJECT_PREFIX)}); choose a prefix with a different number of tokens`,
    );
  }
  const common = {
    max_age: nanos(maxAge),
    duplicate_window: nanos(window),
    num_replicas: config.EVENTS_REPLICAS,
    // Limits retention discarding the oldest: the stream is a log consumers replay, and a full stream
    // must never refuse a new event (the publish activity would retry forever).
    discard: DiscardPolicy.Old,
    max_msgs: -1,
    max_bytes: -1,
  };
  return {
    events: {
      name: config.EVENTS_STREAM,
      settings: {
        ...common,
        subjects: [allEventsSubject(config.EVENTS_SUBJECT_PREFIX)],
        description: 'Campaign milestone events (CloudEvents 1.0 JSON), one message per campaign change',
      },
    },
    deadLetter: {
      name: eventsDeadLetterStream(config.EVENTS_STREAM),
      settings: {
        ...common,
        subjects: [`${deadLetterPrefix(config.EVENTS_SUBJECT_PREFIX)}.>`],
        description: 'Events that consumers gave up on after their maximum number of deliveries',
      },
    },
  };
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

export interface EnsuredStreams {
  events: { info: StreamInfo; outcome: EnsureOutcome };
  deadLetter: { info: StreamInfo; outcome: EnsureOutcome };
}

/**
 * Creates the events stream and its dead-letter stream, or brings their settings in line with the
 * configuration. Safe to call at every start of every worker: unchanged settings cause no update.
 * Storage and retention cannot change on a live stream; a mismatch is reported, never "fixed" by
 * deleting the stream.
 */
export async function ensureEventStream(jsm: JetStreamManager, config: EventStreamConfig, logger?: Logger): Promise<EnsuredStreams> {
  const desired = desiredEventStreams(config);
  const events = await ensureStream(jsm, desired.events, logger);
  const deadLetter = await ensureStream(jsm, desired.deadLetter, logger);
  return { events, deadLetter };
}

async function ensureStream(
  jsm: JetStreamManager,
  desired: DesiredStream,
  logger?: Logger,
): Promise<{ info: StreamInfo; outcome: EnsureOutcome }> {
  const existing = await streamInfo(jsm, desired.name);
  if (!existing) {
    try {
      const info = await jsm.streams.add({
        name: desired.name,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        ...desired.settings,
      });
      logger?.info({ stream: desired.name, subjects: desired.settings.subjects }, 'stream created');
      return { info, outcome: 'created' };
    } catch (err) {
      // Another worker created it between our look-up and our add: fall through to the update path.
      const raced = await streamInfo(jsm, desired.name);
      if (!raced) throw err;
      return reconcile(jsm, desired, raced, logger);
    }
  }
  return reconcile(jsm, desired, existing, logger);
}

async function reconcile(
  jsm: JetStreamManager,
  desired: DesiredStream,
  existing: StreamInfo,
  logger?: Logger,
): Promise<{ info: StreamInfo; outcome: EnsureOutcome }> {
  const cfg = existing.config;
  if (cfg.storage !== StorageType.File || cfg.retention !== RetentionPolicy.Limits) {
    throw new Error(
      `stream ${desired.name} exists with storage=${cfg.storage} retention=${cfg.retention}; ` +
        'it needs file storage and limits retention, which cannot be changed in place: migrate it by hand',
    );
  }
  const changed = differences(desired.settings, cfg);
  if (changed.length === 0) return { info: existing, outcome: 'unchanged' };
  const info = await jsm.streams.update(desired.name, { ...cfg, ...desired.settings });
  logger?.info({ stream: desired.name, changed }, 'stream settings updated');
  return { info, outcome: 'updated' };
}

function differences(want: ManagedSettings, have: StreamConfig): string[] {
  return (Object.keys(want) as (keyof ManagedSettings)[]).filter((key) => JSON.stringify(want[key]) !== JSON.stringify(have[key]));
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw err;
  }
}
