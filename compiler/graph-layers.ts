import { MODEL_INPUT } from '../models/graph/model.js';
import { CompileError } from './errors.js';
import type { FloatBranch, FloatLayer, FoldedAdaptivePool, FoldedPool, FrozenLif, FrozenModel, FrozenNode, LayeredModel, PoolingStage, SynapticGeometry } from './stages.js';

type Shape3 = readonly [number, number, number];

/** Spikes of one chip layer (or the input sample: -1), seen through the pooling on the way to a synaptic layer. */
interface SpikeSource {
  readonly layer: number;
  readonly pooling: PoolingStage | null;
  readonly names: readonly string[];
}

/** One synaptic map of spikes into a layer's neurons: weights over one source, and its share of the bias. */
interface Term {
  readonly source: SpikeSource;
  readonly geometry: SynapticGeometry;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly names: readonly string[];
}

/**
 * Groups a frozen graph (residual adds, spike sums, max pooling of spikes) into chip layers. A layer's neurons
 * (a LIF node, or the last synaptic node as the output) receive the sum of every synaptic map that reaches them
 * through adds: each becomes a synapse set onto the same compartments, by linearity. An add of spike trains read
 * by a synaptic layer (SEW-ResNet) gives that layer one synapse set per spiking source, with the same weights;
 * a norm after an add was folded into both operands by fold-norm. Max pooling of spikes is an OR over the window,
 * lowered as neurons with unit synapses from the window that fire on any input (threshold 1/2, no memory). A
 * shortcut that carries a real-valued stream into max pooling or into neurons through no synapses (NF-ResNet's)
 * has no synaptic form and is refused, naming the layer.
 * Reference: DESIGN.md section 2 (residual variants) and section 4.
 */
