/**
 * Properties of the NATS command bridge's answer to a request (workers/bridge.ts `answerCommand`): for
 * any subject and body — arbitrary text, arbitrary JSON, near-valid commands with one field removed,
 * replaced or added, from known, scoped and unknown senders — the bridge answers with a well-formed reply
 * and never throws; a refusal carries a code of the error registry and, for an invalid body, one
 * `place: message` issue per problem, naming the field that was changed; and a refused command leaves
 * the campaign exactly as it was. The actor is always the sender's, never one named in the body.
 *
 * The campaign behind the bridge is a pure fake of the facade: the real state machine on an in-memory
 * state, refusing as the workflow's update validator does (a CampaignError with the refusal's code).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyCommand,
  campaignCommandSchema,
  startCampaign,
  type CampaignCommand,
  type CampaignState,
  type CommandResult,
} from '../../shared/campaign/index.js';
import { CampaignError, errorCodes } from '../../shared/errors.js';
import { commandBodySchema, commandReplySchema, commandSubject, type CommandReply } from '../../shared/events/command-messages.js';
import type { Caller } from '../../clients/campaign-client.js';
import { parseOrThrow } from '../../shared/validation.js';
import { answerCommand, type CommandExecutor } from '../../workers/bridge.js';
import { resolveCommandSenders } from '../../workers/command-senders.js';
import { anyJson, awkwardString, issueForm, issuePlaceOf, mutated, propertyRuns, type Mutation } from '../support/properties.js';
import { cmd, on, opcatLike, startRequest } from '../support/templates/index.js';

const PREFIX = 'advocacy.commands';
const CAMPAIGN = 'ph-opcat-1';
const NOW = on('2024-01-03');
const config = { COMMANDS_SUBJECT_PREFIX: PREFIX };
/** The campaign is in ID: "elsewhere" may act on PH's campaigns only; "stranger" is in no senders file. */
const senders = resolveCommandSenders(
  {
    senders: {
      lead: { role: 'programme-lead' },
      staffer: { role: 'staff' },
      elsewhere: { role: 'programme-lead', countries: ['PH'] },
    },
  },
  { COMMANDS_MAX_ROLE: 'programme-lead' },
);
const STRANGER = 'stranger';
const deps = (campaigns: FakeCampaigns) => ({ campaigns, config, senders });

const initial: CampaignState = startCampaign(
  startRequest(opcatLike(), { campaignId: CAMPAIGN, startDate: '2024-01-02', inputs: { uncatStatus: 'ratified' } }),
  on('2024-01-02'),
).state;

/** The facade over one in-memory campaign (in ID); counts the commands that reached it and their callers. */
class FakeCampaigns implements CommandExecutor {
  state: CampaignState = structuredClone(initial);
  calls = 0;
  callers: Caller[] = [];

  execute(campaignId: string, body: unknown, caller: Caller, requestId?: string): Promise<CommandResult> {
    this.calls++;
    this.callers.push(caller);
    return Promise.resolve().then(() => {
      if (campaignId !== CAMPAIGN) throw new CampaignError('not-found', `no campaign with id ${campaignId}`);
      // As the facade: the body is parsed again, with the caller as the actor.
      const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const command = parseOrThrow(
        campaignCommandSchema,
        { ...raw, actor: caller.actor, requestId: raw.requestId ?? requestId },
        'command',
      );
      // As the facade: a campaign outside the caller's countries is answered as an unknown one.
      if (caller.countries && !caller.countries.includes(this.state.country))
        throw new CampaignError('not-found', `no campaign with id ${campaignId}`);
      const outcome = applyCommand(this.state, command, NOW);
      // As the update validator: a refusal fails the update, and nothing enters the campaign.
      if (!outcome.result.ok) throw new CampaignError(outcome.result.code, outcome.result.message, [outcome.result.message]);
      this.state = outcome.state;
      return outcome.result;
    });
  }
}

/** The body a sender sends: the command without its actor. */
const bodyOf = ({ actor: _actor, ...body }: CampaignCommand) => body;

/** One valid command of each type for the campaign above; some are refused by its rules, none by the schema. */
const validCommands = [
  cmd.complete('dialogue', '2024-01-02', { requestId: 'r-complete', note: 'minutes on file' }),
  cmd.complete('deposit', '2024-01-02', {
    requestId: 'r-deposit',
    evidence: { instrumentKind: 'ratification', depositedOn: '2024-01-01' },
  }),
  cmd.skip('declaration', { requestId: 'r-skip' }),
  cmd.reopen('dialogue', { requestId: 'r-reopen' }),
  cmd.assign('decision', 'Ana', { requestId: 'r-assign' }),
  cmd.note('called the ministry', 'dialogue', { requestId: 'r-note' }),
  cmd.extend('npm', 'P6M', { requestId: 'r-extend' }),
  cmd.pause({ requestId: 'r-pause' }),
  cmd.resume({ requestId: 'r-resume' }),
  cmd.cancel({ requestId: 'r-cancel' }),
  cmd.setInput('postponement', 'P1Y', { requestId: 'r-set' }),
].map(bodyOf);

