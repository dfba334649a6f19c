import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { cloudEventSchema } from '../../shared/events/cloudevent.js';
import type { z } from 'zod';

export type StoredEvent = z.infer<typeof cloudEventSchema>;

/** Every message in a stream, in stream order, parsed as CloudEvents (an ordered consumer, no state). */
export async function readStream(nc: NatsConnection, stream: string): Promise<StoredEvent[]> {
  const js = jetstream(nc);
  const jsm = await js.jetstreamManager();
  const { state } = await jsm.streams.info(stream);
  if (state.messages === 0) return [];
  const consumer = await js.consumers.get(stream);
  const out: StoredEvent[] = [];
  const messages = await consumer.fetch({ max_messages: state.messages, expires: 5000 });
  for await (const m of messages) {
    out.push(cloudEventSchema.parse(m.json()));
    if (out.length >= state.messages) break;
  }
  return out;
}
