import type { Client } from '@temporalio/client';
import { userInfo } from 'node:os';
import { z } from 'zod';
import type { TemplateLookup } from '../activities/resolve-template.js';
import type { CampaignClient } from '../clients/campaign-client.js';
import { apiKeyIdSchema } from '../infra/api-keys.js';
import type { NatsConnection } from '../infra/nats.js';
import type { TemplateRegistry } from '../infra/templates.js';
import { ConfigError, parseConfig, temporalWorkflowUrl, type Config } from '../shared/config.js';
import { personId, roleSchema, type Actor } from '../shared/ids.js';
import { TemplateError } from '../shared/template/index.js';
import { parseFlags } from './flags.js';
import { CliError, Output, type CliIO, type Hints } from './output.js';

/**
 * What a command needs, created on first use so that a command only connects to what it uses (no
 * Temporal for `templates list`, no NATS but for `events tail`), and closed when the command ends.
 */

export const globalFlagsSchema = z.object({
  json: z.boolean().default(false),
  color: z.boolean().optional(),
  actor: z.string().optional(),
  role: z.string().optional(),
});
export type GlobalFlags = z.output<typeof globalFlagsSchema>;

export interface TemporalHandle {
  client: Client;
  /** Runs `fn` with a deadline on every Temporal call it makes. */
  withDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The outside world, replaceable in tests of the command-line parsing. */
export interface CliDeps {
  loadTemplates(config: Config, options?: { builtinOnly?: boolean }): Promise<TemplateRegistry>;
  connectTemporal(config: Config): Promise<TemporalHandle>;
  connectNats(config: Config): Promise<NatsConnection>;
  /** Calls `stop` on Ctrl-C (and SIGTERM); returns a function that removes the handler. */
  onInterrupt(stop: () => void): () => void;
  username(): string;
}

/** How long one Temporal call may take before the CLI gives up and says why (a stopped worker, usually). */
export const TEMPORAL_CALL_TIMEOUT_MS = 30_000;

export const defaultDeps: CliDeps = {
  async loadTemplates(config, options = {}) {
    const { loadTemplates } = await import('../infra/templates.js');
    return loadTemplates({ extraDirs: !options.builtinOnly && config.TEMPLATES_DIR ? [config.TEMPLATES_DIR] : [] });
  },
  async connectTemporal(config) {
    const [{ Client, Connection }, { dataConverterFor }, { temporalConnectionOptions }] = await Promise.all([
      import('@temporalio/client'),
      import('../infra/payload-codec.js'),
      import('../infra/temporal-connection.js'),
    ]);
    // Before connecting: without payload keys (or with an unreadable TLS file) the command stops here,
    // naming the variable.
    const dataConverter = dataConverterFor(config);
    const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: '5s' });
    return {
      client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter }),
      withDeadline: (deadline, fn) => connection.withDeadline(deadline, fn),
      close: () => connection.close(),
    };
  },
  async connectNats(config) {
    const [{ connect }, { natsConnectionOptions }] = await Promise.all([import('@nats-io/transport-node'), import('../infra/nats.js')]);
    // Fail fast when NATS is down at start (a tool, not a worker); reconnect forever once connected.
    return connect({ ...natsConnectionOptions(config, { name: 'advocacy-cli', waitOnFirstConnect: false }), timeout: 5000 });
  },
  onInterrupt(stop) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
  },
  username() {
    try {
      return userInfo().username;
    } catch {
      return process.env.USER ?? process.env.LOGNAME ?? '';
    }
  },
};

/** The role a local operator acts with when none is given (see README "CLI" for why and what is safe). */
export const DEFAULT_ROLE = 'programme-lead';

export interface ResolvedActor {
  actor: Actor;
  /** Where the role came from, shown with every write so nobody acts with a role they did not mean. */
  roleFrom: 'flag' | 'env' | 'default';
}

/**
 * Who the CLI user is: `--actor`/`--role`, else ADVOCACY_ACTOR/ADVOCACY_ROLE, else the OS user name as a
 * programme lead. The `system` role (the engine itself, trusted integrations) is refused: a person at a
 * terminal is never the system, and history must not say so.
 */
export function resolveActor(
  flags: Pick<GlobalFlags, 'actor' | 'role'>,
  config: Pick<Config, 'ADVOCACY_ACTOR' | 'ADVOCACY_ROLE'>,
  username: string,
): ResolvedActor {
  const id = flags.actor ?? config.ADVOCACY_ACTOR ?? (username || 'operator');
  const role = flags.role ?? config.ADVOCACY_ROLE ?? DEFAULT_ROLE;
  const actor = parseFlags(
    z.object({
      actor: z
        .string()
        .trim()
        .pipe(personId)
        // API keys and NATS senders have ids of their own kinds; a CLI user cannot pass for either.
        .refine((id) => !apiKeyIdSchema.safeParse(id).success, "an API key's id; give your own (history would name the key's holder)"),
      role: roleSchema,
    }),
    { actor: id, role },
  );
  if (actor.role === 'system')
    throw new CliError(
      'forbidden',
      'the CLI does not act with the system role, which belongs to the engine and trusted integrations',
      [],
      'act as a person: --role programme-lead, staff or viewer (or ADVOCACY_ROLE)',
    );
  return {
    actor: { id: actor.actor, role: actor.role },
    roleFrom: flags.role !== undefined ? 'flag' : config.ADVOCACY_ROLE !== undefined ? 'env' : 'default',
  };
}