const subjectFor = (sender: string, type: CampaignCommand['type']) => commandSubject(PREFIX, sender, CAMPAIGN, type);
const subject = subjectFor('lead', 'note');

/** What holds for every reply; returns it typed. */
function checkReply(raw: CommandReply, campaigns: FakeCampaigns, before: CampaignState): CommandReply {
  const reply = commandReplySchema.parse(raw);
  if (!reply.ok) {
    expect(Object.keys(errorCodes)).toContain(reply.code);
    expect(reply.message.trim()).not.toBe('');
    // What the bridge refuses itself (before the campaign is asked) names each field at fault.
    if (campaigns.calls === 0) {
      expect(reply.issues.length, reply.message).toBeGreaterThan(0);
      for (const issue of reply.issues) expect(issue).toMatch(issueForm);
    }
    // Never a changed state on refusal.
    expect(campaigns.state).toStrictEqual(before);
  }
  return reply;
}

/** A refusal of a changed command names the changed place, its container, or a field inside it. */
function namesPlace(issues: string[], mutation: Mutation): boolean {
  const path = mutation.path
    .map(String)
    .filter((p) => p !== '')
    .join('.');
  return issues.some((issue) => {
    const place = issuePlaceOf(issue);
    return place === path || place.startsWith(`${path}.`) || path.startsWith(`${place}.`);
  });
}

// Generous: each property runs a few hundred cases; a loaded machine or FC_RUNS may take much longer.
const TIMEOUT = { timeout: 300_000 };

const seen = { accepted: 0, invalid: 0, refusedByCampaign: 0, refusedByBridge: 0 };

