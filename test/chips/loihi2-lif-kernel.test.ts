import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stepLoihiLif } from '../../chips/loihi/lif-kernel.js';
import { STATE_BITS } from '../../chips/loihi/spec.js';
import { stepLoihi2Lif, thresholdMantissaAt, type Loihi2LifParameters } from '../../chips/loihi2/lif-kernel.js';
import type { ResetMode } from '../../chips/spec/chip-spec.js';
import { referenceStep } from './lif-reference.js';

const HALF = 2 ** (STATE_BITS - 1);

function makeParams(n: number, du: number, dv: number, table: number[], resetMode: ResetMode): Loihi2LifParameters {
  return {
    du,
    dv,
    thresholdTable: Int32Array.from(table),
    resetMode,
    biasMantissa: new Int32Array(n),
    biasExponent: new Int32Array(n),
  };
}

/** One neuron for `steps` steps; returns the 1-based steps it spiked at and the v trace. */
function runOne(params: Loihi2LifParameters, steps: number, synapticAt: (t: number) => number, gradedAt?: (t: number) => number) {
  const state = { u: new Int32Array(1), v: new Int32Array(1) };
  const input = { synaptic: new Int32Array(1), graded: gradedAt ? new Int32Array(1) : null };
  const spikes = new Uint8Array(1);
  const spikeSteps: number[] = [];
  const u: number[] = [];
  const v: number[] = [];
  for (let t = 1; t <= steps; t++) {
    input.synaptic[0] = synapticAt(t);
    if (input.graded && gradedAt) input.graded[0] = gradedAt(t);
    if (stepLoihi2Lif(params, state, input, t - 1, spikes) > 0) spikeSteps.push(t);
    u.push(state.u[0]!);
    v.push(state.v[0]!);
  }
  return { spikeSteps, u, v };
}

describe('Loihi 2 LIF kernel: hand-computed traces', () => {
  // du = 4095 makes u = this step's input only (keep 0); dv = 0 keeps v; a_in = 1 adds 1 << 6 = 64 per step.
  // The threshold mantissa 2 compares v with 2 << 6 = 128.
  it('subtractive reset keeps the residue: v = 64, 128, 192->64, 128, 192->64 ...', () => {
    const { spikeSteps, v } = runOne(makeParams(1, 4095, 0, [2], 'subtract'), 9, () => 1);
    expect(v).toEqual([64, 128, 64, 128, 64, 128, 64, 128, 64]);
    expect(spikeSteps).toEqual([3, 5, 7, 9]);
  });

  it('zero reset on the same input fires every third step', () => {
    const { spikeSteps, v } = runOne(makeParams(1, 4095, 0, [2], 'zero'), 9, () => 1);
    expect(v).toEqual([64, 128, 0, 64, 128, 0, 64, 128, 0]);
    expect(spikeSteps).toEqual([3, 6, 9]);
  });

  it('follows the per-step threshold table', () => {
    // u = 2 << 6 = 128 each step; thresholds 1<<6 = 64, 100<<6 = 6400, 64, 6400.
    const { spikeSteps, v } = runOne(makeParams(1, 4095, 0, [1, 100, 1, 100], 'zero'), 4, () => 2);
    expect(spikeSteps).toEqual([1, 3]);
    expect(v).toEqual([0, 128, 0, 128]);
  });

  it('adds graded input to u unshifted, next to the shifted synaptic input', () => {
    const { u, v } = runOne(
      makeParams(1, 4095, 0, [100_000], 'zero'),
      3,
      (t) => (t === 2 ? 1 : 0),
      (t) => (t <= 2 ? 1000 : 0),
    );
    expect(u).toEqual([1000, 1064, 0]);
    expect(v).toEqual([1000, 2064, 2064]);
  });

  it('saturates v at 2^23 - 1 before a subtractive reset (residue 63 with the largest threshold)', () => {
    const params = makeParams(1, 4095, 0, [131071], 'subtract');
    const state = { u: new Int32Array(1), v: Int32Array.of(HALF - 1) };
    const spikes = new Uint8Array(1);
    stepLoihi2Lif(params, state, { synaptic: Int32Array.of(1000), graded: null }, 0, spikes);
    expect(spikes[0]).toBe(1);
    expect(state.v[0]).toBe(HALF - 1 - 131071 * 64);
    expect(state.v[0]).toBe(63);
  });
});

