import { z } from 'zod';
import { isoDuration } from './dates.js';
import { personId, roleSchema } from './ids.js';
import { activePayloadKey, isPayloadKeyId, parsePayloadKeyEntries } from './payload-keys.js';
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

/** Comma-separated web origins (`scheme://host[:port]`, no path), e.g. the Temporal Web UI's. */
const originList = optionalString.superRefine((value, ctx) => {
  for (const item of (value ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== item.replace(/\/+$/, ''))
      ctx.addIssue({ code: 'custom', message: `"${item}" is not an origin like http://127.0.0.1:8233 (scheme, host and port; no path)` });
  }
});

/** `true` or `false`; unset leaves the choice to the other settings. */
const onOff = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .enum(['true', 'false'], { message: 'use true or false' })
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
);

type TransportSettings = Readonly<Record<string, unknown>>;

/**
 * Contradictory or incomplete transport settings, each naming its variable and what to do. The files
 * themselves are read and checked at start-up (infra/transport-files.ts), where Node's fs is at hand.
 */
function transportProblems(config: TransportSettings): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const set = (name: string) => config[name] !== undefined;
  for (const side of ['TEMPORAL', 'NATS'] as const) {
    const cert = `${side}_TLS_CERT_FILE`;
    const key = `${side}_TLS_KEY_FILE`;
    if (set(cert) && !set(key))
      problems.push({
        path: key,
        message: `not set, but ${cert} is: a client certificate needs its private key (PEM); set both or neither`,
      });
    if (set(key) && !set(cert))
      problems.push({
        path: cert,
        message: `not set, but ${key} is: set the client certificate (PEM) that goes with the key, or unset both`,
      });
    const tlsSettings = [
      `${side}_TLS_CA_FILE`,
      cert,
      key,
      ...(side === 'TEMPORAL' ? ['TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_API_KEY'] : []),
    ];
    if (config[`${side}_TLS`] === false)
      for (const name of tlsSettings.filter(set))
        problems.push({
          path: `${side}_TLS`,
          message: `false, but ${name} is set${name === 'TEMPORAL_API_KEY' ? ' (an API key is never sent in clear)' : ''}: unset ${side}_TLS (TLS is then on) or unset ${name}`,
        });
  }
  const natsAuth = [
    set('NATS_USER') || set('NATS_PASSWORD') ? 'NATS_USER/NATS_PASSWORD' : undefined,
    set('NATS_TOKEN') ? 'NATS_TOKEN' : undefined,
    set('NATS_NKEY_SEED_FILE') ? 'NATS_NKEY_SEED_FILE' : undefined,
    set('NATS_CREDS_FILE') ? 'NATS_CREDS_FILE' : undefined,
  ].filter((v) => v !== undefined);
  if (natsAuth.length > 1)
    problems.push({
      path: natsAuth[1] as string,
      message: `NATS credentials set in more than one way (${natsAuth.join(', ')}): a connection authenticates one way; keep the one the server expects`,
    });
  if (set('NATS_PASSWORD') && !set('NATS_USER'))
    problems.push({ path: 'NATS_USER', message: 'not set, but NATS_PASSWORD is: set the user the password belongs to' });
  return problems;
}