describe('NATS command messages (bridge answers)', () => {
  it('answers any subject and any body with a well-formed reply, never a throw', TIMEOUT, async () => {
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      awkwardString,
      anyJson.map((v) => JSON.stringify(v) ?? ''),
    );
    const subjects = fc.oneof(
      fc.constant(subject),
      fc.constant(subjectFor(STRANGER, 'note')),
      fc.constant(PREFIX),
      awkwardString.map((s) => `${PREFIX}.${s}`),
      awkwardString.map((s) => `${PREFIX}.lead.${CAMPAIGN}.${s}`),
      awkwardString,
    );
    await fc.assert(
      fc.asyncProperty(subjects, body, async (subj, text) => {
        const campaigns = new FakeCampaigns();
        const before = structuredClone(campaigns.state);
        checkReply(await answerCommand(deps(campaigns), subj, text), campaigns, before);
      }),
      propertyRuns(300),
    );
  });

  it('refuses a near-valid command by naming the changed field, and changes nothing', TIMEOUT, async () => {
    const variant = fc.tuple(
      fc.constantFrom('lead', 'staffer', 'elsewhere', STRANGER),
      fc.constantFrom(...validCommands).chain((command) => mutated(command).map((m) => ({ ...m, type: command.type }))),
    );
    await fc.assert(
      fc.asyncProperty(variant, async ([sender, { value, mutation, type }]) => {
        const campaigns = new FakeCampaigns();
        const before = structuredClone(campaigns.state);
        const reply = checkReply(await answerCommand(deps(campaigns), subjectFor(sender, type), JSON.stringify(value)), campaigns, before);
        const schemaValid = commandBodySchema.safeParse(value).success;
        // Whoever reached the campaign acted as the sender, whatever the body said.
        for (const caller of campaigns.callers) expect(caller).toEqual(senders.get(sender));
        if (sender === STRANGER) {
          seen.refusedByBridge++;
          expect(reply).toMatchObject({ ok: false, code: 'forbidden', issues: [expect.stringMatching(/^subject: /)] });
          expect(campaigns.calls).toBe(0);
          return;
        }
        if (reply.ok) {
          seen.accepted++;
          expect(schemaValid).toBe(true);
          expect(sender).not.toBe('elsewhere');
          return;
        }
        if (!schemaValid) {
          seen.invalid++;
          expect(reply.code).toBe('invalid');
          expect(campaigns.calls, 'an invalid command reached the campaign').toBe(0);
          // The discriminator picks the schema: another type names that type's fields instead.
          if (mutation.path[0] !== 'type')
            expect(namesPlace(reply.issues, mutation), `${mutation.kind} ${mutation.path.join('.')}: ${reply.issues.join('; ')}`).toBe(
              true,
            );
        } else if (campaigns.calls === 0) {
          // A valid body the bridge refuses itself: another type than the subject's, or an actor of its own.
          seen.refusedByBridge++;
          expect(reply.code).toBe('invalid');
          expect(namesPlace(reply.issues, mutation), `${mutation.kind} ${mutation.path.join('.')}: ${reply.issues.join('; ')}`).toBe(true);
        } else {
          seen.refusedByCampaign++;
          // Out of the sender's countries: answered as an unknown campaign.
          if (sender === 'elsewhere') expect(reply.code).toBe('not-found');
        }
      }),
      propertyRuns(400),
    );
    // The variants reached every kind of answer.
    for (const [kind, count] of Object.entries(seen)) expect(count, kind).toBeGreaterThan(3);
  });

  it('takes the actor from the sender token, and refuses a body that names one', async () => {
    const campaigns = new FakeCampaigns();
    const note = cmd.note('called the ministry', 'dialogue');
    const refused = await answerCommand(deps(campaigns), subject, JSON.stringify(note));
    expect(refused).toMatchObject({ ok: false, code: 'invalid', requestId: note.requestId, issues: [expect.stringMatching(/^actor: /)] });
    expect(campaigns.calls).toBe(0);

    expect(await answerCommand(deps(campaigns), subject, JSON.stringify(bodyOf(note)))).toMatchObject({ ok: true });
    expect(campaigns.callers).toEqual([{ actor: { id: 'nats:lead', role: 'programme-lead' } }]);
    expect(campaigns.state.history.at(-1)).toMatchObject({ actor: { id: 'nats:lead', role: 'programme-lead' } });
  });

  it("refuses an unknown sender token, and a body whose type is not the subject's", async () => {
    const campaigns = new FakeCampaigns();
    const note = bodyOf(cmd.note('called the ministry', 'dialogue'));
    expect(await answerCommand(deps(campaigns), subjectFor(STRANGER, 'note'), JSON.stringify(note))).toMatchObject({
      ok: false,
      code: 'forbidden',
      message: expect.stringMatching(/sender "stranger"/) as unknown,
    });
    expect(await answerCommand(deps(campaigns), subjectFor('lead', 'cancel'), JSON.stringify(note))).toMatchObject({
      ok: false,
      code: 'invalid',
      issues: ['type: must be cancel, as in the subject'],
    });
    expect(campaigns.calls).toBe(0);
  });

  it('answers a sender scoped to other countries as for an unknown campaign', async () => {
    const campaigns = new FakeCampaigns();
    const note = bodyOf(cmd.note('called the ministry', 'dialogue'));
    const outOfScope = await answerCommand(deps(campaigns), subjectFor('elsewhere', 'note'), JSON.stringify(note));
    const unknown = await answerCommand(deps(campaigns), commandSubject(PREFIX, 'lead', 'no-such-campaign', 'note'), JSON.stringify(note));
    expect(outOfScope).toEqual({ ...unknown, message: `no campaign with id ${CAMPAIGN}` });
    expect(outOfScope).toMatchObject({ ok: false, code: 'not-found' });
    expect(campaigns.state).toStrictEqual(initial);
  });

  it('a request id shaped like a prototype key is an ordinary id, answered like any other', async () => {
    for (const requestId of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const campaigns = new FakeCampaigns();
      const command = bodyOf(cmd.note('called the ministry', 'dialogue', { requestId }));
      const reply = await answerCommand(deps(campaigns), subject, JSON.stringify(command));
      expect(commandReplySchema.parse(reply)).toEqual({ ok: true, requestId, events: [expect.any(Number)] });
      // Repeated, it returns the first result and changes nothing.
      const state = structuredClone(campaigns.state);
      expect(await answerCommand(deps(campaigns), subject, JSON.stringify(command))).toEqual(reply);
      // toEqual: toStrictEqual compares `.constructor`, here a stored result of its own.
      expect(campaigns.state).toEqual(state);
    }
  });

  it('refuses "__proto__" as a request id, naming the field', async () => {
    const campaigns = new FakeCampaigns();
    const reply = await answerCommand(
      deps(campaigns),
      subject,
      JSON.stringify(bodyOf(cmd.note('x', undefined, { requestId: '__proto__' }))),
    );
    expect(reply).toMatchObject({ ok: false, code: 'invalid', issues: [expect.stringMatching(/^requestId: /)] });
    expect(campaigns.calls).toBe(0);
  });

  it('refuses a set-input naming a member every object has, naming the field', async () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty']) {
      const campaigns = new FakeCampaigns();
      const reply = await answerCommand(deps(campaigns), subjectFor('lead', 'set-input'), JSON.stringify(bodyOf(cmd.setInput(name, 'x'))));
      expect(reply).toMatchObject({
        ok: false,
        code: 'invalid',
        issues: [expect.stringMatching(/^name: a name every JavaScript object already has/)],
      });
      expect(campaigns.calls).toBe(0);
    }
  });
});
