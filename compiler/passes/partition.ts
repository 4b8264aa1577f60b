import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { crossbarSynapseBits, groupedSynapseBitsForAxon } from '../../chips/spec/synapse-memory.js';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { CoreSlice, Partition, QuantizedLayer, QuantizedNetwork } from '../stages.js';
import { diagonal, fanInWidth, synapseEntryBits } from '../usage.js';

/** Tile sizes of one layer: output channels, rows, columns per core, and source channels/features per core. */
export interface Tiling {
  readonly channels: number;
  readonly rows: number;
  readonly cols: number;
  readonly fanIn: number;
}

/**
 * partition: splits every layer's neurons into boxes (channels x rows x columns) and, where one core cannot hold a
 * neuron's whole fan-in, its fan-in into ranges whose partial sums go to the core holding the neurons. Picks, per
 * layer, the tiling with the fewest cores whose largest box fits every per-core limit of the chip.
 * Reference: DESIGN.md section 4 (partition); per-core limits from the chip spec.
 */
export function partition(network: QuantizedNetwork, spec: ChipSpec, learningLayers: ReadonlySet<number> = new Set()): { partition: Partition; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // Last layer first: how many cores of the next layer one neuron must reach bounds how many neurons a core
  // can hold within its output axons.
  const tilings: (Tiling | null)[] = new Array(network.layers.length).fill(null);
  for (let index = network.layers.length - 1; index >= 0; index--) {
    const layer = network.layers[index]!;
    const annInput = index === 0 && network.placement === 'ann-core';
    // Every synapse set that reads this layer (the next layer's, and in a residual graph other layers' main
    // synapses and branches) costs each neuron output axons: one per set with multicast, else one per core reached.
    let reach = 0;
    network.layers.forEach((reader, r) => {
      const t = tilings[r];
      if (r <= index || !t) return;
      if (reader.source === index) reach += spec.mesh.multicast ? 1 : destinationsPerNeuron(reader, t);
      for (const b of reader.branches) {
        if (b.source !== index) continue;
        const view: QuantizedLayer = { ...reader, geometry: b.geometry, pooling: b.pooling, sourceShape: b.sourceShape, weights: b.weights, branches: [] };
        reach += spec.mesh.multicast ? 1 : destinationsPerNeuron(view, { ...t, fanIn: fanInWidth(view) });
      }
    });
    const previous = network.layers[index - 1];
    const bounds: TilingBounds = {
      somaNeurons: reach === 0 ? Number.POSITIVE_INFINITY : Math.floor(spec.core.maxOutputAxons / reach),
      // A partial-sum core sends one partial sum per neuron of its box to the soma core, one output axon each,
      // whether or not the layer has a next one.
      partialSumNeurons: spec.core.maxOutputAxons,
      feedsNext: (t) => spec.core.synapseMemory.kind !== 'grouped-words' || readersFit(network, tilings, index, t, spec),
      previousNeurons: previous ? previous.shape[0] * previous.shape[1] * previous.shape[2] : 0,
    };
    const tiling = chooseTiling(layer, spec, learningLayers.has(index), annInput, bounds);
    // The partial-sum bound narrows only boxes the soma bound leaves open (the output layer's), and a one-neuron
    // box, which fits wherever a larger one does, needs one axon: it is never why a layer has no tiling.
    if (!tiling) {
      diagnostics.push(
        diagnostic(
          'E-NEURONS',
          { layer: layer.name },
          {},
          'no tiling of this layer fits the per-core limits (neurons, axons, synapse memory, fan-in, and the output axons of the layer before): even one neuron with the smallest fan-in range does not fit a core',
        ),
      );
    }
    tilings[index] = tiling;
  }
  const slices = network.layers.map((layer, index) => {
    const tiling = tilings[index];
    return tiling ? slicesOf(index, layer, tiling, index === 0 && network.placement === 'ann-core') : [];
  });
  return { partition: { network, slices }, diagnostics };
}

/**
 * With population axons a core needs an axon per source channel per source core its receptive field reaches, for
 * its main synapses and, on a soma core, for every branch. Every layer that reads this one (tiled already: readers
 * come later) must fit with this layer tiled by `t`; a source not tiled yet counts its least (one core).
 */
