import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Config } from '../shared/config.js';
import type { Logger } from './logger.js';

export type { NatsConnection };

export interface ConnectNatsOptions {
  /** Connection name shown by the server (`nats server report connections`), e.g. "engine-worker". */
  name: string;
  logger: Logger;
  /**
   * Keep trying until the first connection succeeds instead of failing at once. Workers that must run
   * during a NATS outage (the engine keeps accepting commands; publishing catches up later) want this;
   * tools and tests want a fast failure.
   */
  waitOnFirstConnect?: boolean;
  /** Milliseconds between reconnect attempts to the same server. */
  reconnectTimeWait?: number;
}

/** `NATS_URL` may list several servers of a cluster, comma-separated. */
export function natsServers(config: Pick<Config, 'NATS_URL'>): string[] {
  return config.NATS_URL.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function natsConnectionOptions(
  config: Pick<Config, 'NATS_URL' | 'NATS_USER' | 'NATS_PASSWORD' | 'NATS_TOKEN' | 'NATS_INBOX_PREFIX'>,
  options: Omit<ConnectNatsOptions, 'logger'>,
): NodeConnectionOptions {
  return {
    servers: natsServers(config),
    name: options.name,
    ...(config.NATS_USER !== undefined ? { user: config.NATS_USER, pass: config.NATS_PASSWORD ?? '' } : {}),
    ...(config.NATS_TOKEN !== undefined ? { token: config.NATS_TOKEN } : {}),
    // Replies, JetStream acks and pull deliveries all arrive under it; the server lets each user read its own only.
    ...(config.NATS_INBOX_PREFIX !== undefined ? { inboxPrefix: config.NATS_INBOX_PREFIX } : {}),
    // Events must survive outages of any length: never give up reconnecting; publishes and acks fail
    // (and are retried by their callers) while disconnected instead of the process dying.
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWait ?? 1000,
    waitOnFirstConnect: options.waitOnFirstConnect ?? false,
  };
}

/**
 * Connects with the configured credentials and logs every connection status change, so an outage and
 * the recovery from it are visible in the logs. Close with `nc.drain()` to flush pending work first.
 */
export async function connectNats(config: Config, options: ConnectNatsOptions): Promise<NatsConnection> {
  const logger = options.logger.child({ component: 'nats', connection: options.name });
  const nc = await connect(natsConnectionOptions(config, options));
  logger.info({ server: nc.getServer() }, 'nats connected');
  void logStatus(nc, logger);
  nc.closed()
    .then((err) => {
      if (err) logger.error({ err }, 'nats connection closed with an error');
      else logger.info('nats connection closed');
    })
    .catch(() => undefined);
  return nc;
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  try {
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
          logger.warn({ server: s.server }, 'nats disconnected');
          break;
        case 'reconnecting':
          logger.debug('nats reconnecting');
          break;
        case 'reconnect':
          logger.info({ server: s.server }, 'nats reconnected');
          break;
        case 'error':
          logger.error({ err: s.error }, 'nats async error');
          break;
        case 'ldm':
          logger.warn({ server: s.server }, 'nats server entering lame duck mode');
          break;
        case 'staleConnection':
          logger.warn('nats connection stale');
          break;
        case 'slowConsumer':
          logger.warn({ subject: s.sub.getSubject(), pending: s.pending }, 'nats slow consumer');
          break;
        case 'update':
          logger.debug({ added: s.added, deleted: s.deleted }, 'nats cluster update');
          break;
        default:
          break;
      }
    }
  } catch (err) {
    logger.error({ err }, 'nats status stream failed');
  }
}
