import { connect, credsAuthenticator, nkeyAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Config } from '../shared/config.js';
import type { Logger } from './logger.js';
import { readTransportFile } from './transport-files.js';

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

export type NatsTransportConfig = Pick<
  Config,
  | 'NATS_URL'
  | 'NATS_TLS'
  | 'NATS_TLS_CA_FILE'
  | 'NATS_TLS_CERT_FILE'
  | 'NATS_TLS_KEY_FILE'
  | 'NATS_USER'
  | 'NATS_PASSWORD'
  | 'NATS_TOKEN'
  | 'NATS_NKEY_SEED_FILE'
  | 'NATS_CREDS_FILE'
  | 'NATS_INBOX_PREFIX'
>;

/**
 * `tls` of the connection: `null` (never TLS) for NATS_TLS=false; an object (TLS required, with the
 * configured CA and client certificate) for NATS_TLS=true or any NATS_TLS_* file; absent otherwise, so the
 * client upgrades when the server offers TLS and checks its certificate against the system's CAs.
 */
function natsTls(config: NatsTransportConfig): Pick<NodeConnectionOptions, 'tls'> {
  if (config.NATS_TLS === false) return { tls: null };
  const files = [config.NATS_TLS_CA_FILE, config.NATS_TLS_CERT_FILE, config.NATS_TLS_KEY_FILE];
  if (config.NATS_TLS !== true && files.every((f) => f === undefined)) return {};
  // The contents, not the paths: read (and checked) once here, so a bad file fails at start-up with the
  // variable's name, and a reconnect never depends on the file still being there.
  return {
    tls: {
      ...(config.NATS_TLS_CA_FILE !== undefined ? { ca: readTransportFile('NATS_TLS_CA_FILE', config.NATS_TLS_CA_FILE) } : {}),
      ...(config.NATS_TLS_CERT_FILE !== undefined && config.NATS_TLS_KEY_FILE !== undefined
        ? {
            cert: readTransportFile('NATS_TLS_CERT_FILE', config.NATS_TLS_CERT_FILE),
            key: readTransportFile('NATS_TLS_KEY_FILE', config.NATS_TLS_KEY_FILE),
          }
        : {}),
    },
  };
}

/**
 * The credentials of the configuration (the schema refuses more than one way): user/password and token
 * as the client's own options (it makes their authenticators), an nkey seed or creds file as an
 * authenticator that signs the server's nonce.
 */
function natsCredentials(config: NatsTransportConfig): Pick<NodeConnectionOptions, 'user' | 'pass' | 'token' | 'authenticator'> {
  if (config.NATS_CREDS_FILE !== undefined)
    return { authenticator: credsAuthenticator(new TextEncoder().encode(readTransportFile('NATS_CREDS_FILE', config.NATS_CREDS_FILE))) };
  if (config.NATS_NKEY_SEED_FILE !== undefined)
    return {
      authenticator: nkeyAuthenticator(new TextEncoder().encode(readTransportFile('NATS_NKEY_SEED_FILE', config.NATS_NKEY_SEED_FILE))),
    };
  if (config.NATS_TOKEN !== undefined) return { token: config.NATS_TOKEN };
  if (config.NATS_USER !== undefined) return { user: config.NATS_USER, pass: config.NATS_PASSWORD ?? '' };
  return {};
}

/**
 * The one place that turns the configuration into NATS connection options (TLS and credentials); every
 * NATS connection of the engine's processes is made from these (`connectNats`, the CLI), so none can skip
 * TLS. Reads the TLS, seed and creds files now: a ConfigError names an unusable one.
 */
export function natsConnectionOptions(config: NatsTransportConfig, options: Omit<ConnectNatsOptions, 'logger'>): NodeConnectionOptions {
  return {
    servers: natsServers(config),
    name: options.name,
    ...natsTls(config),
    ...natsCredentials(config),
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
