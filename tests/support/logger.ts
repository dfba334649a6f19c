import { createLogger, type Logger } from '../../infra/logger.js';
import { installTemporalRuntime } from '../../infra/temporal-runtime.js';

/** Logger for tests; quiet by default (TEST_LOG_LEVEL=debug shows Temporal and server logs). */
export function testLogger(name = 'test'): Logger {
  return createLogger(name, process.env.TEST_LOG_LEVEL ?? 'warn');
}

/** Routes Temporal Core/worker/workflow logs to a pino test logger; once per test process. */
export function installTestRuntime(): void {
  installTemporalRuntime(testLogger('temporal-test'));
}
