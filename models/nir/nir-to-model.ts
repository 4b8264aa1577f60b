import { basename } from 'node:path';
import { ModelError } from '../errors.js';
import { MODEL_INPUT, type Model, type ModelNode, type ResetMode } from '../graph/model.js';
import { inferShapes } from '../graph/shapes.js';
import { elementCount, formatShape, type Tensor } from '../graph/tensor.js';
import { detectConvention, discretise, uniform, type TimeConvention } from './discretise.js';
import { flattenGraph } from './flatten-graph.js';
import type { NirArray, NirFile, NirNode } from './nir-graph.js';
import { orderGraph, type GraphLink } from './order-graph.js';

export interface NirImportOptions {
  /** Seconds per step, overriding what the file's writer implies. */
  readonly dt?: number;
  /** NIR resets to v_reset (zero); `subtract` reads the file as trained with subtractive reset. */
  readonly reset?: ResetMode;
  /** NIR carries no number of steps. */
  readonly timesteps?: number;
}

export const DEFAULT_NIR_TIMESTEPS = 10;

/**
 * A NIR graph as a spikechip Model: nested graphs inlined, the nodes ordered from Input to Output, recurrent
 * linear maps attached to their neurons, neurons discretised with the time step the writer implies (recorded in
 * the notes). A node with several incoming edges reads their sum (NIR's rule): the sum becomes `add` nodes before
 * it, so a residual graph reads as one. Shapes are checked node by node; the Output's shape must match (Rockpool's
 * files get lenient checking: the same number of elements, since it writes [1, 1, 1] for [1]).
 */
export function nirToModel(nir: NirFile, file: string, options: NirImportOptions = {}): Model {
  const flat = flattenGraph(nir.graph, file);
  const links = orderGraph(flat, file);
  const convention = detectConvention(
    flat.nodes.map((n) => n.node),
    options.dt,
    nir.hints?.dt ?? null,
  );
  const reset = options.reset ?? nir.hints?.reset ?? 'zero';
  const timesteps = options.timesteps ?? nir.hints?.timesteps ?? DEFAULT_NIR_TIMESTEPS;
  const input = links[0]!.node;
  const inputNode = input.node;
  if (inputNode.type !== 'Input') throw new ModelError(file, 'the graph does not start at an Input node');
  // A Scale of 1/255 that the Input feeds alone and that reads only the Input is an 8-bit image's pixel scale
  // (spikechip's export writes it so).
  const first = links.find((l) => l.inputs.includes(input.name));
  const pixelScale =
    first?.node.node.type === 'Scale' && uniform(first.node.node.scale) === 1 / 255 && first.inputs.length === 1 && links.filter((l) => l.inputs.includes(input.name)).length === 1;
  const alias = new Map<string, string>([[input.name, MODEL_INPUT]]);
  if (pixelScale) alias.set(first.node.name, MODEL_INPUT);
  const nodes = wireNodes(
    links.filter((l) => !alias.has(l.node.name)),
    alias,
    (link) => toModelNode(link, convention, reset, file),
  );
  const notes = [
    `NIR ${nir.version}: ${convention.note}`,
    `reset ${reset === 'zero' ? 'to zero (NIR v_reset)' : options.reset ? 'by subtraction (as asked)' : 'by subtraction (/spikechip/reset)'}; spike when v >= v_threshold`,
    `T = ${timesteps}${options.timesteps !== undefined ? '' : nir.hints ? ' (/spikechip/timesteps)' : ' (NIR has no number of steps; default, choose with --timesteps)'}`,
  ];
  const model: Model = {
    name: basename(file).replace(/\.nir$/, ''),
    source: 'nir',
    timesteps,
    input: { shape: [...inputNode.shape], scale: pixelScale ? 1 / 255 : 1, encoding: 'direct' },
    nodes,
    output: 'mean-over-time',
    notes,
  };
  checkShapes(model, links, convention, file);
  return model;
}

/**
 * The model's nodes in the links' order, each wired to what feeds it: one input is read directly (wired only where
 * it is not the node before), two or more through `add` nodes summing them, placed just before the node (or, for
 * the Output, last, so that the sum is the model's output).
 */
