// Reference: chips/loihi/lif-kernel.ts (stepLoihiLif, stepLoihiAccumulator) and chips/loihi2/lif-kernel.ts
// (stepLoihi2Lif) are the specification; these loops compute the same doubles in the same order, fused with the
// work the simulator does around them. test/simulator/fused-lif.test.ts pins them to the reference bit for bit.
// The widths are Loihi's (chips/loihi/spec.ts) for every chip they run: datapath.ts refuses a chip whose spec
// publishes others, before a step is taken.
import { checkLoihiDecay, checkLoihiThresholdMantissa, thresholdFromMantissa } from '../chips/loihi/lif-kernel.js';
import { shiftLeftSigned } from '../chips/fixed-point/shift.js';
import { CURRENT_DECAY_OFFSET, DECAY_BITS, INPUT_SHIFT, MAX_DECAY, STATE_BITS, VOLTAGE_DECAY_OFFSET } from '../chips/loihi/spec.js';

// Shifts rather than `**`, whose result the JIT may keep as a double: these enter every integer op of the loops.
const DECAY_UNITY = 1 << DECAY_BITS;
/** Module copies of the decay width and mask: the loops read them like literals (an import is a live binding). */
const DECAY_SHIFT = DECAY_BITS | 0;
const DECAY_MASK = MAX_DECAY | 0;
const INPUT_SCALE = 1 << INPUT_SHIFT;
const HALF = 1 << (STATE_BITS - 1);
const FULL = 1 << STATE_BITS;
const V_MAX = HALF - 1;

/** One layer's neurons as the fused step reads and writes them (the arrays of a LayerRuntime). */
export interface FusedLifArrays {
  readonly u: Int32Array;
  readonly v: Int32Array;
  /** This step's dendritic sums (weight mantissas). */
  readonly accumulator: Int32Array;
  readonly spikes: Uint8Array;
  readonly spikeList: Int32Array;
  readonly coreOfNeuron: Int32Array;
}

/** The per-step constants of the datapath; `threshold` is the MSB-aligned value v is compared with. */
export interface FusedLifConstants {
  /** The decays, checked to 0..4095; the kernels form u's and v's keep factors from them. */
  readonly du: number;
  readonly dv: number;
  /** v > threshold fires; V_MAX (never exceeded) for a non-spiking (accumulating) layer. */
  readonly threshold: number;
  readonly subtractive: boolean;
  /** The dendritic sum times 2^weightExponent as a 32-bit word, as ((sum << left) >> right) & mask. */
  readonly left: number;
  readonly right: number;
  readonly mask: number;
}

/**
 * The datapath constants of a layer at one step, checked as the reference kernels check them. `thresholdMantissa`
 * is null for a non-spiking layer (the accumulator: same datapath, no spike test).
 *
 * The simulator stores sum * 2^e into an Int32Array (wrap to 32 bits; floor for e < 0). With JS shifts that is
 * `sum << e` for 0 < e < 32, `sum >> -e` for -32 < e < 0; for e >= 32 the product is a multiple of 2^32 (0), for
 * e <= -31 the floor is 0 or -1 (`sum >> 31`).
 */
export function fusedLifConstants(du: number, dv: number, thresholdMantissa: number | null, reset: 'zero' | 'subtract', weightExponent: number): FusedLifConstants {
  checkLoihiDecay('du', du);
  checkLoihiDecay('dv', dv);
  if (thresholdMantissa !== null) checkLoihiThresholdMantissa('the threshold mantissa for this step', thresholdMantissa);
  const e = weightExponent;
  return {
    du,
    dv,
    // A clipped v never exceeds V_MAX, so an accumulating layer never fires. `| 0` is exact (a 17-bit mantissa
    // << 6 < 2^23) and keeps the compare in integers.
    threshold: thresholdMantissa === null ? V_MAX : thresholdFromMantissa(thresholdMantissa) | 0,
    subtractive: reset === 'subtract',
    left: e > 0 && e < 32 ? e : 0,
    right: e < 0 ? Math.min(-e, 31) : 0,
    mask: e >= 32 ? 0 : -1,
  };
}

