import { ModelError } from '../errors.js';
import { assertNever, MODEL_INPUT, type Model, type ModelNode, type NeuronDynamics } from '../graph/model.js';
import { inferShapes } from '../graph/shapes.js';
import { formatShape, type Tensor } from '../graph/tensor.js';
import { nirArray, type NirArray, type NirFile, type NirNode } from './nir-graph.js';

/**
 * The time step an exported file is written for. spikechip writes snnTorch's convention (r = tau/dt, forward
 * Euler; models/nir/discretise.ts), so readers that follow it get u[t] = decay*u[t-1] + x[t] back exactly. A power
 * of two keeps tau = dt/(1 - decay) and r = tau/dt free of rounding for decays like 0.5.
 */
export const EXPORT_DT = 2 ** -13;

export const NIR_EXPORT_VERSION = '1.0.0';

/**
 * A Model as a NIR graph: Input, an optional Scale for the input's pixel scale (so a reader gets pixel/255 back),
 * one NIR node per layer, Output; an edge from each node to each node that reads it, and a recurrent weight as an
 * Affine/Linear node in a cycle with its neuron (NIR delays a cycle by one step, as the recurrent input is). NIR
 * sums the outputs of every edge into a node, so an `add` is no node: its two operands both get an edge into
 * whatever reads the add (a residual graph is written as the branching graph it is). LIF layers must have a fixed
 * threshold (NIR has no per-step threshold: fix the table first, see fixThresholds). NIR has no subtractive reset: such layers are written with
 * v_reset = 0, `subtractiveReset` names them so the caller can warn, and `/spikechip/reset` records it for
 * spikechip's own reader.
 */
export function modelToNir(model: Model): { nir: NirFile; subtractiveReset: string[] } {
  const shapes = inferShapes(model);
  const nodes: NirNode[] = [{ type: 'Input', name: 'input', shape: [...model.input.shape] }];
  if (model.input.scale !== 1) nodes.push({ type: 'Scale', name: 'input_scale', scale: nirArray(new Array<number>(1).fill(model.input.scale)) });
  const subtractiveReset: string[] = [];
  // A recurrent weight is a cycle neuron -> map -> neuron, beside the chain.
  const recurrent: NirNode[] = [];
  const cycles: { source: string; target: string }[] = [];
  // Per model value, the NIR nodes whose summed outputs it is: a layer's own node; for an add, its operands'
  // (recursively); for a dropout (the identity), its input's.
  const sumOf = new Map<string, string[]>([[MODEL_INPUT, [nodes[nodes.length - 1]!.name]]]);
  const edges: { source: string; target: string }[] = nodes.length > 1 ? [{ source: 'input', target: 'input_scale' }] : [];
  const connect = (from: readonly string[], target: string, reader: string) => {
    const twice = from.find((name, i) => from.indexOf(name) !== i);
    if (twice !== undefined) {
      throw new ModelError(
        `${model.name}: layer ${reader}`,
        `cannot be written as NIR: it reads the output of '${twice}' twice through adds, and a NIR graph has one edge per pair of nodes`,
      );
    }
    for (const source of from) edges.push({ source, target });
  };
  for (const { node, inputShape, outputShape, sources } of shapes) {
    const operands = sources.map((k) => sumOf.get(k < 0 ? MODEL_INPUT : model.nodes[k]!.name)!);
    if (node.kind === 'add' || node.kind === 'dropout') {
      sumOf.set(node.name, operands.flat());
      continue;
    }
    const converted = toNir(node, inputShape, outputShape, model.name);
    if (converted === null) continue;
    if ((node.kind === 'lif' || node.kind === 'spiking-neuron') && node.reset === 'subtract') subtractiveReset.push(node.name);
    nodes.push(converted);
    connect(operands[0]!, converted.name, node.name);
    sumOf.set(node.name, [converted.name]);
    if (node.kind === 'spiking-neuron' && node.recurrent) {
      const name = `${node.name}.recurrent`;
      const { weight, bias } = node.recurrent;
      recurrent.push(bias ? { type: 'Affine', name, weight: arrayOf(weight), bias: arrayOf(bias) } : { type: 'Linear', name, weight: arrayOf(weight) });
      cycles.push({ source: node.name, target: name }, { source: name, target: node.name });
    }
  }
  const last = shapes.length > 0 ? shapes[shapes.length - 1]!.outputShape : model.input.shape;
  nodes.push({ type: 'Output', name: 'output', shape: [...last] });
  connect(sumOf.get(shapes.length > 0 ? model.nodes[model.nodes.length - 1]!.name : MODEL_INPUT)!, 'output', 'output');
  nodes.push(...recurrent);
  const names = new Set<string>();
  for (const n of nodes) {
    if (names.has(n.name) || n.name.includes('/')) throw new ModelError(model.name, `layer name '${n.name}' cannot be a NIR node name (duplicate, or contains '/')`);
    names.add(n.name);
  }
  edges.push(...cycles);
  const spiking = shapes.filter(({ node }) => node.kind === 'lif' || node.kind === 'spiking-neuron').length;
  if (subtractiveReset.length > 0 && subtractiveReset.length < spiking) {
    throw new ModelError(model.name, `layers ${subtractiveReset.join(', ')} reset by subtraction and others to zero; a NIR file states one reset`);
  }
  const hints = { dt: EXPORT_DT, timesteps: model.timesteps, reset: subtractiveReset.length > 0 ? ('subtract' as const) : ('zero' as const) };
  return { nir: { version: NIR_EXPORT_VERSION, graph: { nodes, edges }, hints }, subtractiveReset };
}