function readersFit(network: QuantizedNetwork, tilings: readonly (Tiling | null)[], index: number, t: Tiling, spec: ChipSpec): boolean {
  return network.layers.every((reader, r) => {
    const readerTiling = tilings[r];
    if (r <= index || !readerTiling) return true;
    if (reader.source !== index && !reader.branches.some((b) => b.source === index)) return true;
    const sourceTiling = (source: number): Tiling | null => (source === index ? t : (tilings[source] ?? null));
    const axons = (view: QuantizedLayer, tiling: Tiling, source: Tiling | null): number => {
      if (view.geometry.kind !== 'conv') return Math.min(tiling.fanIn, fanInWidth(view));
      const least = Math.min(tiling.fanIn, view.geometry.inChannels, diagonal(view) ? tiling.channels : view.geometry.inChannels);
      return source ? nextInputAxons(view, tiling, source) : least;
    };
    let total = reader.weights.length === 0 ? 0 : axons(reader, readerTiling, sourceTiling(reader.source));
    for (const b of reader.branches) {
      const view: QuantizedLayer = { ...reader, geometry: b.geometry, pooling: b.pooling, sourceShape: b.sourceShape, weights: b.weights, branches: [] };
      total += axons(view, { ...readerTiling, fanIn: fanInWidth(view) }, sourceTiling(b.source));
    }
    return total <= spec.core.maxInputAxons;
  });
}

/**
 * Input axons of the next layer's largest core when this layer is tiled by `source`: with population axons a
 * core needs one axon per source channel per source core that reaches its receptive field.
 */
function nextInputAxons(next: QuantizedLayer, nextTiling: Tiling, source: Tiling): number {
  const g = next.geometry;
  if (g.kind !== 'conv') return 0;
  const [ps, qs] = next.pooling ? next.pooling.stride : [1, 1];
  const tilesOver = (outputs: number, stride: number, k: number, pool: number, tile: number, size: number) => {
    const span = Math.min(size, ((outputs - 1) * stride + k) * pool);
    return Math.min(Math.ceil(size / tile), Math.ceil((span - 1) / tile) + 1);
  };
  const [, H, W] = next.sourceShape;
  return (
    Math.min(nextTiling.fanIn, g.inChannels, diagonal(next) ? nextTiling.channels : g.inChannels) *
    tilesOver(nextTiling.rows, g.stride[0], g.kernel[0], ps, source.rows, H) *
    tilesOver(nextTiling.cols, g.stride[1], g.kernel[1], qs, source.cols, W)
  );
}

/**
 * The most cores of a layer that one source neuron feeds: every output-channel tile, times the row and column
 * tiles its (pooled) position reaches through the kernel. Partial-sum cores of other fan-in ranges do not count.
 */
export function destinationsPerNeuron(layer: QuantizedLayer, t: Tiling): number {
  const [C, H, W] = layer.shape;
  const channelTiles = Math.ceil(C / t.channels);
  const g = layer.geometry;
  if (g.kind !== 'conv') return channelTiles;
  const reach = (k: number, stride: number, tile: number, size: number) => {
    const outputs = Math.ceil(k / stride);
    return Math.min(Math.ceil(size / tile), Math.ceil((outputs - 1) / tile) + 1);
  };
  return channelTiles * reach(g.kernel[0], g.stride[0], t.rows, H) * reach(g.kernel[1], g.stride[1], t.cols, W);
}

function candidates(n: number): number[] {
  const values = new Set<number>();
  for (let k = 1; k <= n; k++) values.add(Math.ceil(n / k));
  return [...values].sort((a, b) => b - a);
}

/**
 * Source positions along one axis that `count` adjacent outputs read when no window is clipped: their windows
 * overlap into one span while stride <= kernel and are disjoint (kernel positions each) past it.
 */
function span(count: number, stride: number, kernel: number, size: number): number {
  return Math.min(size, (count - 1) * Math.min(stride, kernel) + kernel);
}

