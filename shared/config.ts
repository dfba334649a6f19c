import { z } from 'zod';
import { isoDuration } from './dates.js';

/**
 * The one configuration schema. Every process parses its environment with it once at start-up
 * (see `infra/config.ts`); the result is frozen and passed down, never read from `process.env` again.
 */
const port = z.coerce.number().int().min(1).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

export const configSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('advocacy-campaigns'),
  TEMPORAL_UI_PORT: port.default(8233),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_USER: optionalString,
  NATS_PASSWORD: optionalString,
  NATS_TOKEN: optionalString,
  EVENTS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'stream names allow letters, digits, "_" and "-"')
    .default('ADVOCACY_EVENTS'),
  EVENTS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, 'a dot-separated NATS subject prefix without wildcards')
    .default('advocacy'),
  /** Must cover the publish activity's retry horizon so a retried publish is recognised as a duplicate. */
  EVENTS_DUPLICATE_WINDOW: isoDuration.default('P1D'),
  EVENTS_MAX_AGE: isoDuration.default('P10Y'),
  EVENTS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  COMMANDS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/)
    .default('advocacy.commands'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('.data'),
  /** Extra template directory (YAML files) loaded after the built-in templates. */
  TEMPLATES_DIR: optionalString,
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  NATS_PORT: port.default(4222),
  TEMPORAL_PORT: port.default(7233),
});

export type Config = Readonly<z.output<typeof configSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment record; reports every problem at once, naming each variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return Object.freeze(result.data);
}