export function graphToLayers(model: FrozenModel): LayeredModel {
  const nodes = model.nodes;
  const at = new Map(nodes.map((n, i) => [n.name, i] as const));
  const where = (name: string) => `${model.name}: layer ${name}`;
  const operands = (i: number): string[] => {
    const node = nodes[i]!;
    const first = node.input ?? (i === 0 ? MODEL_INPUT : nodes[i - 1]!.name);
    return node.kind === 'add' ? [first, node.from] : [first];
  };
  const inputShape = shape3(model.input.shape);
  const layers: FloatLayer[] = [];
  const layerOf = new Map<string, number>();
  const shapeOfLayer = (l: number): Shape3 => (l < 0 ? inputShape : layers[l]!.shape);

  const spikeSources = (name: string, reader: string): SpikeSource[] => {
    if (name === MODEL_INPUT) return [{ layer: -1, pooling: null, names: [] }];
    const layer = layerOf.get(name);
    if (layer !== undefined) return [{ layer, pooling: null, names: [] }];
    const i = at.get(name)!;
    const node = nodes[i]!;
    switch (node.kind) {
      case 'add': {
        const [a, b] = operands(i);
        return [...spikeSources(a!, reader), ...spikeSources(b!, reader)].map((s) => ({ ...s, names: [...s.names, name] }));
      }
      case 'flatten':
        return spikeSources(operands(i)[0]!, reader).map((s) => ({ ...s, names: [...s.names, name] }));
      case 'avgpool2d':
      case 'adaptiveavgpool2d':
        return spikeSources(operands(i)[0]!, reader).map((s) => {
          if (s.pooling) throw new CompileError(where(name), 'two pooling layers in a row cannot fold into synapses', 'E-GRAPH', name);
          return { ...s, pooling: poolingOf(node, shapeOfLayer(s.layer), where(name)), names: [...s.names, name] };
        });
      default:
        throw new CompileError(
          where(reader),
          `reads a real-valued stream from '${name}' (${node.kind}), not spikes: a synaptic layer on the chip sums spikes only (E-UNSUPPORTED; a real-valued shortcut, as in NF-ResNet, would need graded spikes or non-spiking accumulating compartments, which this compiler does not lower)`,
          'E-UNSUPPORTED',
          reader,
        );
    }
  };

  const synapticTerms = (i: number): Term[] => {
    const node = nodes[i]!;
    if (node.kind !== 'conv2d' && node.kind !== 'linear') throw new CompileError(where(node.name), `expected a conv2d or linear layer, found ${node.kind}`, 'E-GRAPH', node.name);
    const input = operands(i)[0]!;
    const inner = at.get(input);
    if (node.kind === 'linear' && inner !== undefined && nodes[inner]!.kind === 'linear' && !layerOf.has(input)) {
      // Two linear maps with no neuron between (ResNet-19's fc1 -> norm -> fc2) are one map on the chip.
      return synapticTerms(inner).map((t, k) => composeLinear(node, t, k === 0));
    }
    const sources = spikeSources(input, node.name);
    const outChannels = node.shape[0];
    return sources.map((source, k) => ({
      source,
      geometry: geometryOf(node),
      weight: node.weight,
      bias: k === 0 ? node.bias : new Float32Array(outChannels),
      names: [...source.names, node.name],
    }));
  };

  const currentTerms = (name: string, reader: string): Term[] => {
    const i = at.get(name);
    if (i === undefined) throw new CompileError(where(reader), 'neurons that read the model input directly have no synapses to lower', 'E-GRAPH', reader);
    const node = nodes[i]!;
    if (node.kind === 'add') {
      const [a, b] = operands(i);
      return [...currentTerms(a!, reader), ...currentTerms(b!, reader)].map((t) => ({ ...t, names: [...t.names, name] }));
    }
    if (node.kind === 'conv2d' || node.kind === 'linear') return synapticTerms(i);
    if (layerOf.has(name)) return [identityTerm(name, spikeSources(name, reader)[0]!)];
    throw new CompileError(
      where(reader),
      `reads '${name}' (${node.kind}), which is no synaptic layer: neurons must follow a conv2d or linear layer (or an add of them)`,
      'E-GRAPH',
      reader,
    );
  };

  // Spikes added to a current as they are (paper B's identity shortcut): a synapse of weight 1 per neuron.
  const identityTerm = (name: string, source: SpikeSource): Term => {
    const [c, h, w] = shapeOfLayer(source.layer);
    const spatial = h * w > 1;
    const channels = spatial ? c : c * h * w;
    const weight = new Float32Array(channels * channels);
    for (let k = 0; k < channels; k++) weight[k * channels + k] = 1;
    const geometry: SynapticGeometry = spatial
      ? { kind: 'conv', inChannels: c, outChannels: c, kernel: [1, 1], stride: [1, 1], padding: [0, 0] }
      : { kind: 'dense', inFeatures: channels, outFeatures: channels };
    return { source, geometry, weight, bias: new Float32Array(channels), names: [name] };
  };

  const addLayer = (name: string, kind: FloatLayer['kind'], neuron: FrozenLif | null, terms: Term[], shape: Shape3) => {
    const index = layers.length;
    const start = Math.max(...terms.map((t) => (t.source.layer < 0 ? 0 : layers[t.source.layer]!.startStep + 1)));
    for (const t of terms) {
      if (t.source.layer < 0 && (index > 0 || terms.length > 1)) {
        throw new CompileError(where(name), 'reads the model input besides the first chip layer: only the first layer takes the input (E-UNSUPPORTED)', 'E-UNSUPPORTED', name);
      }
    }
    // The main synapses are those from the latest source in the pipeline (no delay); the others are branches,
    // delayed to line up with it.
    const startOf = (t: Term) => (t.source.layer < 0 ? -1 : layers[t.source.layer]!.startStep);
    const primary = terms.reduce((best, t) => (startOf(t) > startOf(best) || (startOf(t) === startOf(best) && t.source.layer > best.source.layer) ? t : best), terms[0]!);
    const bias = new Float32Array(primary.bias.length);
    for (const t of terms) for (let c = 0; c < bias.length; c++) bias[c] = bias[c]! + t.bias[c]!;
    const branches: FloatBranch[] = terms
      .filter((t) => t !== primary)
      .map((t) => ({
        source: t.source.layer,
        sourceShape: shapeOfLayer(t.source.layer),
        pooling: t.source.pooling,
        geometry: t.geometry,
        weight: t.weight,
        poolFactor: poolFactorOf(t.source.pooling),
        delay: start - 1 - layers[t.source.layer]!.startStep,
      }));
    const names = [...new Set(terms.flatMap((t) => t.names)), ...(neuron ? [neuron.name] : [])];
    layers.push({
      name,
      kind,
      nodes: names,
      shape,
      sourceShape: shapeOfLayer(primary.source.layer),
      pooling: primary.source.pooling,
      geometry: primary.geometry,
      weight: primary.weight,
      bias,
      neuron,
      poolFactor: poolFactorOf(primary.source.pooling),
      source: primary.source.layer,
      branches,
      startStep: start,
    });
    layerOf.set(neuron?.name ?? name, index);
  };

  nodes.forEach((node, i) => {
    if (node.kind === 'lif') {
      const terms = currentTerms(operands(i)[0]!, node.name);
      addLayer(terms[0]!.names[terms[0]!.names.length - 1]!, 'spiking', node, terms, outputShape(terms[0]!, shapeOfLayer(terms[0]!.source.layer)));
    } else if (node.kind === 'maxpool2d') {
      addOrLayer(node, i);
    }
  });

  function addOrLayer(node: FoldedPool, i: number): void {
    const sources = spikeSources(operands(i)[0]!, node.name);
    const source = sources[0]!;
    if (sources.length !== 1 || source.layer < 0 || source.pooling) {
      throw new CompileError(
        where(node.name),
        'max pooling is lowered only over the spikes of one spiking layer (an OR of binary spikes); this one reads a sum, a pooled grid or the input (E-UNSUPPORTED)',
        'E-UNSUPPORTED',
        node.name,
      );
    }
    const [c, h, w] = shapeOfLayer(source.layer);
    const k = node.kernel;
    const pad = node.padding ?? 0;
    const weight = new Float32Array(c * c * k * k);
    for (let ch = 0; ch < c; ch++) weight.fill(1, (ch * c + ch) * k * k, (ch * c + ch + 1) * k * k);
    const shape: Shape3 = [c, Math.floor((h + 2 * pad - k) / node.stride) + 1, Math.floor((w + 2 * pad - k) / node.stride) + 1];
    const T = model.timesteps;
    // Any spike in the window lifts u to >= 1 > 1/2; with no decay nothing is left for the next step.
    const neuron: FrozenLif = { kind: 'lif', name: node.name, key: node.name, decay: 0, reset: 'subtract', thresholds: new Float64Array(T).fill(0.5), policy: 'constant' };
    const geometry: SynapticGeometry = { kind: 'conv', inChannels: c, outChannels: c, kernel: [k, k], stride: [node.stride, node.stride], padding: [pad, pad] };
    addLayer(node.name, 'spiking', neuron, [{ source, geometry, weight, bias: new Float32Array(c), names: [node.name] }], shape);
  }

  const lastIndex = nodes.length - 1;
  const last = nodes[lastIndex]!;
  if (last.kind !== 'conv2d' && last.kind !== 'linear') {
    throw new CompileError(model.name, 'the model must end with a conv2d/linear layer whose mean over time is the output', 'E-GRAPH', null);
  }
  const outputTerms = synapticTerms(lastIndex);
  addLayer(last.name, 'output', null, outputTerms, outputShape(outputTerms[0]!, shapeOfLayer(outputTerms[0]!.source.layer)));
  if (layers[0]!.source !== -1) throw new CompileError(model.name, 'the first chip layer must read the model input', 'E-GRAPH', null);
  return { name: model.name, source: model.source, timesteps: model.timesteps, input: model.input, sha256: model.sha256, layers };
}

