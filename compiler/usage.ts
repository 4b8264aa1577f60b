import { crossbarSynapseBits, groupedSynapseBitsForAxon } from '../chips/spec/synapse-memory.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import type { CoreSlice, QuantizedLayer, SliceUsage } from './stages.js';

/** What the accounting reads of a layer; a QuantizedLayer and a layer decoded from the IR both provide it. */
export type LayerView = Pick<QuantizedLayer, 'geometry' | 'pooling' | 'sourceShape' | 'shape' | 'weights' | 'weightBits'>;

/**
 * What one core slice uses, with the chip's synapse accounting. Conv layers on chips with grouped synapse memory
 * use population axons (as nengo-loihi lowers Conv2D): one input axon per source channel, its synapse list
 * (kernel taps x output channels of the core) shared by every source position. Crossbar cores (Tianjic) have
 * one axon per source position and store a full axons x neurons crossbar.
 */
export function sliceUsage(layer: LayerView, slice: CoreSlice, spec: ChipSpec, weightBits: number): SliceUsage {
  const channels = slice.channels[1] - slice.channels[0];
  const rows = slice.rows[1] - slice.rows[0];
  const cols = slice.cols[1] - slice.cols[0];
  const neurons = slice.role === 'soma' ? channels * rows * cols : 0;
  const fanInWidth = slice.fanIn[1] - slice.fanIn[0];
  const memory = spec.core.synapseMemory;
  const onHost = layer.weights.length === 0;
  if (onHost || fanInWidth === 0) return { neurons, inputAxons: 0, synapseBits: 0, synapses: 0, fanIn: 0 };
  const g = layer.geometry;
  if (g.kind === 'conv') {
    const [kh, kw] = g.kernel;
    const field = receptiveField(layer, slice);
    const taps = kh * kw;
    const fanIn = fanInWidth * taps;
    if (memory.kind === 'grouped-words') {
      const synapsesPerAxon = taps * channels;
      return {
        neurons,
        inputAxons: fanInWidth,
        synapseBits: fanInWidth * groupedSynapseBitsForAxon(memory, synapsesPerAxon, weightBits),
        synapses: fanInWidth * synapsesPerAxon,
        fanIn,
      };
    }
    const axons = fanInWidth * field.rows * field.cols;
    const crossbarNeurons = channels * rows * cols;
    return { neurons, inputAxons: axons, synapseBits: crossbarSynapseBits(memory, axons * crossbarNeurons), synapses: axons * crossbarNeurons, fanIn };
  }
  const outputs = channels;
  if (memory.kind === 'grouped-words') {
    let bits = 0;
    let synapses = 0;
    for (let i = slice.fanIn[0]; i < slice.fanIn[1]; i++) {
      let n = 0;
      for (let o = slice.channels[0]; o < slice.channels[1]; o++) if (layer.weights[o * g.inFeatures + i] !== 0) n++;
      if (n > 0) bits += groupedSynapseBitsForAxon(memory, n, weightBits);
      synapses += n;
    }
    return { neurons, inputAxons: fanInWidth, synapseBits: bits, synapses, fanIn: fanInWidth };
  }
  return { neurons, inputAxons: fanInWidth, synapseBits: crossbarSynapseBits(memory, fanInWidth * outputs), synapses: fanInWidth * outputs, fanIn: fanInWidth };
}

/** Rows and columns of the (pooled) source grid that a slice's output box reads. */
export function receptiveField(layer: LayerView, slice: Pick<CoreSlice, 'rows' | 'cols'>): { rowBegin: number; rows: number; colBegin: number; cols: number } {
  const g = layer.geometry;
  const grid = layer.pooling ? layer.pooling.pooledShape : layer.sourceShape;
  if (g.kind !== 'conv') return { rowBegin: 0, rows: grid[1], colBegin: 0, cols: grid[2] };
  const span = (begin: number, end: number, stride: number, pad: number, k: number, size: number) => {
    const first = Math.max(0, begin * stride - pad);
    const last = Math.min(size - 1, (end - 1) * stride - pad + k - 1);
    return { begin: first, count: Math.max(0, last - first + 1) };
  };
  const r = span(slice.rows[0], slice.rows[1], g.stride[0], g.padding[0], g.kernel[0], grid[1]);
  const c = span(slice.cols[0], slice.cols[1], g.stride[1], g.padding[1], g.kernel[1], grid[2]);
  return { rowBegin: r.begin, rows: r.count, colBegin: c.begin, cols: c.count };
}

/** Source channels (conv) or features (dense) a layer's synapses read: the width of its fan-in. */
export function fanInWidth(layer: LayerView): number {
  return layer.geometry.kind === 'conv' ? layer.geometry.inChannels : layer.geometry.inFeatures;
}

/** Bits one stored synapse takes: the layer's weight mantissa; no delays; a tag only when learning is on. */
export function synapseEntryBits(layer: LayerView, learning: boolean): number {
  return layer.weightBits + (learning ? 8 : 0);
}
