import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { Config } from '../shared/config.js';

/**
 * The API's Temporal connection: lazy (the process starts and /healthz answers while Temporal is down)
 * and with a short retry budget, so a request fails with 503 within a few seconds instead of hanging
 * through the SDK's default ten attempts.
 */
export function connectTemporalForApi(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): {
  connection: Connection;
  client: Client;
} {
  const connection = Connection.lazy({
    address: config.TEMPORAL_ADDRESS,
    connectTimeout: 2000,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4, maxIntervalMs: () => 1000 }))],
  });
  return { connection, client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }) };
}

/** Readiness: Temporal's frontend answers within 3 s. */
export async function checkTemporal(connection: Connection): Promise<void> {
  await connection.withDeadline(Date.now() + 3000, () => connection.workflowService.getSystemInfo({}));
}
