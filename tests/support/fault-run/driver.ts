import { startCampaign, startCampaignSchema, type CampaignCommand, type CampaignState } from '../../../shared/campaign/index.js';
import type { StartCampaign } from '../../../shared/campaign/state.js';
import { defaultRegion } from '../../../shared/countries.js';
import { dateOfInstant, subtractDuration } from '../../../shared/dates.js';
import type { Template } from '../../../shared/template/validate.js';
import type { Random } from '../random.js';
import { planCommand } from './commands.js';
import type { Answer, CommandBody, CommandInterfaces, StartSpec, StartVia, Via, Who } from './interfaces.js';
import { advanceTo, applyAt } from './replay.js';
import { finalMilestone } from './templates.js';

/**
 * Drives many campaigns at once through the three interfaces: starts campaigns, then sends bursts of
 * commands, at most one at a time per campaign (so each campaign's order is known) and several campaigns
 * at once. A command whose answer is transient (a server down, no answer in time) is sent again with the
 * same request id until the engine gives a definitive answer; the run never guesses whether it was applied.
 * Each campaign keeps a model (the pure machine at the server's clock) to choose sensible commands.
 */
export interface TrackedCommand {
  via: Via;
  who: Who;
  key: string;
  /** The request id the engine records for it. */
  requestId: string;
  body: CommandBody;
  command: CampaignCommand;
  expected: 'accepted' | 'refused';
  attempts: number;
  transient: string[];
  answer?: Exclude<Answer, { kind: 'transient' }>;
}

export interface TrackedCampaign {
  campaignId: string;
  template: Template;
  via: StartVia;
  start: StartCampaign;
  model: { state: CampaignState; now: number };
  busy: boolean;
  commands: TrackedCommand[];
}

export interface ViaFigures {
  commands: number;
  accepted: number;
  refused: number;
  /** Attempts that got a transient answer and were sent again. */
  retried: number;
}

export interface DriverOptions {
  rnd: Random;
  interfaces: CommandInterfaces;
  templates: Template[];
  /** The server's clock (the time-skipping server's, or the wall clock). */
  now: () => Promise<number>;
  viaWeights: readonly (readonly [Via, number])[];
  startWeights: readonly (readonly [StartVia, number])[];
  concurrency: number;
  /** How long a command may take, retries included, before the run fails. */
  commandDeadlineMs: number;
  /** Prefix of request ids and CLI campaign ids, unique to the run. */
  tag: string;
  log: (message: string) => void;
}

const countries = ['PH', 'KH', 'FJ', 'VU', 'TH', 'ID', 'MN', 'LK', 'NP', 'PG', 'GH', 'CL'];
const DAY = 86_400_000;
/** Commands are kept this far from midnight (UTC, server clock); see waitAwayFromMidnight. */
const MIDNIGHT_MARGIN_MS = 60_000;

export class FaultDriver {
  readonly campaigns: TrackedCampaign[] = [];
  readonly figures: Record<Via, ViaFigures> = {
    cli: { commands: 0, accepted: 0, refused: 0, retried: 0 },
    api: { commands: 0, accepted: 0, refused: 0, retried: 0 },
    nats: { commands: 0, accepted: 0, refused: 0, retried: 0 },
  };
  /** Starts, attempts sent again, and starts answered "conflict" for the campaign they began. */
  readonly startFigures = { started: 0, retried: 0, conflicts: 0 };
  /** Commands issued so far (for faults timed within a burst). */
  issued = 0;
  /** Commands and starts waiting for a definitive answer right now. */
  inFlight = 0;
  /** Refusals the model did not expect, and acceptances it did not expect: the model is a guide only. */
  readonly surprises: string[] = [];
  private counter = 0;
  private stopped = false;
  private cliBusy: Promise<void> = Promise.resolve();

  constructor(private readonly options: DriverOptions) {}

