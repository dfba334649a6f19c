import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultRegionStatusPath, loadRegionStatus, parseRegionStatusYaml } from '../../infra/region-status.js';
import { countryCodes, defaultRegion } from '../../shared/countries.js';
import type { z } from 'zod';
import {
  parseRegionStatus,
  RegionStatusError,
  uncatStatusOf,
  type DatedFact,
  type RegionStatus,
  type stateStatusSchema,
} from '../../shared/region-status.js';

type RawState = z.input<typeof stateStatusSchema>;

/** The states the programme needs, as the brief lists them (Kazakhstan is outside the region). */
const required = 'AU KH ID JP MY MV MN NR NZ PH LK TH TL VN KR FJ WS LA MM SG IN PK BD NP'.split(' ');

let data: RegionStatus;
let raw: Record<string, unknown>;

beforeAll(async () => {
  data = await loadRegionStatus();
  raw = parse(await readFile(defaultRegionStatusPath, 'utf8')) as Record<string, unknown>;
});

/** A deep copy of the raw file with one state changed, for the rejection tests. */
function withState(country: string, change: (state: RawState) => void): unknown {
  const copy = structuredClone(raw) as { states: RawState[] };
  const state = copy.states.find((s) => s.country === country);
  if (!state) throw new Error(`no ${country}`);
  change(state);
  return copy;
}

function problemsOf(value: unknown): string[] {
  try {
    parseRegionStatus(value, 'test');
  } catch (err) {
    expect(err).toBeInstanceOf(RegionStatusError);
    return (err as RegionStatusError).problems;
  }
  throw new Error('expected a RegionStatusError');
}

const stateIndex = (country: string) => (raw.states as { country: string }[]).findIndex((s) => s.country === country);