/**
 * Usage of the largest box of a tiling (an interior one, whose receptive field is not clipped by padding); a soma
 * core also holds every branch of the layer (residual graphs) over the branch's whole fan-in.
 */
function worstUsage(layer: QuantizedLayer, t: Tiling, spec: ChipSpec, learning: boolean, somaHoldsSynapses: boolean) {
  const own = mainWorstUsage(layer, t, spec, synapseEntryBits(spec, layer.weightBits, { learning, delay: 0 }), somaHoldsSynapses);
  if (!somaHoldsSynapses || layer.branches.length === 0) return own;
  return layer.branches.reduce((total, b) => {
    const view: QuantizedLayer = { ...layer, geometry: b.geometry, pooling: b.pooling, sourceShape: b.sourceShape, weights: b.weights, branches: [] };
    const entryBits = synapseEntryBits(spec, layer.weightBits, { learning: false, delay: b.delay });
    const u = mainWorstUsage(view, { ...t, fanIn: fanInWidth(view) }, spec, entryBits, true);
    return { neurons: total.neurons, inputAxons: total.inputAxons + u.inputAxons, synapseBits: total.synapseBits + u.synapseBits, fanIn: total.fanIn + u.fanIn };
  }, own);
}

function mainWorstUsage(layer: QuantizedLayer, t: Tiling, spec: ChipSpec, entryBits: number, somaHoldsSynapses: boolean) {
  const neurons = t.channels * t.rows * t.cols;
  const memory = spec.core.synapseMemory;
  const onHost = layer.weights.length === 0;
  if (onHost || !somaHoldsSynapses) return { neurons, inputAxons: 0, synapseBits: 0, fanIn: 0 };
  const g = layer.geometry;
  const grid = layer.pooling ? layer.pooling.pooledShape : layer.sourceShape;
  if (g.kind === 'conv') {
    const taps = g.kernel[0] * g.kernel[1];
    if (memory.kind === 'grouped-words' && diagonal(layer)) {
      const axons = Math.min(t.fanIn, t.channels);
      return { neurons, inputAxons: axons, synapseBits: axons * groupedSynapseBitsForAxon(memory, 1, entryBits), fanIn: axons };
    }
    if (memory.kind === 'grouped-words') {
      return { neurons, inputAxons: t.fanIn, synapseBits: t.fanIn * groupedSynapseBitsForAxon(memory, taps * t.channels, entryBits), fanIn: t.fanIn * taps };
    }
    const axons = t.fanIn * span(t.rows, g.stride[0], g.kernel[0], grid[1]) * span(t.cols, g.stride[1], g.kernel[1], grid[2]);
    return { neurons, inputAxons: axons, synapseBits: crossbarSynapseBits(memory, axons * neurons), fanIn: t.fanIn * taps };
  }
  const bits = memory.kind === 'grouped-words' ? t.fanIn * groupedSynapseBitsForAxon(memory, t.channels, entryBits) : crossbarSynapseBits(memory, t.fanIn * t.channels);
  return { neurons, inputAxons: t.fanIn, synapseBits: bits, fanIn: t.fanIn };
}

function synapseLimit(spec: ChipSpec): number {
  const memory = spec.core.synapseMemory;
  if (memory.kind === 'grouped-words') return memory.totalBits;
  return spec.core.sramBytes !== null ? spec.core.sramBytes * 8 : Number.POSITIVE_INFINITY;
}

function fitsCore(u: { neurons: number; inputAxons: number; synapseBits: number; fanIn: number }, spec: ChipSpec): boolean {
  const c = spec.core;
  return u.neurons <= c.maxNeurons && u.inputAxons <= c.maxInputAxons && u.synapseBits <= synapseLimit(spec) && (c.maxFanIn === null || u.fanIn <= c.maxFanIn);
}