function arrayOf(t: Tensor): NirArray {
  return { shape: [...t.shape], data: Float64Array.from(t.data) };
}

/** One value per neuron, as NIR stores neuron parameters. */
function perNeuron(value: number, shape: readonly number[]): NirArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape: [...shape], data: new Float64Array(n).fill(value) };
}

function toNir(node: ModelNode, inputShape: readonly number[], outputShape: readonly number[], modelName: string): NirNode | null {
  const name = node.name;
  const refuse = (why: string): never => {
    throw new ModelError(`${modelName}: layer ${name} (${node.kind})`, `cannot be written as NIR: ${why}`);
  };
  switch (node.kind) {
    case 'conv2d':
      return {
        type: 'Conv2d',
        name,
        weight: arrayOf(node.weight),
        bias: node.bias ? arrayOf(node.bias) : perNeuron(0, [node.weight.shape[0]!]),
        stride: [...node.stride],
        padding: [...node.padding],
        dilation: [1, 1],
        groups: 1,
      };
    case 'conv1d':
      return {
        type: 'Conv1d',
        name,
        weight: arrayOf(node.weight),
        bias: node.bias ? arrayOf(node.bias) : perNeuron(0, [node.weight.shape[0]!]),
        stride: [node.stride],
        padding: [node.padding],
        dilation: [1],
        groups: 1,
      };
    case 'linear':
      return node.bias ? { type: 'Affine', name, weight: arrayOf(node.weight), bias: arrayOf(node.bias) } : { type: 'Linear', name, weight: arrayOf(node.weight) };
    case 'avgpool2d':
    case 'sumpool2d':
      if (node.kind === 'avgpool2d' && node.padding) refuse(`padding ${node.padding}: NIR readers differ on whether padding counts in the mean`);
      return { type: node.kind === 'avgpool2d' ? 'AvgPool2d' : 'SumPool2d', name, kernel: [node.kernel, node.kernel], stride: [node.stride, node.stride], padding: [0, 0] };
    case 'flatten':
      return { type: 'Flatten', name, startDim: 0, endDim: -1, inputShape: [...inputShape] };
    case 'dropout':
    case 'add':
      // Both are edges (see modelToNir).
      return null;
    case 'scale':
      return { type: 'Scale', name, scale: arrayOf(node.factor) };
    case 'heaviside':
      return { type: 'Threshold', name, threshold: arrayOf(node.threshold) };
    case 'lif': {
      if (node.threshold.kind !== 'fixed') refuse('its threshold is a per-step table (OTS); NIR has one threshold per neuron: fix it first');
      const theta = (node.threshold as { value: number }).value;
      return neuronToNir(name, { decay: node.decay, inputScale: 1, leak: 0, current: null }, theta, outputShape, refuse);
    }
    case 'spiking-neuron':
      return neuronToNir(name, node.dynamics, node.threshold, outputShape, refuse);
    case 'leaky-integrator':
      return neuronToNir(name, node.dynamics, null, outputShape, refuse);
    case 'norm':
      return refuse('fold the norm into the weights first (the export folds)');
    case 'adaptiveavgpool2d': {
      // Where the output divides the input evenly, PyTorch's adaptive windows are one square window sliding by
      // its own size: average pooling (a ResNet's global pool).
      const [h, w] = [inputShape[1]!, inputShape[2]!];
      const [oh, ow] = node.output;
      const kernel = h / oh;
      if (!Number.isInteger(kernel) || kernel !== w / ow)
        refuse(`output ${formatShape(node.output)} of input ${formatShape(inputShape)} is not one square window; NIR has only fixed windows`);
      return { type: 'AvgPool2d', name, kernel: [kernel, kernel], stride: [kernel, kernel], padding: [0, 0] };
    }
    case 'maxpool2d':
      return refuse('NIR export covers conv, linear, sum/average pooling, flatten and neurons');
    default:
      return assertNever(node);
  }
}