export const configSchema = z
  .object({
    TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('advocacy-campaigns'),
    TEMPORAL_UI_PORT: port.default(8233),
    /**
     * TLS to Temporal (infra/temporal-connection.ts). Unset: on when any TEMPORAL_TLS_* file, the server
     * name or an API key is set, off otherwise; `false` with any of them is refused.
     */
    TEMPORAL_TLS: onOff,
    /** PEM file of the CA that signed the Temporal server's certificate; unset: the system's CAs (managed services). */
    TEMPORAL_TLS_CA_FILE: optionalString,
    /** Client certificate and key (PEM) for mTLS, e.g. a Temporal Cloud namespace's; both or neither. */
    TEMPORAL_TLS_CERT_FILE: optionalString,
    TEMPORAL_TLS_KEY_FILE: optionalString,
    /** Name checked against the server's certificate (and sent as SNI) instead of TEMPORAL_ADDRESS's host. */
    TEMPORAL_TLS_SERVER_NAME: optionalString,
    /** API key sent as `Authorization: Bearer` (Temporal Cloud API keys); only over TLS. */
    TEMPORAL_API_KEY: optionalString,
    NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
    /**
     * TLS to NATS (infra/nats.ts). Unset: required when any NATS_TLS_* file is set, else used when the
     * server offers it; `true` requires it; `false` never uses it (refused with NATS_TLS_* files).
     */
    NATS_TLS: onOff,
    /** PEM file of the CA that signed the NATS server's certificate; unset: the system's CAs. */
    NATS_TLS_CA_FILE: optionalString,
    /** Client certificate and key (PEM) for servers that verify clients (`verify: true`); both or neither. */
    NATS_TLS_CERT_FILE: optionalString,
    NATS_TLS_KEY_FILE: optionalString,
    /** NATS credentials: one of user/password, token, nkey seed file or creds file (JWT + seed). */
    NATS_USER: optionalString,
    NATS_PASSWORD: optionalString,
    NATS_TOKEN: optionalString,
    /**
     * Where this client's replies arrive (`<prefix>.<random>`): give each NATS user its own, e.g.
     * `_INBOX_engine`, and let it subscribe to nothing else, so no user reads another's replies or pull
     * deliveries (docs/nats-permissions.md). Unset: the shared default `_INBOX`.
     */
    NATS_INBOX_PREFIX: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a dot-separated NATS subject prefix without wildcards, e.g. _INBOX_engine')
        .optional(),
    ),
    /** A file holding the user's nkey seed (`SU...`), for servers that list the user's public nkey. */
    NATS_NKEY_SEED_FILE: optionalString,
    /** A `.creds` file (user JWT and seed) for servers in operator/JWT mode, e.g. Synadia Cloud. */
    NATS_CREDS_FILE: optionalString,
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
     * Highest role a NATS command sender may be given in COMMANDS_SENDERS_FILE. Never `system`, which
     * would bypass the milestones' role checks.
     */
    COMMANDS_MAX_ROLE: roleSchema
      .exclude(['system'], { error: 'NATS senders may act as programme-lead at most, never as system' })
      .default('programme-lead'),
    /**
     * Who may send NATS commands (YAML; workers/command-senders.ts): each sender token of the command
     * subjects, as pinned by the NATS permissions, mapped to its actor, role and countries. Unset: the
     * bridge refuses every command.
     */
    COMMANDS_SENDERS_FILE: optionalString,
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
    /**
     * `Secure` on the session cookie: `auto` when the request came over https (as the trusted proxy says,
     * API_TRUST_PROXY), `true` always (deployments behind TLS), `false` never.
     */
    API_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
    /**
     * Which proxies' X-Forwarded-For/-Proto/-Host headers to believe (the client address the failure limits
     * count, https for the cookie): unset or `false`, none; `true`, any (only behind a proxy that overwrites
     * them); a number of hops; or addresses and CIDR ranges, comma-separated (`127.0.0.1,10.0.0.0/8`).
     */
    API_TRUST_PROXY: optionalString.transform((value, ctx): boolean | number | string[] => {
      if (value === undefined || value === 'false') return false;
      if (value === 'true') return true;
      if (/^\d{1,2}$/.test(value)) return Number(value);
      const entries = value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      for (const entry of entries)
        if (!/^[0-9A-Fa-f:.]+(?:\/\d{1,3})?$/.test(entry) && !['loopback', 'linklocal', 'uniquelocal'].includes(entry))
          ctx.addIssue({ code: 'custom', message: `"${entry}" is no address or CIDR range; use true, a hop count, or addresses` });
      return entries;
    }),
    /**
     * Failed authentications (a wrong, unknown or revoked API key, at the API or the dashboard's sign-in)
     * allowed per client address and per key id within API_AUTH_FAILURE_WINDOW; past them, 429 until the
     * window ends. Keys verified before still work meanwhile (http/key-authenticator.ts).
     */
    API_AUTH_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(20),
    API_AUTH_FAILURES_PER_KEY: z.coerce.number().int().min(1).max(1_000_000).default(10),
    API_AUTH_FAILURE_WINDOW: isoDuration.default('PT15M'),
    /** API key verifications (an scrypt run each) at once, and how many may wait; past both, 503. */
    API_KEY_VERIFY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    API_KEY_VERIFY_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
    /** How many campaign views the dashboard's campaign list queries at once (each row shows its view's progress). */
    DASHBOARD_VIEW_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
    /**
     * How long the campaign list waits for one campaign's view, in milliseconds; a campaign that does not
     * answer in time is listed from its search attributes alone, so one slow workflow never stalls the page.
     */
    DASHBOARD_VIEW_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    /**
     * How long the engine waits for one campaign's view query, in milliseconds. A campaign that does not
     * answer in time (no engine worker, or one that cannot run it) is flagged in the shared views (work
     * list, campaign lists) instead of holding them up, and a single view answers 503 saying so.
     */
    CAMPAIGN_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
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
    ADVOCACY_ACTOR: optionalString.pipe(personId.optional()),
    /** The CLI user's role; default programme-lead (the CLI refuses `system`). */
    ADVOCACY_ROLE: z.preprocess((v) => (v === '' ? undefined : v), roleSchema.optional()),
    /**
     * Keys that encrypt workflow payloads (AES-256-GCM) before they reach Temporal: `<id>:<base64 of 32
     * bytes>`, comma-separated (shared/payload-keys.ts). Every process that talks to Temporal needs them and
     * refuses to start without (README "Payload encryption"); old keys stay listed after a rotation.
     */
    PAYLOAD_KEYS: optionalString.superRefine((value, ctx) => {
      if (value === undefined) return;
      for (const problem of parsePayloadKeyEntries(value).problems) ctx.addIssue({ code: 'custom', message: problem });
    }),
    /** A file holding the key list instead of PAYLOAD_KEYS (one entry a line, `#` comments). */
    PAYLOAD_KEYS_FILE: optionalString,
    /** The id of the key that encrypts new payloads; needed when several keys are listed. */
    PAYLOAD_ACTIVE_KEY: optionalString.pipe(z.string().refine(isPayloadKeyId, 'a key id: letters, digits, ".", "_" or "-"').optional()),
    /**
     * Origins allowed to call the payload codec endpoint (`/codec/decode`) from a browser: the Temporal Web
     * UI's. Default: the origin of TEMPORAL_UI_URL (see `codecOrigins`).
     */
    API_CODEC_ORIGINS: originList,
  })
  .superRefine((config, ctx) => {
    for (const { path, message } of transportProblems(config)) ctx.addIssue({ code: 'custom', path: [path], message });
    if (config.PAYLOAD_KEYS !== undefined && config.PAYLOAD_KEYS_FILE !== undefined)
      ctx.addIssue({ code: 'custom', path: ['PAYLOAD_KEYS_FILE'], message: 'set PAYLOAD_KEYS or PAYLOAD_KEYS_FILE, not both' });
    if (config.PAYLOAD_KEYS === undefined) return;
    const { entries, problems } = parsePayloadKeyEntries(config.PAYLOAD_KEYS);
    if (problems.length > 0) return; // reported under PAYLOAD_KEYS
    const { problem } = activePayloadKey(entries, config.PAYLOAD_ACTIVE_KEY);
    if (problem) ctx.addIssue({ code: 'custom', path: ['PAYLOAD_ACTIVE_KEY'], message: problem });
  });

