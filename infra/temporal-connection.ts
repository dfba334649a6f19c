import type { ConnectionOptions } from '@temporalio/client';
import { temporalTlsEnabled, type Config } from '../shared/config.js';
import { readTransportFile } from './transport-files.js';

/** The TLS settings both Temporal SDK connections (client `Connection`, worker `NativeConnection`) take. */
export type TemporalTls = Exclude<NonNullable<ConnectionOptions['tls']>, boolean>;

/** What every Temporal connection of the project is made with: where, TLS, and the API key. */
export interface TemporalConnectionSettings {
  address: string;
  /** `false`: plaintext (explicit, so that an API key never switches TLS on behind the configuration's back). */
  tls: TemporalTls | false;
  apiKey?: string;
}

export type TemporalTransportConfig = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CA_FILE'
  | 'TEMPORAL_TLS_CERT_FILE'
  | 'TEMPORAL_TLS_KEY_FILE'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/**
 * The one place that turns the configuration into Temporal connection options; every process that
 * connects to the configured Temporal spreads these into `Connection.connect`/`lazy` or
 * `NativeConnection.connect` (tests/unit/temporal-connection-wiring.test.ts checks it), so none can skip
 * TLS or the API key. Reads the certificate files now: a ConfigError names an unusable one.
 */
export function temporalConnectionOptions(config: TemporalTransportConfig): TemporalConnectionSettings {
  const apiKey = config.TEMPORAL_API_KEY !== undefined ? { apiKey: config.TEMPORAL_API_KEY } : {};
  if (!temporalTlsEnabled(config)) return { address: config.TEMPORAL_ADDRESS, tls: false, ...apiKey };
  const tls: TemporalTls = {};
  if (config.TEMPORAL_TLS_CA_FILE !== undefined)
    tls.serverRootCACertificate = Buffer.from(readTransportFile('TEMPORAL_TLS_CA_FILE', config.TEMPORAL_TLS_CA_FILE));
  if (config.TEMPORAL_TLS_CERT_FILE !== undefined && config.TEMPORAL_TLS_KEY_FILE !== undefined)
    tls.clientCertPair = {
      crt: Buffer.from(readTransportFile('TEMPORAL_TLS_CERT_FILE', config.TEMPORAL_TLS_CERT_FILE)),
      key: Buffer.from(readTransportFile('TEMPORAL_TLS_KEY_FILE', config.TEMPORAL_TLS_KEY_FILE)),
    };
  if (config.TEMPORAL_TLS_SERVER_NAME !== undefined) tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
  return { address: config.TEMPORAL_ADDRESS, tls, ...apiKey };
}