function shape3(s: readonly number[]): Shape3 {
  return s.length === 3 ? [s[0]!, s[1]!, s[2]!] : [s.reduce((a, b) => a * b, 1), 1, 1];
}

function poolFactorOf(pooling: PoolingStage | null): number {
  return pooling ? 1 / (pooling.kernel[0] * pooling.kernel[1]) : 1;
}

function poolingOf(node: FoldedPool | FoldedAdaptivePool, source: Shape3, where: string): PoolingStage {
  const [c, h, w] = source;
  if (node.kind !== 'adaptiveavgpool2d') {
    if (node.kernel !== node.stride || (node.padding ?? 0) !== 0) {
      throw new CompileError(where, `overlapping or padded pooling (kernel ${node.kernel}, stride ${node.stride}) cannot fold into synapses`, 'E-GRAPH', node.name);
    }
    return { kernel: [node.kernel, node.kernel], stride: [node.kernel, node.kernel], adaptive: false, pooledShape: [c, Math.floor(h / node.kernel), Math.floor(w / node.kernel)] };
  }
  const [oh, ow] = node.output;
  if (h % oh !== 0 || w % ow !== 0)
    throw new CompileError(where, `adaptive pooling of ${h}x${w} to ${oh}x${ow} has unequal windows; only tiling windows fold into synapses`, 'E-GRAPH', node.name);
  return { kernel: [h / oh, w / ow], stride: [h / oh, w / ow], adaptive: false, pooledShape: [c, oh, ow] };
}

