import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stepLoihiAccumulator, stepLoihiLif } from '../../chips/loihi/lif-kernel.js';
import { stepLoihi2Lif } from '../../chips/loihi2/lif-kernel.js';
import { expandedBias, fusedLifConstants, fusedLifStep, fusedRefractoryLifStep } from '../../simulator/fused-lif.js';

/**
 * The fused kernels against the readable reference kernels in chips/ (the specification), bit for bit, on random
 * states that reach every corner the reference handles: full 32-bit u, v and sums (so the current wraps and
 * the voltage clips), input exponents beyond ±31, biases that do not fit 32 bits.
 */
const CORES = 3;

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const state24 = fc.integer({ min: -(2 ** 23), max: 2 ** 23 });
const neuron = fc.record({
  u: fc.oneof(state24, int32, fc.constantFrom(0, 2 ** 23, -(2 ** 23), -(2 ** 31))),
  v: fc.oneof(state24, int32, fc.constant(0)),
  sum: fc.oneof(fc.integer({ min: -600, max: 600 }), int32, fc.constant(0)),
  biasMantissa: fc.oneof(fc.integer({ min: -4096, max: 4095 }), fc.integer({ min: -(2 ** 24), max: 2 ** 24 })),
  biasExponent: fc.integer({ min: -9, max: 10 }),
  core: fc.integer({ min: 0, max: CORES - 1 }),
  refractory: fc.integer({ min: 0, max: 3 }),
  /** Fired in the previous step: flagged in `spikes` and listed, for the kernel to clear. */
  spikedBefore: fc.boolean(),
});

const layerCase = fc.record({
  du: fc.integer({ min: 0, max: 4095 }),
  dv: fc.integer({ min: 0, max: 4095 }),
  threshold: fc.integer({ min: 0, max: 2 ** 17 - 1 }),
  subtract: fc.boolean(),
  weightExponent: fc.oneof(fc.integer({ min: -7, max: 7 }), fc.integer({ min: -40, max: 40 })),
  neurons: fc.array(neuron, { minLength: 1, maxLength: 12 }),
});

type LayerCase = typeof layerCase extends fc.Arbitrary<infer T> ? T : never;

function arrays(c: LayerCase) {
  const n = c.neurons.length;
  const before = c.neurons.flatMap((x, i) => (x.spikedBefore ? [i] : []));
  const spikeList = new Int32Array(n);
  spikeList.set(before);
  return {
    u: Int32Array.from(c.neurons, (x) => x.u),
    v: Int32Array.from(c.neurons, (x) => x.v),
    accumulator: Int32Array.from(c.neurons, (x) => x.sum),
    biasMantissa: Int32Array.from(c.neurons, (x) => x.biasMantissa),
    biasExponent: Int32Array.from(c.neurons, (x) => x.biasExponent),
    spikes: Uint8Array.from(c.neurons, (x) => (x.spikedBefore ? 1 : 0)),
    spikeList,
    coreOfNeuron: Int32Array.from(c.neurons, (x) => x.core),
    marked: before.length,
  };
}

/** The simulator's input to the kernel: the sum times 2^e stored into an Int32Array (wrapped; floored for e < 0). */
function scaledInput(sums: Int32Array, e: number): Int32Array {
  const factor = 2 ** e;
  return Int32Array.from(sums, (a) => (e >= 0 ? a * factor : Math.floor(a * factor)));
}

