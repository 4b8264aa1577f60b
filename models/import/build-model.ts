import type { ArchLayer, ArchSpec } from '../arch/arch-spec.js';
import { ModelError } from '../errors.js';
import { topologicalOrder } from '../graph/graph.js';
import { MODEL_INPUT, type Model, type ModelNode } from '../graph/model.js';
import { formatShape, sameShape, type Tensor } from '../graph/tensor.js';
import { validateModel } from '../graph/validate-model.js';
import { toFloat32, type PthTensor } from '../pth/read-pth.js';
import { seedDecay } from './seed-conventions.js';

/**
 * Turns an arch spec and the tensors of a state dict into a Model, checking every key, every shape and every
 * value (NaN / infinity), so that a bad checkpoint fails here, naming the file, the layer and the key.
 */
export function buildModel(arch: ArchSpec, stateDict: ReadonlyMap<string, PthTensor>, file: string): Model {
  const take = (key: string, layer: string, expected: readonly number[]): Tensor => {
    const t = stateDict.get(key);
    if (!t) throw new ModelError(file, `layer ${layer}: key '${key}' named by the arch is missing from the state dict`);
    const value = toFloat32(t, key, file);
    if (!sameShape(value.shape, expected) && !(value.shape.length !== expected.length && sameCount(value.shape, expected))) {
      throw new ModelError(file, `layer ${layer}: '${key}' has shape ${formatShape(value.shape)}, expected ${formatShape(expected)}`);
    }
    return { shape: [...expected], data: value.data };
  };
  const weightOf = (key: string, layer: string, rank: number): Tensor => {
    const t = stateDict.get(key);
    if (!t) throw new ModelError(file, `layer ${layer}: key '${key}' named by the arch is missing from the state dict`);
    if (t.shape.length !== rank) {
      throw new ModelError(file, `layer ${layer}: '${key}' has shape ${formatShape(t.shape)}, expected a ${rank}-D weight`);
    }
    return toFloat32(t, key, file);
  };

  const nodes: ModelNode[] = [];
  const used = new Set<string>([MODEL_INPUT]);
  const uniqueName = (base: string): string => {
    let name = base;
    for (let i = 2; used.has(name); i += 1) name = `${base}#${i}`;
    used.add(name);
    return name;
  };

  // Ids default to positions and inputs to the previous layer, so a /1 chain is a /2 graph with no wiring.
  const ids = arch.layers.map((layer, i) => layer.id ?? String(i));
  const operands = arch.layers.map((layer, i): string[] => {
    const previous = i === 0 ? MODEL_INPUT : ids[i - 1]!;
    return layer.op === 'add' ? [layer.inputs[0] ?? previous, layer.inputs[1]] : [layer.input ?? previous];
  });
  const order = topologicalOrder(
    ids.map((id, i) => ({ id, inputs: operands[i]! })),
    file,
  );
  const nodeName = new Map<string, string>([[MODEL_INPUT, MODEL_INPUT]]);
  const channelsOf = new Map<string, number>([[MODEL_INPUT, arch.input.shape[0] ?? 1]]);
  let channels = 0;
  for (const index of order) {
    const layer = arch.layers[index]!;
    const [first, second] = operands[index]!;
    channels = channelsOf.get(first!)!;
    const built = buildNode(layer, index);
    const source = nodeName.get(first!)!;
    const previous = nodes.length === 0 ? MODEL_INPUT : nodes[nodes.length - 1]!.name;
    const wired: ModelNode = built.kind === 'add' ? { ...built, from: nodeName.get(second!)! } : built;
    nodes.push(source === previous ? wired : { ...wired, input: source });
    nodeName.set(ids[index]!, wired.name);
    channelsOf.set(ids[index]!, channels);
  }

  function buildNode(layer: ArchLayer, index: number): ModelNode {
    switch (layer.op) {
      case 'conv2d': {
        const name = uniqueName(layer.id ?? stripSuffix(layer.weight, '.weight'));
        const weight = weightOf(layer.weight, name, 4);
        const outChannels = weight.shape[0]!;
        channels = outChannels;
        return {
          kind: 'conv2d',
          name,
          weight,
          bias: layer.bias === null ? null : take(layer.bias, name, [outChannels]),
          stride: pair(layer.stride),
          padding: pair(layer.padding),
        };
      }
      case 'linear': {
        const name = uniqueName(layer.id ?? stripSuffix(layer.weight, '.weight'));
        const weight = weightOf(layer.weight, name, 2);
        channels = weight.shape[0]!;
        return { kind: 'linear', name, weight, bias: layer.bias === null ? null : take(layer.bias, name, [channels]) };
      }
      case 'norm': {
        const name = uniqueName(layer.id ?? layer.prefix);
        const keys = layer.kind === 'osr' ? ['gamma', 'beta', 'run_mean', 'run_var'] : ['weight', 'bias', 'running_mean', 'running_var'];
        const [gamma, beta, mean, variance] = keys.map((k) => take(`${layer.prefix}.${k}`, name, [channels])) as [Tensor, Tensor, Tensor, Tensor];
        if (variance.data.some((v) => v + layer.eps <= 0)) {
          throw new ModelError(file, `layer ${name}: running variance + eps is not positive`);
        }
        return { kind: 'norm', name, variant: layer.kind, gamma, beta, mean, variance, eps: layer.eps };
      }
      case 'lif':
        return {
          kind: 'lif',
          name: uniqueName(layer.id ?? layer.prefix ?? `lif${index}`),
          prefix: layer.prefix,
          decay: seedDecay(arch, arch.neuron.decay),
          threshold: arch.neuron.ots ? { kind: 'ots', initial: Math.fround(arch.neuron.threshold), frozen: null } : { kind: 'fixed', value: Math.fround(arch.neuron.threshold) },
          reset: arch.neuron.reset,
        };
      case 'avgpool2d':
      case 'maxpool2d': {
        const name = uniqueName(layer.id ?? `${layer.op.replace('2d', '')}${index}`);
        return { kind: layer.op, name, kernel: layer.kernel, stride: layer.stride ?? layer.kernel, ...(layer.padding ? { padding: layer.padding } : {}) };
      }
      case 'adaptiveavgpool2d':
        return { kind: 'adaptiveavgpool2d', name: uniqueName(layer.id ?? `adaptiveavgpool${index}`), output: pair(layer.output) };
      case 'flatten':
        return { kind: 'flatten', name: uniqueName(layer.id ?? `flatten${index}`) };
      case 'dropout':
        return { kind: 'dropout', name: uniqueName(layer.id ?? `dropout${index}`), p: layer.p ?? 0 };
      case 'add':
        // `from` is wired by the caller, which knows every id's node name.
        return { kind: 'add', name: uniqueName(layer.id ?? `add${index}`), from: '' };
    }
  }

  const model: Model = {
    name: arch.name,
    source: arch.source,
    timesteps: arch.timesteps,
    input: { shape: [...arch.input.shape], scale: arch.input.scale, encoding: 'direct' },
    nodes,
    output: 'mean-over-time',
  };
  validateModel(model, file);
  return model;
}

function sameCount(a: readonly number[], b: readonly number[]): boolean {
  // OSR stores per-channel vectors as [1, C, 1, 1] in some versions of the seed code.
  const count = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  return count(a) === count(b) && a.filter((d) => d !== 1).length <= 1;
}

function pair(v: number | readonly [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function stripSuffix(s: string, suffix: string): string {
  return s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
}
