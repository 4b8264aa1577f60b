import { bitsPerSynapse, crossbarSynapseBits, delayFieldBits, groupedSynapseBitsForAxon } from '../chips/spec/synapse-memory.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { isDiagonalConv } from '../chips/ir/diagonal.js';
import type { CoreSlice, QuantizedLayer, SliceUsage } from './stages.js';

/** What the accounting reads of a layer; a QuantizedLayer and a layer decoded from the IR both provide it. */
export type LayerView = Pick<QuantizedLayer, 'geometry' | 'pooling' | 'sourceShape' | 'shape' | 'weights' | 'weightBits'> & {
  /** Synapse sets from other layers (residual graphs), held in full by every soma core of the layer. */
  readonly branches?: readonly (Pick<QuantizedLayer, 'geometry' | 'pooling' | 'sourceShape' | 'weights'> & { readonly delay: number })[];
};

/** A branch of a layer seen as a layer of its own over its source, for the same accounting. */
export function branchView(layer: LayerView, branch: NonNullable<LayerView['branches']>[number]): LayerView {
  return { geometry: branch.geometry, pooling: branch.pooling, sourceShape: branch.sourceShape, shape: layer.shape, weights: branch.weights, weightBits: layer.weightBits };
}

/**
 * What one core slice uses, with the chip's synapse accounting. Conv layers on chips with grouped synapse memory
 * use population axons (as nengo-loihi lowers Conv2D): one input axon per source channel, its synapse list
 * (kernel taps x output channels of the core) shared by every source position. Crossbar cores (Tianjic) have
 * one axon per source position the core's kernel windows read and store a full axons x neurons crossbar.
 */
export function sliceUsage(layer: LayerView, slice: CoreSlice, spec: ChipSpec, learning: boolean): SliceUsage {
  const own = mainUsage(layer, slice, spec, synapseEntryBits(spec, layer.weightBits, { learning, delay: 0 }));
  if (slice.role !== 'soma' || !layer.branches?.length) return own;
  // A soma core also holds every branch's synapses onto its neurons, over the branch's whole fan-in.
  return layer.branches.reduce((total, branch) => {
    const view = branchView(layer, branch);
    // The learning engine updates the main synapses only: a branch stores no tag, but its delay.
    const bits = synapseEntryBits(spec, layer.weightBits, { learning: false, delay: branch.delay });
    const u = mainUsage(view, { ...slice, fanIn: diagonal(view) ? slice.channels : [0, fanInWidth(view)] }, spec, bits);
    return {
      neurons: total.neurons,
      inputAxons: total.inputAxons + u.inputAxons,
      synapseBits: total.synapseBits + u.synapseBits,
      synapses: total.synapses + u.synapses,
      fanIn: total.fanIn + u.fanIn,
    };
  }, own);
}

function mainUsage(layer: LayerView, slice: CoreSlice, spec: ChipSpec, entryBits: number): SliceUsage {
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
    if (memory.kind === 'grouped-words' && diagonal(layer)) {
      // Each input channel in the core's range drives its own channel only.
      const axons = Math.max(0, Math.min(slice.fanIn[1], slice.channels[1]) - Math.max(slice.fanIn[0], slice.channels[0]));
      return { neurons, inputAxons: axons, synapseBits: axons * groupedSynapseBitsForAxon(memory, 1, entryBits), synapses: axons, fanIn: axons };
    }
    if (memory.kind === 'grouped-words') {
      const synapsesPerAxon = taps * channels;
      return {
        neurons,
        inputAxons: fanInWidth,
        synapseBits: fanInWidth * groupedSynapseBitsForAxon(memory, synapsesPerAxon, entryBits),
        synapses: fanInWidth * synapsesPerAxon,
        fanIn,
      };
    }
    const axons = fanInWidth * field.rows.count * field.cols.count;
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
      if (n > 0) bits += groupedSynapseBitsForAxon(memory, n, entryBits);
      synapses += n;
    }
    return { neurons, inputAxons: fanInWidth, synapseBits: bits, synapses, fanIn: fanInWidth };
  }
  return { neurons, inputAxons: fanInWidth, synapseBits: crossbarSynapseBits(memory, fanInWidth * outputs), synapses: fanInWidth * outputs, fanIn: fanInWidth };
}

/**
 * The positions along one axis of the (pooled) source grid that a range of conv outputs reads: the union of their
 * kernel windows (output o reads [o * stride - pad, o * stride - pad + kernel)), clipped to the grid. With
 * stride > kernel the windows leave gaps, positions no synapse reads: the runtime sends them nowhere, so nothing
 * here counts them. `begin` and `end` bound the read positions; `count` is how many there are.
 */
