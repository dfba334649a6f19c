import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { dataConverterFor } from '../infra/payload-codec.js';
import { temporalConnectionOptions, type TemporalTransportConfig } from '../infra/temporal-connection.js';
import type { Config } from '../shared/config.js';

/**
 * The API's Temporal connection: lazy (the process starts and /healthz answers while Temporal is down)
 * and with a short retry budget, so a request fails with 503 within a few seconds instead of hanging
 * through the SDK's default ten attempts. Payloads are encrypted with the configuration's keys (a
 * ConfigError without them).
 */
export function connectTemporalForApi(
  config: TemporalTransportConfig & Pick<Config, 'TEMPORAL_NAMESPACE' | 'PAYLOAD_KEYS' | 'PAYLOAD_KEYS_FILE' | 'PAYLOAD_ACTIVE_KEY'>,
): { connection: Connection; client: Client } {
  const dataConverter = dataConverterFor(config);
  const connection = Connection.lazy({
    ...temporalConnectionOptions(config),
    connectTimeout: 2000,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4, maxIntervalMs: () => 1000 }))],
  });
  return { connection, client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter }) };
}

/** Readiness: Temporal's frontend answers within 3 s. */
export async function checkTemporal(connection: Connection): Promise<void> {
  await connection.withDeadline(Date.now() + 3000, () => connection.workflowService.getSystemInfo({}));
}