  /** Starts `count` campaigns (through the API and the CLI, or directly), `concurrency` at a time. */
  async startCampaigns(count: number): Promise<void> {
    const { rnd } = this.options;
    const plans = Array.from({ length: count }, () => ({
      template: rnd.pick(this.options.templates),
      country: rnd.pick(countries),
      via: rnd.weighted(this.options.startWeights),
      partWay: rnd.chance(0.3),
      daysBack: rnd.int(0, 40),
    }));
    await this.lanes(plans, async (plan) => {
      const now = await this.awayFromMidnight();
      const today = dateOfInstant(now);
      const completed =
        plan.partWay && plan.template.id === 'fault-ratification'
          ? [{ milestone: 'dialogue', date: subtractDuration(today, `P${plan.daysBack}D`) }]
          : [];
      const spec: StartSpec = { template: plan.template.id, country: plan.country, startDate: today, completed };
      const n = ++this.counter;
      const key = `${this.options.tag}-start-${n}`;
      const campaignId = plan.via === 'api' ? this.options.interfaces.apiStartId(spec, key) : `${this.options.tag}-c${n}`;
      await this.startOne(plan.via, spec, key, campaignId, plan.template);
    });
  }

  private async startOne(via: StartVia, spec: StartSpec, key: string, campaignId: string, template: Template): Promise<void> {
    const deadline = Date.now() + this.options.commandDeadlineMs;
    // What the campaign starts from, as the facade builds it (and as the direct start sends it).
    const start = startCampaignSchema.parse({
      campaignId,
      template,
      country: spec.country,
      region: defaultRegion(spec.country),
      startDate: spec.startDate,
      inputs: {},
      actor: this.options.interfaces.actorOf(via, 'lead'),
      completed: spec.completed.map((c) => ({ ...c, evidence: {} })),
      skipped: [],
    });
    this.inFlight++;
    try {
      for (let attempt = 1; ; attempt++) {
        const answer = await this.withCli(via, () => this.options.interfaces.start(via, spec, key, campaignId, start));
        // The id is this run's alone, so "conflict" means this start began it: a start sent again after a
        // lost answer (the CLI says "conflict"), or, under load, the first one (its answer lost in transit).
        const startedEarlier = answer.kind === 'refused' && answer.code === 'conflict';
        if (startedEarlier) this.startFigures.conflicts++;
        if (answer.kind === 'accepted' || startedEarlier) {
          if (answer.kind === 'accepted' && answer.campaignId !== campaignId)
            throw new Error(`start ${key}: campaign id ${answer.campaignId}, expected ${campaignId}`);
          const now = await this.options.now();
          this.campaigns.push({
            campaignId,
            template,
            via,
            start,
            model: { state: startCampaign(start, now).state, now },
            busy: false,
            commands: [],
          });
          this.startFigures.started++;
          return;
        }
        if (answer.kind === 'refused') throw new Error(`start ${key} via ${via} refused: ${answer.code}: ${answer.message}`);
        this.startFigures.retried++;
        if (Date.now() > deadline)
          throw new Error(
            `start ${key} via ${via}: no definitive answer within ${this.options.commandDeadlineMs} ms (last: ${answer.reason})`,
          );
        this.checkRunning();
        await pause(Math.min(3000, 250 * 2 ** Math.min(attempt, 4)));
      }
    } finally {
      this.inFlight--;
    }
  }

  /** Sends `count` commands to random campaigns, `concurrency` at a time, each to a definitive answer. */
  async burst(count: number): Promise<void> {
    await this.lanes(
      Array.from({ length: count }, (_, i) => i),
      async () => {
        const campaign = await this.freeCampaign();
        try {
          await this.commandOne(campaign);
        } finally {
          campaign.busy = false;
        }
      },
    );
  }

  private async freeCampaign(): Promise<TrackedCampaign> {
    for (;;) {
      const free = this.campaigns.filter((c) => !c.busy);
      if (free.length > 0) {
        const chosen = this.options.rnd.pick(free);
        chosen.busy = true;
        return chosen;
      }
      this.checkRunning();
      await pause(20);
    }
  }

