import { z } from 'zod';
import { countrySchema, defaultRegion } from './countries.js';
import { addDuration, durationExceeds, isoDate, isoDuration, maxDate } from './dates.js';
import { slug } from './ids.js';
import { formatIssues, problemList } from './validation.js';

/**
 * The current UNCAT / OPCAT status of the states of a region (data/region-status.yaml), every fact with its
 * public sources. Facts are honest about their certainty: `verified: false` means the date was not seen in
 * a source while compiling (it needs a note saying why it is given anyway), and `conflicts` lists what
 * other sources say, with the reason the recorded value is the one used. Pure: no I/O.
 */

/** The treaties' own entry into force: states that deposited earlier are bound from these dates. */
export const generalEntryIntoForce = { uncat: '1987-06-26', opcat: '2006-06-22' } as const;
/** OPCAT Art. 24: a postponement of at most three years, extended by the CAT by at most two more. */
export const art24Limits = { postponement: 'P3Y', extension: 'P2Y' } as const;

export const sourceSchema = z
  .object({
    title: z.string().min(1),
    url: z.url(),
    /** Who publishes it: the depositary is authoritative for dates of signature and deposit. */
    kind: z.enum(['depositary', 'un-document', 'government', 'nhri', 'ngo', 'news', 'aggregator']),
    note: z.string().optional(),
  })
  .strict();
export type Source = z.infer<typeof sourceSchema>;

const sourceRefs = z.array(slug).min(1);

/** Another value some source gives, and why it is not the one used. */
export const conflictSchema = z
  .object({
    date: isoDate.optional(),
    value: z.string().optional(),
    sources: sourceRefs,
    note: z.string().min(1),
  })
  .strict();

const certainty = {
  sources: sourceRefs,
  /** True when the exact value was seen in at least one listed source while compiling. */
  verified: z.boolean(),
  note: z.string().optional(),
};

export const datedFactSchema = z
  .object({
    date: isoDate,
    ...certainty,
    conflicts: z.array(conflictSchema).default([]),
  })
  .strict();
export type DatedFact = z.infer<typeof datedFactSchema>;

export const depositSchema = datedFactSchema
  .extend({
    /** Instrument deposited with the UN Secretary-General: ratification (after signature) or accession. */
    kind: z.enum(['ratification', 'accession']),
  })
  .strict();
export type Deposit = z.infer<typeof depositSchema>;

const treatyShape = {
  signature: datedFactSchema.optional(),
  /** Parliamentary approval (law, resolution, concurrence), where known. */
  approval: datedFactSchema.optional(),
  deposit: depositSchema.optional(),
  /** As published (e.g. by the depositary); when present it must agree with the treaty's rule. */
  entryIntoForce: datedFactSchema.optional(),
  note: z.string().optional(),
};
export const uncatStatusSchema = z.object(treatyShape).strict();

export const art24Schema = z
  .object({
    part: z.enum(['III', 'IV']),
    postponement: isoDuration,
    /** Made upon ratification: the day of the deposit. */
    declaredOn: isoDate,
    ...certainty,
    extension: z
      .object({
        duration: isoDuration,
        grantedOn: isoDate.optional(),
        ...certainty,
      })
      .strict()
      .optional(),
  })
  .strict();
export type Art24 = z.infer<typeof art24Schema>;

export const opcatStatusSchema = z.object({ ...treatyShape, art24: art24Schema.optional() }).strict();

export const npmModel = z.enum(['nhri', 'new-body', 'multiple-bodies']);
export const npmSchema = z
  .object({
    /**
     * designated: an NPM designated and working; partial: designated for part of the state or of the
     * places of detention; contested: a body named but widely considered not compliant with OPCAT
     * (e.g. not independent); none: not designated.
     */
    status: z.enum(['designated', 'partial', 'contested', 'none']),
    model: npmModel.optional(),
    bodies: z.array(z.string().min(1)).default([]),
    /** The act that designated the NPM: a date when known, else only its year. */
    designation: z
      .object({
        date: isoDate.optional(),
        year: z.number().int().min(2006).max(2100),
        instrument: z.string().min(1),
        ...certainty,
      })
      .strict()
      .optional(),
    ...certainty,
  })
  .strict();