/** What bounds a layer's boxes besides the per-core limits of the chip. */
export interface TilingBounds {
  /** Most neurons a box may hold for its soma core's output axons to reach the next layer's cores. */
  readonly somaNeurons: number;
  /** Most neurons a box with partial-sum cores may hold: each sends one partial sum per neuron to the soma core. */
  readonly partialSumNeurons: number;
  /** Whether the next layer's cores have the input axons for this layer tiled so. */
  readonly feedsNext: (t: Tiling) => boolean;
  /** Neurons of the layer before, whose output axons the tiling also costs (0 for the first layer). */
  readonly previousNeurons: number;
}

export function chooseTiling(layer: QuantizedLayer, spec: ChipSpec, learning: boolean, annInput: boolean, bounds: TilingBounds): Tiling | null {
  // The layer feeding this one needs an output axon per (neuron, destination core) on a chip without multicast,
  // so a tiling that sends each spike to many cores costs cores there too: count them in the score.
  const perSourceCore = (t: Tiling) => {
    if (bounds.previousNeurons === 0) return 0;
    const reach = spec.mesh.multicast ? 1 : destinationsPerNeuron(layer, t);
    return Math.ceil(bounds.previousNeurons / Math.max(1, Math.min(spec.core.maxNeurons, Math.floor(spec.core.maxOutputAxons / reach))));
  };
  const [C, H, W] = layer.shape;
  const F = layer.weights.length === 0 ? 1 : fanInWidth(layer);
  let best: { tiling: Tiling; score: number } | null = null;
  for (const fanIn of candidates(F)) {
    const fanInTiles = Math.ceil(F / fanIn);
    // Partial-sum cores: every fan-in range but the soma core's, or all of an ANN-mode input layer's.
    const partialSums = annInput || fanInTiles > 1;
    const maxBox = partialSums ? Math.min(bounds.somaNeurons, bounds.partialSumNeurons) : bounds.somaNeurons;
    for (const channels of candidates(C)) {
      for (const rows of candidates(H)) {
        for (const cols of candidates(W)) {
          const t: Tiling = { channels, rows, cols, fanIn };
          const boxes = Math.ceil(C / channels) * Math.ceil(H / rows) * Math.ceil(W / cols);
          // An ANN-mode input layer keeps its neurons on spiking cores and all synapses on ANN cores.
          const cores = boxes * (annInput ? fanInTiles + 1 : fanInTiles);
          if (best && cores >= best.score) continue;
          if (channels * rows * cols > maxBox || !bounds.feedsNext(t)) continue;
          const soma = worstUsage(layer, t, spec, learning, !annInput);
          const synapses = annInput ? worstUsage(layer, t, spec, learning, true) : soma;
          if (!fitsCore(soma, spec) || !fitsCore({ ...synapses, neurons: 0 }, spec)) continue;
          const score = cores + perSourceCore(t);
          if (!best || score < best.score) best = { tiling: t, score };
        }
      }
    }
  }
  return best?.tiling ?? null;
}

function slicesOf(layerIndex: number, layer: QuantizedLayer, t: Tiling, annInput: boolean): CoreSlice[] {
  const [C, H, W] = layer.shape;
  const F = layer.weights.length === 0 ? 0 : fanInWidth(layer);
  const ranges = (n: number, step: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let b = 0; b < n; b += step) out.push([b, Math.min(n, b + step)]);
    return out;
  };
  const fanInRanges = F === 0 ? [[0, 0] as [number, number]] : ranges(F, t.fanIn);
  const boxes: Omit<CoreSlice, 'role' | 'fanIn' | 'annMode'>[] = [];
  for (const channels of ranges(C, t.channels)) {
    for (const rows of ranges(H, t.rows)) {
      for (const cols of ranges(W, t.cols)) boxes.push({ layer: layerIndex, channels, rows, cols });
    }
  }
  const soma: CoreSlice[] = boxes.map((box) => ({ ...box, role: 'soma', annMode: false, fanIn: annInput ? [0, 0] : fanInRanges[0]! }));
  const partial: CoreSlice[] = [];
  const firstPartial = annInput ? 0 : 1;
  for (let f = firstPartial; f < fanInRanges.length; f++) {
    for (const box of boxes) partial.push({ ...box, role: 'partial', annMode: annInput, fanIn: fanInRanges[f]! });
  }
  return [...soma, ...partial];
}
