/**
 * A small seeded generator for the event converter (models/ imports nothing, so it cannot borrow the chip's PRNG):
 * a 32-bit counter advanced by the golden-ratio increment and passed through a two-round multiply-xorshift mix,
 * the finaliser SplitMix uses. Plenty for per-pixel threshold mismatch; not for cryptography.
 */
export class SeededRandom {
  private state: number;

  /** One independent stream per (seed, stream), e.g. per image index. */
  constructor(seed: number, stream = 0) {
    this.state = mix32((seed >>> 0) ^ mix32((stream >>> 0) + 0x632be5ab));
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return mix32(this.state) / 2 ** 32;
  }

  /** Standard normal (Box-Muller; one of the pair is dropped so the stream stays simple). */
  nextGaussian(): number {
    const u = 1 - this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function mix32(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
