/**
 * What tests/global-setup.ts provides to the integration and e2e tests (read with `inject` from vitest,
 * or through the helpers in tests/support/temporal.ts and nats.ts).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the Temporal dev server (started by the setup, or TEST_TEMPORAL_ADDRESS). */
    temporalAddress: string;
    temporalNamespace: string;
    /** nats://host:port of nats-server with JetStream (started by the setup, or TEST_NATS_URL). */
    natsUrl: string;
    /** scripts/temporal-test-server, for TestWorkflowEnvironment.createTimeSkipping. */
    testServerLauncher: string;
    /** The bundle of workflows/index.ts built once for the run; null when that file does not exist yet. */
    workflowBundlePath: string | null;
    /** A scratch directory for this run (removed after it); tests make their own sub-directories. */
    runDir: string;
  }
}

export {};
