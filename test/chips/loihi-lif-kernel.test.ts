import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { integrateVoltage, stepLoihiLif, type LoihiLifParameters } from '../../chips/loihi/lif-kernel.js';
import { STATE_BITS } from '../../chips/loihi/spec.js';
import { referenceStep } from './lif-reference.js';

const HALF = 2 ** (STATE_BITS - 1);

interface Group {
  params: LoihiLifParameters;
  u: Int32Array;
  v: Int32Array;
  input: Int32Array;
  spikes: Uint8Array;
}

function makeGroup(n: number, du: number, dv: number, vthMantissa: number, biasMantissa = 0, biasExponent = 0): Group {
  return {
    params: {
      du,
      dv,
      vthMantissa,
      biasMantissa: new Int32Array(n).fill(biasMantissa),
      biasExponent: new Int32Array(n).fill(biasExponent),
    },
    u: new Int32Array(n),
    v: new Int32Array(n),
    input: new Int32Array(n),
    spikes: new Uint8Array(n),
  };
}

/** Run `steps` steps of a one-neuron group; `inputAt(t)` is a_in at 1-based step t. Returns the traces. */
function runOne(group: Group, steps: number, inputAt: (t: number) => number) {
  const u: number[] = [];
  const v: number[] = [];
  const spikes: number[] = [];
  for (let t = 1; t <= steps; t++) {
    group.input[0] = inputAt(t);
    stepLoihiLif(group.params, { u: group.u, v: group.v }, group.input, group.spikes);
    u.push(group.u[0]!);
    v.push(group.v[0]!);
    spikes.push(group.spikes[0]!);
  }
  return { u, v, spikes };
}