/** The keep factors 4096 - offset - decay of u and v that both kernels multiply by (0..4096). */
export function decayKeeps(k: FusedLifConstants): { readonly uKeep: number; readonly vKeep: number } {
  return { uKeep: DECAY_UNITY - CURRENT_DECAY_OFFSET - (k.du & MAX_DECAY), vKeep: DECAY_UNITY - VOLTAGE_DECAY_OFFSET - (k.dv & MAX_DECAY) };
}

/**
 * Each neuron's bias mantissa << exponent (Lava's scale_bias, shiftLeftSigned), computed once per inference:
 * an Int32Array when every value fits 32 bits (13-bit mantissas shifted by at most 7 always do), else doubles.
 */
export function expandedBias(mantissa: Int32Array, exponent: Int32Array, into: Int32Array): Int32Array | Float64Array {
  let fits = true;
  for (let i = 0; i < mantissa.length; i++) {
    const b = shiftLeftSigned(mantissa[i]!, exponent[i]!);
    if (b >= -(2 ** 31) && b < 2 ** 31) into[i] = b;
    else fits = false;
  }
  return fits ? into : Float64Array.from(mantissa, (m, i) => shiftLeftSigned(m, exponent[i]!));
}

/*
 * trunc12(x * keep) for a 32-bit x and 0 <= keep <= 4096 in 32-bit integers: with x = h * 4096 + l (h = x >> 12,
 * floored; l = x & 4095 >= 0), floor(x * keep / 4096) = h * keep + ((l * keep) >> 12) exactly, and truncation
 * toward zero adds 1 when x * keep is negative and not a multiple of 4096, i.e. x < 0 and (l * keep) & 4095 != 0
 * (keep = 0 makes l * keep = 0). Every term is an integer: |h * keep| <= 2^19 * 2^12 = 2^31 (and h * keep >= -2^31),
 * l * keep < 2^24, so the sum stays within 32 bits and the JIT keeps it in integer registers.
 */

/**
 * One step of a feed-forward layer: the input scaling by 2^weightExponent, the Loihi LIF update (both families:
 * Loihi 1 is the zero-reset case), the spike list, and per core the spikes and the inactive updates (a neuron
 * that neither fired, nor got input, nor holds a non-zero v), added into `coreSpikes` and `coreInactive`
 * (indexed by core). `spikes` must mark exactly the first `marked` entries of the spike list (the previous step's
 * spikes): they are cleared first, so the flags are touched only where neurons fire. The accumulator is read,
 * not cleared. Returns how many neurons fired.
 *
 * Every value equals the reference kernel's double: the decays as above, `input * 64` (< 2^37) and the sums
 * before the clip are exact doubles, u is stored through the Int32Array as the reference stores it.
 */
export function fusedLifStep(
  arrays: FusedLifArrays,
  bias: Int32Array | Float64Array,
  k: FusedLifConstants,
  marked: number,
  coreSpikes: Int32Array,
  coreInactive: Int32Array,
): number {
  const { u, v, accumulator: acc, spikes, spikeList, coreOfNeuron } = arrays;
  const { threshold, subtractive, left, right, mask } = k;
  // currentKeep and voltageKeep written out: the masks change nothing (du, dv are checked to 0..4095) but tell
  // the JIT keep <= 4096, so it can prove that the decay products below fit 32 bits and drop its overflow checks.
  const uKeep = DECAY_UNITY - CURRENT_DECAY_OFFSET - (k.du & MAX_DECAY);
  const vKeep = DECAY_UNITY - VOLTAGE_DECAY_OFFSET - (k.dv & MAX_DECAY);
  for (let s = 0; s < marked; s++) spikes[spikeList[s]!] = 0;
  const n = u.length;
  let fired = 0;
  for (let i = 0; i < n; i++) {
    const input = ((acc[i]! << left) >> right) & mask;
    const x = u[i]!;
    const xLow = (x & DECAY_MASK) * uKeep;
    let decayedU = (x >> DECAY_SHIFT) * uKeep + (xLow >> DECAY_SHIFT);
    if (x < 0 && (xLow & DECAY_MASK) !== 0) decayedU++;
    let current = decayedU + input * INPUT_SCALE;
    if (current > HALF) current -= FULL;
    else if (current <= -HALF) current += FULL;
    const y = v[i]!;
    const yLow = (y & DECAY_MASK) * vKeep;
    let decayedV = (y >> DECAY_SHIFT) * vKeep + (yLow >> DECAY_SHIFT);
    if (y < 0 && (yLow & DECAY_MASK) !== 0) decayedV++;
    let voltage = decayedV + current + bias[i]!;
    if (voltage > V_MAX) voltage = V_MAX;
    else if (voltage < -V_MAX) voltage = -V_MAX;
    u[i] = current;
    if (voltage > threshold) {
      v[i] = subtractive ? voltage - threshold : 0;
      spikes[i] = 1;
      spikeList[fired++] = i;
      const core = coreOfNeuron[i]!;
      coreSpikes[core] = coreSpikes[core]! + 1;
    } else {
      v[i] = voltage;
      if (input === 0 && voltage === 0) {
        const core = coreOfNeuron[i]!;
        coreInactive[core] = coreInactive[core]! + 1;
      }
    }
  }
  return fired;
}