export type NpmStatus = z.infer<typeof npmSchema>;

export const stateStatusSchema = z
  .object({
    country: countrySchema,
    name: z.string().min(1),
    uncat: uncatStatusSchema,
    opcat: opcatStatusSchema,
    npm: npmSchema.optional(),
    notes: z.string().optional(),
  })
  .strict();
export type StateStatus = z.infer<typeof stateStatusSchema>;

const regionStatusObject = z
  .object({
    region: slug,
    /** The day the file was compiled; facts may have changed since. */
    asOf: isoDate,
    description: z.string().default(''),
    sources: z.record(slug, sourceSchema),
    states: z.array(stateStatusSchema).min(1),
  })
  .strict();

type Path = (string | number)[];
type Issue = (path: Path, message: string) => void;

/** The treaty rule: 30 days after deposit, never before the treaty's general entry into force. */
export function entryIntoForceFor(treaty: 'uncat' | 'opcat', deposit: string): string {
  return maxDate(addDuration(deposit, 'P30D'), generalEntryIntoForce[treaty]);
}

/** Cross-field rules: the internal consistency the loader and the tests insist on. */
function checkTreaty(treaty: 'uncat' | 'opcat', t: z.infer<typeof uncatStatusSchema>, at: Path, issue: Issue): void {
  const { signature, approval, deposit, entryIntoForce } = t;
  if (deposit) {
    if (signature && signature.date > deposit.date)
      issue([...at, 'deposit', 'date'], `deposit ${deposit.date} is before the signature ${signature.date}`);
    if (deposit.kind === 'accession' && signature)
      issue([...at, 'deposit', 'kind'], 'an accession is made without signature, yet a signature is recorded');
    if (deposit.kind === 'ratification' && !signature && !deposit.note)
      issue([...at, 'deposit', 'note'], 'a ratification without a recorded signature needs a note explaining it');
    if (approval && approval.date > deposit.date)
      issue([...at, 'approval', 'date'], `parliamentary approval ${approval.date} is after the deposit ${deposit.date}`);
  }
  if (entryIntoForce) {
    if (!deposit) issue([...at, 'entryIntoForce'], 'entry into force without a deposit');
    else if (entryIntoForce.date <= deposit.date)
      issue([...at, 'entryIntoForce', 'date'], `entry into force ${entryIntoForce.date} is not after the deposit ${deposit.date}`);
    else if (entryIntoForce.date !== entryIntoForceFor(treaty, deposit.date))
      issue(
        [...at, 'entryIntoForce', 'date'],
        `entry into force ${entryIntoForce.date} disagrees with the treaty rule (${entryIntoForceFor(treaty, deposit.date)} for a deposit on ${deposit.date})`,
      );
  }
}

