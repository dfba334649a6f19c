import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { installTestRuntime } from './logger.js';
import { testDataConverter } from './payload.js';
import './provided.js';

export interface TemporalTestConnection {
  address: string;
  namespace: string;
  /** For `new Client(...)` and raw service calls. */
  connection: Connection;
  client: Client;
  /** For `Worker.create({ connection: nativeConnection, ... })`. */
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/**
 * Connects a client (encrypting payloads with the run's key) and a worker connection to the run's
 * Temporal dev server, or to another one.
 */
export async function connectTemporal(
  server: { address: string; namespace?: string } | undefined = undefined,
): Promise<TemporalTestConnection> {
  installTestRuntime();
  const address = server?.address ?? inject('temporalAddress');
  const namespace = server ? (server.namespace ?? 'default') : inject('temporalNamespace');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    namespace,
    connection,
    client: new Client({ connection, namespace, dataConverter: testDataConverter() }),
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

let bundle: Promise<{ code: string }> | undefined;

/**
 * The bundle of workflows/index.ts that the global setup built once for the run, for
 * `Worker.create({ workflowBundle: await loadWorkflowBundle(), ... })`.
 */
export function loadWorkflowBundle(): Promise<{ code: string }> {
  const path = inject('workflowBundlePath');
  if (!path) {
    return Promise.reject(new Error('workflows/index.ts does not exist, so the global setup built no workflow bundle.'));
  }
  bundle ??= readFile(path, 'utf8').then((code) => ({ code }));
  return bundle;
}

/** scripts/temporal-test-server, for `TestWorkflowEnvironment.createTimeSkipping`. */
export function testServerLauncher(): string {
  return inject('testServerLauncher');
}

/**
 * Options for `TestWorkflowEnvironment.createTimeSkipping` that use the provisioned Java test server,
 * with the environment's client encrypting payloads (its workers need `testDataConverter()` too).
 */
export function timeSkippingOptions(): {
  server: { executable: { type: 'existing-path'; path: string } };
  client: { dataConverter: DataConverter };
} {
  installTestRuntime();
  return { server: { executable: { type: 'existing-path', path: testServerLauncher() } }, client: { dataConverter: testDataConverter() } };
}

/**
 * The Java time-skipping server starts without custom search attributes; the campaign workflow
 * upserts them, so register them the way the dev server's start flags do.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const { campaignSearchAttributes } = await import('../../shared/search-attributes.js');
  const { temporal } = await import('@temporalio/proto');
  const types: Record<string, number> = {
    KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  };
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(campaignSearchAttributes.map((k) => [k.name, types[k.type] ?? 0])),
  });
}