describe('data/region-status.yaml', () => {
  it('loads and covers every state of the programme, once, all in the Asia-Pacific region', () => {
    const countries = data.states.map((s) => s.country);
    expect([...countries].sort()).toEqual([...required].sort());
    expect(new Set(countries).size).toBe(countries.length);
    for (const c of countries) {
      expect(countryCodes.has(c), c).toBe(true);
      expect(defaultRegion(c), c).toBe('asia-pacific');
    }
    expect(countries).not.toContain('KZ');
  });

  /** Every dated fact of the file, with a label for messages. */
  const facts = (): [string, DatedFact][] => {
    const all: [string, DatedFact][] = [];
    for (const s of data.states)
      for (const treaty of ['uncat', 'opcat'] as const)
        for (const k of ['signature', 'approval', 'deposit', 'entryIntoForce'] as const) {
          const fact = s[treaty][k];
          if (fact) all.push([`${s.country} ${treaty} ${k}`, fact]);
        }
    return all;
  };

  it('every fact names declared sources with URLs, and every unverified fact says why', () => {
    expect(facts().length).toBeGreaterThan(40);
    for (const [label, fact] of facts()) {
      expect(fact.sources.length, label).toBeGreaterThan(0);
      for (const ref of fact.sources) expect(data.sources[ref]?.url, `${label}: ${ref}`).toMatch(/^https?:\/\//);
      if (!fact.verified) expect(fact.note, label).toBeTruthy();
      for (const c of fact.conflicts) expect(c.note.length, label).toBeGreaterThan(10);
    }
    // The depositary's pages are cited for the treaty facts.
    expect(data.sources['untc-uncat']?.url).toContain('mtdsg_no=IV-9&');
    expect(data.sources['untc-opcat']?.url).toContain('mtdsg_no=IV-9-b&');
  });

  it('is internally consistent: no deposit before signature, no accession after a signature, no entry into force before deposit', () => {
    for (const s of data.states) {
      for (const treaty of ['uncat', 'opcat'] as const) {
        const t = s[treaty];
        const label = `${s.country} ${treaty}`;
        if (t.signature && t.deposit) expect(t.signature.date <= t.deposit.date, label).toBe(true);
        if (t.deposit?.kind === 'accession') expect(t.signature, label).toBeUndefined();
        if (t.entryIntoForce) {
          expect(t.deposit, label).toBeDefined();
          expect(t.entryIntoForce.date > (t.deposit?.date ?? ''), label).toBe(true);
        }
        if (t.approval && t.deposit) expect(t.approval.date <= t.deposit.date, label).toBe(true);
      }
    }
  });

  it('respects OPCAT Art. 27: no OPCAT step before the matching UNCAT one', () => {
    for (const s of data.states) {
      if (s.opcat.deposit) expect(s.uncat.deposit && s.uncat.deposit.date <= s.opcat.deposit.date, s.country).toBe(true);
      if (s.opcat.signature) {
        const uncat = s.uncat.signature?.date ?? s.uncat.deposit?.date;
        expect(uncat !== undefined && uncat <= s.opcat.signature.date, s.country).toBe(true);
      }
    }
  });

  it('published entries into force agree with deposit + 30 days (hand-checked dates)', () => {
    const eif = Object.fromEntries(
      data.states.flatMap((s) =>
        (['uncat', 'opcat'] as const).flatMap((t) =>
          s[t].entryIntoForce ? [[`${s.country} ${t}`, [s[t].deposit?.date, s[t].entryIntoForce?.date]]] : [],
        ),
      ),
    );
    expect(eif).toEqual({
      'AU uncat': ['1989-08-08', '1989-09-07'],
      'AU opcat': ['2017-12-21', '2018-01-20'],
      'KR uncat': ['1995-01-09', '1995-02-08'],
      'LK opcat': ['2017-12-05', '2018-01-04'],
      'VN uncat': ['2015-02-05', '2015-03-07'],
    });
  });

  it('Art. 24 declarations stay within the limits (postponement <= 3 years, extension <= 2 years)', () => {
    const declarations = data.states.filter((s) => s.opcat.art24);
    expect(declarations.map((s) => s.country)).toEqual(['AU']);
    const au = declarations[0]?.opcat.art24;
    expect(au).toMatchObject({ part: 'IV', postponement: 'P3Y', declaredOn: '2017-12-21', extension: { duration: 'P1Y' } });
  });

  it('NPM entries belong to OPCAT parties and name their model', () => {
    for (const s of data.states) {
      if (!s.npm) continue;
      expect(s.opcat.deposit, s.country).toBeDefined();
      if (s.npm.status !== 'none') expect(s.npm.model, s.country).toBeDefined();
    }
    const opcatParties = data.states.filter((s) => s.opcat.deposit).map((s) => s.country);
    expect(opcatParties.sort()).toEqual(['AU', 'KH', 'LK', 'MN', 'MV', 'NR', 'NZ', 'PH']);
    // Every OPCAT party has an NPM entry, even if it is "none".
    for (const c of opcatParties) expect(data.states.find((s) => s.country === c)?.npm, c).toBeDefined();
  });

  it('the UNCAT status the OPCAT template needs is derived from the deposit kind', () => {
    const status = Object.fromEntries(data.states.map((s) => [s.country, uncatStatusOf(s)]));
    expect(status).toMatchObject({ IN: 'signed', MY: 'none', PH: 'acceded', ID: 'ratified', AU: 'ratified', WS: 'acceded' });
  });
});

describe('inconsistent data is rejected, naming the field', () => {
  it('a deposit before the signature', () => {
    const problems = problemsOf(withState('PK', (s) => (s.uncat.signature!.date = '2011-01-01')));
    expect(problems).toContain(`states.${stateIndex('PK')}.uncat.deposit.date: deposit 2010-06-23 is before the signature 2011-01-01`);
  });

  it('an entry into force before (or not 30 days after) the deposit', () => {
    let problems = problemsOf(withState('AU', (s) => (s.opcat.entryIntoForce!.date = '2017-12-01')));
    expect(problems).toContain(
      `states.${stateIndex('AU')}.opcat.entryIntoForce.date: entry into force 2017-12-01 is not after the deposit 2017-12-21`,
    );
    problems = problemsOf(withState('AU', (s) => (s.opcat.entryIntoForce!.date = '2018-01-21')));
    expect(problems[0]).toMatch(/disagrees with the treaty rule \(2018-01-20/);
  });

  it('an Art. 24 postponement or extension beyond the treaty limits', () => {
    const problems = problemsOf(
      withState('AU', (s) => {
        s.opcat.art24!.postponement = 'P3Y1D';
        s.opcat.art24!.extension!.duration = 'P25M';
      }),
    );
    const i = stateIndex('AU');
    expect(problems).toContain(`states.${i}.opcat.art24.postponement: P3Y1D exceeds the P3Y of OPCAT Art. 24(2)`);
    expect(problems).toContain(`states.${i}.opcat.art24.extension.duration: P25M exceeds the P2Y of OPCAT Art. 24(2)`);
  });

  it('an OPCAT deposit before the UNCAT one (Art. 27)', () => {
    const problems = problemsOf(withState('PH', (s) => (s.uncat.deposit!.date = '2013-01-01')));
    expect(
      problems.some((p) => p.startsWith(`states.${stateIndex('PH')}.opcat.deposit.date: OPCAT instrument deposited before the UNCAT one`)),
    ).toBe(true);
  });

  it('an unknown source, an unverified fact without a note, an invalid or out-of-region country', () => {
    expect(problemsOf(withState('BD', (s) => (s.uncat.deposit!.sources = ['nowhere'])))).toContain(
      `states.${stateIndex('BD')}.uncat.deposit.sources.0: unknown source "nowhere" (declare it under sources)`,
    );
    expect(problemsOf(withState('JP', (s) => delete s.uncat.deposit!.note))).toContain(
      `states.${stateIndex('JP')}.uncat.deposit.note: an unverified fact needs a note saying what is uncertain`,
    );
    expect(problemsOf(withState('JP', (s) => (s.country = 'XX'))).some((p) => p.startsWith(`states.${stateIndex('JP')}.country:`))).toBe(
      true,
    );
    expect(problemsOf(withState('JP', (s) => (s.country = 'KZ')))).toContain(
      `states.${stateIndex('JP')}.country: KZ is not in the asia-pacific region (shared/countries.ts)`,
    );
  });

  it('an accession with a signature, a ratification without one and without a note', () => {
    const i = stateIndex('BD');
    expect(
      problemsOf(withState('BD', (s) => (s.uncat.signature = { date: '1990-01-01', sources: ['untc-uncat'], verified: true }))),
    ).toContain(`states.${i}.uncat.deposit.kind: an accession is made without signature, yet a signature is recorded`);
    expect(problemsOf(withState('BD', (s) => (s.uncat.deposit!.kind = 'ratification')))).toContain(
      `states.${i}.uncat.deposit.note: a ratification without a recorded signature needs a note explaining it`,
    );
  });

  it('a malformed date, and YAML errors with their line', () => {
    expect(problemsOf(withState('BD', (s) => (s.uncat.deposit!.date = '1998-02-30'))).some((p) => p.includes('uncat.deposit.date'))).toBe(
      true,
    );
    expect(() => parseRegionStatusYaml('region: asia-pacific\nstates: [\n', 'broken.yaml')).toThrow(/broken\.yaml[\s\S]*line \d+/);
  });
});