describe('Loihi 2 LIF kernel: equivalences', () => {
  it('with zero reset, a constant threshold and no graded input it is exactly the Loihi 1 kernel', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4095 }),
        fc.integer({ min: 0, max: 4095 }),
        fc.integer({ min: 0, max: 4000 }),
        fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: -4096, max: 4095 }),
        (du, dv, vth, inputs, biasMantissa) => {
          const n = inputs.length;
          const loihi2 = makeParams(n, du, dv, [vth], 'zero');
          loihi2.biasMantissa.fill(biasMantissa);
          const loihi1 = { du, dv, vthMantissa: vth, biasMantissa: loihi2.biasMantissa, biasExponent: loihi2.biasExponent };
          const s1 = { u: new Int32Array(n), v: new Int32Array(n) };
          const s2 = { u: new Int32Array(n), v: new Int32Array(n) };
          const spikes1 = new Uint8Array(n);
          const spikes2 = new Uint8Array(n);
          const synaptic = Int32Array.from(inputs);
          for (let t = 0; t < 8; t++) {
            stepLoihiLif(loihi1, s1, synaptic, spikes1);
            stepLoihi2Lif(loihi2, s2, { synaptic, graded: null }, t, spikes2);
            expect(s2.u).toEqual(s1.u);
            expect(s2.v).toEqual(s1.v);
            expect(spikes2).toEqual(spikes1);
          }
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('subtractive reset and graded input agree with the BigInt reference', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4095 }),
        fc.integer({ min: 0, max: 4095 }),
        fc.array(fc.integer({ min: 0, max: 131071 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.integer({ min: -32768, max: 32767 }), fc.integer({ min: -(HALF - 1), max: HALF - 1 })), {
          minLength: 5,
          maxLength: 5,
        }),
        (du, dv, table, steps) => {
          const params = makeParams(1, du, dv, table, 'subtract');
          const state = { u: new Int32Array(1), v: new Int32Array(1) };
          const input = { synaptic: new Int32Array(1), graded: new Int32Array(1) };
          const spikes = new Uint8Array(1);
          const reference = { u: 0n, v: 0n };
          steps.forEach(([synaptic, graded], t) => {
            const vthMantissa = table.length === 1 ? table[0]! : table[t % table.length]!;
            const step = table.length === 1 ? t : t % table.length;
            input.synaptic[0] = synaptic;
            input.graded[0] = graded;
            stepLoihi2Lif(params, state, input, step, spikes);
            const spiked = referenceStep(reference, { du, dv, vthMantissa, biasMantissa: 0, biasExponent: 0, resetMode: 'subtract' }, synaptic, graded);
            expect(spikes[0]).toBe(spiked ? 1 : 0);
            expect(BigInt(state.u[0]!)).toBe(reference.u);
            expect(BigInt(state.v[0]!)).toBe(reference.v);
          });
        },
      ),
      { seed: 8, numRuns: 300 },
    );
  });
});

describe('Loihi 2 LIF kernel: threshold table lookup and checks', () => {
  it('a one-entry table is a constant threshold at any step', () => {
    expect(thresholdMantissaAt(Int32Array.of(5), 0)).toBe(5);
    expect(thresholdMantissaAt(Int32Array.of(5), 1000)).toBe(5);
  });
  it('a longer table must cover the step', () => {
    expect(thresholdMantissaAt(Int32Array.of(5, 6), 1)).toBe(6);
    expect(() => thresholdMantissaAt(Int32Array.of(5, 6), 2)).toThrow(RangeError);
    expect(() => thresholdMantissaAt(Int32Array.of(5, 6), -1)).toThrow(RangeError);
    expect(() => thresholdMantissaAt(new Int32Array(0), 0)).toThrow(RangeError);
  });
  it('rejects a threshold entry beyond 17 bits and mismatched arrays', () => {
    const params = makeParams(1, 0, 0, [2 ** 17], 'zero');
    const state = { u: new Int32Array(1), v: new Int32Array(1) };
    expect(() => stepLoihi2Lif(params, state, { synaptic: new Int32Array(1), graded: null }, 0, new Uint8Array(1))).toThrow(/threshold table entry/);
    const ok = makeParams(1, 0, 0, [1], 'zero');
    expect(() => stepLoihi2Lif(ok, state, { synaptic: new Int32Array(1), graded: new Int32Array(2) }, 0, new Uint8Array(1))).toThrow(/input.graded/);
  });
});
