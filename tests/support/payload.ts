import type { DataConverter } from '@temporalio/common';
import { inject } from 'vitest';
import { dataConverterFor } from '../../infra/payload-codec.js';
import { parseConfig } from '../../shared/config.js';
import './provided.js';

/**
 * The payload-encryption key of the test run (made by tests/global-setup.ts): every client, worker,
 * engine, API and CLI of the tests encrypts with it, as the processes of a deployment do.
 */
export function testPayloadEnv(): { PAYLOAD_KEYS: string } {
  return { PAYLOAD_KEYS: inject('payloadKeys') };
}

/** The data converter of every Temporal Client, Worker and replay in the tests. */
export function testDataConverter(): DataConverter {
  return dataConverterFor(parseConfig(testPayloadEnv()));
}
