import { assertNever, lifKey, MODEL_INPUT, type Model, type ModelNode, type SpikingNeuronNode } from '../../models/graph/model.js';
import { inferShapes } from '../../models/graph/shapes.js';
import { CompileError } from '../errors.js';
import type { FoldedConv, FoldedLinear, FoldedModel, FoldedNode } from '../stages.js';

/**
 * fold-norm: OSR and BatchNorm in inference mode are one affine map per channel, so they fold into the weights
 * and bias of the conv/linear before them: g = gamma / sqrt(var + eps), W' = W*g, b' = (b - mean)*g + beta.
 * Dropout is the identity at inference and disappears. NIR's sum pooling becomes average pooling with the area
 * moved into the next weights; NIR's single-state neurons become LIF layers (foldNeuron). In a residual graph a
 * norm after an add folds into both of its operands.
 * Reference: DESIGN.md section 2 (OSR at inference), section 4 (fold-norm).
 */
export function foldNorm(model: Model, sha256: string): FoldedModel {
  const shapes = inferShapes(model);
  const readers = new Int32Array(model.nodes.length);
  for (const { sources } of shapes) for (const k of sources) if (k >= 0) readers[k] = readers[k]! + 1;
  const where = (name: string) => `${model.name}: layer ${name}`;
  const graph = new FoldedGraph();
  graph.shapeOf.set(MODEL_INPUT, model.input.shape);
  // A model node's value under its folded name: a norm folded away is read as the node it was folded into.
  const alias = new Map<string, string>();
  const folded = new Set<number>();
  const operand = (k: number): string => (k < 0 ? MODEL_INPUT : (alias.get(model.nodes[k]!.name) ?? model.nodes[k]!.name));
  // Sum pooling is average pooling times the window's area, which moves into the next synaptic layer's weights.
  let sumPoolFactor = 1;
  for (let i = 0; i < model.nodes.length; i++) {
    if (folded.has(i)) continue;
    const node = model.nodes[i]!;
    const { sources, outputShape } = shapes[i]!;
    const primary = operand(sources[0]!);
    const push = (n: FoldedNode, readBy = readers[i]!) => graph.push(n, primary, outputShape, readBy);
    switch (node.kind) {
      case 'conv2d':
      case 'linear': {
        const next = model.nodes[i + 1];
        const norm = next?.kind === 'norm' && shapes[i + 1]!.sources[0] === i && readers[i] === 1 ? next : null;
        if (norm) {
          folded.add(i + 1);
          alias.set(norm.name, node.name);
        }
        push(foldInto(node, norm, sumPoolFactor), norm ? readers[i + 1]! : readers[i]!);
        sumPoolFactor = 1;
        break;
      }
      case 'norm': {
        // A norm that does not directly follow its conv: after a residual add (ResNet-19's bn2(conv2(x) + shortcut),
        // folded into both branches), or after a conv read by nothing else.
        const target = graph.node(primary);
        if (target && readers[sources[0]!] === 1 && (target.kind === 'conv2d' || target.kind === 'linear' || target.kind === 'add')) {
          graph.foldNormInto(target, node);
          alias.set(node.name, target.name);
          graph.readers.set(target.name, readers[i]!);
          break;
        }
        throw new CompileError(
          where(node.name),
          'a norm layer must follow a conv2d, linear or add layer that nothing else reads, to be folded into its weights',
          'E-GRAPH',
          node.name,
        );
      }
      case 'sumpool2d':
        push({ kind: 'avgpool2d', name: node.name, kernel: node.kernel, stride: node.stride });
        sumPoolFactor *= node.kernel * node.kernel;
        break;
      case 'spiking-neuron':
        push(foldNeuron(node, graph.nodes, where(node.name)));
        break;
      case 'conv1d':
        throw new CompileError(where(node.name), '1-D convolution is not lowered to synapses in this version (E-UNSUPPORTED)', 'E-UNSUPPORTED', node.name);
      case 'scale':
        throw new CompileError(
          where(node.name),
          'a scale between layers is not lowered in this version (E-UNSUPPORTED): fold it into the weights before',
          'E-UNSUPPORTED',
          node.name,
        );
      case 'heaviside':
        throw new CompileError(where(node.name), 'a stateless threshold (NIR Threshold) is not lowered in this version (E-UNSUPPORTED)', 'E-UNSUPPORTED', node.name);
      case 'leaky-integrator':
        throw new CompileError(
          where(node.name),
          `non-spiking ${node.origin} neurons are not lowered (E-UNSUPPORTED): the chip's output is the mean input of the last synaptic layer`,
          'E-UNSUPPORTED',
          node.name,
        );
      case 'dropout':
        // The identity at inference: whatever reads it reads its input.
        alias.set(node.name, primary);
        graph.readers.set(primary, (graph.readers.get(primary) ?? 1) - 1 + readers[i]!);
        break;
      case 'lif':
        push({ kind: 'lif', name: node.name, key: lifKey(node), decay: node.decay, reset: node.reset, threshold: node.threshold });
        break;
      case 'avgpool2d':
      case 'maxpool2d':
        push({ kind: node.kind, name: node.name, kernel: node.kernel, stride: node.stride, ...(node.padding ? { padding: node.padding } : {}) });
        break;
      case 'adaptiveavgpool2d':
        push({ kind: node.kind, name: node.name, output: node.output });
        break;
      case 'flatten':
        push({ kind: 'flatten', name: node.name });
        break;
      case 'add':
        push({ kind: 'add', name: node.name, from: operand(sources[1]!) });
        break;
      default:
        return assertNever(node);
    }
  }
  return { name: model.name, source: model.source, timesteps: model.timesteps, input: model.input, sha256, nodes: graph.nodes };
}