function geometryOf(node: Extract<FrozenNode, { kind: 'conv2d' | 'linear' }>): SynapticGeometry {
  if (node.kind === 'conv2d') {
    const [cout, cin, kh, kw] = node.shape;
    return { kind: 'conv', inChannels: cin, outChannels: cout, kernel: [kh, kw], stride: node.stride, padding: node.padding };
  }
  return { kind: 'dense', inFeatures: node.shape[1], outFeatures: node.shape[0] };
}

function outputShape(term: Term, source: Shape3): Shape3 {
  const g = term.geometry;
  if (g.kind === 'dense') return [g.outFeatures, 1, 1];
  const grid = term.source.pooling ? term.source.pooling.pooledShape : source;
  return [g.outChannels, Math.floor((grid[1] + 2 * g.padding[0] - g.kernel[0]) / g.stride[0]) + 1, Math.floor((grid[2] + 2 * g.padding[1] - g.kernel[1]) / g.stride[1]) + 1];
}

/** outer(inner(x)) for two linear maps: W = W_outer W_inner, b = W_outer b_inner (+ b_outer once). */
function composeLinear(outer: Extract<FrozenNode, { kind: 'linear' }>, inner: Term, withOuterBias: boolean): Term {
  if (inner.geometry.kind !== 'dense') throw new CompileError(outer.name, 'composes only with a linear layer', 'E-GRAPH', outer.name);
  const [out, mid] = outer.shape;
  const features = inner.geometry.inFeatures;
  const weight = new Float32Array(out * features);
  const bias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    // Float64 sums rounded once: the composed map is within float32 rounding of applying the two in turn.
    const row = new Float64Array(features);
    let b = withOuterBias ? outer.bias[o]! : 0;
    for (let m = 0; m < mid; m++) {
      const w = outer.weight[o * mid + m]!;
      if (w === 0) continue;
      b += w * inner.bias[m]!;
      for (let f = 0; f < features; f++) row[f] = row[f]! + w * inner.weight[m * features + f]!;
    }
    weight.set(row, o * features);
    bias[o] = b;
  }
  return { source: inner.source, geometry: { kind: 'dense', inFeatures: features, outFeatures: out }, weight, bias, names: [...inner.names, outer.name] };
}