/**
 * NeuronDynamics back to NIR's continuous form under the export convention (dt = EXPORT_DT, forward Euler,
 * r = tau/dt): decay = 1 - dt/tau, inputScale = dt r/tau, leak = dt v_leak/tau; decay 1 is IF (or I), with r the
 * input scale over dt; a synaptic current becomes CubaLIF/CubaLI with w_in = scale tau_syn/dt.
 */
function neuronToNir(name: string, d: NeuronDynamics, threshold: number | null, shape: readonly number[], refuse: (why: string) => never): NirNode {
  const dt = EXPORT_DT;
  const at = (v: number) => perNeuron(v, shape);
  if (d.decay === 1) {
    if (d.leak !== 0) refuse('a leak without decay has no NIR form');
    if (d.current) refuse('a synaptic current without membrane decay has no NIR form here');
    const r = at(d.inputScale / dt);
    return threshold === null ? { type: 'I', name, r } : { type: 'IF', name, r, vThreshold: at(threshold), vReset: at(0) };
  }
  if (!(d.decay < 1) || !(d.decay > 0)) refuse(`decay ${d.decay} is outside (0, 1], which no NIR time constant gives under forward Euler`);
  const tau = dt / (1 - d.decay);
  const r = at((d.inputScale * tau) / dt);
  const vLeak = at((d.leak * tau) / dt);
  if (!d.current) {
    return threshold === null ? { type: 'LI', name, tau: at(tau), r, vLeak } : { type: 'LIF', name, tau: at(tau), r, vLeak, vThreshold: at(threshold), vReset: at(0) };
  }
  if (!(d.current.decay < 1) || !(d.current.decay > 0)) refuse(`synaptic decay ${d.current.decay} is outside (0, 1)`);
  const tauSyn = dt / (1 - d.current.decay);
  const wIn = at((d.current.scale * tauSyn) / dt);
  return threshold === null
    ? { type: 'CubaLI', name, tauMem: at(tau), tauSyn: at(tauSyn), r, vLeak, wIn }
    : { type: 'CubaLIF', name, tauMem: at(tau), tauSyn: at(tauSyn), r, vLeak, vThreshold: at(threshold), wIn, vReset: at(0) };
}
