/** Reference: Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2018), xoshiro128** 1.1
 * (prng.di.unimi.it/xoshiro128starstar.c); seeded through SplitMix64 (prng.di.unimi.it/splitmix64.c) as the
 * authors recommend. Chosen because it is small, fast with Math.imul, and every run is reproducible from a seed.
 */

/** A source of uniform random numbers. Every consumer of randomness in chips/ takes one of these. */
export interface RandomSource {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform number in [0, 1), a multiple of 2^-32. */
  nextFloat(): number;
}

const UINT64_MASK = (1n << 64n) - 1n;

/**
 * One SplitMix64 step: returns the output for `state` and the state that follows. Used only for seeding, so
 * BigInt's cost does not matter.
 */
export function splitMix64(state: bigint): { output: bigint; nextState: bigint } {
  const nextState = (state + 0x9e3779b97f4a7c15n) & UINT64_MASK;
  let z = nextState;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & UINT64_MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & UINT64_MASK;
  return { output: z ^ (z >> 31n), nextState };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * xoshiro128**: 128 bits of state in one Uint32Array, allocated once; `nextUint32` allocates nothing.
 *
 * Seeding: two SplitMix64 outputs from the seed fill the state as [low32(o1), high32(o1), low32(o2),
 * high32(o2)]. SplitMix64 is a bijection on its state, so two consecutive outputs are never both zero and the
 * forbidden all-zero xoshiro state cannot arise.
 */
export class Xoshiro128StarStar implements RandomSource {
  private readonly state = new Uint32Array(4);

  /** @param seed a non-negative safe integer or a bigint in [0, 2^64) */
  constructor(seed: number | bigint) {
    if (typeof seed === 'number' && !(Number.isSafeInteger(seed) && seed >= 0)) {
      throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    }
    const seed64 = BigInt(seed);
    if (seed64 < 0n || seed64 > UINT64_MASK) throw new RangeError(`seed must fit in 64 bits, got ${seed}`);
    const first = splitMix64(seed64);
    const second = splitMix64(first.nextState);
    this.state[0] = Number(first.output & 0xffffffffn);
    this.state[1] = Number(first.output >> 32n);
    this.state[2] = Number(second.output & 0xffffffffn);
    this.state[3] = Number(second.output >> 32n);
  }

  /** A generator resumed from a state captured with `getState` (or set by hand, as the reference tests do). */
  static fromState(words: readonly [number, number, number, number]): Xoshiro128StarStar {
    if (words.every((w) => w >>> 0 === 0)) throw new RangeError('xoshiro128** state must not be all zero');
    const generator = new Xoshiro128StarStar(0);
    for (let i = 0; i < 4; i++) generator.state[i] = words[i]! >>> 0;
    return generator;
  }

  /** The four state words, to checkpoint a run and resume it bit for bit. */
  getState(): [number, number, number, number] {
    const s = this.state;
    return [s[0]!, s[1]!, s[2]!, s[3]!];
  }

  nextUint32(): number {
    const s = this.state;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]!;
    const s3 = s[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    const n2 = (s2 ^ s0) >>> 0;
    const n3 = (s3 ^ s1) >>> 0;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11);
    return result;
  }

  nextFloat(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** Uniform integer in [0, bound) for 1 <= bound <= 2^32, without modulo bias (rejection sampling). */
  nextBelow(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32) {
      throw new RangeError(`bound must be an integer in 1..2^32, got ${bound}`);
    }
    // Accept only draws below the largest multiple of `bound` that fits in 32 bits.
    const limit = 2 ** 32 - (2 ** 32 % bound);
    let draw = this.nextUint32();
    while (draw >= limit) draw = this.nextUint32();
    return draw % bound;
  }
}
