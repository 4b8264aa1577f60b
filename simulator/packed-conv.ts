import type { LayerRuntime } from './runtime.js';

/** Each lane holds a signed 16-bit sum. */
const LANE_BITS = 16;
const LANE_LIMIT = 2 ** (LANE_BITS - 1);

/**
 * A conv layer's synapses with two output channels per 32-bit word (SIMD within a register): channel 2j in the
 * low half, 2j + 1 in the high half, so one add does the work of two. The accumulator word of neurons 2i and
 * 2i + 1 (the same position, channels-last) is congruent to lo + hi * 2^16 modulo 2^32 whatever the order of
 * the adds, and each half is recovered exactly when every partial sum of one neuron stays within ±2^15: that is
 * checked when the table is built from the weights and the largest spike count an axon can carry (its pooling
 * window), and when it cannot be guaranteed the layer keeps the plain scatter. The unpacked sums are then the
 * exact sums, which the plain Int32Array accumulator also holds (no 32-bit wrap is possible below 2^15).
 */
export interface PackedConv {
  /** Packed weights as [inChannel][tap][outChannel / 2]. */
  readonly weights: Int32Array;
  readonly accumulator: Int32Array;
  readonly halfChannels: number;
}

/**
 * True when every partial sum of every neuron of this conv layer fed by spikes stays within a signed 16-bit lane
 * in one step, in any order of adds: the bound is each neuron's sum over the (source position, tap) pairs that
 * reach it of |weight| times the most spikes one axon can carry (its pooling window), over every input channel.
 */
export function convSumsFit16(layer: LayerRuntime): boolean {
  const s = layer.synapses;
  if (s.kind !== 'conv') return false;
  const maxCount = mostSpikesPerAxon(layer);
  const outC = s.outChannels;
  const inC = s.weights.length / outC / s.taps;
  // Per tap and output channel, the most one source position can add (every input channel at maxCount spikes);
  // then per output neuron the sum of that over every (source position, tap) pair of the table that reaches it.
  const perTap = new Float64Array(s.taps * outC);
  for (let ci = 0; ci < inC; ci++)
    for (let k = 0; k < s.taps; k++)
      for (let co = 0; co < outC; co++) perTap[k * outC + co] = perTap[k * outC + co]! + Math.abs(s.weights[(ci * s.taps + k) * outC + co]!) * maxCount;
  const bound = new Float64Array(layer.neurons);
  for (let j = 0; j < s.outPosition.length; j++) {
    const out = s.outPosition[j]! * outC;
    const k = s.tap[j]! * outC;
    for (let co = 0; co < outC; co++) bound[out + co] = bound[out + co]! + perTap[k + co]!;
  }
  for (const b of bound) if (b >= LANE_LIMIT) return false;
  return true;
}

/** The largest spike count one axon can carry in a step: how many source neurons share it (its pooling window). */
export function mostSpikesPerAxon(layer: LayerRuntime): number {
  const perAxon = new Int32Array(layer.axonSpikes.length);
  for (const axon of layer.axonOf) if (axon >= 0) perAxon[axon] = perAxon[axon]! + 1;
  let maxCount = 0;
  for (const c of perAxon) if (c > maxCount) maxCount = c;
  return maxCount;
}

/** True when every weight of a conv layer fits a signed 16-bit lane (the running bound of scatterConvBounded). */
export function convWeightsFit16(layer: LayerRuntime): boolean {
  const s = layer.synapses;
  if (s.kind !== 'conv') return false;
  for (const w of s.weights) if (w < -LANE_LIMIT || w >= LANE_LIMIT) return false;
  return true;
}

/**
 * Per (input channel, tap) of a conv layer, the largest |weight| over its output channels: one event of value v
 * through that tap moves no lane of the row it reaches by more than |v| times it.
 */
export function convTapMaxima(layer: LayerRuntime): Int32Array {
  const s = layer.synapses;
  if (s.kind !== 'conv') throw new Error(`layer ${layer.name}: tap maxima need conv synapses`);
  const outC = s.outChannels;
  const maxima = new Int32Array(s.weights.length / outC);
  for (let row = 0; row < maxima.length; row++) {
    let most = 0;
    for (let co = 0; co < outC; co++) most = Math.max(most, Math.abs(s.weights[row * outC + co]!));
    maxima[row] = most;
  }
  return maxima;
}

/** The packed table of a conv layer fed by spikes, or null when its sums could overflow a 16-bit lane. */
export function packConvSynapses(layer: LayerRuntime): PackedConv | null {
  const s = layer.synapses;
  if (s.kind !== 'conv' || s.outChannels % 2 !== 0 || !convSumsFit16(layer)) return null;
  const outC = s.outChannels;
  const rows = s.weights.length / outC;
  const half = outC / 2;
  const weights = new Int32Array(rows * half);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < half; j++) weights[r * half + j] = (s.weights[r * outC + 2 * j]! + s.weights[r * outC + 2 * j + 1]! * 2 ** LANE_BITS) | 0;
  }
  return { weights, accumulator: new Int32Array(layer.neurons / 2), halfChannels: half };
}

/** `value` spikes on one axon into the packed accumulator (value * word: both lanes at once, modulo 2^32). */
export function scatterPacked(layer: LayerRuntime, packed: PackedConv, axon: number, value: number): void {
  const s = layer.synapses;
  if (s.kind !== 'conv') return;
  const acc = packed.accumulator;
  const weights = packed.weights;
  const half = packed.halfChannels;
  const channel = Math.floor(axon / s.pooledPlane);
  const position = axon - channel * s.pooledPlane;
  const base = channel * s.taps * half;
  const { outPosition, tap } = s;
  for (let j = s.start[position]!, end = s.start[position + 1]!; j < end; j++) {
    const w = base + tap[j]! * half;
    const a = outPosition[j]! * half;
    if (value === 1) for (let k = 0; k < half; k++) acc[a + k] = (acc[a + k]! + weights[w + k]!) | 0;
    else for (let k = 0; k < half; k++) acc[a + k] = (acc[a + k]! + Math.imul(value, weights[w + k]!)) | 0;
  }
}

/**
 * Adds the packed sums into the layer's accumulator, two neurons per word, and clears them. The low lane is
 * the word sign-extended from 16 bits; the word minus it is hi * 2^16 modulo 2^32, so its arithmetic shift is hi.
 */
export function unpackInto(packed: PackedConv, accumulator: Int32Array): void {
  const words = packed.accumulator;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const lo = (word << LANE_BITS) >> LANE_BITS;
    accumulator[2 * i] = accumulator[2 * i]! + lo;
    accumulator[2 * i + 1] = accumulator[2 * i + 1]! + (((word - lo) | 0) >> LANE_BITS);
    words[i] = 0;
  }
}
