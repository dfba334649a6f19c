import type { IsoDate } from './dates.js';
import { entryIntoForceFor, uncatStatusOf, type DatedFact, type RegionStatus, type StateStatus } from './region-status.js';
import type { Template } from './template/index.js';

/**
 * From the region's treaty status to the campaigns a programme lead should start for one state, started
 * part-way with the real dates, so that deadlines computed from them (and already passed) are right from
 * day one. Pure: the CLI (`advocacy region seed <country>`) loads the data and templates and hands each
 * request to the campaign client.
 *
 * - Not party to UNCAT: a `uncat-ratification` campaign (signature done if signed).
 * - At least a UNCAT signatory but not party to OPCAT: an `opcat-ratification` campaign with `uncatStatus`
 *   (signature done if signed). A state with no UNCAT step gets only the UNCAT campaign: OPCAT Art. 27
 *   blocks every OPCAT step until then.
 * - Party to OPCAT without a designated, working NPM (status none, partial or contested): an
 *   `npm-designation` campaign from the real entry into force, with any Art. 24 Part IV postponement and
 *   extension.
 */

export interface SeedCompletion {
  milestone: string;
  date: IsoDate;
  evidence: Record<string, string>;
  note?: string;
}

/** Matches the campaign facade's start request (shared/campaign/requests.ts `StartRequest`). */
export interface SeedStartRequest {
  template: string;
  version: number;
  country: string;
  region: string;
  inputs: Record<string, string | number | boolean>;
  completed: SeedCompletion[];
  skipped: { milestone: string; reason: string }[];
}

export interface SeedCampaign {
  /** Why this campaign, for the programme lead reading the plan before starting it. */
  rationale: string;
  request: SeedStartRequest;
}

export interface SeedPlan {
  country: string;
  name: string;
  campaigns: SeedCampaign[];
  /** What was not proposed and why, and caveats on the data used. */
  notes: string[];
}

export interface SeedOptions {
  /** Record only verified dates as completions; unverified ones become skips naming the date. Default false. */
  verifiedOnly?: boolean;
}

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

const builtin = { uncat: 'uncat-ratification', opcat: 'opcat-ratification', npm: 'npm-designation' } as const;

function newest(templates: readonly Template[], id: string): Template {
  const found = templates.filter((t) => t.id === id).sort((a, b) => b.version - a.version)[0];
  if (!found) throw new SeedError(`template "${id}" is not loaded`);
  return found;
}

/** Builds one request, checking it against its template so a template change cannot silently break seeding. */
class RequestBuilder {
  readonly completed: SeedCompletion[] = [];
  readonly skipped: { milestone: string; reason: string }[] = [];
  readonly inputs: Record<string, string | number | boolean> = {};

  constructor(
    private readonly template: Template,
    private readonly data: RegionStatus,
    private readonly options: SeedOptions,
  ) {}

  private def(milestone: string) {
    const def = this.template.milestones.find((m) => m.id === milestone);
    if (!def) throw new SeedError(`template ${this.template.id} v${this.template.version} has no milestone "${milestone}"`);
    return def;
  }

  input(name: string, value: string | number | boolean): void {
    if (!this.template.inputs[name]) throw new SeedError(`template ${this.template.id} v${this.template.version} has no input "${name}"`);
    this.inputs[name] = value;
  }

  skip(milestone: string, reason: string): void {
    this.def(milestone);
    if (!this.skipped.some((s) => s.milestone === milestone)) this.skipped.push({ milestone, reason });
  }

  /** Marks a milestone done on the fact's date, with its first source as the document and a note on its certainty. */
  complete(milestone: string, fact: DatedFact, what: string, evidence: Record<string, string> = {}): void {
    const def = this.def(milestone);
    const url = fact.sources.map((s) => this.data.sources[s]?.url).find((u) => u !== undefined);
    const withUrl = url && def.evidence.some((e) => e.name === 'documentUrl') ? { documentUrl: url, ...evidence } : evidence;
    for (const name of Object.keys(withUrl))
      if (!def.evidence.some((e) => e.name === name)) throw new SeedError(`milestone "${milestone}" has no evidence field "${name}"`);
    const certainty = fact.verified ? 'verified' : `NOT VERIFIED: ${fact.note ?? 'see the region data'}`;
    const note = `${what} on ${fact.date}, from the region status data (sources: ${fact.sources.join(', ')}; ${certainty}).`;
    if (!fact.verified && this.options.verifiedOnly) {
      this.skip(milestone, `Done before the campaign: ${note} Not recorded as a completion because the date is unverified.`);
      return;
    }
    this.completed.push({ milestone, date: fact.date, evidence: withUrl, note });
  }

  request(state: StateStatus): SeedStartRequest {
    return {
      template: this.template.id,
      version: this.template.version,
      country: state.country,
      region: this.data.region,
      inputs: this.inputs,
      completed: this.completed,
      skipped: this.skipped,
    };
  }
}

/** Advocacy steps that necessarily happened before a state signed, but whose dates the data do not hold. */
function skipBefore(b: RequestBuilder, milestones: string[], event: string, date: IsoDate): void {
  for (const m of milestones) b.skip(m, `Done before the ${event} of ${date}; its date is not in the region status data.`);
}

