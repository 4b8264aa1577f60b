// Reference: Loihi 1's bit-accurate CUBA LIF (lava-nc/lava PyLifModelBitAcc, chips/loihi/lif-kernel.ts) extended with what DESIGN.md section 3 says Loihi 2's microcoded neurons allow: soft reset, per-step threshold tables, graded spikes. Loihi 2's own microcode is not public: these choices are ours and unconfirmed.
import { shiftLeftSigned } from '../fixed-point/shift.js';
import {
  alignInput,
  checkLoihiDecay,
  checkLoihiThresholdMantissa,
  checkNeuronCount,
  currentKeep,
  decayCurrent,
  integrateVoltage,
  thresholdFromMantissa,
  voltageKeep,
} from '../loihi/lif-kernel.js';
import type { ResetMode } from '../spec/chip-spec.js';

/** Parameters of one Loihi 2 neuron group. */
export interface Loihi2LifParameters {
  /** Current decay du, 12-bit unsigned (0..4095); u keeps (4096 - (du + 1)) / 4096 per step, as on Loihi 1. */
  readonly du: number;
  /** Voltage decay dv, 12-bit unsigned (0..4095); v keeps (4096 - dv) / 4096 per step. */
  readonly dv: number;
  /**
   * Threshold mantissa per time step of an inference, 17-bit unsigned each: step t fires when
   * v > thresholdTable[t] << 6. A table of one entry is a constant threshold; otherwise t must lie in the table.
   */
  readonly thresholdTable: Int32Array;
  /** `zero`: v = 0 after a spike (Loihi 1). `subtract`: v -= threshold (soft reset, the papers' neuron). */
  readonly resetMode: ResetMode;
  /** Bias mantissa per neuron, 13-bit signed. */
  readonly biasMantissa: Int32Array;
  /** Bias exponent per neuron: the bias is biasMantissa << biasExponent. */
  readonly biasExponent: Int32Array;
}

export interface Loihi2LifState {
  /** Synaptic current u, 24-bit (wrapped as on Loihi 1). */
  readonly u: Int32Array;
  /** Membrane voltage v, 24-bit, saturated to ±(2^23 - 1). */
  readonly v: Int32Array;
}

/** One step's input per neuron; allocate once and refill every step. */
export interface Loihi2LifInput {
  /** Binary-spike synaptic input a_in (sum of w << weight_exp), MSB-aligned by << 6 as on Loihi 1 (unconfirmed for Loihi 2). */
  readonly synaptic: Int32Array;
  /**
   * Graded-spike input: the weighted payloads that arrived, added to u at u's own resolution (no << 6), so a
   * 24-bit payload can carry an analog value at full precision; null when no graded spikes are used.
   */
  readonly graded: Int32Array | null;
}

/** The threshold mantissa for time step `step` (0-based within the inference). */
export function thresholdMantissaAt(table: Int32Array, step: number): number {
  if (table.length === 1) return table[0]!;
  if (!Number.isInteger(step) || step < 0 || step >= table.length) {
    throw new RangeError(`step ${step} is outside the threshold table (${table.length} steps)`);
  }
  return table[step]!;
}

/**
 * One time step of N Loihi 2 CUBA LIF neurons, in place, allocating nothing:
 *
 *     u = wrap24(trunc12(u * (4096 - (du + 1))) + (a_in << 6) + graded)
 *     v = clip(trunc12(v * (4096 - dv)) + u + (bias_mant << bias_exp), -(2^23 - 1), 2^23 - 1)
 *     th = thresholdTable[step] << 6;  s = v > th
 *     v[s] = 0 (reset zero) or v[s] -= th (reset subtract);  u is not reset
 *
 * The spike test stays Loihi 1's strict `>`; the papers' `u - theta >= 0` differs only when v equals the
 * threshold exactly. After a subtractive reset v may still exceed the threshold: one spike per step, the residue
 * carries over. With resetMode 'zero', a constant table and no graded input this is exactly Loihi 1's kernel.
 *
 * Writes spikes[i] = 1 or 0 and returns how many neurons fired.
 */
export function stepLoihi2Lif(params: Loihi2LifParameters, state: Loihi2LifState, input: Loihi2LifInput, step: number, spikes: Uint8Array): number {
  const n = state.u.length;
  checkNeuronCount('v', state.v, n);
  checkNeuronCount('input.synaptic', input.synaptic, n);
  if (input.graded !== null) checkNeuronCount('input.graded', input.graded, n);
  checkNeuronCount('spikes', spikes, n);
  checkNeuronCount('biasMantissa', params.biasMantissa, n);
  checkNeuronCount('biasExponent', params.biasExponent, n);
  checkLoihiDecay('du', params.du);
  checkLoihiDecay('dv', params.dv);
  const mantissa = thresholdMantissaAt(params.thresholdTable, step);
  checkLoihiThresholdMantissa('the threshold table entry for this step', mantissa);
  const uKeep = currentKeep(params.du);
  const vKeep = voltageKeep(params.dv);
  const threshold = thresholdFromMantissa(mantissa);
  const subtractive = params.resetMode === 'subtract';
  const { u, v } = state;
  const { synaptic, graded } = input;
  const { biasMantissa, biasExponent } = params;
  let fired = 0;
  for (let i = 0; i < n; i++) {
    const gradedInput = graded === null ? 0 : graded[i]!;
    const current = decayCurrent(u[i]!, uKeep, alignInput(synaptic[i]!) + gradedInput);
    const bias = shiftLeftSigned(biasMantissa[i]!, biasExponent[i]!);
    const voltage = integrateVoltage(v[i]!, vKeep, current, bias);
    u[i] = current;
    if (voltage > threshold) {
      v[i] = subtractive ? voltage - threshold : 0;
      spikes[i] = 1;
      fired++;
    } else {
      v[i] = voltage;
      spikes[i] = 0;
    }
  }
  return fired;
}
