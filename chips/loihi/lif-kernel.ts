// Reference: lava-nc/lava src/lava/proc/lif/models.py PyLifModelBitAcc (AbstractPyLifModelFixed.subthr_dynamics, scale_bias, scale_threshold, spiking_activation, reset_voltage), bit for bit, as DESIGN.md section 3 gives it.
import { saturateSymmetric } from '../fixed-point/saturate.js';
import { shiftLeftSigned } from '../fixed-point/shift.js';
import { trunc12 } from '../fixed-point/truncate.js';
import { wrapOnceLavaStyle } from '../fixed-point/wrap.js';
import { CURRENT_DECAY_OFFSET, DECAY_BITS, INPUT_SHIFT, MAX_DECAY, STATE_BITS, THRESHOLD_MANTISSA_BITS, THRESHOLD_SHIFT, VOLTAGE_DECAY_OFFSET } from './spec.js';

/** Decays are fractions of 2^12 = 4096 ("decay_unity" in Lava). */
const DECAY_UNITY = 2 ** DECAY_BITS;
const INPUT_SCALE = 2 ** INPUT_SHIFT;
const THRESHOLD_SCALE = 2 ** THRESHOLD_SHIFT;
const MAX_THRESHOLD_MANTISSA = 2 ** THRESHOLD_MANTISSA_BITS - 1;

/** Parameters of one neuron group (one compartment profile and one threshold profile). */
export interface LoihiLifParameters {
  /** Current decay du, 12-bit unsigned (0..4095); u keeps (4096 - (du + 1)) / 4096 per step. */
  readonly du: number;
  /** Voltage decay dv, 12-bit unsigned (0..4095); v keeps (4096 - dv) / 4096 per step. */
  readonly dv: number;
  /** Threshold mantissa, 17-bit unsigned; a neuron fires when v > vthMantissa << 6. */
  readonly vthMantissa: number;
  /** Bias mantissa per neuron, 13-bit signed. */
  readonly biasMantissa: Int32Array;
  /** Bias exponent per neuron (0..7): the bias added each step is biasMantissa << biasExponent. */
  readonly biasExponent: Int32Array;
}

/** The per-neuron state the chip keeps between steps. */
export interface LoihiLifState {
  /** Synaptic current u, 24-bit (Lava's wrap can leave exactly +2^23). */
  readonly u: Int32Array;
  /** Membrane voltage v, 24-bit, saturated to ±(2^23 - 1). */
  readonly v: Int32Array;
}

export function checkLoihiDecay(name: string, decay: number): void {
  if (!Number.isInteger(decay) || decay < 0 || decay > MAX_DECAY) {
    throw new RangeError(`${name} must be an integer in 0..${MAX_DECAY}, got ${decay}`);
  }
}

export function checkLoihiThresholdMantissa(name: string, mantissa: number): void {
  if (!Number.isInteger(mantissa) || mantissa < 0 || mantissa > MAX_THRESHOLD_MANTISSA) {
    throw new RangeError(`${name} must be an integer in 0..${MAX_THRESHOLD_MANTISSA}, got ${mantissa}`);
  }
}

/** Throws unless `array` has one entry per neuron. Called once per array per step, never per neuron. */
export function checkNeuronCount(name: string, array: ArrayLike<number>, n: number): void {
  if (array.length !== n) throw new RangeError(`${name} has ${array.length} entries, expected ${n} (one per neuron)`);
}

/** Synaptic input a_in MSB-aligned with u: `a_in << 6` (Lava's act_shift), exact in doubles. */
export function alignInput(input: number): number {
  return input * INPUT_SCALE;
}

/**
 * Loihi's decayed current plus this step's (already aligned) input, as Lava computes it:
 * `u = trunc12(u * (4096 - (du + 1))) + (a_in << 6)`, then wrapped once (u > 2^23 -> u - 2^24, u <= -2^23 -> u + 2^24).
 * `uKeep` is 4096 - (du + 1). Exact in doubles: |u| * uKeep <= 2^35.
 */
export function decayCurrent(u: number, uKeep: number, alignedInput: number): number {
  return wrapOnceLavaStyle(trunc12(u * uKeep) + alignedInput, STATE_BITS);
}

/**
 * Loihi's voltage update before the spike test: `v = clip(trunc12(v * (4096 - dv)) + u + bias, ±(2^23 - 1))`.
 * `vKeep` is 4096 - dv.
 */
export function integrateVoltage(v: number, vKeep: number, u: number, bias: number): number {
  return saturateSymmetric(trunc12(v * vKeep) + u + bias, STATE_BITS);
}