export function seedCampaigns(data: RegionStatus, country: string, templates: readonly Template[], options: SeedOptions = {}): SeedPlan {
  const code = country.trim().toUpperCase();
  const state = data.states.find((s) => s.country === code);
  if (!state) throw new SeedError(`${code} is not in the region status data (${data.states.map((s) => s.country).join(', ')})`);
  const plan: SeedPlan = { country: state.country, name: state.name, campaigns: [], notes: [] };
  const uncatStatus = uncatStatusOf(state);

  // UNCAT
  if (state.uncat.deposit) {
    plan.notes.push(
      `Party to UNCAT since the deposit of its instrument of ${state.uncat.deposit.kind} on ${state.uncat.deposit.date}: no UNCAT campaign.`,
    );
  } else {
    const b = new RequestBuilder(newest(templates, builtin.uncat), data, options);
    const { signature, approval } = state.uncat;
    if (signature) {
      skipBefore(b, ['ministry-dialogue', 'inter-ministerial-review', 'government-decision'], 'signature', signature.date);
      b.complete('signature', signature, 'Signed');
      if (approval) b.complete('parliamentary-approval', approval, 'Approved by parliament');
    }
    plan.campaigns.push({
      rationale: signature
        ? `Signed UNCAT on ${signature.date} but has not ratified it: the campaign starts at parliamentary approval and the deposit.`
        : 'Not a signatory of UNCAT: the campaign starts with the dialogue with ministries (the state may accede without signing).',
      request: b.request(state),
    });
  }

  // OPCAT
  if (!state.opcat.deposit) {
    if (uncatStatus === 'none') {
      plan.notes.push(
        'No OPCAT campaign yet: OPCAT Art. 27 requires UNCAT signature before OPCAT signature, and ratification before OPCAT ratification.',
      );
    } else {
      const b = new RequestBuilder(newest(templates, builtin.opcat), data, options);
      b.input('uncatStatus', uncatStatus);
      const { signature, approval } = state.opcat;
      if (signature) {
        skipBefore(b, ['awareness-dialogue', 'national-consultation', 'government-decision'], 'signature', signature.date);
        b.complete('signature', signature, 'Signed');
        if (approval) b.complete('parliamentary-approval', approval, 'Approved by parliament');
      }
      const blocked = uncatStatus === 'signed' ? ' OPCAT Art. 27(2) blocks the deposit until the state ratifies UNCAT.' : '';
      plan.campaigns.push({
        rationale:
          (signature
            ? `Signed OPCAT on ${signature.date} but has not ratified it (UNCAT status: ${uncatStatus}).`
            : `Not a signatory of OPCAT (UNCAT status: ${uncatStatus}).`) + blocked,
        request: b.request(state),
      });
    }
    return plan;
  }

  // NPM (party to OPCAT)
  const deposit = state.opcat.deposit;
  const npm = state.npm;
  const entryIntoForce = state.opcat.entryIntoForce?.date ?? entryIntoForceFor('opcat', deposit.date);
  plan.notes.push(
    `Party to OPCAT since the deposit on ${deposit.date}; in force for the state from ${entryIntoForce}: no OPCAT ratification campaign.`,
  );
  if (npm?.status === 'designated') {
    plan.notes.push(
      `NPM designated (${npm.model ?? 'model unknown'}: ${npm.bodies.join('; ') || 'bodies not listed'}${npm.designation ? `, ${npm.designation.year}` : ''}): no NPM designation campaign.`,
    );
    return plan;
  }

  const b = new RequestBuilder(newest(templates, builtin.npm), data, options);
  b.input('opcatEntryIntoForce', entryIntoForce);
  const art24 = state.opcat.art24;
  if (art24?.part === 'IV') {
    b.input('art24PartIVPostponement', art24.postponement);
    if (art24.extension) b.input('art24PartIVExtension', art24.extension.duration);
  }
  const status = npm?.status ?? 'none';
  if (status === 'partial' && npm?.model && npm.designation?.date) {
    // The model is settled and part of the NPM designated; the designation itself is not complete.
    b.skip('consultation', `Done before the partial designation of ${npm.designation.date}; its date is not in the region status data.`);
    b.complete(
      'model-chosen',
      {
        date: npm.designation.date,
        sources: npm.designation.sources,
        verified: npm.designation.verified,
        note: npm.designation.note,
        conflicts: [],
      },
      `Model settled (${npm.model}) by the time of the first designation (${npm.designation.instrument})`,
      { model: npm.model, ...(npm.bodies.length ? { bodies: npm.bodies.join('; ') } : {}) },
    );
  }
  const postponement =
    art24?.part === 'IV'
      ? `, postponed by ${art24.postponement} under Art. 24${art24.extension ? ` and extended by ${art24.extension.duration}` : ''}`
      : '';
  const why: Record<typeof status, string> = {
    none: 'no NPM has been designated',
    partial: 'the NPM is designated only in part',
    contested: `the body designated (${npm?.bodies.join('; ') || 'see the region data'}) is not considered an independent NPM as OPCAT requires`,
  };
  plan.campaigns.push({
    rationale: `Party to OPCAT (in force ${entryIntoForce}${postponement}) but ${why[status]}. The Art. 17 deadline is computed from these dates and may already have passed.`,
    request: b.request(state),
  });
  if (npm?.note) plan.notes.push(`NPM: ${npm.note}`);
  return plan;
}
