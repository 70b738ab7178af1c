// A small seeded PRNG (mulberry32) for tests that draw random moments or sizes: the seed is
// printed, so a failing run's schedule can be drawn again with the same seed.
import { randomInt } from "node:crypto";

export interface Random {
  /** A float in [0, 1). */
  (): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4_294_967_296;
  };
  return Object.assign(next, { int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)) });
}

/** The seed named by the environment variable `name` (to replay a run), or a fresh one. */
export function seedFrom(name: string): number {
  const given = process.env[name];
  if (given === undefined || given === "") return randomInt(1, 2 ** 31);
  const seed = Number(given);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(given)}`);
  return seed;
}
