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
 *       url: http://127.0.0.1:9000/advocacy
 *       secretEnv: NOTIFIER_SECRET_INDONESIA   # shared HMAC secret, read from this variable
 *     log: true
 * ```
 *
 * Secrets never sit in the file: it names the environment variable that holds each one, so the file can
 * be committed and reviewed. Every problem is reported at once, as with the main configuration.
 */

const eventType = z.enum(domainEventTypes as [DomainEventType, ...DomainEventType[]]);
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as NOTIFIER_SECRET_X');

const webhookSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
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
    const { secretEnv, ...webhook } = route.webhook;
    const secret = options.env[secretEnv];
    if (!secret || secret.length < 16) {
      problems.push(`routes.${i}.webhook.secretEnv: set ${secretEnv} to a shared secret of at least 16 characters`);
    }
    return { name: route.name, filters, log: route.log, webhook: { ...webhook, secret: secret ?? '' } };
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
