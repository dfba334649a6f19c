import { Runtime, type LogLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/worker';
import type { Logger } from './logger.js';

/**
 * Routes every Temporal log line to pino: the Rust Core's own logs (forwarded through the runtime), the
 * worker's, and those written by workflow code (`log` from @temporalio/workflow) and activities
 * (`log` from @temporalio/activity). Lines go to a child logger with `component: 'temporal'`; the SDK's
 * `sdkComponent` (core, worker, workflow, activity) stays in each line.
 */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly pino: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    // The SDK keeps its own timestamp under a symbol key; pino stamps the line itself.
    const fields = meta ? { ...meta } : {};
    switch (level) {
      case 'TRACE':
        this.pino.trace(fields, message);
        break;
      case 'DEBUG':
        this.pino.debug(fields, message);
        break;
      case 'INFO':
        this.pino.info(fields, message);
        break;
      case 'WARN':
        this.pino.warn(fields, message);
        break;
      case 'ERROR':
      default:
        this.pino.error(fields, message);
        break;
    }
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** Core's filter follows the pino level, but Core's INFO chatter is only let through at debug. */
function coreLevelFor(pinoLevel: string): LogLevel {
  switch (pinoLevel) {
    case 'trace':
      return 'TRACE';
    case 'debug':
      return 'DEBUG';
    case 'error':
    case 'fatal':
    case 'silent':
      return 'ERROR';
    default:
      return 'WARN';
  }
}

let installed: Runtime | undefined;

/**
 * Installs the Temporal Runtime once per process with logging routed to `logger`. Call it before
 * creating any Worker or NativeConnection (they instantiate a default runtime otherwise). Later calls
 * return the installed runtime.
 */
export function installTemporalRuntime(logger: Logger, options: { coreLevel?: LogLevel } = {}): Runtime {
  if (installed) return installed;
  const temporalLogger = logger.child({ component: 'temporal' });
  if (Runtime._instance !== undefined) {
    temporalLogger.warn('Temporal runtime was already instantiated before installTemporalRuntime; its logs are not routed to pino');
    installed = Runtime.instance();
    return installed;
  }
  const coreLevel = options.coreLevel ?? coreLevelFor(logger.level);
  installed = Runtime.install({
    logger: new PinoTemporalLogger(temporalLogger),
    telemetryOptions: {
      logging: {
        forward: {},
        filter: { core: coreLevel, other: coreLevel === 'TRACE' || coreLevel === 'DEBUG' ? 'WARN' : 'ERROR' },
      },
    },
  });
  return installed;
}