// Lava tests/lava/proc/lif/test_models.py, TestLIFProcessModelsFixed, quoted in DESIGN.md section 3. In each,
// Lava's VecSendProcess sends a_in = 128 at time step 1 only (send_at_times = [True, False, ...]) and the input
// is wired straight to the LIF, so it arrives in the same step.
describe('Loihi 1 LIF kernel: Lava golden traces', () => {
  it('test_bitacc_pm_impulse_du: du = 2047, one input of 128 at step 1 -> u = 8192, 4096, ..., 64', () => {
    // du = 2047 plus ds_offset 1 = 2048: u halves each step. dv = 0, vth = 256 (high: no spikes).
    const { u, spikes } = runOne(makeGroup(1, 2047, 0, 256), 8, (t) => (t === 1 ? 128 : 0));
    expect(u).toEqual([8192, 4096, 2048, 1024, 512, 256, 128, 64]);
    expect(u.map((x) => x >> 6)).toEqual([128, 64, 32, 16, 8, 4, 2, 1]);
    expect(spikes).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('the same impulse of -128 gives u = -8192, ..., -64 (truncation is symmetric)', () => {
    const { u } = runOne(makeGroup(1, 2047, 0, 256), 8, (t) => (t === 1 ? -128 : 0));
    expect(u).toEqual([-8192, -4096, -2048, -1024, -512, -256, -128, -64]);
  });

  it('test_bitacc_pm_impulse_dv: dv = 2048, du = 0, one input of 128 at step 1 -> v = 8192, 12286, ...', () => {
    // du = 0 still decays u by 1/4096 per step (ds_offset), which is why v falls short of 128<<6 .. 255<<6.
    const { u, v } = runOne(makeGroup(1, 0, 2048, 256), 8, (t) => (t === 1 ? 128 : 0));
    expect(v).toEqual([8192, 12286, 14331, 15351, 15859, 16111, 16235, 16295]);
    expect(u).toEqual([8192, 8190, 8188, 8186, 8184, 8182, 8180, 8178]);
  });

  it('test_bitacc_pm_no_decay: bias 2 << 6, vth 8, no input -> 10 neurons spike at steps 5 and 10', () => {
    // v grows by 128 per step; the threshold is 8 << 6 = 512. Strict '>': v = 512 at step 4 does not fire.
    const n = 10;
    const group = makeGroup(n, 0, 0, 8, 2, 6);
    const spikeSteps: number[][] = Array.from({ length: n }, () => []);
    const vTrace: number[] = [];
    for (let t = 1; t <= 10; t++) {
      const fired = stepLoihiLif(group.params, { u: group.u, v: group.v }, group.input, group.spikes);
      expect(fired).toBe(t % 5 === 0 ? n : 0);
      group.spikes.forEach((s, i) => s && spikeSteps[i]!.push(t));
      vTrace.push(group.v[0]!);
    }
    for (const steps of spikeSteps) expect(steps).toEqual([5, 10]);
    expect(vTrace).toEqual([128, 256, 384, 512, 0, 128, 256, 384, 512, 0]);
    expect(Array.from(group.u)).toEqual(new Array(n).fill(0)); // u is never reset and never driven
  });
});

describe('Loihi 1 LIF kernel: 24-bit edges', () => {
  /** One step from a given state with du = 4095 (u keeps nothing: u = a_in << 6 exactly). */
  function currentAfter(aIn: number): number {
    const group = makeGroup(1, 4095, 0, 131071);
    group.input[0] = aIn;
    stepLoihiLif(group.params, { u: group.u, v: group.v }, group.input, group.spikes);
    return group.u[0]!;
  }

  it('u = +2^23 exactly is kept (Lava wraps only u > 2^23)', () => {
    expect(currentAfter(2 ** 17)).toBe(HALF);
  });
  it('u just above +2^23 wraps to the negative side', () => {
    expect(currentAfter(2 ** 17 + 1)).toBe(HALF + 64 - 2 * HALF);
  });
  it('u = -2^23 wraps to +2^23 (Lava wraps u <= -2^23)', () => {
    expect(currentAfter(-(2 ** 17))).toBe(HALF);
  });
  it('u just above -2^23 is kept', () => {
    expect(currentAfter(-(2 ** 17) + 1)).toBe(-HALF + 64);
  });

  it('a decayed u near the top wraps with a small input, as the reference does', () => {
    const group = makeGroup(1, 0, 0, 131071);
    group.u[0] = HALF - 8; // decays to trunc12((2^23 - 8) * 4095) = 8386552
    group.input[0] = 33; // + 2112 -> 8388664 > 2^23
    stepLoihiLif(group.params, { u: group.u, v: group.v }, group.input, group.spikes);
    expect(group.u[0]).toBe(8386552 + 2112 - 2 * HALF);
  });

  it('v saturates at -(2^23 - 1), never reaching -2^23', () => {
    const group = makeGroup(1, 4095, 0, 0);
    group.v[0] = -(HALF - 1);
    group.input[0] = -1000;
    stepLoihiLif(group.params, { u: group.u, v: group.v }, group.input, group.spikes);
    expect(group.v[0]).toBe(-(HALF - 1));
  });

  it('v saturates at +(2^23 - 1) before the spike test', () => {
    expect(integrateVoltage(HALF - 1, 4096, 1000, 0)).toBe(HALF - 1);
    expect(integrateVoltage(HALF - 10, 4096, 9, 0)).toBe(HALF - 1);
    expect(integrateVoltage(HALF - 10, 4096, 8, 0)).toBe(HALF - 2);
  });

  it('the largest threshold (131071 << 6) still fires from a saturated v, which resets to 0', () => {
    const group = makeGroup(1, 4095, 0, 131071);
    group.v[0] = HALF - 1;
    group.input[0] = 1000;
    stepLoihiLif(group.params, { u: group.u, v: group.v }, group.input, group.spikes);
    expect(group.spikes[0]).toBe(1);
    expect(group.v[0]).toBe(0);
  });
});

describe('Loihi 1 LIF kernel: agrees with the DESIGN.md equations in BigInt', () => {
  const neuronArbitrary = fc.record({
    u: fc.integer({ min: -HALF + 1, max: HALF }),
    v: fc.integer({ min: -(HALF - 1), max: HALF - 1 }),
    biasMantissa: fc.integer({ min: -4096, max: 4095 }),
    biasExponent: fc.integer({ min: 0, max: 7 }),
    inputs: fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 1, maxLength: 6 }),
  });

  it('for random parameters, states and int16 inputs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4095 }),
        fc.integer({ min: 0, max: 4095 }),
        fc.integer({ min: 0, max: 131071 }),
        fc.array(neuronArbitrary, { minLength: 1, maxLength: 8 }),
        (du, dv, vthMantissa, neurons) => {
          const n = neurons.length;
          const group = makeGroup(n, du, dv, vthMantissa);
          const reference = neurons.map((x) => ({ u: BigInt(x.u), v: BigInt(x.v) }));
          neurons.forEach((x, i) => {
            group.u[i] = x.u;
            group.v[i] = x.v;
            group.params.biasMantissa[i] = x.biasMantissa;
            group.params.biasExponent[i] = x.biasExponent;
          });
          for (let t = 0; t < 6; t++) {
            neurons.forEach((x, i) => (group.input[i] = x.inputs[t % x.inputs.length]!));
            stepLoihiLif(group.params, { u: group.u, v: group.v }, group.input, group.spikes);
            neurons.forEach((x, i) => {
              const spiked = referenceStep(reference[i]!, { du, dv, vthMantissa, ...x }, group.input[i]!);
              expect(group.spikes[i]).toBe(spiked ? 1 : 0);
              expect(BigInt(group.u[i]!)).toBe(reference[i]!.u);
              expect(BigInt(group.v[i]!)).toBe(reference[i]!.v);
            });
          }
        },
      ),
      { seed: 6, numRuns: 500 },
    );
  });
});

describe('Loihi 1 LIF kernel: argument checks', () => {
  it('rejects out-of-range decays and thresholds, and arrays of the wrong length', () => {
    const group = makeGroup(2, 0, 0, 1);
    const state = { u: group.u, v: group.v };
    expect(() => stepLoihiLif({ ...group.params, du: 4096 }, state, group.input, group.spikes)).toThrow(/du/);
    expect(() => stepLoihiLif({ ...group.params, dv: -1 }, state, group.input, group.spikes)).toThrow(/dv/);
    expect(() => stepLoihiLif({ ...group.params, vthMantissa: 2 ** 17 }, state, group.input, group.spikes)).toThrow(/vthMantissa/);
    expect(() => stepLoihiLif(group.params, state, new Int32Array(3), group.spikes)).toThrow(/input/);
    expect(() => stepLoihiLif(group.params, { u: group.u, v: new Int32Array(1) }, group.input, group.spikes)).toThrow(/v has/);
  });
});