/** u's decay factor for du, in 4096ths: the hardware adds ds_offset = 1 to du. */
export function currentKeep(du: number): number {
  return DECAY_UNITY - (du + CURRENT_DECAY_OFFSET);
}

/** v's decay factor for dv, in 4096ths (dm_offset = 0). */
export function voltageKeep(dv: number): number {
  return DECAY_UNITY - (dv + VOLTAGE_DECAY_OFFSET);
}

/** The value v is compared with: the threshold mantissa MSB-aligned by 6 bits. */
export function thresholdFromMantissa(mantissa: number): number {
  return mantissa * THRESHOLD_SCALE;
}

/**
 * One time step of N Loihi 1 CUBA LIF compartments, in place, allocating nothing:
 *
 *     u = wrap24(trunc12(u * (4096 - (du + 1))) + (a_in << 6))
 *     v = clip(trunc12(v * (4096 - dv)) + u + (bias_mant << bias_exp), -(2^23 - 1), 2^23 - 1)
 *     s = v > (vth << 6);  v[s] = 0;  u is not reset
 *
 * `input` is a_in, this step's integer synaptic input per neuron (the sum of w << weight_exp over the spikes
 * that arrived; the 6-bit alignment is applied here, as Lava's LIF does). Lava types a_in as int16, so its
 * `a_in << 6` wraps outside a_in = -512..511; here it is computed exactly, which equals Lava wherever Lava does
 * not wrap. A negative bias exponent shifts right (floor), as Lava's scale_bias does.
 *
 * Writes spikes[i] = 1 or 0 and returns how many neurons fired.
 */
export function stepLoihiLif(params: LoihiLifParameters, state: LoihiLifState, input: Int32Array, spikes: Uint8Array): number {
  const n = state.u.length;
  checkNeuronCount('v', state.v, n);
  checkNeuronCount('input', input, n);
  checkNeuronCount('spikes', spikes, n);
  checkNeuronCount('biasMantissa', params.biasMantissa, n);
  checkNeuronCount('biasExponent', params.biasExponent, n);
  checkLoihiDecay('du', params.du);
  checkLoihiDecay('dv', params.dv);
  checkLoihiThresholdMantissa('vthMantissa', params.vthMantissa);
  const uKeep = currentKeep(params.du);
  const vKeep = voltageKeep(params.dv);
  const threshold = thresholdFromMantissa(params.vthMantissa);
  const { u, v } = state;
  const { biasMantissa, biasExponent } = params;
  // The helpers' arithmetic, spelled out with the constants hoisted: this loop runs for every neuron every step.
  // (Math.trunc may give -0; stored into an Int32Array it is 0, as trunc12's `+ 0` makes it.)
  const half = 2 ** (STATE_BITS - 1);
  const full = 2 ** STATE_BITS;
  const vMax = half - 1;
  let fired = 0;
  for (let i = 0; i < n; i++) {
    let current = Math.trunc((u[i]! * uKeep) / DECAY_UNITY) + input[i]! * INPUT_SCALE;
    if (current > half) current -= full;
    else if (current <= -half) current += full;
    const e = biasExponent[i]!;
    const bias = e === 0 ? biasMantissa[i]! : shiftLeftSigned(biasMantissa[i]!, e);
    let voltage = Math.trunc((v[i]! * vKeep) / DECAY_UNITY) + current + bias;
    if (voltage > vMax) voltage = vMax;
    else if (voltage < -vMax) voltage = -vMax;
    u[i] = current;
    if (voltage > threshold) {
      v[i] = 0;
      spikes[i] = 1;
      fired++;
    } else {
      v[i] = voltage;
      spikes[i] = 0;
    }
  }
  return fired;
}

export interface LoihiAccumulatorParameters {
  readonly du: number;
  readonly dv: number;
  readonly biasMantissa: Int32Array;
  readonly biasExponent: Int32Array;
}

/**
 * The same compartment datapath with spiking disabled: an output neuron whose v accumulates the current over an
 * inference and is read by a probe at the end (the mean-over-time output layer, dv = 0).
 */
export function stepLoihiAccumulator(params: LoihiAccumulatorParameters, state: LoihiLifState, input: Int32Array): void {
  const n = state.u.length;
  checkNeuronCount('input', input, n);
  const uKeep = currentKeep(params.du);
  const vKeep = voltageKeep(params.dv);
  const { u, v } = state;
  for (let i = 0; i < n; i++) {
    const current = decayCurrent(u[i]!, uKeep, alignInput(input[i]!));
    u[i] = current;
    v[i] = integrateVoltage(v[i]!, vKeep, current, shiftLeftSigned(params.biasMantissa[i]!, params.biasExponent[i]!));
  }
}
