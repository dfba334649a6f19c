import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { inject } from 'vitest';
import './provided.js';

/** Connects to the run's nats-server (JetStream enabled), or to `url`. Close it in afterAll/afterEach. */
export async function connectNats(options: { name?: string; url?: string } = {}): Promise<NatsConnection> {
  return connect({ servers: options.url ?? inject('natsUrl'), name: options.name ?? 'advocacy-tests' });
}

export interface JetStreamTestContext {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

/** A NATS connection with its JetStream client and manager. */
export async function connectJetStream(options: { name?: string } = {}): Promise<JetStreamTestContext> {
  const nc = await connectNats(options);
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc), close: () => nc.drain() };
}