function wireNodes(links: readonly GraphLink[], alias: ReadonlyMap<string, string>, convert: (link: GraphLink) => ModelNode): ModelNode[] {
  const nodes: ModelNode[] = [];
  const taken = new Set(links.map((l) => l.node.name));
  const push = (node: ModelNode, primary: string) => {
    const previous = nodes.length === 0 ? MODEL_INPUT : nodes[nodes.length - 1]!.name;
    nodes.push(primary === previous ? node : { ...node, input: primary });
  };
  for (const link of links) {
    const sources = link.inputs.map((name) => alias.get(name) ?? name);
    let primary = sources[0]!;
    for (let k = 1; k < sources.length; k++) {
      let name = `${link.node.name}.sum${k === 1 ? '' : k}`;
      while (taken.has(name)) name = `${name}_`;
      taken.add(name);
      push({ kind: 'add', name, from: sources[k]! }, primary);
      primary = name;
    }
    if (link.node.node.type === 'Output') break;
    push(convert(link), primary);
  }
  return nodes;
}

function toModelNode(link: GraphLink, c: TimeConvention, reset: ResetMode, file: string): ModelNode {
  const { node } = link.node;
  const name = link.node.name;
  const where = `node ${name} (${node.type})`;
  const fail = (what: string): never => {
    throw new ModelError(file, `${where}: ${what}`);
  };
  const t = (a: NirArray, field: string, rank?: number): Tensor => {
    if (rank !== undefined && a.shape.length !== rank) fail(`${field} has shape ${formatShape(a.shape)}, expected ${rank} dimensions`);
    return { shape: [...a.shape], data: Float32Array.from(a.data) };
  };
  switch (node.type) {
    case 'Affine':
      return { kind: 'linear', name, weight: t(node.weight, 'weight', 2), bias: t(node.bias, 'bias', 1) };
    case 'Linear':
      return { kind: 'linear', name, weight: t(node.weight, 'weight', 2), bias: null };
    case 'Conv2d':
    case 'Conv1d': {
      const rank = node.type === 'Conv2d' ? 4 : 3;
      if (node.groups !== 1) fail(`groups = ${node.groups}; only groups = 1 is supported`);
      if (node.dilation.some((d) => d !== 1)) fail(`dilation ${formatShape(node.dilation)}; only 1 is supported`);
      const axes = rank - 2;
      if (node.stride.length !== axes || node.padding.length !== axes) fail(`stride and padding need ${axes} values`);
      const weight = t(node.weight, 'weight', rank);
      const bias = node.bias ? t(node.bias, 'bias', 1) : null;
      if (node.type === 'Conv1d') return { kind: 'conv1d', name, weight, bias, stride: node.stride[0]!, padding: node.padding[0]! };
      return { kind: 'conv2d', name, weight, bias, stride: [node.stride[0]!, node.stride[1]!], padding: [node.padding[0]!, node.padding[1]!] };
    }
    case 'SumPool2d':
    case 'AvgPool2d': {
      const [k0, k1] = node.kernel;
      const [s0, s1] = node.stride;
      if (k0 !== k1 || s0 !== s1 || node.kernel.length !== 2) fail(`kernel ${formatShape(node.kernel)} stride ${formatShape(node.stride)}: only square windows are supported`);
      if (node.padding.some((p) => p !== 0)) fail(`padding ${formatShape(node.padding)}: pooling with padding is not supported`);
      return { kind: node.type === 'SumPool2d' ? 'sumpool2d' : 'avgpool2d', name, kernel: k0!, stride: s0! };
    }
    case 'Flatten':
      // NIR's shapes have no batch axis; writers that count one write start_dim 1 for the same full flattening.
      if (node.startDim > 1 || (node.endDim !== -1 && node.inputShape && node.endDim !== node.inputShape.length - 1)) {
        fail(`start_dim ${node.startDim} end_dim ${node.endDim}: only flattening the whole sample is supported`);
      }
      return { kind: 'flatten', name };
    case 'Scale':
      return { kind: 'scale', name, factor: t(node.scale, 'scale') };
    case 'Threshold':
      return { kind: 'heaviside', name, threshold: t(node.threshold, 'threshold') };
    case 'IF':
    case 'LIF':
    case 'CubaLIF': {
      const threshold = uniform(node.vThreshold);
      if (threshold === null) fail('per-neuron v_threshold values differ; spikechip needs one threshold per layer');
      if (node.vReset && uniform(node.vReset) !== 0) fail('v_reset is not zero; spikechip resets to zero or by subtraction');
      const rec = link.recurrent;
      const recurrent = rec
        ? { weight: t(rec.weight, `recurrent ${rec.name} weight`, 2), bias: rec.type === 'Affine' ? t(rec.bias, `recurrent ${rec.name} bias`, 1) : null }
        : null;
      return { kind: 'spiking-neuron', name, origin: node.type, dynamics: discretise(node, c, file), threshold: threshold!, reset, recurrent };
    }
    case 'LI':
    case 'CubaLI':
    case 'I':
      return { kind: 'leaky-integrator', name, origin: node.type === 'I' ? 'Integrator' : node.type, dynamics: discretise(node, c, file) };
    case 'Input':
    case 'Output':
      return fail('an Input or Output node inside the chain');
    default:
      return fail('not a layer');
  }
}

