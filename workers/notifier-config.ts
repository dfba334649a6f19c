import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseStrictYaml } from '../infra/yaml.js';
import { domainEventTypes, type DomainEventType } from '../shared/campaign/domain-events.js';
import { countrySchema } from '../shared/countries.js';
import { eventFilterSubjects } from '../shared/events/subjects.js';
import { slug } from '../shared/ids.js';
import { formatIssues, problemList } from '../shared/validation.js';

/**
 * The notifier's routes, from the YAML or JSON file named by NOTIFIER_CONFIG:
 *
 * ```yaml
 * durable: notifier            # JetStream durable consumer name
 * maxDeliveries: 8             # then the event is dead-lettered
 * routes:
 *   - name: indonesia-deadlines
 *     match: { countries: [ID], types: [reminder-due, milestone-overdue] }
 *     webhook:
 *       url: https://hooks.example.org/advocacy
 *       secretEnv: NOTIFIER_SECRET_INDONESIA   # shared HMAC secret, read from this variable
 *       headers:
 *         Authorization: Bearer ${HOOKS_TOKEN}  # resolved from the environment at start-up
 *     log: true
 * ```
 *
 * Secrets never sit in the file: it names the environment variable that holds each one (`secretEnv`, and
 * `${NAME}` in header values, resolved once at load; a header that carries a credential must use one),
 * so the file can be committed and reviewed. Webhooks use https; plain http only to a loopback address
 * (a receiver on the same host). Every problem is reported at once, as with the main configuration.
 */

const eventType = z.enum(domainEventTypes as [DomainEventType, ...DomainEventType[]]);
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as NOTIFIER_SECRET_X');

/** Hosts plain http may go to: this machine only (nothing crosses a network unencrypted). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** `${NAME}` in a header value: the value of that environment variable. */
const envReference = /\$\{([A-Z_][A-Z0-9_]*)\}/g;
/** Header names whose values are credentials: they must come from the environment. */
const credentialHeader = /^(?:authorization|proxy-authorization|cookie)$|token|secret|password|api-?key|signature/i;

const webhookSchema = z.object({
  url: z.url({ protocol: /^https?$/ }).refine((u) => {
    if (!URL.canParse(u)) return true; // the url check above names it
    const url = new URL(u);
    return url.protocol === 'https:' || isLoopbackHost(url.hostname);
  }, 'use https; plain http only to a loopback address (127.0.0.1, ::1, localhost)'),
  secretEnv: envName,
  /** Per request. */
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** Requests per delivery of the event before the notifier gives it back for redelivery. */
  attempts: z.number().int().min(1).max(20).default(4),
  /** First pause between attempts; doubles each time, at most 30 s. */
  retryDelayMs: z.number().int().min(0).max(60_000).default(1_000),
  headers: z.record(z.string(), z.string()).default({}),
});

const routeSchema = z
  .object({
    name: slug,
    match: z
      .object({
        templates: z.array(slug).optional(),
        countries: z.array(countrySchema).optional(),
        types: z.array(eventType).optional(),
      })
      .strict()
      .default({}),
    webhook: webhookSchema.optional(),
    /** Log every matching event (beside the reminder and overdue notices, which are always logged). */
    log: z.boolean().default(false),
  })
  .strict()
  .refine((r) => r.webhook !== undefined || r.log, 'a route needs a webhook, log: true, or both');

export const notifierFileSchema = z
  .object({
    durable: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-"')
      .default('notifier'),
    maxDeliveries: z.number().int().min(1).max(100).default(8),
    routes: z.array(routeSchema).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.routes.forEach((route, i) => {
      if (seen.has(route.name)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'name'], message: 'duplicate route name' });
      seen.add(route.name);
    });
  });
export type NotifierFile = z.output<typeof notifierFileSchema>;

export interface NotifierRoute {
  name: string;
  /** Subject filters (NATS wildcards) the route takes. */
  filters: string[];
  log: boolean;
  /** With `secret` and every `${NAME}` in the headers resolved from the environment. */
  webhook?: Omit<z.output<typeof webhookSchema>, 'secretEnv'> & { secret: string };
}

export interface NotifierConfig {
  durable: string;
  maxDeliveries: number;
  routes: NotifierRoute[];
}

export class NotifierConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(problemList(`Invalid notifier configuration (${source})`, problems));
    this.name = 'NotifierConfigError';
  }
}

/** Validates parsed file content, compiles the filters and resolves the secrets from `env`. */
export function resolveNotifierConfig(
  raw: unknown,
  options: { subjectPrefix: string; env: Record<string, string | undefined>; source?: string },
): NotifierConfig {
  const source = options.source ?? 'notifier configuration';
  const parsed = notifierFileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new NotifierConfigError(source, formatIssues(parsed.error));
  const problems: string[] = [];
  const routes = parsed.data.routes.map((route, i): NotifierRoute => {
    const filters = eventFilterSubjects(options.subjectPrefix, {
      templateIds: route.match.templates,
      countries: route.match.countries,
      types: route.match.types,
    });
    if (!route.webhook) return { name: route.name, filters, log: route.log };
    const { secretEnv, headers, ...webhook } = route.webhook;
    const secret = options.env[secretEnv];
    if (!secret || secret.length < 16) {
      problems.push(`routes.${i}.webhook.secretEnv: set ${secretEnv} to a shared secret of at least 16 characters`);
    }
    const resolved = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => {
        const place = `routes.${i}.webhook.headers.${name}`;
        if (credentialHeader.test(name) && !/\$\{[A-Z_][A-Z0-9_]*\}/.test(value))
          problems.push(`${place}: a credential does not belong in the file; put it in an environment variable and write \${NAME}`);
        return [
          name,
          value.replace(envReference, (_whole, variable: string) => {
            const found = options.env[variable];
            if (found === undefined || found === '') problems.push(`${place}: set ${variable} (the value refers to \${${variable}})`);
            return found ?? '';
          }),
        ];
      }),
    );
    return { name: route.name, filters, log: route.log, webhook: { ...webhook, headers: resolved, secret: secret ?? '' } };
  });
  if (problems.length > 0) throw new NotifierConfigError(source, problems);
  return { durable: parsed.data.durable, maxDeliveries: parsed.data.maxDeliveries, routes };
}

/**
 * Reads NOTIFIER_CONFIG's file (YAML, of which JSON is a subset); no file means no routes. Written by
 * hand, so parsed strictly: a repeated key is an error, and each syntax problem names its line and column.
 */
export async function loadNotifierConfig(
  path: string | undefined,
  options: { subjectPrefix: string; env: Record<string, string | undefined> },
): Promise<NotifierConfig> {
  if (path === undefined) return resolveNotifierConfig({}, { ...options, source: 'defaults' });
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new NotifierConfigError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  const raw = parseStrictYaml(text, (problems) => new NotifierConfigError(path, problems));
  return resolveNotifierConfig(raw, { ...options, source: path });
}
