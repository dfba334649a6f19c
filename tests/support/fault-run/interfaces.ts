import type { NatsConnection } from '@nats-io/transport-node';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { createHash } from 'node:crypto';
import type { App } from '../../../api/app.js';
import type { CampaignCommand, StartCampaign } from '../../../shared/campaign/index.js';
import { commandReplySchema, commandSubject } from '../../../shared/events/command-messages.js';
import { natsActorId } from '../../../workers/command-senders.js';
import type { Actor } from '../../../shared/ids.js';
import { campaignWorkflow } from '../../../workflows/campaign.js';
import { runCli } from '../cli.js';

/**
 * The three ways commands reach the engine in the fault run, each driven as its users drive it: the
 * `advocacy` CLI in a child process (exit code, `--json` output), the HTTP API (Fastify's inject, with an
 * Idempotency-Key) and the NATS command bridge (request/reply). Every answer is sorted into accepted,
 * refused (a definitive no: the command changed nothing) or transient (a server was down or did not answer
 * in time: the same request is sent again later).
 */
export type Via = 'cli' | 'api' | 'nats';
export const vias: readonly Via[] = ['cli', 'api', 'nats'];
/** How campaigns are started: through the API or the CLI, or straight with the Temporal client. */
export type StartVia = 'api' | 'cli' | 'direct';

type WithoutActor<T> = T extends unknown ? Omit<T, 'actor' | 'requestId'> : never;
/** A command as the run generates it; each interface adds the actor and the request id its own way. */
export type CommandBody = WithoutActor<CampaignCommand>;

export type Who = 'lead' | 'staff';

export type Answer =
  | { kind: 'accepted'; requestId: string; events: number[] }
  | { kind: 'refused'; code: string; message: string }
  | { kind: 'transient'; reason: string };

export interface StartSpec {
  template: string;
  country: string;
  startDate: string;
  completed: { milestone: string; date: string }[];
}

export type StartAnswer =
  { kind: 'accepted'; campaignId: string } | { kind: 'refused'; code: string; message: string } | { kind: 'transient'; reason: string };

export interface InterfaceDeps {
  app: App;
  /** API keys by who acts: the key id (the actor id the engine records) and its secret. */
  apiKeys: Record<Who, { id: string; secret: string }>;
  /** Environment of the CLI's child processes (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, TEMPLATES_DIR...). */
  cliEnv: Record<string, string | undefined>;
  nc: NatsConnection;
  commandsPrefix: string;
  /** How long one attempt may take before the run gives up on it and sends it again. */
  attemptTimeoutMs: number;
  /** For starts with the Temporal client alone (no query of the new campaign afterwards). */
  direct: { client: Client; taskQueue: string };
}

const cliActor: Record<Who, string> = { lead: 'cli-ana', staff: 'cli-sari' };
/** NATS sender tokens (the bridge's senders file maps each to its role); the bridge acts as `nats:<token>`. */
export const natsSender: Record<Who, string> = { lead: 'monitor-lead', staff: 'monitor-staff' };
const roleOf: Record<Who, Actor['role']> = { lead: 'programme-lead', staff: 'staff' };

const NATS_REQUEST_TIMEOUT_MS = 12_000;

/** CLI exit codes that mean "not now" rather than "no" (shared/errors.ts: 7 unavailable; 1 unexpected). */
const transientExit = new Set([1, 7]);

export class CommandInterfaces {
  constructor(private readonly deps: InterfaceDeps) {}

  /** The actor the engine records for a command sent this way. */
  actorOf(via: Via | StartVia, who: Who): Actor {
    if (via === 'api') return { id: this.deps.apiKeys[who].id, role: roleOf[who] };
    if (via === 'direct') return { id: 'direct-lead', role: roleOf[who] };
    return { id: via === 'cli' ? cliActor[who] : natsActorId(natsSender[who]), role: roleOf[who] };
  }

  /** The request id the engine records: the API scopes an Idempotency-Key to the key that sent it. */
  requestIdOf(via: Via, who: Who, key: string): string {
    return via === 'api' ? `${this.deps.apiKeys[who].id}:${key}` : key;
  }

