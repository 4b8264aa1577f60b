import { isDiagonalConv } from '../chips/ir/diagonal.js';
import type { LayerRuntime } from './runtime.js';

/** Weights below this magnitude times any 32-bit event value give products exact in doubles (< 2^53). */
const EXACT_WEIGHT_LIMIT = 2 ** 21;

/** True when `scatter` may work modulo 2^32 on this layer: every product value * weight is an exact double. */
export function weightsFitExactProducts(layer: LayerRuntime): boolean {
  const s = layer.synapses;
  if (s.kind === 'host') return true;
  for (const w of s.weights) if (w <= -EXACT_WEIGHT_LIMIT || w >= EXACT_WEIGHT_LIMIT) return false;
  return true;
}

/**
 * Dendritic accumulation of one event (an axon carrying `value` spikes or a graded payload) through the layer's
 * synapse table. The accumulator is an Int32Array: storing `acc + value * w` into it wraps the exact sum to 32
 * bits, so with exact products (`exactProducts`, see weightsFitExactProducts) every add may be taken modulo 2^32
 * (`Math.imul`, `| 0`), which gives the same integers and lets the JIT stay in 32-bit arithmetic. Otherwise the
 * sum is formed in doubles as stated.
 */
export function scatter(layer: LayerRuntime, axon: number, value: number, exactProducts: boolean): void {
  const s = layer.synapses;
  const acc = layer.accumulator;
  if (!exactProducts) {
    scatterInDoubles(layer, axon, value);
    return;
  }
  if (s.kind === 'conv') {
    const channel = Math.floor(axon / s.pooledPlane);
    const position = axon - channel * s.pooledPlane;
    const outC = s.outChannels;
    const base = channel * s.taps * outC;
    const { outPosition, tap, weights } = s;
    for (let j = s.start[position]!, end = s.start[position + 1]!; j < end; j++) {
      const w = base + tap[j]! * outC;
      const a = outPosition[j]! * outC;
      if (value === 1) for (let co = 0; co < outC; co++) acc[a + co] = (acc[a + co]! + weights[w + co]!) | 0;
      else for (let co = 0; co < outC; co++) acc[a + co] = (acc[a + co]! + Math.imul(value, weights[w + co]!)) | 0;
    }
  } else if (s.kind === 'sparse') {
    const { targets, weights } = s;
    for (let k = s.rowStart[axon]!, end = s.rowStart[axon + 1]!; k < end; k++) acc[targets[k]!] = (acc[targets[k]!]! + Math.imul(value, weights[k]!)) | 0;
  } else if (s.kind === 'dense') {
    const outF = s.outFeatures;
    const w = axon * outF;
    const weights = s.weights;
    for (let o = 0; o < outF; o++) acc[o] = (acc[o]! + Math.imul(value, weights[w + o]!)) | 0;
  }
}

/** The same accumulation with the products formed in doubles, for weights too wide for exact 32-bit products. */
function scatterInDoubles(layer: LayerRuntime, axon: number, value: number): void {
  const s = layer.synapses;
  const acc = layer.accumulator;
  if (s.kind === 'conv') {
    const channel = Math.floor(axon / s.pooledPlane);
    const position = axon - channel * s.pooledPlane;
    const outC = s.outChannels;
    const base = channel * s.taps * outC;
    for (let j = s.start[position]!, end = s.start[position + 1]!; j < end; j++) {
      const w = base + s.tap[j]! * outC;
      const a = s.outPosition[j]! * outC;
      for (let co = 0; co < outC; co++) acc[a + co] = acc[a + co]! + value * s.weights[w + co]!;
    }
  } else if (s.kind === 'sparse') {
    for (let k = s.rowStart[axon]!, end = s.rowStart[axon + 1]!; k < end; k++) acc[s.targets[k]!] = acc[s.targets[k]!]! + value * s.weights[k]!;
  } else if (s.kind === 'dense') {
    const w = axon * s.outFeatures;
    for (let o = 0; o < s.outFeatures; o++) acc[o] = acc[o]! + value * s.weights[w + o]!;
  }
}

/**
 * `scatter` through a diagonal 1x1 conv (chips/ir/diagonal.ts: a residual identity): an axon's channel reaches its
 * own channel alone, every other weight being zero, so only that product is added; the same integers as `scatter`
 * with a whole row of zeros beside it.
 */
export function scatterDiagonal(layer: LayerRuntime, axon: number, value: number, exactProducts: boolean): void {
  const s = layer.synapses;
  if (s.kind !== 'conv') throw new Error(`layer ${layer.name}: scatterDiagonal needs conv synapses`);
  const acc = layer.accumulator;
  const channel = Math.floor(axon / s.pooledPlane);
  const position = axon - channel * s.pooledPlane;
  const outC = s.outChannels;
  const w = s.weights[channel * outC + channel]!;
  for (let j = s.start[position]!, end = s.start[position + 1]!; j < end; j++) {
    const a = s.outPosition[j]! * outC + channel;
    acc[a] = exactProducts ? (acc[a]! + Math.imul(value, w)) | 0 : acc[a]! + value * w;
  }
}

/** True when a layer's synapses are a diagonal 1x1 conv, which scatterDiagonal delivers. */
export function isDiagonalTable(layer: LayerRuntime): boolean {
  const s = layer.synapses;
  return s.kind === 'conv' && isDiagonalConv(s.taps, s.weights.length / (s.taps * s.outChannels), s.outChannels, s.weights);
}
