import { z } from 'zod';
import { isoDuration } from './dates.js';
import { roleSchema } from './ids.js';
import { formatIssues, problemList } from './validation.js';

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
  /**
   * Highest role a NATS command may act as. Whoever may publish on the command subjects names the
   * actor in the command; this caps what such a sender can claim (`system` would bypass role checks).
   */
  COMMANDS_MAX_ROLE: roleSchema.default('programme-lead'),
  /**
   * Notifier routes (YAML or JSON; see workers/notifier-config.ts). Unset: the notifier only logs
   * reminders and overdue notices.
   */
  NOTIFIER_CONFIG: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('.data'),
  /** Extra template directory (YAML files) loaded after the built-in templates. */
  TEMPLATES_DIR: optionalString,
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  /** The API-key store (JSON, keys hashed); default `$DATA_DIR/api-keys.json`. See `apiKeysFile`. */
  API_KEYS_FILE: optionalString,
  /** Largest request body the HTTP API accepts, in bytes (larger ones get 413). */
  API_BODY_LIMIT: z.coerce.number().int().min(1024).max(10_485_760).default(131_072),
  /** HMAC secret for dashboard sessions (>= 32 chars); unset: a random one per process (sessions end at restart). */
  API_SESSION_SECRET: optionalString.pipe(z.string().min(32, 'use at least 32 characters').optional()),
  /** How long a dashboard login lasts. */
  API_SESSION_TTL: isoDuration.default('PT8H'),
  /** How many campaign views the dashboard's campaign list queries at once (each row shows its view's progress). */
  DASHBOARD_VIEW_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  /**
   * How long the campaign list waits for one campaign's view, in milliseconds; a campaign that does not
   * answer in time is listed from its search attributes alone, so one slow workflow never stalls the page.
   */
  DASHBOARD_VIEW_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Temporal Web UI base address, linked from the dashboard; default http://127.0.0.1:$TEMPORAL_UI_PORT. */
  TEMPORAL_UI_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /**
   * Campaign workflows the engine worker keeps in memory (about 2 MB each, bench/README.md); evicted ones
   * are replayed from history when they next wake, so this bounds memory, not capacity.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(500),
  NATS_PORT: port.default(4222),
  TEMPORAL_PORT: port.default(7233),
  /** Who the `advocacy` CLI user is, recorded in campaign history (README "CLI"); default: the OS user name. */
  ADVOCACY_ACTOR: optionalString.pipe(z.string().max(128).optional()),
  /** The CLI user's role; default programme-lead (the CLI refuses `system`). */
  ADVOCACY_ROLE: z.preprocess((v) => (v === '' ? undefined : v), roleSchema.optional()),
});

export type Config = Readonly<z.output<typeof configSchema>>;

/** Where the API-key store lives: API_KEYS_FILE, else `api-keys.json` in DATA_DIR. */
export function apiKeysFile(config: Pick<Config, 'API_KEYS_FILE' | 'DATA_DIR'>): string {
  return config.API_KEYS_FILE ?? `${config.DATA_DIR.replace(/\/+$/, '')}/api-keys.json`;
}

/** The Temporal Web UI's base address (no trailing slash). */
export function temporalUiUrl(config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_UI_PORT'>): string {
  return (config.TEMPORAL_UI_URL ?? `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`).replace(/\/+$/, '');
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problemList('Invalid configuration', problems));
    this.name = 'ConfigError';
  }
}

/** Parses an environment record; reports every problem at once, naming each variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty variable (`API_PORT=`) means "unset", as in most shells' conventions, so defaults apply.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(set);
  if (!result.success) throw new ConfigError(formatIssues(result.error));
  return Object.freeze(result.data);
}