  async command(via: Via, who: Who, campaignId: string, body: CommandBody, key: string): Promise<Answer> {
    try {
      return await this.bounded(
        via === 'api'
          ? this.viaApi(who, campaignId, body, key)
          : via === 'cli'
            ? this.viaCli(who, campaignId, body, key)
            : this.viaNats(who, campaignId, body, key),
      );
    } catch (err) {
      return { kind: 'transient', reason: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The campaign id the API derives from an Idempotency-Key (api/routes/campaigns.ts). */
  apiStartId(spec: StartSpec, key: string): string {
    const digest = createHash('sha256').update(`${this.deps.apiKeys.lead.id}\n${key}`).digest('hex').slice(0, 12);
    return `${spec.country.toLowerCase()}-${spec.template}-${digest}`;
  }

  /**
   * Starts a campaign as the programme lead. The API derives the id from the Idempotency-Key and answers
   * a repeat with the campaign it started; the CLI is given the id, and a repeat answers "conflict".
   */
  async start(via: StartVia, spec: StartSpec, key: string, campaignId: string, start: StartCampaign): Promise<StartAnswer> {
    try {
      return await this.bounded(
        via === 'api' ? this.startViaApi(spec, key) : via === 'cli' ? this.startViaCli(spec, campaignId) : this.startDirect(start),
      );
    } catch (err) {
      return { kind: 'transient', reason: err instanceof Error ? err.message : String(err) };
    }
  }

  private async bounded<T>(attempt: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.deps.attemptTimeoutMs} ms`)), this.deps.attemptTimeoutMs);
    });
    // An attempt given up on may still finish later; its request id makes that harmless.
    attempt.catch(() => undefined);
    try {
      return await Promise.race([attempt, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async viaApi(who: Who, campaignId: string, body: CommandBody, key: string): Promise<Answer> {
    const { url, payload } = apiRoute(campaignId, body);
    const res = await this.deps.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${this.deps.apiKeys[who].secret}`, 'idempotency-key': key, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    const json = res.json<{ requestId?: string; events?: number[]; code?: string; message?: string }>();
    if (res.statusCode === 200) return { kind: 'accepted', requestId: json.requestId ?? '', events: json.events ?? [] };
    if (res.statusCode >= 500) return { kind: 'transient', reason: `HTTP ${res.statusCode} ${json.code ?? ''}: ${json.message ?? ''}` };
    return { kind: 'refused', code: json.code ?? String(res.statusCode), message: json.message ?? '' };
  }

  private async viaCli(who: Who, campaignId: string, body: CommandBody, key: string): Promise<Answer> {
    const run = await runCli(
      ['--json', '--actor', cliActor[who], '--role', roleOf[who], ...cliArgs(campaignId, body), '--request-id', key],
      this.deps.cliEnv,
    );
    if (run.code === 0) {
      const out = JSON.parse(run.stdout) as { requestId: string; events: number[] };
      return { kind: 'accepted', requestId: out.requestId, events: out.events };
    }
    const err = cliError(run.stderr);
    if (run.code === null || transientExit.has(run.code))
      return { kind: 'transient', reason: `exit ${String(run.code)}: ${err?.message ?? run.stderr.trim()}` };
    return { kind: 'refused', code: err?.code ?? `exit ${run.code}`, message: err?.message ?? run.stderr.trim() };
  }

  private async viaNats(who: Who, campaignId: string, body: CommandBody, key: string): Promise<Answer> {
    // The actor comes from the sender token in the subject, never from the body.
    const command = { ...body, requestId: key };
    const subject = commandSubject(this.deps.commandsPrefix, natsSender[who], campaignId, body.type);
    const msg = await this.deps.nc.request(subject, JSON.stringify(command), {
      // A request sent into a dying nats-server gets no reply at all: ask again soon (same request id, so
      // a command that did arrive is not applied twice) rather than wait out the whole attempt.
      timeout: Math.min(NATS_REQUEST_TIMEOUT_MS, this.deps.attemptTimeoutMs - 1000),
    });
    const reply = commandReplySchema.parse(msg.json());
    if (reply.ok) return { kind: 'accepted', requestId: reply.requestId, events: reply.events };
    if (reply.code === 'unavailable') return { kind: 'transient', reason: `unavailable: ${reply.message}` };
    return { kind: 'refused', code: reply.code, message: reply.message };
  }

  private async startViaApi(spec: StartSpec, key: string): Promise<StartAnswer> {
    const res = await this.deps.app.inject({
      method: 'POST',
      url: '/campaigns',
      headers: { authorization: `Bearer ${this.deps.apiKeys.lead.secret}`, 'idempotency-key': key, 'content-type': 'application/json' },
      payload: JSON.stringify({
        template: spec.template,
        country: spec.country,
        startDate: spec.startDate,
        completed: spec.completed.map((c) => ({ ...c, evidence: {} })),
      }),
    });
    const json = res.json<{ campaignId?: string; code?: string; message?: string }>();
    if (res.statusCode === 200 || res.statusCode === 201) return { kind: 'accepted', campaignId: json.campaignId ?? '' };
    if (res.statusCode >= 500) return { kind: 'transient', reason: `HTTP ${res.statusCode} ${json.code ?? ''}: ${json.message ?? ''}` };
    return { kind: 'refused', code: json.code ?? String(res.statusCode), message: json.message ?? '' };
  }

  private async startDirect(start: StartCampaign): Promise<StartAnswer> {
    try {
      await this.deps.direct.client.workflow.start(campaignWorkflow, {
        workflowId: start.campaignId,
        taskQueue: this.deps.direct.taskQueue,
        args: [{ start }],
      });
      return { kind: 'accepted', campaignId: start.campaignId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'refused', code: 'conflict', message: err.message };
      throw err;
    }
  }

  private async startViaCli(spec: StartSpec, campaignId: string): Promise<StartAnswer> {
    const args = ['--json', '--actor', cliActor.lead, '--role', 'programme-lead', 'campaign', 'start', '--template', spec.template];
    args.push('--country', spec.country, '--start-date', spec.startDate, '--id', campaignId);
    for (const c of spec.completed) args.push('--completed', `${c.milestone}=${c.date}`);
    const run = await runCli(args, this.deps.cliEnv);
    if (run.code === 0) return { kind: 'accepted', campaignId: (JSON.parse(run.stdout) as { campaignId: string }).campaignId };
    const err = cliError(run.stderr);
    if (run.code === null || transientExit.has(run.code))
      return { kind: 'transient', reason: `exit ${String(run.code)}: ${err?.message ?? run.stderr.trim()}` };
    return { kind: 'refused', code: err?.code ?? `exit ${run.code}`, message: err?.message ?? run.stderr.trim() };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function apiRoute(campaignId: string, body: CommandBody): { url: string; payload: Record<string, unknown> } {
  const campaign = `/campaigns/${encodeURIComponent(campaignId)}`;
  const milestone = (m: string, action: string) => `${campaign}/milestones/${encodeURIComponent(m)}/${action}`;
  switch (body.type) {
    case 'complete':
      return {
        url: milestone(body.milestone, 'complete'),
        payload: { date: body.date, evidence: body.evidence, ...(body.note ? { note: body.note } : {}) },
      };
    case 'skip':
      return { url: milestone(body.milestone, 'skip'), payload: { reason: body.reason } };
    case 'reopen':
      return { url: milestone(body.milestone, 'reopen'), payload: { reason: body.reason } };
    case 'assign':
      return { url: milestone(body.milestone, 'assign'), payload: { owner: body.owner } };
    case 'note':
      return { url: body.milestone ? milestone(body.milestone, 'notes') : `${campaign}/notes`, payload: { text: body.text } };
    case 'extend':
      return { url: milestone(body.milestone, 'extend'), payload: { by: body.by, reason: body.reason, legalBasis: body.legalBasis } };
    case 'pause':
      return { url: `${campaign}/pause`, payload: body.reason ? { reason: body.reason } : {} };
    case 'resume':
      return { url: `${campaign}/resume`, payload: {} };
    case 'cancel':
      return { url: `${campaign}/cancel`, payload: { reason: body.reason } };
    case 'set-input':
      return { url: `${campaign}/inputs/${encodeURIComponent(body.name)}`, payload: { value: body.value, reason: body.reason } };
  }
}

function cliArgs(campaignId: string, body: CommandBody): string[] {
  switch (body.type) {
    case 'complete':
      return [
        'milestone',
        'complete',
        campaignId,
        body.milestone,
        '--date',
        body.date,
        ...Object.entries(body.evidence).flatMap(([k, v]) => ['--evidence', `${k}=${v}`]),
        ...(body.note ? ['--note', body.note] : []),
      ];
    case 'skip':
      return ['milestone', 'skip', campaignId, body.milestone, '--reason', body.reason];
    case 'reopen':
      return ['milestone', 'reopen', campaignId, body.milestone, '--reason', body.reason];
    case 'assign':
      return ['milestone', 'assign', campaignId, body.milestone, '--owner', body.owner];
    case 'note':
      return ['milestone', 'note', campaignId, ...(body.milestone ? [body.milestone] : []), '--text', body.text];
    case 'extend':
      return [
        'milestone',
        'extend',
        campaignId,
        body.milestone,
        '--by',
        body.by,
        '--reason',
        body.reason,
        '--legal-basis',
        body.legalBasis,
      ];
    case 'pause':
      return ['campaign', 'pause', campaignId, ...(body.reason ? ['--reason', body.reason] : [])];
    case 'resume':
      return ['campaign', 'resume', campaignId];
    case 'cancel':
      return ['campaign', 'cancel', campaignId, '--reason', body.reason];
    case 'set-input':
      return ['campaign', 'set-input', campaignId, '--name', body.name, '--value', String(body.value), '--reason', body.reason];
  }
}

/** The CLI's `--json` error on stderr: `{ "error": { "code", "message", ... } }`. */
function cliError(stderr: string): { code?: string; message?: string } | undefined {
  const parsed = parseJson(stderr) as { error?: { code?: string; message?: string } } | undefined;
  return parsed?.error;
}