function checkState(s: StateStatus, i: number, sources: Set<string>, issue: Issue): void {
  const at: Path = ['states', i];
  // Every `sources` list anywhere in the state names a declared source.
  const walk = (value: unknown, path: Path): void => {
    if (Array.isArray(value)) value.forEach((v, j) => walk(v, [...path, j]));
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (Array.isArray(record.sources))
        record.sources.forEach((ref, j) => {
          if (typeof ref === 'string' && !sources.has(ref))
            issue([...path, 'sources', j], `unknown source "${ref}" (declare it under sources)`);
        });
      if (record.verified === false && !record.note) issue([...path, 'note'], 'an unverified fact needs a note saying what is uncertain');
      for (const [k, v] of Object.entries(record)) if (k !== 'sources') walk(v, [...path, k]);
    }
  };
  walk(s, at);

  checkTreaty('uncat', s.uncat, [...at, 'uncat'], issue);
  checkTreaty('opcat', s.opcat, [...at, 'opcat'], issue);

  // OPCAT Art. 27: signing needs UNCAT signed (or acceded); ratifying or acceding needs UNCAT ratified or acceded.
  const uncatBound = s.uncat.deposit?.date;
  const uncatSigned = s.uncat.signature?.date ?? uncatBound;
  if (s.opcat.signature && (!uncatSigned || uncatSigned > s.opcat.signature.date))
    issue([...at, 'opcat', 'signature', 'date'], 'OPCAT signed before the state signed or joined UNCAT (OPCAT Art. 27(1))');
  if (s.opcat.deposit && (!uncatBound || uncatBound > s.opcat.deposit.date))
    issue([...at, 'opcat', 'deposit', 'date'], 'OPCAT instrument deposited before the UNCAT one (OPCAT Art. 27(2), (3))');

  const art24 = s.opcat.art24;
  if (art24) {
    if (!s.opcat.deposit) issue([...at, 'opcat', 'art24'], 'an Art. 24 declaration without an OPCAT deposit');
    else if (art24.declaredOn !== s.opcat.deposit.date)
      issue([...at, 'opcat', 'art24', 'declaredOn'], `an Art. 24 declaration is made upon ratification (${s.opcat.deposit.date})`);
    if (durationExceeds(art24.postponement, art24Limits.postponement))
      issue([...at, 'opcat', 'art24', 'postponement'], `${art24.postponement} exceeds the ${art24Limits.postponement} of OPCAT Art. 24(2)`);
    if (art24.extension && durationExceeds(art24.extension.duration, art24Limits.extension))
      issue(
        [...at, 'opcat', 'art24', 'extension', 'duration'],
        `${art24.extension.duration} exceeds the ${art24Limits.extension} of OPCAT Art. 24(2)`,
      );
  }

  if (s.npm) {
    if (s.npm.status !== 'none' && !s.opcat.deposit)
      issue([...at, 'npm', 'status'], 'an NPM is recorded but the state is not party to OPCAT');
    if (s.npm.status !== 'none' && !s.npm.model) issue([...at, 'npm', 'model'], `an NPM that is ${s.npm.status} needs its model`);
    const d = s.npm.designation;
    if (d?.date && Number(d.date.slice(0, 4)) !== d.year)
      issue([...at, 'npm', 'designation', 'year'], `year ${d.year} disagrees with ${d.date}`);
    if (d && s.opcat.deposit && Number(s.opcat.deposit.date.slice(0, 4)) > d.year)
      issue([...at, 'npm', 'designation', 'year'], 'designated before the OPCAT deposit');
  }
}

export const regionStatusSchema = regionStatusObject.superRefine((file, ctx) => {
  const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  const sources = new Set(Object.keys(file.sources));
  const seen = new Map<string, number>();
  file.states.forEach((s, i) => {
    const first = seen.get(s.country);
    if (first !== undefined) issue(['states', i, 'country'], `${s.country} is already listed at states.${first}`);
    seen.set(s.country, i);
    if (defaultRegion(s.country) !== file.region)
      issue(['states', i, 'country'], `${s.country} is not in the ${file.region} region (shared/countries.ts)`);
    checkState(s, i, sources, issue);
  });
});
export type RegionStatus = z.infer<typeof regionStatusSchema>;

export class RegionStatusError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(problemList(`Region status ${source} is invalid`, problems));
    this.name = 'RegionStatusError';
  }
}

export function parseRegionStatus(value: unknown, source = 'region status'): RegionStatus {
  const result = regionStatusSchema.safeParse(value);
  if (!result.success) throw new RegionStatusError(source, formatIssues(result.error));
  return result.data;
}

/** A state's status as the OPCAT template's uncatStatus input expects it. */
export function uncatStatusOf(s: StateStatus): 'none' | 'signed' | 'ratified' | 'acceded' {
  if (s.uncat.deposit) return s.uncat.deposit.kind === 'accession' ? 'acceded' : 'ratified';
  return s.uncat.signature ? 'signed' : 'none';
}