/**
 * One step of a recurrent layer with a refractory period (the free run): the LIF update, then a neuron still
 * refractory keeps v = 0 and cannot fire (its u evolves), and one that fires is held for `hold` steps.
 * Spikes are added into `coreSpikes`; `marked` and the accumulator as for fusedLifStep. Returns how many fired.
 */
export function fusedRefractoryLifStep(
  arrays: FusedLifArrays,
  bias: Int32Array | Float64Array,
  k: FusedLifConstants,
  marked: number,
  refractory: Int32Array,
  hold: number,
  coreSpikes: Int32Array,
): number {
  const { u, v, accumulator: acc, spikes, spikeList, coreOfNeuron } = arrays;
  const { threshold, subtractive, left, right, mask } = k;
  // currentKeep and voltageKeep written out: the masks change nothing (du, dv are checked to 0..4095) but tell
  // the JIT keep <= 4096, so it can prove that the decay products below fit 32 bits and drop its overflow checks.
  const uKeep = DECAY_UNITY - CURRENT_DECAY_OFFSET - (k.du & MAX_DECAY);
  const vKeep = DECAY_UNITY - VOLTAGE_DECAY_OFFSET - (k.dv & MAX_DECAY);
  for (let s = 0; s < marked; s++) spikes[spikeList[s]!] = 0;
  const n = u.length;
  let fired = 0;
  for (let i = 0; i < n; i++) {
    const input = ((acc[i]! << left) >> right) & mask;
    const x = u[i]!;
    const xLow = (x & DECAY_MASK) * uKeep;
    let decayedU = (x >> DECAY_SHIFT) * uKeep + (xLow >> DECAY_SHIFT);
    if (x < 0 && (xLow & DECAY_MASK) !== 0) decayedU++;
    let current = decayedU + input * INPUT_SCALE;
    if (current > HALF) current -= FULL;
    else if (current <= -HALF) current += FULL;
    u[i] = current;
    const r = refractory[i]!;
    if (r > 0) {
      refractory[i] = r - 1;
      v[i] = 0;
      continue;
    }
    const y = v[i]!;
    const yLow = (y & DECAY_MASK) * vKeep;
    let decayedV = (y >> DECAY_SHIFT) * vKeep + (yLow >> DECAY_SHIFT);
    if (y < 0 && (yLow & DECAY_MASK) !== 0) decayedV++;
    let voltage = decayedV + current + bias[i]!;
    if (voltage > V_MAX) voltage = V_MAX;
    else if (voltage < -V_MAX) voltage = -V_MAX;
    if (voltage > threshold) {
      v[i] = subtractive ? voltage - threshold : 0;
      spikes[i] = 1;
      refractory[i] = hold;
      spikeList[fired++] = i;
      const core = coreOfNeuron[i]!;
      coreSpikes[core] = coreSpikes[core]! + 1;
    } else {
      v[i] = voltage;
    }
  }
  return fired;
}