/**
 * The folded nodes in order, with what a later fold needs of them: where each sits, its output shape and how
 * many nodes read it (a branch can only absorb a norm's scale when nothing else reads its output).
 */
class FoldedGraph {
  readonly nodes: FoldedNode[] = [];
  readonly shapeOf = new Map<string, readonly number[]>();
  readonly readers = new Map<string, number>();

  node(name: string): FoldedNode | undefined {
    const at = this.nodes.findIndex((n) => n.name === name);
    return at < 0 ? undefined : this.nodes[at];
  }

  /** Appends a node reading `primary`, wired explicitly only where that is not the node before it. */
  push(node: FoldedNode, primary: string, shape: readonly number[], readBy: number): void {
    const previous = this.nodes.length === 0 ? MODEL_INPUT : this.nodes[this.nodes.length - 1]!.name;
    this.nodes.push(primary === previous ? node : { ...node, input: primary });
    this.shapeOf.set(node.name, shape);
    this.readers.set(node.name, readBy);
  }

  /**
   * norm(x) = g*x + (beta - g*mean) with g = gamma/sqrt(var + eps): into a conv or linear, it scales its output
   * channels; into an add, it scales both operands (a conv or linear that only the add reads absorbs it in its
   * weights; anything else, e.g. a shortcut of spikes, gets a 1x1 synaptic layer of weights g), and the shift goes
   * to the first operand's bias.
   */
  foldNormInto(target: FoldedNode, norm: Extract<ModelNode, { kind: 'norm' }>): void {
    const g = Float64Array.from(norm.gamma.data, (gamma, c) => gamma / Math.sqrt(norm.variance.data[c]! + norm.eps));
    const shift = Float64Array.from(norm.beta.data, (beta, c) => beta - norm.mean.data[c]! * g[c]!);
    if (target.kind === 'conv2d' || target.kind === 'linear') {
      this.replace(target.name, scaleChannels(target, g, shift));
      return;
    }
    if (target.kind !== 'add') return;
    const at = this.nodes.indexOf(target);
    const operands = [target.input ?? (at === 0 ? MODEL_INPUT : this.nodes[at - 1]!.name), target.from];
    const wired = operands.map((name, j) => {
      const node = this.node(name);
      const shiftOf = j === 0 ? shift : null;
      if (node && (node.kind === 'conv2d' || node.kind === 'linear') && this.readers.get(name) === 1) {
        this.replace(name, scaleChannels(node, g, shiftOf));
        return name;
      }
      const scaled = uniqueName(`${norm.name}.scale-${name}`, this.nodes);
      const shape = this.shapeOf.get(name)!;
      const position = this.nodes.indexOf(target);
      this.nodes.splice(position, 0, { ...diagonalLayer(scaled, shape, g, shiftOf), input: name });
      this.shapeOf.set(scaled, shape);
      this.readers.set(scaled, 1);
      this.readers.set(name, (this.readers.get(name) ?? 1) - 1 + 1);
      return scaled;
    });
    this.replace(target.name, { ...target, input: wired[0]!, from: wired[1]! });
  }

  private replace(name: string, node: FoldedNode): void {
    const at = this.nodes.findIndex((n) => n.name === name);
    const old = this.nodes[at]!;
    this.nodes[at] = old.input !== undefined && node.input === undefined ? { ...node, input: old.input } : node;
  }
}