function configProblem(err: ConfigError): CliError {
  return new CliError(
    'invalid',
    `invalid configuration: ${err.problems.join('; ')}`,
    err.problems,
    'fix the environment variables named above (README "Configuration" and "CLI")',
  );
}

const noTemplates: TemplateLookup = { findTemplate: () => undefined };

export class CliContext {
  out: Output;
  globals: GlobalFlags = { json: false };
  /** True once the global flags of the command were applied. */
  configured = false;
  /** Hints for errors of the running command, over the defaults by code. */
  hints: Hints = {};
  private config_: Config | undefined;
  private temporal: Promise<TemporalHandle> | undefined;
  private natsConnection: Promise<NatsConnection> | undefined;
  private registry = new Map<string, Promise<TemplateRegistry>>();

  constructor(
    readonly io: CliIO,
    readonly deps: CliDeps,
  ) {
    this.out = new Output(io, false);
  }

  /** Called before the command's action, with the parsed global flags. */
  configure(raw: Record<string, unknown>): void {
    this.globals = globalFlagsSchema.parse(raw);
    this.out = new Output(this.io, this.globals.json, this.globals.color);
    this.configured = true;
  }

  get config(): Config {
    if (!this.config_) {
      try {
        this.config_ = parseConfig(this.io.env);
      } catch (err) {
        if (err instanceof ConfigError) throw configProblem(err);
        throw err;
      }
    }
    return this.config_;
  }

  actor(): ResolvedActor {
    return resolveActor(this.globals, this.config, this.deps.username());
  }

  /** The built-in templates and those of TEMPLATES_DIR (or only the built-in ones). */
  templates(options: { builtinOnly?: boolean } = {}): Promise<TemplateRegistry> {
    const key = options.builtinOnly ? 'builtin' : 'all';
    let found = this.registry.get(key);
    if (!found) {
      found = this.deps.loadTemplates(this.config, options).catch((err: unknown) => {
        if (err instanceof TemplateError)
          throw new CliError(
            'invalid',
            `the templates do not load: ${err.problems.join('; ')}`,
            err.problems,
            'fix the template files named above (`advocacy templates validate <file>`) or unset TEMPLATES_DIR',
          );
        throw err;
      });
      this.registry.set(key, found);
    }
    return found;
  }

  private connectTemporal(): Promise<TemporalHandle> {
    this.temporal ??= this.deps.connectTemporal(this.config).catch((err: unknown) => {
      if (err instanceof ConfigError) throw configProblem(err);
      throw new CliError(
        'unavailable',
        `cannot reach Temporal at ${this.config.TEMPORAL_ADDRESS}: ${err instanceof Error ? err.message : String(err)}`,
        [],
        'start the stack with `npm run dev`, or set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE) to a running Temporal server',
      );
    });
    return this.temporal;
  }

  /**
   * Runs `fn` with the campaign facade. Every Temporal call inside gets a deadline, so a command never
   * hangs when no engine worker serves the task queue; it fails as `unavailable` and says so.
   */
  async withCampaigns<T>(fn: (campaigns: CampaignClient) => Promise<T>, templates: TemplateLookup = noTemplates): Promise<T> {
    const [temporal, { CampaignClient }] = await Promise.all([this.connectTemporal(), import('../clients/campaign-client.js')]);
    const config = this.config;
    const campaigns = new CampaignClient({
      client: temporal.client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      templates,
      queryTimeoutMs: config.CAMPAIGN_QUERY_TIMEOUT_MS,
      workflowUrl: (id) => temporalWorkflowUrl(config, id),
    });
    this.hints.unavailable ??= `no answer in time: check that an engine worker (\`npm run worker\`) polls task queue "${this.config.TEMPORAL_TASK_QUEUE}" on ${this.config.TEMPORAL_ADDRESS}`;
    return temporal.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () => fn(campaigns));
  }

  nats(): Promise<NatsConnection> {
    this.natsConnection ??= this.deps.connectNats(this.config).catch((err: unknown) => {
      throw new CliError(
        'unavailable',
        `cannot reach NATS at ${this.config.NATS_URL}: ${err instanceof Error ? err.message : String(err)}`,
        [],
        'start the stack with `npm run dev`, or set NATS_URL (and NATS_USER/NATS_PASSWORD or NATS_TOKEN) to a running nats-server',
      );
    });
    return this.natsConnection;
  }

  /** Closes whatever the command opened. */
  async close(): Promise<void> {
    const closing: Promise<unknown>[] = [];
    if (this.temporal) closing.push(this.temporal.then((t) => t.close()));
    if (this.natsConnection) closing.push(this.natsConnection.then((nc) => nc.close()));
    await Promise.allSettled(closing);
  }
}
