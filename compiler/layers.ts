import { CompileError } from './errors.js';
import { graphToLayers } from './graph-layers.js';
import type { FloatLayer, FrozenLif, FrozenModel, LayeredModel, PoolingStage, SynapticGeometry } from './stages.js';

/**
 * Groups a frozen model into chip layers: (pooling) -> conv/linear -> LIF, and a last conv/linear without LIF as
 * the mean-over-time output layer. Pooling must tile its input (kernel = stride, or an adaptive pool that
 * divides the input) so it can fold into the next layer's synapses. A graph that branches (residual adds) or max
 * pools goes through graphToLayers.
 */
export function toLayers(model: FrozenModel): LayeredModel {
  if (model.nodes.some((n) => n.input !== undefined || n.kind === 'add' || n.kind === 'maxpool2d')) return graphToLayers(model);
  const layers: FloatLayer[] = [];
  const shape3 = (s: readonly number[]): [number, number, number] => (s.length === 3 ? [s[0]!, s[1]!, s[2]!] : [s.reduce((a, b) => a * b, 1), 1, 1]);
  let source: [number, number, number] = shape3(model.input.shape);
  let pooling: PoolingStage | null = null;
  let names: string[] = [];
  let open: Omit<FloatLayer, 'neuron' | 'kind' | 'source' | 'branches' | 'startStep'> | null = null;
  const where = (name: string) => `${model.name}: layer ${name}`;

  const close = (neuron: FrozenLif | null) => {
    if (!open) return;
    const index = layers.length;
    layers.push({
      ...open,
      kind: neuron ? 'spiking' : 'output',
      neuron,
      nodes: neuron ? [...open.nodes, neuron.name] : open.nodes,
      source: index - 1,
      branches: [],
      startStep: index,
    });
    source = open.shape as [number, number, number];
    open = null;
  };

  for (const node of model.nodes) {
    switch (node.kind) {
      case 'avgpool2d': {
        if (open) throw new CompileError(where(node.name), 'pooling between a synaptic layer and its neurons cannot be lowered', 'E-GRAPH', node.name);
        if (node.kernel !== node.stride)
          throw new CompileError(where(node.name), `overlapping pooling (kernel ${node.kernel}, stride ${node.stride}) cannot fold into synapses`, 'E-GRAPH', node.name);
        if (pooling) throw new CompileError(where(node.name), 'two pooling layers in a row cannot fold into synapses', 'E-GRAPH', node.name);
        const [c, h, w] = source;
        pooling = {
          kernel: [node.kernel, node.kernel],
          stride: [node.kernel, node.kernel],
          adaptive: false,
          pooledShape: [c, Math.floor(h / node.kernel), Math.floor(w / node.kernel)],
        };
        names.push(node.name);
        break;
      }
      case 'adaptiveavgpool2d': {
        if (open) throw new CompileError(where(node.name), 'pooling between a synaptic layer and its neurons cannot be lowered', 'E-GRAPH', node.name);
        if (pooling) throw new CompileError(where(node.name), 'two pooling layers in a row cannot fold into synapses', 'E-GRAPH', node.name);
        const [c, h, w] = source;
        const [oh, ow] = node.output;
        if (h % oh !== 0 || w % ow !== 0)
          throw new CompileError(
            where(node.name),
            `adaptive pooling of ${h}x${w} to ${oh}x${ow} has unequal windows; only tiling windows fold into synapses`,
            'E-GRAPH',
            node.name,
          );
        pooling = { kernel: [h / oh, w / ow], stride: [h / oh, w / ow], adaptive: false, pooledShape: [c, oh, ow] };
        names.push(node.name);
        break;
      }
      case 'maxpool2d':
        throw new CompileError(where(node.name), 'max pooling is not lowered to synapses (E-UNSUPPORTED): use average pooling', 'E-UNSUPPORTED', node.name);
      case 'add':
        throw new CompileError(where(node.name), 'residual additions are not lowered in this version (E-UNSUPPORTED)', 'E-UNSUPPORTED', node.name);
      case 'flatten':
        names.push(node.name);
        break;
      case 'conv2d':
      case 'linear': {
        if (open) close(null);
        if (layers.length > 0 && layers[layers.length - 1]!.kind === 'output') {
          throw new CompileError(where(node.name), 'a synaptic layer follows one without neurons; only the last layer may lack neurons', 'E-GRAPH', node.name);
        }
        const pooled = pooling ? pooling.pooledShape : source;
        let geometry: SynapticGeometry;
        let shape: [number, number, number];
        if (node.kind === 'conv2d') {
          const [cout, cin, kh, kw] = node.shape;
          const oh = Math.floor((pooled[1] + 2 * node.padding[0] - kh) / node.stride[0]) + 1;
          const ow = Math.floor((pooled[2] + 2 * node.padding[1] - kw) / node.stride[1]) + 1;
          geometry = { kind: 'conv', inChannels: cin, outChannels: cout, kernel: [kh, kw], stride: node.stride, padding: node.padding };
          shape = [cout, oh, ow];
        } else {
          geometry = { kind: 'dense', inFeatures: node.shape[1], outFeatures: node.shape[0] };
          shape = [node.shape[0], 1, 1];
        }
        const poolFactor = pooling ? 1 / (pooling.kernel[0] * pooling.kernel[1]) : 1;
        open = { name: node.name, nodes: [...names, node.name], shape, sourceShape: source, pooling, geometry, weight: node.weight, bias: node.bias, poolFactor };
        pooling = null;
        names = [];
        break;
      }
      case 'lif':
        if (!open) throw new CompileError(where(node.name), 'a LIF layer must follow a conv2d or linear layer', 'E-GRAPH', node.name);
        close(node);
        break;
    }
  }
  if (pooling || names.length > 0)
    throw new CompileError(
      where(names[names.length - 1] ?? model.name),
      'the model ends with pooling or flatten and no synaptic layer',
      'E-GRAPH',
      names[names.length - 1] ?? null,
    );
  close(null);
  if (layers.length === 0) throw new CompileError(model.name, 'the model has no conv2d or linear layer', 'E-GRAPH', null);
  if (layers[layers.length - 1]!.kind !== 'output') {
    throw new CompileError(model.name, 'the model must end with a conv2d/linear layer whose mean over time is the output', 'E-GRAPH', null);
  }
  return { name: model.name, source: model.source, timesteps: model.timesteps, input: model.input, sha256: model.sha256, layers };
}