export type Config = Readonly<z.output<typeof configSchema>>;

/** Whether the Temporal connection uses TLS: TEMPORAL_TLS, else whether any TLS setting or an API key is set. */
export function temporalTlsEnabled(
  config: Pick<
    Config,
    'TEMPORAL_TLS' | 'TEMPORAL_TLS_CA_FILE' | 'TEMPORAL_TLS_CERT_FILE' | 'TEMPORAL_TLS_SERVER_NAME' | 'TEMPORAL_API_KEY'
  >,
): boolean {
  return (
    config.TEMPORAL_TLS ??
    [config.TEMPORAL_TLS_CA_FILE, config.TEMPORAL_TLS_CERT_FILE, config.TEMPORAL_TLS_SERVER_NAME, config.TEMPORAL_API_KEY].some(
      (v) => v !== undefined,
    )
  );
}

/** Where the API-key store lives: API_KEYS_FILE, else `api-keys.json` in DATA_DIR. */
export function apiKeysFile(config: Pick<Config, 'API_KEYS_FILE' | 'DATA_DIR'>): string {
  return config.API_KEYS_FILE ?? `${config.DATA_DIR.replace(/\/+$/, '')}/api-keys.json`;
}

/** The Temporal Web UI's base address (no trailing slash). */
export function temporalUiUrl(config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_UI_PORT'>): string {
  return (config.TEMPORAL_UI_URL ?? `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`).replace(/\/+$/, '');
}

/** A workflow's page in the Temporal Web UI (a campaign's id is its workflow id). */
export function temporalWorkflowUrl(
  config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_UI_PORT' | 'TEMPORAL_NAMESPACE'>,
  workflowId: string,
): string {
  return `${temporalUiUrl(config)}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Origins allowed to call the codec endpoint: API_CODEC_ORIGINS, else the Temporal Web UI's origin. */
export function codecOrigins(config: Pick<Config, 'API_CODEC_ORIGINS' | 'TEMPORAL_UI_URL' | 'TEMPORAL_UI_PORT'>): string[] {
  if (config.API_CODEC_ORIGINS !== undefined)
    return config.API_CODEC_ORIGINS.split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean);
  return [new URL(temporalUiUrl(config)).origin];
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