  private async commandOne(campaign: TrackedCampaign): Promise<void> {
    const { rnd, interfaces } = this.options;
    const now = await this.awayFromMidnight();
    const caughtUp = advanceTo(campaign.model, now);
    campaign.model = caughtUp;
    const via = rnd.weighted(this.options.viaWeights);
    const planned = planCommand(rnd, caughtUp.state, now, finalMilestone[campaign.template.id] ?? '', (who) =>
      interfaces.actorOf(via, who),
    );
    const key = `${this.options.tag}-${++this.counter}`;
    const requestId = interfaces.requestIdOf(via, planned.who, key);
    const tracked: TrackedCommand = {
      via,
      who: planned.who,
      key,
      requestId,
      body: planned.body,
      command: { ...planned.body, requestId, actor: interfaces.actorOf(via, planned.who) },
      expected: planned.expected,
      attempts: 0,
      transient: [],
    };
    campaign.commands.push(tracked);
    this.figures[via].commands++;
    this.issued++;
    this.inFlight++;
    const deadline = Date.now() + this.options.commandDeadlineMs;
    try {
      for (;;) {
        tracked.attempts++;
        const answer = await this.withCli(via, () => interfaces.command(via, planned.who, campaign.campaignId, planned.body, key));
        if (answer.kind !== 'transient') {
          tracked.answer = answer;
          break;
        }
        tracked.transient.push(answer.reason);
        this.figures[via].retried++;
        if (Date.now() > deadline)
          throw new Error(
            `command ${key} (${planned.body.type} via ${via} to ${campaign.campaignId}): no definitive answer within ${this.options.commandDeadlineMs} ms; last: ${answer.reason}`,
          );
        this.checkRunning();
        await pause(Math.min(3000, 250 * 2 ** Math.min(tracked.attempts, 4)));
      }
    } finally {
      this.inFlight--;
    }
    const answer = tracked.answer;
    if (answer.kind === 'accepted') {
      this.figures[via].accepted++;
      if (answer.requestId !== requestId)
        throw new Error(`command ${key}: the engine answered for request ${answer.requestId}, expected ${requestId}`);
      campaign.model = applyAt(campaign.model, tracked.command, await this.options.now());
    } else {
      this.figures[via].refused++;
    }
    if (answer.kind !== tracked.expected)
      this.surprises.push(
        `${campaign.campaignId} ${planned.body.type} via ${via}: model said ${tracked.expected}, engine ${answer.kind}${answer.kind === 'refused' ? ` (${answer.code}: ${answer.message})` : ''}`,
      );
  }

  /** One CLI process at a time: each costs a Node start and a TypeScript load on a 2-core machine. */
  private async withCli<T>(via: Via | StartVia, fn: () => Promise<T>): Promise<T> {
    if (via !== 'cli') return fn();
    const previous = this.cliBusy;
    let release!: () => void;
    this.cliBusy = new Promise((r) => (release = r));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Ends every lane at its next step: after a failure the other lanes must not keep sending commands
   * (and keep the API busy) while the leg closes.
   */
  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private checkRunning(): void {
    if (this.stopped) throw new Error('the run stopped');
  }

  private async lanes<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const lane = async () => {
      try {
        while (next < items.length) {
          this.checkRunning();
          await fn(items[next++] as T);
        }
      } catch (err) {
        this.stop();
        throw err;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, items.length) }, lane));
  }

  /**
   * The server's time, outside the minute either side of midnight UTC. A timer fires at midnight; a command
   * the workflow takes in the same activation as that timer is applied before the tick, which the replay
   * cannot tell from its recorded instant. Keeping commands off midnight keeps the replay exact; it only
   * waits when a run happens to cross midnight.
   */
  private async awayFromMidnight(): Promise<number> {
    for (;;) {
      const now = await this.options.now();
      const intoDay = ((now % DAY) + DAY) % DAY;
      if (intoDay >= MIDNIGHT_MARGIN_MS && intoDay <= DAY - MIDNIGHT_MARGIN_MS) return now;
      this.options.log(`waiting for midnight UTC to pass (server time ${new Date(now).toISOString()})`);
      await pause(5000);
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
