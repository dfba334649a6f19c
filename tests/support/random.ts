/**
 * A small seeded generator (sfc32), so that a randomized run repeats from its seed: the same seed gives
 * the same choices in the same order. Not for anything secret.
 */
export interface Random {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An item chosen with the given weights (non-negative, not all zero). */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** A generator of its own, seeded from this one: one stream of choices per concern. */
  fork(): Random;
}

export function seededRandom(seed: number): Random {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next32 = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 15; i++) next32();
  const random: Random = {
    seed,
    next: () => next32() / 4294967296,
    int: (min, max) => min + Math.floor(random.next() * (max - min + 1)),
    chance: (p) => random.next() < p,
    pick(items) {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[random.int(0, items.length - 1)] as (typeof items)[number];
    },
    weighted(items) {
      const total = items.reduce((n, [, w]) => n + w, 0);
      if (!(total > 0)) throw new Error('weighted pick without a positive weight');
      let x = random.next() * total;
      for (const [item, w] of items) {
        if (x < w) return item;
        x -= w;
      }
      return (items.at(-1) as readonly [(typeof items)[number][0], number])[0];
    },
    fork: () => seededRandom(next32()),
  };
  return random;
}

/**
 * The seed of a run: `name` from the environment when set (to repeat a run), else a fresh one. Printed by
 * the caller so that any run can be repeated.
 */
export function seedFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const given = env[name];
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new Error(`${name} must be an integer in [0, 4294967295], got "${given}"`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}

/** A positive number of rounds from the environment (`name`), else `fallback`. */
export function roundsFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const given = env[name];
  if (given === undefined || given === '') return fallback;
  const rounds = Number(given);
  if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > 50) throw new Error(`${name} must be an integer in [1, 50], got "${given}"`);
  return rounds;
}
