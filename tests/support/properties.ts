import fc from 'fast-check';

/**
 * How the property tests run: seeded, so a failure in CI is the same failure on a laptop, and bounded,
 * so the unit suite stays fast. FC_SEED picks another seed; FC_RUNS runs each property that many times
 * (e.g. `FC_RUNS=5000 FC_SEED=$RANDOM npx vitest run --project unit`) for a longer search. fast-check
 * prints the seed and the path of a failure, which FC_SEED and its `path` reproduce.
 */
export const FC_SEED = Number(process.env.FC_SEED ?? 20_240_611);

/** Options for `fc.assert`: the shared seed, and `runs` runs unless FC_RUNS says otherwise. */
export function propertyRuns(runs: number): { seed: number; numRuns: number } {
  return { seed: FC_SEED, numRuns: Number(process.env.FC_RUNS ?? runs) };
}

/** Keys that would reach an object's prototype if a parser or a lookup took them as plain keys. */
export const prototypeKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'] as const;

/** Text that breaks naive handling: empty, blank, huge, control characters, unicode, lookalikes of dates. */
export const awkwardString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u0000',
    '\u200b',
    '🙂',
    'é',
    'İ',
    '\ud800',
    'null',
    'undefined',
    'NaN',
    '-1',
    '1e309',
    '2024-02-30',
    '2024-13-01',
    '0000-00-00',
    '9999-12-31',
    'P',
    'P-1D',
    'PT',
    'P1Y2M3W4DT5H',
    'a.b',
    'a*',
    '>',
    '../x',
    '${HOME}',
    '{{x}}',
    '<script>',
    ...prototypeKeys,
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer({ min: 129, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** Any JSON value, with awkward strings and prototype keys among the object keys. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2),
    awkwardString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.oneof(awkwardString, fc.constantFrom(...prototypeKeys)), tie('value')), { maxLength: 4 }).map(ownEntries),
  ),
})).value;

/** An object with these own properties, `__proto__` included as an own key (as JSON.parse makes it). */
export function ownEntries(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** One change to a value somewhere in a JSON document, described by where it happened. */
export interface Mutation {
  kind: 'remove' | 'replace' | 'add';
  /** The changed place: the removed or replaced value, or the added key. */
  path: (string | number)[];
}

type Json = unknown;

/** Every place in a document: the root, each object property and each array element. */
function places(value: Json, path: (string | number)[] = []): { path: (string | number)[]; value: Json }[] {
  const out = [{ path, value }];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...places(v, [...path, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...places(v, [...path, k]));
  return out;
}

/** A copy of `doc` with `change` applied to the container at `path` (which holds `key`). */
function edit(doc: Json, path: (string | number)[], change: (container: Record<string | number, unknown>) => void): Json {
  const copy = structuredCloneOwn(doc);
  let container: unknown = copy;
  for (const key of path) container = (container as Record<string | number, unknown>)[key];
  change(container as Record<string | number, unknown>);
  return copy;
}

/** structuredClone, keeping an own `__proto__` key (structuredClone keeps own keys, but be explicit). */
function structuredCloneOwn(value: Json): Json {
  if (Array.isArray(value)) return value.map(structuredCloneOwn);
  if (value !== null && typeof value === 'object') return ownEntries(Object.entries(value).map(([k, v]) => [k, structuredCloneOwn(v)]));
  return value;
}

/**
 * Near-valid variants of a valid document: one value removed, replaced by a wrong or awkward one (wrong
 * type, bad date, huge or odd text), or one extra key added (prototype keys included). The mutation says
 * where, so a property can check that a refusal names that place.
 */
export function mutated(doc: Json): fc.Arbitrary<{ value: Json; mutation: Mutation }> {
  const all = places(doc);
  const inner = all.filter((p) => p.path.length > 0);
  const containers = all.filter((p) => p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value));
  const remove = fc.constantFrom(...inner).map(({ path }) => ({
    value: edit(doc, path.slice(0, -1), (c) => {
      const key = path[path.length - 1] as string | number;
      if (Array.isArray(c)) c.splice(key as number, 1);
      else delete c[key];
    }),
    mutation: { kind: 'remove' as const, path },
  }));
  const replace = fc.tuple(fc.constantFrom(...inner), fc.oneof(anyJson, fc.constantFrom(...prototypeKeys))).map(([{ path }, v]) => ({
    value: edit(doc, path.slice(0, -1), (c) => {
      c[path[path.length - 1] as string | number] = v;
    }),
    mutation: { kind: 'replace' as const, path },
  }));
  const add = fc
    .tuple(fc.constantFrom(...containers), fc.oneof(fc.constantFrom(...prototypeKeys), awkwardString), anyJson)
    .map(([{ path }, key, v]) => ({
      value: edit(doc, path, (c) => {
        Object.defineProperty(c, key, { value: v, enumerable: true, writable: true, configurable: true });
      }),
      mutation: { kind: 'add' as const, path: [...path, key] },
    }));
  return inner.length ? fc.oneof(remove, replace, add) : add;
}

/** `place: message`, the shared issue form (shared/validation.ts), with a non-empty place and message. */
export const issueForm = /^\S.*?: \S/s;

/** The place of a `place: message` issue. */
export function issuePlaceOf(issue: string): string {
  return issue.slice(0, issue.indexOf(': '));
}

/** Every place of a document as a dotted path, and those that hold an object or array. */
function placesOf(doc: unknown): { all: Set<string>; containers: Set<string> } {
  const all = new Set<string>();
  const containers = new Set<string>();
  const walk = (v: unknown, path: string) => {
    all.add(path);
    if (v === null || typeof v !== 'object') return;
    containers.add(path);
    for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
  };
  walk(doc, '');
  return { all, containers };
}

/** The place is in the document, or is a missing field of an object that is in it. */
export function placeOfDocument(place: string, doc: unknown): boolean {
  if (place === '(root)') return true;
  const { all, containers } = placesOf(doc);
  if (all.has(place)) return true;
  const dot = place.lastIndexOf('.');
  const parent = dot < 0 ? '' : place.slice(0, dot);
  return containers.has(parent) && /^[A-Za-z]+$/.test(place.slice(dot + 1));
}
