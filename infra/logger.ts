import { pino, type Logger } from 'pino';

export type { Logger };

/** One JSON line per event. `name` tells which process or component wrote it. */
export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