describe('fused LIF step (feed-forward layers): the reference kernels plus the old engine spike list and per-core counts, bit for bit', () => {
  const kinds = ['loihi', 'loihi2', 'accumulator'] as const;
  for (const kind of kinds) {
    it(`for the ${kind} datapath`, () => {
      fc.assert(
        fc.property(layerCase, (c) => {
          const subtract = kind === 'loihi2' && c.subtract;
          const ref = arrays(c);
          // The old engine never wrote an accumulating layer's flags: they stayed 0.
          if (kind === 'accumulator') ref.spikes.fill(0);
          const input = scaledInput(ref.accumulator, c.weightExponent);
          const params = { du: c.du, dv: c.dv, biasMantissa: ref.biasMantissa, biasExponent: ref.biasExponent };
          if (kind === 'loihi') stepLoihiLif({ ...params, vthMantissa: c.threshold }, ref, input, ref.spikes);
          else if (kind === 'loihi2')
            stepLoihi2Lif(
              { ...params, thresholdTable: Int32Array.of(c.threshold), resetMode: subtract ? 'subtract' : 'zero' },
              ref,
              { synaptic: input, graded: null },
              0,
              ref.spikes,
            );
          else stepLoihiAccumulator(params, ref, input);
          const expectedSpikes = new Int32Array(CORES);
          const expectedInactive = new Int32Array(CORES);
          const expectedList: number[] = [];
          ref.spikes.forEach((s, i) => {
            const core = ref.coreOfNeuron[i]!;
            if (s === 1) {
              expectedList.push(i);
              expectedSpikes[core]!++;
            }
            if (!(s === 1 || input[i] !== 0 || ref.v[i] !== 0)) expectedInactive[core]!++;
          });

          const fast = arrays(c);
          const spikes = new Int32Array(CORES);
          const inactive = new Int32Array(CORES);
          const bias = expandedBias(fast.biasMantissa, fast.biasExponent, new Int32Array(c.neurons.length));
          const constants = fusedLifConstants(c.du, c.dv, kind === 'accumulator' ? null : c.threshold, subtract ? 'subtract' : 'zero', c.weightExponent);
          const fired = fusedLifStep(fast, bias, constants, fast.marked, spikes, inactive);

          expect([...fast.u]).toEqual([...ref.u]);
          expect([...fast.v]).toEqual([...ref.v]);
          expect([...fast.spikes]).toEqual([...ref.spikes]);
          expect([...fast.spikeList.subarray(0, fired)]).toEqual(expectedList);
          expect([...spikes]).toEqual([...expectedSpikes]);
          expect([...inactive]).toEqual([...expectedInactive]);
          expect([...fast.accumulator]).toEqual(c.neurons.map((x) => x.sum));
        }),
        { seed: 11, numRuns: 400 },
      );
    });
  }
});

describe('fused LIF step with a refractory period (the free run): the reference kernel, then the hold, bit for bit', () => {
  for (const family of ['loihi', 'loihi2'] as const) {
    it(`for the ${family} datapath`, () => {
      fc.assert(
        fc.property(layerCase, fc.integer({ min: 0, max: 5 }), (c, hold) => {
          const subtract = family === 'loihi2' && c.subtract;
          const ref = arrays(c);
          const refractory = Int32Array.from(c.neurons, (x) => x.refractory);
          const input = scaledInput(ref.accumulator, c.weightExponent);
          const params = { du: c.du, dv: c.dv, biasMantissa: ref.biasMantissa, biasExponent: ref.biasExponent };
          if (family === 'loihi') stepLoihiLif({ ...params, vthMantissa: c.threshold }, ref, input, ref.spikes);
          else
            stepLoihi2Lif(
              { ...params, thresholdTable: Int32Array.of(c.threshold), resetMode: subtract ? 'subtract' : 'zero' },
              ref,
              { synaptic: input, graded: null },
              0,
              ref.spikes,
            );
          const expectedSpikes = new Int32Array(CORES);
          const expectedList: number[] = [];
          for (let i = 0; i < c.neurons.length; i++) {
            if (refractory[i]! > 0) {
              refractory[i]!--;
              ref.spikes[i] = 0;
              ref.v[i] = 0;
              continue;
            }
            if (ref.spikes[i] === 1) {
              refractory[i] = hold;
              expectedList.push(i);
              expectedSpikes[ref.coreOfNeuron[i]!]!++;
            }
          }

          const fast = arrays(c);
          const fastRefractory = Int32Array.from(c.neurons, (x) => x.refractory);
          const spikes = new Int32Array(CORES);
          const bias = expandedBias(fast.biasMantissa, fast.biasExponent, new Int32Array(c.neurons.length));
          const constants = fusedLifConstants(c.du, c.dv, c.threshold, subtract ? 'subtract' : 'zero', c.weightExponent);
          const fired = fusedRefractoryLifStep(fast, bias, constants, fast.marked, fastRefractory, hold, spikes);

          expect([...fast.u]).toEqual([...ref.u]);
          expect([...fast.v]).toEqual([...ref.v]);
          expect([...fast.spikes]).toEqual([...ref.spikes]);
          expect([...fastRefractory]).toEqual([...refractory]);
          expect([...fast.spikeList.subarray(0, fired)]).toEqual(expectedList);
          expect([...spikes]).toEqual([...expectedSpikes]);
        }),
        { seed: 12, numRuns: 400 },
      );
    });
  }

  it('checks the datapath constants as the reference kernels do', () => {
    expect(() => fusedLifConstants(4096, 0, 1, 'zero', 0)).toThrow(/du must be an integer in 0..4095/);
    expect(() => fusedLifConstants(0, -1, 1, 'zero', 0)).toThrow(/dv must be an integer in 0..4095/);
    expect(() => fusedLifConstants(0, 0, 2 ** 17, 'zero', 0)).toThrow(/threshold mantissa .* must be an integer in 0..131071/);
  });
});