/** Every node's shapes, each neuron's per-neuron fields against its size, and the Output against the chain's end. */
function checkShapes(model: Model, chain: readonly GraphLink[], c: TimeConvention, file: string): void {
  let shapes;
  try {
    shapes = inferShapes(model);
  } catch (err) {
    if (err instanceof ModelError) {
      const prefix = `${model.name}: `;
      const where = err.source.startsWith(prefix) ? err.source.slice(prefix.length) : err.source;
      throw new ModelError(file, `${where}: ${err.detail}`);
    }
    throw err;
  }
  const nirByName = new Map(chain.map((l) => [l.node.name, l.node.node] as const));
  for (const { node, inputShape } of shapes) {
    const nir = nirByName.get(node.name);
    if (!nir) continue;
    for (const [field, array] of neuronFields(nir)) {
      const n = elementCount(array.shape);
      if (n !== 1 && n !== elementCount(inputShape)) {
        throw new ModelError(file, `node ${node.name} (${nir.type}): ${field} has shape ${formatShape(array.shape)}, its input is ${formatShape(inputShape)}`);
      }
    }
  }
  const output = chain[chain.length - 1]!.node;
  const last = shapes.length > 0 ? shapes[shapes.length - 1]!.outputShape : model.input.shape;
  if (output.node.type !== 'Output') return;
  const declared = output.node.shape;
  const same = declared.length === last.length && declared.every((d, i) => d === last[i]);
  const lenient = c.writer === 'rockpool' && elementCount(declared) === elementCount(last);
  if (!same && !lenient) {
    throw new ModelError(file, `node ${output.name} (Output): shape ${formatShape(declared)}, but the chain before it produces ${formatShape(last)}`);
  }
}

function neuronFields(node: NirNode): [string, NirArray][] {
  switch (node.type) {
    case 'IF':
      return [
        ['r', node.r],
        ['v_threshold', node.vThreshold],
      ];
    case 'LIF':
      return [
        ['tau', node.tau],
        ['r', node.r],
        ['v_leak', node.vLeak],
        ['v_threshold', node.vThreshold],
      ];
    case 'CubaLIF':
      return [
        ['tau_mem', node.tauMem],
        ['tau_syn', node.tauSyn],
        ['r', node.r],
        ['v_leak', node.vLeak],
        ['v_threshold', node.vThreshold],
        ['w_in', node.wIn],
      ];
    case 'LI':
      return [
        ['tau', node.tau],
        ['r', node.r],
        ['v_leak', node.vLeak],
      ];
    case 'CubaLI':
      return [
        ['tau_mem', node.tauMem],
        ['tau_syn', node.tauSyn],
        ['r', node.r],
        ['v_leak', node.vLeak],
        ['w_in', node.wIn],
      ];
    case 'I':
      return [['r', node.r]];
    default:
      return [];
  }
}