export interface AxisField {
  readonly begin: number;
  readonly end: number;
  readonly count: number;
  readonly stride: number;
  readonly kernel: number;
  readonly pad: number;
}

export function axisField(outBegin: number, outEnd: number, stride: number, pad: number, kernel: number, size: number): AxisField {
  const begin = Math.max(0, outBegin * stride - pad);
  const end = outEnd > outBegin ? Math.max(begin, Math.min(size, (outEnd - 1) * stride - pad + kernel)) : begin;
  const field = { begin, end, count: 0, stride, kernel, pad };
  return { ...field, count: readPositions(field, begin, end) };
}

/** Positions in [from, to) of the source grid that the field reads. */
export function readPositions(f: Omit<AxisField, 'count'>, from: number, to: number): number {
  const a = Math.max(from, f.begin);
  const b = Math.min(to, f.end);
  if (b <= a) return 0;
  if (f.stride <= f.kernel) return b - a;
  // Shifted by the padding, position q is read when (q + pad) mod stride < kernel: count those below x.
  const below = (x: number) => Math.floor(x / f.stride) * f.kernel + Math.min(x % f.stride, f.kernel);
  return below(b + f.pad) - below(a + f.pad);
}

/**
 * Source positions in [range[0], range[1]) of the unpooled axis whose pooled index (position / pool) the field
 * reads; a position a floor-rounding pool drops lies past the pooled grid, so outside every field.
 */
export function readSourcePositions(f: AxisField, range: readonly [number, number], pool: number): number {
  const [begin, end] = range;
  if (end <= begin) return 0;
  if (pool === 1) return readPositions(f, begin, end);
  const first = Math.floor(begin / pool);
  const last = Math.floor((end - 1) / pool);
  if (first === last) return (end - begin) * readPositions(f, first, first + 1);
  return ((first + 1) * pool - begin) * readPositions(f, first, first + 1) + pool * readPositions(f, first + 1, last) + (end - last * pool) * readPositions(f, last, last + 1);
}

/** Rows and columns of the (pooled) source grid that a slice's output box reads (every one of a dense layer). */
export function receptiveField(layer: LayerView, slice: Pick<CoreSlice, 'rows' | 'cols'>): { rows: AxisField; cols: AxisField } {
  const g = layer.geometry;
  const grid = layer.pooling ? layer.pooling.pooledShape : layer.sourceShape;
  if (g.kind !== 'conv') return { rows: axisField(0, 1, 1, 0, grid[1], grid[1]), cols: axisField(0, 1, 1, 0, grid[2], grid[2]) };
  return {
    rows: axisField(slice.rows[0], slice.rows[1], g.stride[0], g.padding[0], g.kernel[0], grid[1]),
    cols: axisField(slice.cols[0], slice.cols[1], g.stride[1], g.padding[1], g.kernel[1], grid[2]),
  };
}

/** What the whole layer reads of its (pooled) source grid: the field of all its outputs. */
export function layerField(layer: LayerView): { rows: AxisField; cols: AxisField } {
  return receptiveField(layer, { rows: [0, layer.shape[1]], cols: [0, layer.shape[2]] });
}

/** True for a 1x1 conv that connects each channel to itself alone (chips/ir/diagonal.ts). */
export function diagonal(layer: Pick<LayerView, 'geometry' | 'weights'>): boolean {
  const g = layer.geometry;
  return g.kind === 'conv' && isDiagonalConv(g.kernel[0] * g.kernel[1], g.inChannels, g.outChannels, layer.weights);
}

/** Source channels (conv) or features (dense) a layer's synapses read: the width of its fan-in. */
export function fanInWidth(layer: LayerView): number {
  return layer.geometry.kind === 'conv' ? layer.geometry.inChannels : layer.geometry.inFeatures;
}

/**
 * Bits one stored synapse of a synapse set takes (chips/spec/synapse-memory.ts): the weight mantissa, the chip's
 * tag where the learning engine updates the set, and a delay field where the set's spikes wait (a residual
 * branch); main synapses arrive undelayed and store none.
 */
export function synapseEntryBits(spec: ChipSpec, weightBits: number, set: { readonly learning: boolean; readonly delay: number }): number {
  return bitsPerSynapse({
    weightBits,
    tagBits: set.learning ? (spec.learning?.tagBits ?? 0) : 0,
    delayBits: set.delay > 0 ? delayFieldBits(spec.neuron.maxDelaySteps) : 0,
  });
}