function uniqueName(base: string, nodes: readonly FoldedNode[]): string {
  let name = base;
  for (let i = 2; nodes.some((n) => n.name === name); i++) name = `${base}#${i}`;
  return name;
}

/** Output channel c of a conv or linear times g[c], plus shift[c]. */
function scaleChannels<T extends FoldedConv | FoldedLinear>(node: T, g: Float64Array, shift: Float64Array | null): T {
  const channels = node.bias.length;
  const per = node.weight.length / channels;
  const weight = new Float32Array(node.weight.length);
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const gc = g[c]!;
    for (let k = c * per, end = k + per; k < end; k++) weight[k] = node.weight[k]! * gc;
    bias[c] = node.bias[c]! * gc + (shift ? shift[c]! : 0);
  }
  return { ...node, weight, bias };
}

/** y[c] = g[c]*x[c] + shift[c] as a synaptic layer: a 1x1 convolution over [C, H, W], a diagonal matrix over [N]. */
function diagonalLayer(name: string, shape: readonly number[], g: Float64Array, shift: Float64Array | null): FoldedConv | FoldedLinear {
  const channels = g.length;
  const bias = Float32Array.from(g, (_, c) => (shift ? shift[c]! : 0));
  const weight = new Float32Array(channels * channels);
  for (let c = 0; c < channels; c++) weight[c * channels + c] = g[c]!;
  if (shape.length === 3) return { kind: 'conv2d', name, weight, shape: [channels, channels, 1, 1], bias, stride: [1, 1], padding: [0, 0] };
  return { kind: 'linear', name, weight, shape: [channels, channels], bias };
}

type Synaptic = Extract<ModelNode, { kind: 'conv2d' | 'linear' }>;
type Norm = Extract<ModelNode, { kind: 'norm' }>;

/**
 * A NIR neuron with one state: v = decay*v + s*x + leak is the LIF u = decay*u + x' with x' = s*x + leak, so the
 * input scale multiplies the synaptic layer's weights and bias and the leak adds to its bias. Synaptic current
 * state and recurrent weights have no lowering here and are refused.
 */
function foldNeuron(node: SpikingNeuronNode, before: FoldedNode[], where: string): FoldedNode {
  const d = node.dynamics;
  if (d.current) throw new CompileError(where, `${node.origin} has a synaptic current state, which this compiler does not lower (E-UNSUPPORTED)`, 'E-UNSUPPORTED', node.name);
  if (node.recurrent) throw new CompileError(where, `recurrent weights on ${node.origin} neurons are not lowered in this version (E-UNSUPPORTED)`, 'E-UNSUPPORTED', node.name);
  if (d.inputScale !== 1 || d.leak !== 0) {
    const index = before.length - 1;
    const synaptic = before[index];
    if (!synaptic || (synaptic.kind !== 'conv2d' && synaptic.kind !== 'linear')) {
      throw new CompileError(where, 'an input scale or leak needs the neuron to follow a conv2d or linear layer, into which it folds', 'E-GRAPH', node.name);
    }
    const weight = synaptic.weight.map((w) => w * d.inputScale);
    const bias = synaptic.bias.map((b) => b * d.inputScale + d.leak);
    before[index] = { ...synaptic, weight, bias };
  }
  return { kind: 'lif', name: node.name, key: node.name, decay: d.decay, reset: node.reset, threshold: { kind: 'fixed', value: node.threshold } };
}

function foldInto(node: Synaptic, norm: Norm | null, inputFactor: number): FoldedNode {
  const outChannels = node.weight.shape[0]!;
  const perChannel = node.weight.data.length / outChannels;
  const weight = new Float32Array(node.weight.data.length);
  const bias = new Float32Array(outChannels);
  for (let c = 0; c < outChannels; c++) {
    const b = node.bias ? node.bias.data[c]! : 0;
    // Folding in float64 and rounding once keeps the folded model within float32 rounding of the unfolded one.
    const g = norm ? norm.gamma.data[c]! / Math.sqrt(norm.variance.data[c]! + norm.eps) : 1;
    bias[c] = norm ? (b - norm.mean.data[c]!) * g + norm.beta.data[c]! : b;
    for (let k = 0; k < perChannel; k++) weight[c * perChannel + k] = node.weight.data[c * perChannel + k]! * g * inputFactor;
  }
  if (node.kind === 'conv2d') {
    return { kind: 'conv2d', name: node.name, weight, shape: node.weight.shape as [number, number, number, number], bias, stride: node.stride, padding: node.padding };
  }
  return { kind: 'linear', name: node.name, weight, shape: node.weight.shape as [number, number], bias };
}
